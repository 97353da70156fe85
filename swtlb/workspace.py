"""Learner workspaces: a copy of the course's notebooks and dashboard in a folder of the learner's
own (``swtlb start DIR``), so nobody edits the copy that ships with swtlb.

The folder mirrors the repository: ``DIR/notebooks/00-start-here.ipynb`` ... and
``DIR/dashboard/classroom.ipynb``, so the notebooks' links to each other and the prose that names
``notebooks/`` hold there too. The notebooks need nothing else beside them: they find the
package's data through the package and the reference folder ``shared/`` through
``swtlb.shared.find_shared()``, wherever they are run from.

A manifest, ``DIR/.swtlb-workspace.json``, records what was copied. Running ``start`` again
brings in what is missing and what the course changed, and never overwrites a notebook the
learner edited unless ``force`` is given. "Edited" means a cell's source differs from the copy
made: running a notebook (new outputs, counts, widget state) is not editing it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import coursemap

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ".swtlb-workspace.json"
EXIT_OK, EXIT_KEPT, EXIT_SETUP = 0, 1, 4
DEFAULT_DIR = "swtlb-course"  # under the home folder, for the course launcher

__all__ = ["MANIFEST", "Start", "WorkspaceError", "course_files", "fingerprint", "main",
           "open_lab", "run", "start"]


class WorkspaceError(Exception):
    """The course files cannot be found, or the folder cannot be a workspace."""


def course_files(root: Path = ROOT) -> dict[str, Path]:
    """What a workspace holds: its relative path (POSIX) -> the course's copy."""
    notebooks, dashboard = root / "notebooks", root / "dashboard" / "classroom.ipynb"
    files = {f"notebooks/{e.file}": notebooks / e.file for e in coursemap.load()}
    files["dashboard/classroom.ipynb"] = dashboard
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise WorkspaceError(
            f"the course's notebooks are not at {root} ({len(missing)} missing, e.g. "
            f"{missing[0]}). They ship with the swtlb repository, not with the installed "
            "package: clone it, then run 'bash scripts/open-course.sh' or "
            "'pip install -e .' and 'swtlb start DIR' from the clone")
    return files


def fingerprint(path: Path) -> str:
    """A notebook's identity for "was it edited": the hash of its cells' types and sources
    (outputs, execution counts and metadata left out). Any other file: the hash of its bytes."""
    data = path.read_bytes()
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(data)["cells"]
            sources = [[c.get("cell_type"), "".join(c.get("source", ""))] for c in cells]
            data = json.dumps(sources, ensure_ascii=False).encode()
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # not a notebook we can read: compare bytes
    return hashlib.sha256(data).hexdigest()


@dataclass
class Start:
    """What ``start`` did, file by file (relative paths)."""

    path: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # the course changed, the learner had not
    unchanged: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)  # the learner's edits, course unchanged: kept
    kept: list[str] = field(default_factory=list)  # edited, and the course changed: not updated
    overwritten: list[str] = field(default_factory=list)  # edited, replaced because of force

    @property
    def status(self) -> int:
        return EXIT_KEPT if self.kept else EXIT_OK

    def report(self) -> str:
        """What happened, and how to open the workspace."""
        lines = []
        if self.added:
            lines.append(f"copied {_listing(self.added)}")
        if self.updated:
            lines.append(f"updated {_listing(self.updated)} (the course changed them)")
        if self.overwritten:
            lines.append(f"replaced {_listing(self.overwritten)} you had edited with the "
                         "course's copy (--force)")
        if self.unchanged and not (self.added or self.updated or self.overwritten):
            lines.append(f"up to date: {_count(self.unchanged)}")
        if self.edited:
            it = "it" if len(self.edited) == 1 else "them"
            lines.append(f"kept your edits in {_listing(self.edited)} (never overwritten; "
                         f"--force replaces {it} with the course's copy, losing your edits)")
        if self.kept:
            lines.append(f"kept {_listing(self.kept)} you edited, although the course has "
                         "changed since: 'swtlb start --force DIR' takes the course's version "
                         "and loses your edits (copy them elsewhere first)")
        where = str(self.path)
        lines.append(f"Open the course:  {_jupyter()} lab {_quote(where)}"
                     + (" --allow-root" if _is_root() else ""))
        lines.append(f"The dashboard:    {_jupyter('voila')} "
                     f"{_quote(str(self.path / 'dashboard' / 'classroom.ipynb'))}")
        return "\n".join(lines)


def _count(names: list[str]) -> str:
    return f"{len(names)} file{'s' if len(names) != 1 else ''}"


def _listing(names: list[str]) -> str:
    """``notebooks/00-a.ipynb``, ... as "3 files (00-a.ipynb, 01-b.ipynb, classroom.ipynb)"."""
    shown = ", ".join(Path(n).name for n in names[:4])
    more = f" and {len(names) - 4} more" if len(names) > 4 else ""
    return f"{_count(names)} ({shown}{more})"


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _jupyter(name: str = "jupyter") -> str:
    """The command as the learner can type it: bare if on PATH, else this Python's copy."""
    if shutil.which(name):
        return name
    beside = Path(sys.executable).parent / name
    return _quote(str(beside)) if beside.exists() else name


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads((path / MANIFEST).read_text())
        return {str(k): str(v) for k, v in data.get("files", {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def start(path: Path | str, force: bool = False, *, root: Path = ROOT) -> Start:
    """Copy the course's notebooks and dashboard into ``path`` (created if missing).

    Files the learner edited since they were copied are kept, never overwritten, unless
    ``force``; ``Start.kept`` lists those the course has since changed (not updated), and
    ``Start.status`` is then 1. Raises ``WorkspaceError`` when the course files are missing,
    ``path`` is the course's own folder, or ``path`` is a file.
    """
    path = Path(path).expanduser()
    files = course_files(root)
    target = path.resolve()
    if target == root.resolve() or any(target == src.parent.resolve() for src in files.values()):
        raise WorkspaceError(f"{path} holds the course's own copy; choose a folder of your own "
                             "(for example ~/swtlb-course)")
    if target.exists() and not target.is_dir():
        raise WorkspaceError(f"{path} exists and is not a folder")
    manifest = _read_manifest(path)
    result = Start(path=target)
    plan: list[tuple[str, Path]] = []
    for rel, src in files.items():
        dst = path / rel
        new = fingerprint(src)
        if not dst.exists():
            result.added.append(rel)
            plan.append((rel, src))
            continue
        have = fingerprint(dst)
        if have == new:
            result.unchanged.append(rel)
        elif manifest.get(rel) == have:  # untouched since copied; the course changed
            result.updated.append(rel)
            plan.append((rel, src))
        elif force:
            result.overwritten.append(rel)
            plan.append((rel, src))
        elif manifest.get(rel) == new:  # the learner's edits; the course has not changed
            result.edited.append(rel)
        else:  # edited, and the course changed (or no record of what was copied)
            result.kept.append(rel)
    for rel, src in plan:
        dst = path / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        manifest[rel] = fingerprint(dst)
    for rel in result.unchanged:
        manifest.setdefault(rel, fingerprint(files[rel]))
    path.mkdir(parents=True, exist_ok=True)
    (path / MANIFEST).write_text(json.dumps(
        {"about": "written by 'swtlb start': what was copied, to tell your edits from the "
                  "course's updates", "course": str(root), "files": dict(sorted(manifest.items()))},
        indent=1) + "\n")
    return result


def run(path: Path | str, force: bool = False) -> int:
    """``swtlb start DIR [--force]``: print what was done and how to open it; return the exit
    status (0, 1 when edited files were kept back from an update, 4 when the course files are
    missing or DIR cannot be used)."""
    try:
        result = start(path, force=force)
    except (WorkspaceError, OSError) as exc:
        print(f"swtlb start: {exc}", file=sys.stderr)
        return EXIT_SETUP
    print(f"swtlb start: workspace {result.path}")
    print(result.report())
    return result.status


def open_lab(path: Path | str, extra: list[str] = (), *, call=None) -> int:
    """Start (or refresh) the workspace at ``path`` and open it in JupyterLab: what the course
    launcher (scripts/open-course.sh) runs. Edited notebooks are kept and the lab opens anyway."""
    import importlib.util

    call = subprocess.call if call is None else call
    status = run(path)
    if status == EXIT_SETUP:
        return status
    missing = [m for m in ("jupyterlab", "ipywidgets", "ipykernel")
               if importlib.util.find_spec(m) is None]
    if missing:
        print(f"swtlb: {', '.join(missing)} not installed for {sys.executable}; "
              "'bash scripts/open-course.sh' installs everything, or "
              "pip install 'swtlb[course]'", file=sys.stderr)
        return EXIT_SETUP
    command = [sys.executable, "-m", "jupyterlab", str(Path(path).expanduser()), *extra]
    if _is_root() and "--allow-root" not in extra:
        command.append("--allow-root")  # containers run as root; JupyterLab refuses otherwise
    try:
        return call(command)
    except KeyboardInterrupt:
        return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """``python -m swtlb.workspace [--force] DIR`` (what ``swtlb start`` does), or
    ``python -m swtlb.workspace --open DIR [JUPYTERLAB ARGS...]`` (the course launcher)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="swtlb start", description="Copy the course notebooks and the classroom dashboard "
        "into a folder of your own, and say how to open them.")
    parser.add_argument("dir", metavar="DIR", help="the folder (created if missing)")
    parser.add_argument("--force", action="store_true",
                        help="replace notebooks you edited with the course's copies")
    parser.add_argument("--open", action="store_true",
                        help="then open the folder in JupyterLab (extra arguments go to it)")
    args, extra = parser.parse_known_args(argv)
    if extra and not args.open:
        parser.error(f"unrecognised arguments: {' '.join(extra)}")
    if args.open:
        return open_lab(args.dir, [a for a in extra if a != "--"])
    return run(args.dir, force=args.force)


if __name__ == "__main__":
    sys.exit(main())
