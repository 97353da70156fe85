"""Every shared test's pictures, swtlb-herd7's against herd7's: ``-show all -o DIR``.

    python benchmarks/graphs.py [--timeout 60]

For each test under ``../shared/litmus`` and ``../shared/litmus-diy`` that has an ``.expected``
file, both tools write their ``.dot`` file and the two are compared picture by picture, the
events by their labels and the edges by their names and ends, event letters aside (the
comparison of ``tests/test_herd7_dropin.py``, which CI runs on the 35 kernel tests only: this
takes minutes). Not a timing: a check too slow for CI, kept so that the figure quoted in
docs/kernel-developers.md can be made again.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_herd7_dropin import graph_signature  # noqa: E402 - the tests' own comparison

SHARED = Path(os.environ.get("SWTLB_SHARED", ROOT.parent / "shared"))
HERD7 = SHARED / "tools" / "herd7" / "herd7"
SWTLB = [sys.executable, "-c", "import sys\nfrom swtlb.herd7cli import main\nsys.exit(main())"]


def pictures(cmd: list[str], test: Path, out: Path, timeout: float) -> str | None:
    for old in out.glob("*.dot"):
        old.unlink()
    try:
        subprocess.run([*cmd, "-conf", "linux-kernel.cfg", "-show", "all", "-o", str(out),
                        str(test)], cwd=SHARED / "lkmm", capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    files = list(out.glob("*.dot"))
    return files[0].read_text() if files else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    if not HERD7.exists():
        sys.exit(f"herd7 not found at {HERD7} (set SWTLB_SHARED)")
    tests = sorted(p for root in ("litmus", "litmus-diy") for p in (SHARED / root).rglob("*.litmus")
                   if Path(f"{p}.expected").exists())
    same, differ, undecided = 0, [], []
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp, "swtlb"), Path(tmp, "herd7")
        ours.mkdir()
        theirs.mkdir()
        for t in tests:
            a = pictures(SWTLB, t, ours, args.timeout)
            b = pictures([str(HERD7)], t, theirs, args.timeout)
            if a is None or b is None:
                undecided.append(t)
            elif graph_signature(a) == graph_signature(b):
                same += 1
            else:
                differ.append(t)
    print(f"{len(tests)} tests with an .expected file: {same} hold the same pictures, "
          f"{len(differ)} differ, {len(undecided)} not drawn within {args.timeout:g} s")
    for t in differ:
        print(f"  differ: {t.relative_to(SHARED)}")
    for t in undecided:
        print(f"  not drawn: {t.relative_to(SHARED)}")


if __name__ == "__main__":
    main()
