"""Keep the course map in one place: swtlb/course-map.json.

    .venv/bin/python scripts/course-map.py           # check: exit 1 and list what disagrees
    .venv/bin/python scripts/course-map.py --write   # re-estimate minutes, rewrite the rest

--write recomputes each notebook's minutes with swtlb.coursemap.estimate(), stores them in the
JSON file, and rewrites the README's course-map table and total, and each notebook's
**Time.** line. Notebook 00 reads the map from the package, so it needs nothing here.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from swtlb import coursemap  # noqa: E402

TIME = re.compile(r"\*\*Time\.\*\* [^\n]*?minutes\.")
TABLE_HEAD = "| # | Notebook | Time | Prerequisites | You will be able to |"


def readme_table(course: list[coursemap.Entry]) -> str:
    rows = [TABLE_HEAD, "|---|----------|------|---------------|---------------------|"]
    rows += [f"| {e.number} | [{e.title}](notebooks/{e.file}) | {e.minutes} min | "
             f"{e.prerequisites} | {e.objective} |" for e in course]
    return "\n".join(rows)


def total_line(course: list[coursemap.Entry]) -> str:
    minutes = sum(e.minutes for e in course)
    return f"{minutes} minutes in all, about {round(minutes / 30) / 2:g} hours."


def rendered_readme(text: str, course: list[coursemap.Entry]) -> str:
    start = text.index(TABLE_HEAD)
    end = text.index("\n\n", start)
    text = text[:start] + readme_table(course) + text[end:]
    return re.sub(r"(?m)^(About [a-z ]+ hours in all \(\d+ minutes\)\.|\d+ minutes in all, "
                  r"about [\d.]+ hours\.)", total_line(course), text, count=1)


def time_line(entry: coursemap.Entry) -> str:
    return f"**Time.** About {entry.minutes} minutes."


def problems(write: bool) -> list[str]:
    found: list[str] = []
    course = coursemap.load()
    if write:
        course = [coursemap.Entry(**{**e.__dict__,
                                     "minutes": coursemap.estimate(ROOT / "notebooks" / e.file)})
                  for e in course]
        coursemap.MAP_FILE.write_text(json.dumps([e.__dict__ for e in course], indent=1,
                                                 ensure_ascii=False) + "\n")
    listed = {e.file for e in course}
    on_disk = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")}
    found += [f"{name}: a notebook the course map does not list" for name in on_disk - listed]
    for e in course:
        path = ROOT / "notebooks" / e.file
        if not path.exists():
            found.append(f"{e.file}: listed in the course map but missing")
            continue
        if e.minutes != coursemap.estimate(path):
            found.append(f"{e.file}: the map says {e.minutes} min, the estimate is "
                         f"{coursemap.estimate(path)} (run with --write)")
        nb = nbformat.read(path, as_version=4)
        head = nb.cells[0].source
        if time_line(e) not in head:
            if write and TIME.search(head):
                nb.cells[0].source = TIME.sub(time_line(e), head, count=1)
                nbformat.write(nb, path)
            else:
                found.append(f"{e.file}: its first cell should say '{time_line(e)}'")
    readme = ROOT / "README.md"
    text = readme.read_text()
    if rendered_readme(text, course) != text:
        if write:
            readme.write_text(rendered_readme(text, course))
        else:
            found.append("README.md: the course-map table or its total is out of date")
    return found


def main() -> int:
    found = problems(write="--write" in sys.argv[1:])
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
