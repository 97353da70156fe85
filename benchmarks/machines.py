"""Throughput of the machines and the cost of one widget redraw.

    python benchmarks/machines.py [--runs 1000000]

Prints runs/s per machine for MP, SB, IRIW and WRC (one core), then the time of what a barrier
widget does on each click: simulate 10^5 runs and draw the frequency plot (model verdict cached).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from litmus_text import IRIW, MP, SB  # noqa: E402

import swtlb  # noqa: E402
from swtlb import plots  # noqa: E402
from swtlb.machines import simulate  # noqa: E402

WRC = """C WRC
{}
P0(int *x) { WRITE_ONCE(*x, 1); }
P1(int *x, int *y) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*y, 1); }
P2(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1_000_000)
    args = ap.parse_args()
    tests = {"MP": MP % dict(w="", r=""), "SB": SB % dict(f0="", f1=""),
             "IRIW": IRIW % dict(f=""), "WRC": WRC}
    print(f"{'test':6} {'machine':8} {'runs/s':>12} {'s for ' + format(args.runs, ','):>16}")
    for name, text in tests.items():
        test = swtlb.parse(text)
        for machine in ("sc", "tso", "weak"):
            simulate(test, machine, runs=1_000, progress=False)  # warm the verdict cache
            t0 = time.perf_counter()
            simulate(test, machine, runs=args.runs, progress=False)
            dt = time.perf_counter() - t0
            print(f"{name:6} {machine:8} {args.runs / dt:12,.0f} {dt:16.2f}")
    test = swtlb.parse(MP % dict(w="smp_wmb();", r=""))
    simulate(test, "weak", runs=1_000, progress=False)
    times = []
    for seed in range(5):
        t0 = time.perf_counter()
        freq = simulate(test, "weak", runs=100_000, seed=seed, progress=False)
        fig, ax = plt.subplots(figsize=(8, 3))
        plots.frequency_plot(freq, ax=ax)
        fig.canvas.draw()
        plt.close(fig)
        times.append(time.perf_counter() - t0)
    times.sort()
    ms = [t * 1000 for t in times]
    print(f"\nwidget redraw (10^5 runs of MP on weak + frequency plot drawn): median "
          f"{ms[2]:.0f} ms, best {ms[0]:.0f} ms, worst {ms[-1]:.0f} ms")


if __name__ == "__main__":
    main()
