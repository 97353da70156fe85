"""The kernel's own client, timed: ``checkalllitmus.sh`` with herd7 and with swtlb-herd7.

    python benchmarks/kernel_scripts.py [--runs 3] [--startup-runs 50] [--swtlb PATH]

A folder is laid out as the kernel's ``tools/memory-model`` (``../shared/kernel-scripts``'s
README: the model files, ``scripts/``, the 35 tests of ``litmus/kernel/memory-model`` as
``litmus-tests/``), and ``scripts/checkalllitmus.sh`` is run with ``herd7`` on PATH being the
real herd7 7.58, then swtlb-herd7, in turns (``--runs`` each, medians reported), so that a
change of machine load meets both. Start-up is the wall time of one process on
``CoRR+poonceonce+Once``, the two tools again in turns. ``--swtlb`` names the swtlb-herd7
to time (default: the one beside this Python, as ``pip install`` puts it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SWTLB_SHARED", ROOT.parent / "shared"))
HERD7 = SHARED / "tools" / "herd7" / "herd7"
TESTS = SHARED / "litmus" / "kernel" / "memory-model"
TINY = TESTS / "CoRR+poonceonce+Once.litmus"


def layout(root: Path) -> Path:
    mm = root / "memory-model"
    (mm / "litmus-tests").mkdir(parents=True)
    for f in (SHARED / "lkmm").iterdir():
        shutil.copy(f, mm / f.name)
    shutil.copytree(SHARED / "kernel-scripts" / "scripts", mm / "scripts")
    for f in sorted(TESTS.glob("*.litmus")):
        shutil.copy(f, mm / "litmus-tests" / f.name)
    return mm


def environment(bindir: Path, herd7: Path) -> dict[str, str]:
    bindir.mkdir(exist_ok=True)
    (bindir / "herd7").symlink_to(herd7)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LKMM_")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as after pip install: .pyc files are written
    return env


def script_run(mm: Path, env: dict[str, str]) -> tuple[float, bool]:
    for out in (mm / "litmus-tests").glob("*.out"):
        out.unlink()
    t0 = time.perf_counter()
    run = subprocess.run(["bash", "scripts/checkalllitmus.sh"], cwd=mm, env=env,
                         capture_output=True, text=True, timeout=1800)
    ok = run.returncode == 0 and "All litmus tests verified as was expected." in run.stderr
    if not ok:
        print(f"exit {run.returncode}", run.stderr[-2000:], sep="\n", file=sys.stderr)
    return time.perf_counter() - t0, ok


def one_process(tool: Path, mm: Path, env: dict[str, str]) -> float:
    return timed([str(tool), "-conf", "linux-kernel.cfg", str(TINY)], mm, env)


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--startup-runs", type=int, default=50)
    ap.add_argument("--swtlb", type=Path, default=Path(sys.executable).with_name("swtlb-herd7"))
    args = ap.parse_args()
    for need in (HERD7, TESTS, SHARED / "kernel-scripts" / "scripts"):
        if not need.exists():
            sys.exit(f"missing {need} (set SWTLB_SHARED to the shared folder)")
    if not args.swtlb.exists():
        sys.exit(f"no swtlb-herd7 at {args.swtlb} (pip install the package, or pass --swtlb)")
    if not Path("/usr/bin/time").exists():
        sys.exit("the kernel's checklitmus.sh runs /usr/bin/time, which is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        mm = layout(Path(tmp))
        tools = {"herd7": HERD7, "swtlb-herd7": args.swtlb.resolve()}
        envs = {name: environment(Path(tmp) / f"bin-{name}", path) for name, path in tools.items()}
        one_process(tools["swtlb-herd7"], mm, envs["swtlb-herd7"])  # writes the .pyc files
        floor = [sys.executable, "-c", "pass"]  # what any tool in this Python pays first
        starts: dict[str, list[float]] = {name: [] for name in [*tools, "python -c pass"]}
        for _ in range(args.startup_runs):
            for name, path in tools.items():
                starts[name].append(one_process(path, mm, envs[name]))
            starts["python -c pass"].append(timed(floor, mm, envs["swtlb-herd7"]))
        runs: dict[str, list[float]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name in tools:
                seconds, ok = script_run(mm, envs[name])
                if not ok:
                    sys.exit(f"checkalllitmus.sh failed with {name} as herd7")
                runs[name].append(seconds)
    base_start = statistics.median(starts["herd7"])
    base_run = statistics.median(runs["herd7"])
    print(f"per process on {TINY.name}, median of {args.startup_runs} (fastest):")
    for name in starts:
        m = statistics.median(starts[name])
        print(f"  {name:14} {m * 1000:6.1f} ms ({min(starts[name]) * 1000:5.1f} ms)"
              f"  {m / base_start:4.2f}x herd7")
    print(f"checkalllitmus.sh, 35 tests, median of {args.runs} (all green):")
    for name in tools:
        m = statistics.median(runs[name])
        print(f"  {name:14} {m:6.2f} s  {m / base_run:4.2f}x herd7")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
