"""The hardware lab on this machine: counts per state, iterations per second, and whether every
state the CPU produced is one LKMM allows (it must be) next to the weak machine's counts.

    .venv/bin/python benchmarks/hardware.py [--iterations 200000] [--json out.json]

With ``--corpus DIR`` it measures the barrier instead: every test under DIR the lab runs, of
at most ``--max-threads`` processes, ``--at-once`` harnesses at a time (more threads than CPUs),
each bounded by ``--timeout``; it prints how many did not finish.

    .venv/bin/python benchmarks/hardware.py --corpus ../shared --iterations 100000 --at-once 2
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import swtlb
from swtlb import hardware
from swtlb.hardware import HardwareUnavailable, run_on_cpu
from swtlb.machines import simulate

MP = """C MP%(name)s
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); %(w)s WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); %(r)s r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0)
"""
SB = """C SB%(name)s
{}
P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); %(f)s r0 = READ_ONCE(*y); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); %(f)s r0 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r0=0)
"""
TESTS = {
    "SB": SB % dict(name="", f=""),
    "SB+mbs": SB % dict(name="+mbs", f="smp_mb();"),
    "MP": MP % dict(name="", w="", r=""),
    "MP+wmb+rmb": MP % dict(name="+wmb+rmb", w="smp_wmb();", r="smp_rmb();"),
}


def measure(name: str, text: str, iterations: int) -> dict:
    test = swtlb.parse(text)
    result = swtlb.check(test)
    run_on_cpu(test, iterations=1_000)  # compile once, outside the timing
    start = time.perf_counter()
    cpu = run_on_cpu(test, iterations=iterations)
    seconds = time.perf_counter() - start
    weak = simulate(test, "weak", runs=iterations, seed=0, reference=result, progress=False)
    weak_counts = dict(zip(weak["state"], weak["count"]))
    return {
        "test": name, "lkmm": result.verdict, "iterations": iterations,
        "iterations per second": round(iterations / seconds),
        "states": [{"state": s, "count": int(c), "exists": bool(e), "allowed by lkmm": bool(a),
                    "weak machine count": int(weak_counts.get(s, 0))}
                   for s, c, e, a in zip(cpu["state"], cpu["count"], cpu["exists"],
                                         cpu["allowed"])],
        "outside lkmm": int(cpu.loc[~cpu["allowed"], "count"].sum()),
        "bad outcome count": int(cpu.loc[cpu["exists"], "count"].sum()),
    }


def corpus(folder: str, iterations: int, at_once: int, max_threads: int, timeout: float
           ) -> dict:
    """Seconds per corpus test, ``at_once`` harnesses at a time; the checker is not run."""
    sources = {}
    for path in sorted(Path(folder).rglob("*.litmus")):
        try:
            test = swtlb.parse(path.read_text())
            if len(test.threads) <= max_threads:
                sources[str(path)] = (len(test.threads), hardware.harness(test)[0])
        except (swtlb.LitmusError, UnicodeDecodeError):
            continue

    def one(item):
        name, (threads, source) = item
        binary = hardware.compiled(source)  # here, not before: the cache keeps only so many
        start = time.perf_counter()
        try:
            hardware._bounded([str(binary), str(iterations)], timeout, "the harness")
            return {"test": name, "threads": threads, "seconds": time.perf_counter() - start}
        except HardwareUnavailable:
            return {"test": name, "threads": threads, "seconds": None}

    with ThreadPoolExecutor(at_once) as pool:
        rows = list(pool.map(one, sources.items()))
    late = [r["test"] for r in rows if r["seconds"] is None]
    print(f"{len(rows)} tests of at most {max_threads} processes, {at_once} at a time, "
          f"{iterations:,} iterations: {len(late)} did not finish in {timeout:g} s")
    for name in late:
        print(f"  timed out: {name}")
    return {"tests": rows, "timeouts": len(late)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200_000)
    parser.add_argument("--json", default=None)
    parser.add_argument("--corpus", default=None, help="measure the barrier on these tests")
    parser.add_argument("--at-once", type=int, default=2)
    parser.add_argument("--max-threads", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    if args.corpus:
        out = corpus(args.corpus, args.iterations, args.at_once, args.max_threads, args.timeout)
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1))
        return
    try:
        rows = [measure(n, t, args.iterations) for n, t in TESTS.items()]
    except HardwareUnavailable as exc:
        print(f"hardware lab unavailable here: {exc}")
        return
    print(f"CPU: {platform.machine()}, {args.iterations:,} iterations per test")
    for r in rows:
        print(f"\n{r['test']} (LKMM: {r['lkmm']}): {r['iterations per second']:,} iterations/s, "
              f"bad outcome {r['bad outcome count']:,}, outside LKMM {r['outside lkmm']}")
        for s in r["states"]:
            mark = "  <- exists" if s["exists"] else ""
            weak = s["weak machine count"]
            print(f"  {s['state']:<24} {s['count']:>9,}   weak machine {weak:>9,}{mark}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": platform.machine(), "tests": rows}, f, indent=1)


if __name__ == "__main__":
    main()
