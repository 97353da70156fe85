"""Shared fixtures: where the reference material lives, and a clear skip when it is absent."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SWTLB_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip naming what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference material not found at {path} (set SWTLB_SHARED or place "
                    "the shared/ folder beside the project)")
    return path


def herd7(path: Path, *options: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """herd7 7.58 run on the file ``path`` as the kernel's scripts run it (``-conf
    linux-kernel.cfg`` from the model's folder), or a skip saying what is missing."""
    herd = shared_path("tools", "herd7", "herd7")
    try:
        run = subprocess.run([str(herd), "-conf", "linux-kernel.cfg", *options,
                              str(Path(path).resolve())], cwd=shared_path("lkmm"),
                             capture_output=True, text=True, timeout=timeout)
    except OSError as exc:
        pytest.skip(f"herd7 at {herd} does not run here: {exc}")
    return run
