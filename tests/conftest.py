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


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """End the report (just above pytest's closing count) with one line: what was skipped, why,
    and how to get it, grouped by reason; the skip messages themselves say how."""
    result = yield
    import re

    groups: dict[str, list] = {}  # reason, its paths shown as "..." -> [(reason, report)]
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ").strip()
        key = re.sub(r"(?<![\w.])/[^\s,;()'\"]+", "...", reason)
        groups.setdefault(key, []).append((reason, report))
    if not groups:
        terminalreporter.write_line("skipped: nothing; every collected test ran")
        return result
    parts = []
    for key, members in sorted(groups.items(), key=lambda g: -len(g[1])):
        reasons = {reason for reason, _ in members}
        kind = "browser test" if all("browser" in r.keywords for _, r in members) else "test"
        parts.append(f"{len(members)} {kind}{'s' if len(members) > 1 else ''}: "
                     + (reasons.pop() if len(reasons) == 1 else key))
    total = sum(len(r) for r in groups.values())
    shown = parts[:4] + ([f"{len(parts) - 4} more reasons above"] if len(parts) > 4 else [])
    terminalreporter.write_line(f"skipped {total}, " + "; ".join(shown), yellow=True, bold=True)
    return result
