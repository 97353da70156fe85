"""Build the course site: ``bash scripts/build-site.sh`` runs this with the project's .venv.

    python site/build.py [--out DIR] [--fresh] [-- SPHINX-OPTIONS...]

Lays the sources out under ``build/site-src`` and runs Sphinx (configuration: ``site/conf.py``)
into ``build/site`` (or DIR). The front page is the README itself, with its course map, which
``scripts/course-map.py`` generates from ``swtlb/course-map.json``; the navigation is generated
from the same map and from the files in ``docs/``, so no text is kept twice. Files are copied only
when they changed, so a second build re-reads only what changed; ``--fresh`` starts over.

Nothing is executed and nothing is downloaded. Exit status 0 when Sphinx succeeded and no course
page (notebook, README, doc) drew a warning; 1 otherwise; 4 when Sphinx or myst-nb is missing.
Warnings about docstrings (the API pages) are printed and counted but do not fail the build.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / "build"
SOURCES = BUILD / "site-src"
DOCTREES = BUILD / "site-doctrees"
OUT = BUILD / "site"

sys.path.insert(0, str(ROOT))
from swtlb import coursemap  # noqa: E402

FIRST_DOCS = ["instructor-guide", "classroom"]  # the teacher's pages, then the rest A-Z

API = """\
# API reference

Generated from the docstrings of the `swtlb` package. The README's module table says what each
module is for; `swtlb.parse` and `swtlb.check` are the entry points.

```{eval-rst}
.. autosummary::
   :toctree: generated
   :recursive:

   swtlb
```
"""


def _write(path: Path, text: str) -> None:
    """Write ``text`` unless the file already holds it (keeps Sphinx's incremental build)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        shutil.copy2(src, dst)


def _toctree(caption: str, entries: list[str]) -> str:
    return ("```{toctree}\n:hidden:\n:caption: " + caption + "\n\n" + "\n".join(entries)
            + "\n```\n")


def docs_order(names: list[str]) -> list[str]:
    first = [n for n in FIRST_DOCS if n in names]
    return first + sorted(n for n in names if n not in first)


def front_page(readme: str, course: list[coursemap.Entry], docs: list[str]) -> str:
    """The README, with the site's navigation (hidden toctrees) after it."""
    teacher = [f"docs/{n}" for n in docs if n in FIRST_DOCS]
    reference = [f"docs/{n}" for n in docs if n not in FIRST_DOCS]
    return (readme.rstrip() + "\n\n"
            + _toctree("Course", [f"notebooks/{e.file.removesuffix('.ipynb')}"
                                  for e in course]) + "\n"
            + _toctree("Classroom", ["dashboard/classroom", *teacher]) + "\n"
            + _toctree("Reference", [*reference, "api"]))


def stage(dest: Path = SOURCES) -> list[str]:
    """Lay out the site's sources under ``dest``; return the documents it holds."""
    course = coursemap.load()
    wanted: dict[Path, Path] = {}
    for e in course:
        wanted[Path("notebooks") / e.file] = ROOT / "notebooks" / e.file
    wanted[Path("dashboard/classroom.ipynb")] = ROOT / "dashboard" / "classroom.ipynb"
    docs = docs_order([p.stem for p in (ROOT / "docs").glob("*.md")])
    for name in docs:
        wanted[Path("docs") / f"{name}.md"] = ROOT / "docs" / f"{name}.md"
    for rel, src in wanted.items():
        _copy(src, dest / rel)
    generated = {Path("index.md"): front_page((ROOT / "README.md").read_text(), course, docs),
                 Path("api.md"): API}
    for rel, text in generated.items():
        _write(dest / rel, text)
    keep = set(wanted) | set(generated)
    for path in sorted(dest.rglob("*"), reverse=True):  # files that left the project
        rel = path.relative_to(dest)
        if path.is_file() and rel not in keep and rel.parts[0] != "generated":
            path.unlink()
    return sorted(str(p.with_suffix("")) for p in keep)


def _docstring_warning(line: str) -> bool:
    """A warning about a docstring (the API pages), as opposed to one about a course page."""
    return "docstring of " in line or "/generated/" in line or "<autosummary>" in line


def build(out: Path = OUT, *, fresh: bool = False, extra: list[str] = ()) -> int:
    """Stage the sources and run Sphinx. A warning about a notebook, the README or a doc page
    (a broken link, a missing file) fails the build; one about a docstring is printed and
    counted but does not, since the modules are written for readers of the code first."""
    from sphinx.cmd.build import build_main

    if fresh:
        for folder in (SOURCES, DOCTREES, out):
            shutil.rmtree(folder, ignore_errors=True)
    stage(SOURCES)
    log = BUILD / "site-warnings.txt"
    status = build_main(["-b", "html", "-c", str(HERE), "-d", str(DOCTREES), "-w", str(log),
                         "-q", *extra, str(SOURCES), str(out)])
    lines = [ln for ln in log.read_text().splitlines() if "WARNING" in ln or "ERROR" in ln]
    docstrings = [ln for ln in lines if _docstring_warning(ln)]
    pages = [ln for ln in lines if not _docstring_warning(ln)]
    if docstrings:
        print(f"site: {len(docstrings)} docstring warning(s) above (the API pages); not fatal",
              file=sys.stderr)
    if pages:
        print(f"site: {len(pages)} warning(s) about course pages; fix them:\n  "
              + "\n  ".join(pages), file=sys.stderr)
        return status or 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument("--fresh", action="store_true", help="discard earlier builds first")
    parser.add_argument("sphinx", nargs="*", help="passed on to sphinx-build (after --)")
    args = parser.parse_args(argv)
    try:
        import myst_nb  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError as exc:
        print(f"build-site: {exc.name} is not installed for {sys.executable}; run "
              "'bash scripts/build-site.sh' (installs swtlb[site] into .venv) or "
              "pip install -e '.[site]'", file=sys.stderr)
        return 4
    status = build(args.out.resolve(), fresh=args.fresh, extra=args.sphinx)
    if status == 0:
        pages = sum(1 for _ in args.out.rglob("*.html"))
        print(f"site: {pages} HTML files in {args.out}; open {args.out / 'index.html'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
