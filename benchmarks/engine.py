"""Speed and memory of ``swtlb check`` and herd7, one process per test for both, in one run.

    python benchmarks/engine.py ../shared/litmus ../shared/litmus-diy [--timeout 120]
                                [--csv out.csv] [--startup-runs 20]

Each test is run as ``swtlb-herd7 -conf linux-kernel.cfg FILE`` and as ``herd7 -conf
linux-kernel.cfg FILE``, both from the model's folder as the kernel's scripts run herd7, one
after the other, so both pay their process start and both meet the same machine load.
Start-up is also given for ``swtlb check`` (the course's command, with argparse and more).
Peak memory is each process's own maximum resident set (``os.wait4``), not the benchmark's.
Outputs are compared line by line, ``Time`` and ``Hash=`` aside: ``same`` says whether we
printed what herd7 printed.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rcu_chains import swtlb_herd7  # benchmarks/ is this script's folder, so on sys.path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SWTLB_SHARED", ROOT.parent / "shared"))
HERD7 = SHARED / "tools" / "herd7" / "herd7"
LKMM = SHARED / "lkmm"
SWTLB = [sys.executable, "-m", "swtlb", "check"]
TINY = SHARED / "litmus" / "kernel" / "memory-model" / "CoRR+poonceonce+Once.litmus"


@dataclass
class Run:
    seconds: float
    peak_mib: float
    status: str  # ok, timeout, error
    lines: list[str]


def run(command: list[str], cwd: Path | None, timeout: float,
        env: dict[str, str] | None = None) -> Run:
    """Wall time, peak RSS and output of one process; killed (status timeout) after ``timeout``.

    The child is reaped with ``os.wait4`` so that its own peak memory is read, and its output
    goes to a file, so that waiting and reading cannot block each other.
    """
    with tempfile.TemporaryFile() as out, open(os.devnull, "rb") as devnull:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=devnull, stdout=out,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        status = "ok"
        while True:
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, code, usage = os.wait4(proc.pid, 0)
                status = "timeout"
                break
            time.sleep(0.001)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(code)  # reaped here, not by Popen
        if status == "ok" and proc.returncode not in (0, 1):
            status = "error"
        out.seek(0)
        text = out.read().decode(errors="replace")
    lines = [line for line in text.splitlines()
             if line and not line.startswith(("Time ", "Hash="))]
    return Run(seconds, usage.ru_maxrss / 1024, status, lines)


def ours(path: Path, timeout: float) -> Run:
    """swtlb-herd7, killed at the same bound as herd7 (its own -timeout would print nothing)."""
    cmd, env = swtlb_herd7(ROOT)
    return run([*cmd, "-conf", "linux-kernel.cfg", str(path.resolve())], LKMM, timeout, env)


def ours_check(path: Path, timeout: float) -> Run:
    return run([*SWTLB, "--timeout", str(timeout), str(path)], ROOT, timeout + 5)


def herd(path: Path, timeout: float) -> Run:
    return run([str(HERD7), "-conf", "linux-kernel.cfg", str(path.resolve())], LKMM, timeout)


def startup(runs: int) -> tuple[float, float, float]:
    """Median wall time of each tool on a tiny test: what a process costs before any search.
    The tools take turns, so that a change of load meets all three."""
    a, b, c = [], [], []
    for _ in range(runs):
        a.append(ours(TINY, 60).seconds)
        b.append(herd(TINY, 60).seconds)
        c.append(ours_check(TINY, 60).seconds)
    return statistics.median(a), statistics.median(b), statistics.median(c)


def group(path: Path, roots: list[Path]) -> str:
    for r in roots:
        try:
            rel = path.relative_to(r)
        except ValueError:
            continue
        return f"{r.name}/{rel.parts[0]}" if len(rel.parts) > 1 else r.name
    return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("roots", type=Path, nargs="+")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--startup-runs", type=int, default=20)
    args = ap.parse_args()
    if not HERD7.exists() or shutil.which(str(HERD7)) is None:
        sys.exit(f"herd7 not found at {HERD7} (set SWTLB_SHARED)")
    roots = [r.resolve() for r in args.roots]
    files = sorted(f for r in roots for f in r.rglob("*.litmus"))
    t_ours, t_herd, t_check = startup(args.startup_runs)
    print(f"start-up on {TINY.name} (median of {args.startup_runs}): swtlb-herd7 "
          f"{t_ours * 1000:.1f} ms, herd7 {t_herd * 1000:.1f} ms, ratio {t_ours / t_herd:.2f}; "
          f"swtlb check {t_check * 1000:.1f} ms")
    rows = []
    for f in files:
        a, b = ours(f, args.timeout), herd(f, args.timeout)
        same = a.status == b.status == "ok" and a.lines == b.lines
        rows.append(dict(path=str(f), group=group(f, roots), ours_s=round(a.seconds, 3),
                         herd7_s=round(b.seconds, 3), ours_mib=round(a.peak_mib, 1),
                         herd7_mib=round(b.peak_mib, 1), ours=a.status, herd7=b.status,
                         same=same))
    print(f"\n{'folder':34} {'tests':>5} {'same':>5} {'ours s':>8} {'herd7 s':>8} {'ratio':>6}"
          f" {'slower':>6} {'ours MiB':>8}")
    groups = sorted({r["group"] for r in rows})
    for g in groups + ["all"]:
        rs = [r for r in rows if g in ("all", r["group"])]
        both = [r for r in rs if r["ours"] == r["herd7"] == "ok"]
        ta, tb = sum(r["ours_s"] for r in both), sum(r["herd7_s"] for r in both)
        slower = sum(r["ours_s"] > r["herd7_s"] for r in both)
        print(f"{g:34} {len(rs):5} {sum(r['same'] for r in rs):5} {ta:8.1f} {tb:8.1f} "
              f"{ta / tb if tb else float('nan'):6.2f} {slower:6} "
              f"{max(r['ours_mib'] for r in rs):8.0f}")
    for r in rows:
        if not r["same"]:
            print(f"  differs or undecided: {r['path']} (swtlb {r['ours']}, herd7 {r['herd7']})")
    print("\nslowest five for swtlb:")
    for r in sorted(rows, key=lambda r: -r["ours_s"])[:5]:
        print(f"  {Path(r['path']).name:60} swtlb {r['ours_s']:7.2f} s  herd7 {r['herd7_s']:7.2f} s"
              f"  {r['ours_mib']:5.0f} MiB")
    if args.csv:
        with args.csv.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
