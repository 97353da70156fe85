"""Measure SB and MP on this CPU and write swtlb/data/hardware-x86.csv, notebook 02's fallback.

    .venv/bin/python scripts/measure-hardware.py [--iterations 1000000]

The tests are notebook 02's SB (no fence) and MP+poonceonces; the header lines say when, on
which CPU, kernel and compiler, so the notebook can print them beside the counts.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time
from pathlib import Path

from swtlb.hardware import run_on_cpu

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "swtlb" / "data" / "hardware-x86.csv"
SB = """C SB
{}
P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r0=0)
"""
MP = """C MP+poonceonces
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0)
"""


def cpu() -> str:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    names = [ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")]
    virtual = ", a virtual machine: 'hypervisor' in /proc/cpuinfo flags" if " hypervisor" in info \
        else ""
    return f"{names[0] if names else 'unknown'} ({platform.machine()}, {os.cpu_count()} logical " \
           f"CPUs{virtual})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=1_000_000)
    args = ap.parse_args()
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    lines = [f"# Measured with swtlb.hardware.run_on_cpu({args.iterations:,} iterations per test) "
             f"on {time.strftime('%Y-%m-%d')}",
             f"# CPU: {cpu()}",
             f"# Kernel: {platform.release()}; compiler: {gcc}; -O2 -pthread",
             "# iterations_per_s: wall-clock, harness start included; varies with load",
             "test,state,count,iterations,iterations_per_s"]
    for name, text in (("SB", SB), ("MP", MP)):
        start = time.perf_counter()
        freq = run_on_cpu(text, iterations=args.iterations, timeout=600)
        rate = int(round(args.iterations / (time.perf_counter() - start), -3))
        for _, row in freq.sort_values("state").iterrows():
            lines.append(f"{name},{row['state']},{row['count']},{args.iterations},{rate}")
    OUT.write_text("\n".join(lines) + "\n")
    print(OUT.read_text(), end="")


if __name__ == "__main__":
    main()
