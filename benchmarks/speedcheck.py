"""Wall time of ``swtlb check --speedcheck`` against a full check and herd7 -speedcheck true.

    python benchmarks/speedcheck.py ../shared/litmus [--timeout 120] [--skip-slow 5] [--csv F]

One process per test for every tool (interpreter or herd7 start included), so the three
columns are comparable: ours full, ours --speedcheck, herd7 -speedcheck true. Each process is
also checked to print the same lines as herd7 (Time and Hash aside); ``same`` says if it did.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines()
            if line and not line.startswith(("Time ", "Hash="))]


def timed(command: list[str], cwd: Path | None, timeout: float) -> tuple[float, str]:
    """Seconds of one process and its stdout ("" if it ran out of time)."""
    t0 = time.perf_counter()
    try:
        run = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        out = run.stdout
    except subprocess.TimeoutExpired:
        out = ""
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--skip-slow", type=float, default=None, metavar="S",
                    help="leave out tests herd7's full run took over S s (expected-herd7.tsv)")
    ap.add_argument("--csv", type=Path)
    args = ap.parse_args()
    root = args.root.resolve()
    shared = next(p for p in [root, *root.parents] if (p / "tools" / "herd7").exists()
                  or (p / "lkmm").exists())
    herd, lkmm = shared / "tools" / "herd7" / "herd7", shared / "lkmm"
    slow: set[str] = set()
    table = root / "expected-herd7.tsv"
    if args.skip_slow is not None and table.exists():
        with table.open() as f:
            slow = {r["path"] for r in csv.DictReader(f, delimiter="\t")
                    if r["verdict"] == "TIMEOUT" or float(r["wall_s"] or 0) > args.skip_slow}
    files = [f for f in sorted(root.rglob("*.litmus"))
             if str(f.relative_to(root)) not in slow]
    ours = [sys.executable, "-m", "swtlb", "check"]
    rows = []
    print(f"{'test':64} {'full s':>7} {'speed s':>7} {'herd7 s':>7} same")
    for f in files:
        full_s, _ = timed([*ours, str(f)], ROOT, args.timeout)
        speed_s, speed_out = timed([*ours, "--speedcheck", str(f)], ROOT, args.timeout)
        herd_s, herd_out = timed([str(herd), "-conf", "linux-kernel.cfg", "-speedcheck", "true",
                                  str(f)], lkmm, args.timeout)
        same = bool(speed_out) and _lines(speed_out) == _lines(herd_out)
        rel = str(f.relative_to(root))
        rows.append((rel, full_s, speed_s, herd_s, same))
        mark = "yes" if same else "NO"
        print(f"{rel[-64:]:64} {full_s:7.2f} {speed_s:7.2f} {herd_s:7.2f} {mark}", flush=True)
    total = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    print(f"\n{len(rows)} tests: ours full {total[0]:.1f} s, ours --speedcheck {total[1]:.1f} s, "
          f"herd7 -speedcheck true {total[2]:.1f} s; identical output on "
          f"{sum(r[4] for r in rows)}/{len(rows)}")
    if args.csv:
        with args.csv.open("w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["path", "ours_full_s", "ours_speedcheck_s", "herd7_speedcheck_s", "same"])
            w.writerows(rows)


if __name__ == "__main__":
    main()
