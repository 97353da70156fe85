"""Where the course's reference folder (``shared/``: litmus tests, herd7's answers) lives.

Notebooks and tests compare against it when it is there and skip with a message when it is not.
Looking only at ``../shared`` relative to the working directory breaks as soon as a notebook is
copied elsewhere, so the search is: ``$SWTLB_SHARED`` first, then a ``shared/`` folder (one
holding ``litmus/``) beside any parent of this package, then beside any parent of the working
directory.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "SWTLB_SHARED"
MARKER = "litmus"  # a folder every copy of shared/ has; tells it from any other "shared"


def _looks_shared(path: Path) -> bool:
    return (path / MARKER).is_dir()


def _walk_up(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "shared"
        if _looks_shared(candidate):
            return candidate
    return None


def find_shared(cwd: Path | str | None = None) -> Path | None:
    """The reference folder, or None. ``$SWTLB_SHARED`` wins when set (an existing folder is
    trusted as it is; a wrong value gives None rather than a silent fallback elsewhere)."""
    env = os.environ.get(ENV)
    if env:
        path = Path(env).expanduser()
        return path.resolve() if path.is_dir() else None
    here = Path(__file__).resolve().parent
    start = Path(cwd) if cwd is not None else Path.cwd()
    return _walk_up(here) or _walk_up(start.resolve())


def shared_path(*parts: str, cwd: Path | str | None = None) -> Path | None:
    """``find_shared() / parts`` if that exists, else None."""
    root = find_shared(cwd)
    if root is None:
        return None
    path = root.joinpath(*parts)
    return path if path.exists() else None


def skip_message(what: str, *parts: str, cwd: Path | str | None = None) -> str:
    """One line saying what is skipped and why, and how to make it run.

    ``what`` names the skipped step ("the comparison with herd7"); ``parts`` the file or
    folder inside shared/ that it needs.
    """
    inside = "/".join(parts)
    needs = f"shared/{inside}" if inside else "the shared/ reference folder"
    env = os.environ.get(ENV)
    root = find_shared(cwd)
    if env and root is None:
        reason = f"{ENV}={env} is not a folder"
    elif root is None:
        start = Path(cwd) if cwd is not None else Path.cwd()
        reason = (f"{ENV} is not set and no shared/ folder (with {MARKER}/ in it) was found "
                  f"beside the swtlb package or any parent of {start.resolve()}")
    elif inside and not root.joinpath(*parts).exists():
        reason = f"{root} has no {inside}"
    else:
        return f"{what}: {needs} found at {root.joinpath(*parts)}; nothing is skipped"
    return f"skipped {what}: it needs {needs}, but {reason}. Set {ENV} to the folder to run it."
