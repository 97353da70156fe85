"""Speed and memory of the litmus engine, next to herd7's own time on the same files.

    python benchmarks/engine.py ../shared/litmus [--timeout 120] [--csv out.csv]

Each test is decided in this process (so the interpreter starts once, as it does for
``swtlb check DIR``); herd7's figures come from the ``wall_s`` column of expected-herd7.tsv and
include its process start. Ratios are ours / herd7's, measured in the same run of this script.
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import swtlb  # noqa: E402


def herd7_times(root: Path) -> tuple[Path, dict[str, float]]:
    """herd7's wall time per file, from the nearest expected-herd7.tsv at or above ``root``."""
    for base in [root, *root.resolve().parents]:
        table = base / "expected-herd7.tsv"
        if table.exists():
            with table.open() as f:
                rows = csv.DictReader(f, delimiter="\t")
                # herd7 gave up on TIMEOUT rows: their time is a bound, not a decision
                return base, {r["path"]: float(r["wall_s"]) for r in rows
                              if r["wall_s"] and r["verdict"] != "TIMEOUT"}
    return root, {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--csv", type=Path)
    args = ap.parse_args()
    base, herd = herd7_times(args.root)
    files = sorted(args.root.rglob("*.litmus"))
    start_cost = min(
        float(subprocess.run([sys.executable, "-c", "import time,sys;t=time.perf_counter();"
                              "import swtlb;print(time.perf_counter()-t)"],
                             capture_output=True, text=True, check=True).stdout)
        for _ in range(3))
    rows = []
    t_all = time.perf_counter()
    for f in files:
        rel = str(f.resolve().relative_to(base.resolve()))
        t0 = time.perf_counter()
        try:
            swtlb.check(f, timeout=args.timeout)
            status = "ok"
        except swtlb.BoundError:
            status = "bound"
        except swtlb.LitmusError:
            status = "error"
        rows.append((rel, time.perf_counter() - t0, herd.get(rel), status))
    wall = time.perf_counter() - t_all
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    times = sorted(r[1] for r in rows)
    p90 = times[int(0.9 * (len(times) - 1))]
    print(f"tests: {len(rows)} in {wall:.1f} s = {len(rows) / wall:.1f} tests/s "
          f"(decided {sum(r[3] == 'ok' for r in rows)}, bound {sum(r[3] == 'bound' for r in rows)},"
          f" errors {sum(r[3] == 'error' for r in rows)})")
    print(f"per test: median {statistics.median(times) * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms; "
          f"peak memory {peak_mib:.0f} MiB; import swtlb once: {start_cost * 1000:.0f} ms")
    both = [r for r in rows if r[2] is not None and r[3] == "ok"]
    ours_total = sum(r[1] for r in both)
    herd_total = sum(r[2] for r in both)
    if not both:
        return
    print(f"on the {len(both)} tests both decided: ours {ours_total:.1f} s, herd7 "
          f"{herd_total:.1f} s, ratio {ours_total / herd_total:.2f}")
    small = [r for r in both if r[2] < 1.0]
    over = [r for r in small if r[1] > 2 * r[2]]
    ratios = sorted(r[1] / r[2] for r in small)
    print(f"small tests (herd7 < 1 s): {len(small)}, median ratio {statistics.median(ratios):.2f}, "
          f"worst {ratios[-1]:.2f}, over 2x herd7: {len(over)}")
    print("\nslowest five:")
    print(f"{'test':70} {'ours s':>8} {'herd7 s':>8} {'ratio':>7}")
    for rel, t, h, status in sorted(rows, key=lambda r: -r[1])[:5]:
        hs = f"{h:8.2f}" if h is not None else "     n/a"
        ratio = f"{t / h:7.2f}" if h else "    n/a"
        print(f"{rel:70} {t:8.2f} {hs} {ratio} {status if status != 'ok' else ''}")
    if args.csv:
        with args.csv.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["path", "ours_s", "herd7_s", "status"])
            w.writerows(rows)


if __name__ == "__main__":
    main()
