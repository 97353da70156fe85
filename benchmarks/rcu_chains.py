"""RCU grace-period chains of 2-19 processes, decided by swtlb and herd7 (full and -speedcheck).

    python benchmarks/rcu_chains.py --out /tmp/chains [--sizes 2-8] [--shapes RW,RR]
        [--patterns lastR,half,alt] [--timeout 60] [--csv F] [--generate-only]
        [--tools swtlb,swtlb-speed,herd7,herd7-speed] [--no-skip] [--clock cpu|wall]
        [--engine DIR] [--herd7-cache DIR]

The tests have the shapes of the ``auto/`` folder of Paul McKenney's public litmus library:

* ``RW``: process i reads x_i (READ_ONCE) and writes x_{i+1} (WRITE_ONCE 1), the last writing
  x_0, with ``synchronize_rcu()`` between the two (``G``) or both inside one
  ``rcu_read_lock()`` section (``R``); exists: every read saw 1. ``C-RW-G+RW-G+RW-R``.
* ``RR``: reader i reads x_i then x_{i+1 mod N} (``G``: a grace period between them; ``R``: both
  in one read-side section), and one more process writes x_0 .. x_{N-1} in order; exists: each
  reader saw r1=1 and r2=0. ``C-RR-G+RR-R`` has three processes (the writer is not named).
  Dat3M's benchmarks/lkmm/C-RR-G+RR-G+RR-G+RR-G+RR-R+RR-R+RR-R.c is this shape; an RR chain
  needs two readers, so it starts at three processes.

A pattern says which processes have a grace period: ``lastR`` (G..GR, the library's commonest),
``half`` (the first half G, then R, as Dat3M's), ``alt`` (GRGR..), ``G``, ``R`` (all one kind),
``seedN`` (a seeded coin per process) or a literal string of G and R (repeated to the length).

Every test is then run once per tool, one process per test (interpreter or herd7 start
included): ``swtlb-herd7``, ``swtlb-herd7 -speedcheck true``, herd7, herd7 ``-speedcheck
true``, all four with ``-conf linux-kernel.cfg`` in the model's folder.
Outputs are compared, Time and Hash lines aside: swtlb full with herd7 full, swtlb
-speedcheck with herd7 -speedcheck true. A tool that times out on one size of a (shape,
pattern) is not run on the larger sizes of it (``--no-skip`` runs everything). The bound is
on CPU time (RLIMIT_CPU) and the tables show CPU time, so other load on the machine does not
turn into timeouts; ``--engine DIR`` times the swtlb package in DIR (an experimental copy),
``--herd7-cache DIR`` keeps herd7's answers so that a second run does not pay for them again.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TOOLS = ("swtlb", "swtlb-speed", "herd7", "herd7-speed")
AGAINST = {"swtlb": "herd7", "swtlb-speed": "herd7-speed"}  # whose output each is checked with


# ---- the generator -----------------------------------------------------------------------------
def pattern_letters(pattern: str, count: int) -> str:
    """``count`` letters G/R for the processes that have a choice."""
    if pattern == "lastR":
        return "G" * (count - 1) + "R"
    if pattern == "half":
        return "G" * ((count + 1) // 2) + "R" * (count // 2)
    if pattern == "alt":
        return ("GR" * count)[:count]
    if pattern.startswith("seed") and pattern[4:].isdigit():
        rng = random.Random(int(pattern[4:]) * 1000 + count)
        return "".join(rng.choice("GR") for _ in range(count))
    if pattern and set(pattern) <= {"G", "R"}:
        return (pattern * count)[:count]
    raise ValueError(f"unknown pattern {pattern!r}")


def _params(locs: list[int]) -> str:
    return ", ".join(f"int *x{k}" for k in locs)


def rw_chain(letters: str) -> tuple[str, str]:
    """(name, text) of an RW chain with one process per letter."""
    n = len(letters)
    name = "C-" + "+".join(f"RW-{c}" for c in letters)
    procs = []
    for i, c in enumerate(letters):
        a, b = i, (i + 1) % n
        body = ["\tint r1;", ""]
        if c == "G":
            body += [f"\tr1 = READ_ONCE(*x{a});", "\tsynchronize_rcu();",
                     f"\tWRITE_ONCE(*x{b}, 1);"]
        else:
            body += ["\trcu_read_lock();", f"\tr1 = READ_ONCE(*x{a});",
                     f"\tWRITE_ONCE(*x{b}, 1);", "\trcu_read_unlock();"]
        locs = [a] if a == b else [a, b]
        procs.append(f"P{i}({_params(locs)})\n{{\n" + "\n".join(body) + "\n}\n")
    cond = " /\\ ".join(f"{i}:r1=1" for i in range(n))
    return name, _test(name, letters, procs, cond)


def rr_chain(letters: str) -> tuple[str, str]:
    """(name, text) of an RR chain: one reader per letter and a writer process."""
    n = len(letters)
    if n < 2:
        raise ValueError("an RR chain needs two readers")
    name = "C-" + "+".join(f"RR-{c}" for c in letters)
    procs = []
    for i, c in enumerate(letters):
        a, b = i, (i + 1) % n
        body = ["\tint r1;", "\tint r2;", ""]
        if c == "G":
            body += [f"\tr1 = READ_ONCE(*x{a});", "\tsynchronize_rcu();",
                     f"\tr2 = READ_ONCE(*x{b});"]
        else:
            body += ["\trcu_read_lock();", f"\tr1 = READ_ONCE(*x{a});",
                     f"\tr2 = READ_ONCE(*x{b});", "\trcu_read_unlock();"]
        procs.append(f"P{i}({_params([a, b])})\n{{\n" + "\n".join(body) + "\n}\n")
    writes = [f"\tWRITE_ONCE(*x{k}, 1);" for k in range(n)]
    procs.append(f"P{n}({_params(list(range(n)))})\n{{\n" + "\n".join(writes) + "\n}\n")
    cond = " /\\ ".join(f"{i}:r1=1 /\\ {i}:r2=0" for i in range(n))
    return name, _test(name, letters, procs, cond)


def _test(name: str, letters: str, procs: list[str], cond: str) -> str:
    head = (f"C {name}\n\n(*\n * Generated by benchmarks/rcu_chains.py: {letters.count('G')} "
            f"grace period(s), {letters.count('R')} read-side section(s).\n *)\n\n{{\n}}\n\n")
    return head + "\n".join(procs) + f"\nexists ({cond})\n"


SHAPES = {"RW": (rw_chain, 0), "RR": (rr_chain, 1)}  # generator, processes beyond the letters


def generate(shapes: list[str], sizes: list[int], patterns: list[str], out: Path
             ) -> list[dict]:
    """Write the tests; one row per distinct test (a pattern may repeat another's letters)."""
    out.mkdir(parents=True, exist_ok=True)
    rows, seen = [], set()
    for shape in shapes:
        make, extra = SHAPES[shape]
        for size in sizes:
            count = size - extra
            if count < (2 if shape == "RR" else 1):
                continue
            for pattern in patterns:
                name, text = make(pattern_letters(pattern, count))
                if name in seen:
                    continue
                seen.add(name)
                path = out / f"{name}.litmus"
                path.write_text(text)
                rows.append({"shape": shape, "size": size, "pattern": pattern, "name": name,
                             "path": path})
    return rows


# ---- the benchmark -----------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines()
            if line and not line.startswith(("Time ", "Hash="))]


# swtlb's side runs as ``swtlb-herd7`` (what the kernel's scripts call): the same command line,
# folder and output as herd7's. ``python -c`` rather than the console script, so that the
# package imported is the one in ``engine`` (PYTHONPATH), and so no install is needed.
SWTLB_HERD7 = "import sys\nfrom swtlb.herd7cli import main\nsys.exit(main())"


def swtlb_herd7(engine: Path = ROOT) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run swtlb-herd7 from the package in ``engine``."""
    env = {**os.environ, "PYTHONPATH": str(engine)}
    return [sys.executable, "-c", SWTLB_HERD7], env


def command(tool: str, path: Path, herd: Path, engine: Path = ROOT
            ) -> tuple[list[str], Path, dict[str, str] | None]:
    lkmm = herd.parent.parent.parent / "lkmm"
    speed = ["-speedcheck", "true"] if tool.endswith("-speed") else []
    if tool.startswith("swtlb"):
        cmd, env = swtlb_herd7(engine)
        return cmd + ["-conf", "linux-kernel.cfg", *speed, str(path)], lkmm, env
    return [str(herd), "-conf", "linux-kernel.cfg", *speed, str(path)], lkmm, None


def timed(cmd: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None
          ) -> tuple[float, float, str | None]:
    """Wall and CPU seconds (user + system) of one process, and its stdout: None when it ran
    out of time or failed. The bound is on CPU time (RLIMIT_CPU, for both tools alike), so a
    busy machine slows a test down without making it time out; wall time is bounded too."""
    limit = max(1, math.ceil(timeout))

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env,
                             timeout=4 * timeout + 10, preexec_fn=cap)
        out: str | None = run.stdout
        if run.returncode != 0 or "Observation" not in run.stdout:
            out = None
    except subprocess.TimeoutExpired:
        out = None
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if cpu > timeout:
        out = None
    return wall, cpu, out


def _cache_file(folder: Path, t: dict, tool: str) -> Path:
    return folder / f"{t['name']}.{tool}.json"


def herd7_cache(folder: Path | None, t: dict, tool: str, timeout: float
                ) -> tuple[float, float, str | None] | None:
    """herd7's earlier run of this test (the oracle does not change between runs of ours):
    reused when it finished within ``timeout``, or timed out with a bound at least as long."""
    if folder is None or not tool.startswith("herd7"):
        return None
    f = _cache_file(folder, t, tool)
    if not f.exists():
        return None
    got = json.loads(f.read_text())
    if got["text"] is None and got["timeout"] < timeout:
        return None
    if got["text"] is not None and got["cpu"] > timeout:
        return got["wall"], got["cpu"], None
    if got["text"] is not None and hashlib.md5(
            Path(t["path"]).read_bytes()).hexdigest() != got["md5"]:
        return None
    return got["wall"], got["cpu"], got["text"]


def store(folder: Path, t: dict, tool: str, timeout: float, wall: float, cpu: float,
          out: str | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    f = _cache_file(folder, t, tool)
    tmp = f.with_suffix(".tmp")
    tmp.write_text(json.dumps({"timeout": timeout, "wall": wall, "cpu": cpu, "text": out,
                               "md5": hashlib.md5(Path(t["path"]).read_bytes()).hexdigest()}))
    tmp.replace(f)


def parse_sizes(text: str) -> list[int]:
    sizes: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        sizes += range(int(lo), int(hi or lo) + 1)
    return sizes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--out", type=Path, required=True, help="folder for the .litmus files")
    ap.add_argument("--sizes", default="2-8", help="process counts, e.g. 2-8 or 2-8,10,12")
    ap.add_argument("--shapes", default="RW,RR")
    ap.add_argument("--patterns", default="lastR,half,alt")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="per test and tool, CPU seconds (default 60)")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                    help="which time the tables show (the CSV has both; default cpu: other "
                         "load on the machine inflates wall time)")
    ap.add_argument("--no-skip", action="store_true",
                    help="run a tool on every size even after it timed out on a smaller one")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--herd7", type=Path, default=SHARED / "tools" / "herd7" / "herd7")
    ap.add_argument("--engine", type=Path, default=ROOT,
                    help="a folder holding the swtlb package to time (default: this checkout)")
    ap.add_argument("--herd7-cache", type=Path, metavar="DIR",
                    help="keep herd7's outputs and times here and reuse them in later runs")
    ap.add_argument("--csv", type=Path)
    args = ap.parse_args()
    shapes = [s.strip() for s in args.shapes.split(",")]
    tools = [t.strip() for t in args.tools.split(",")]
    for s in shapes:
        if s not in SHAPES:
            ap.error(f"unknown shape {s!r} (choose from {', '.join(SHAPES)})")
    for t in tools:
        if t not in TOOLS:
            ap.error(f"unknown tool {t!r} (choose from {', '.join(TOOLS)})")
    tests = generate(shapes, parse_sizes(args.sizes),
                     [p.strip() for p in args.patterns.split(",")], args.out)
    print(f"{len(tests)} tests in {args.out}")
    if args.generate_only:
        return

    gave_up: set[tuple[str, str, str]] = set()  # (tool, shape, pattern) that timed out
    rows = []
    print(f"{'test':48} {'size':>4} " + " ".join(f"{t:>11}" for t in tools) + "  same")
    for t in tests:
        row = {**t, "path": str(t["path"])}
        outs: dict[str, str | None] = {}
        for tool in tools:
            key = (tool, t["shape"], t["pattern"])
            if key in gave_up and not args.no_skip:
                row[tool] = "skip"
                outs[tool] = None
                continue
            cached = herd7_cache(args.herd7_cache, t, tool, args.timeout)
            if cached is not None:
                wall, cpu, out = cached
            else:
                cmd, cwd, env = command(tool, t["path"].resolve(), args.herd7, args.engine)
                wall, cpu, out = timed(cmd, cwd, args.timeout, env)
                if tool.startswith("herd7") and args.herd7_cache:
                    store(args.herd7_cache, t, tool, args.timeout, wall, cpu, out)
            outs[tool] = out
            row[tool] = f"{cpu if args.clock == 'cpu' else wall:.2f}" if out is not None \
                else "timeout"
            row[tool + "-wall"], row[tool + "-cpu"] = f"{wall:.2f}", f"{cpu:.2f}"
            if out is None:
                gave_up.add(key)
            if out is not None and tool.startswith("herd7"):
                row[tool + "-verdict"] = next(
                    (ln.split()[2] for ln in out.splitlines() if ln.startswith("Observation")), "")
        for mine, theirs in AGAINST.items():
            if mine in tools and theirs in tools:
                a, b = outs.get(mine), outs.get(theirs)
                row[mine + "-same"] = ("" if a is None or b is None
                                       else "yes" if _lines(a) == _lines(b) else "NO")
        rows.append(row)
        same = " ".join(f"{row.get(m + '-same', '') or '-':>3}" for m in AGAINST if m in tools)
        print(f"{t['name'][-48:]:48} {t['size']:4} "
              + " ".join(f"{row[tool]:>11}" for tool in tools) + f"  {same}", flush=True)

    summary(rows, tools, args.clock)
    if args.csv:
        fields = ["shape", "size", "pattern", "name", *tools,
                  *(f"{t}-{c}" for t in tools for c in ("cpu", "wall")),
                  *(f"{m}-same" for m in AGAINST if m in tools),
                  *(f"{t}-verdict" for t in tools if t.startswith("herd7"))]
        with args.csv.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)


def summary(rows: list[dict], tools: list[str], clock: str = "cpu") -> None:
    """Per shape and size: seconds of each tool summed over the tests it finished, and how many
    it finished / timed out on / skipped; then agreements with herd7."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["shape"], r["size"])].append(r)
    print(f"\nper size: {clock} seconds over the tests finished (finished/timeout/skipped); "
          "same as herd7: yes/NO")
    print(f"{'shape':5} {'size':>4} {'tests':>5} " + " ".join(f"{t:>20}" for t in tools)
          + "  " + " ".join(f"{m + ' same':>16}" for m in AGAINST if m in tools))
    for (shape, size), rs in sorted(groups.items()):
        cells = []
        for tool in tools:
            done = [float(r[tool]) for r in rs if r[tool] not in ("timeout", "skip")]
            to = sum(r[tool] == "timeout" for r in rs)
            sk = sum(r[tool] == "skip" for r in rs)
            cells.append(f"{sum(done):8.2f} ({len(done)}/{to}/{sk})")
        same = [f"{sum(r.get(m + '-same') == 'yes' for r in rs)}/"
                f"{sum(r.get(m + '-same') == 'NO' for r in rs):<10}"
                for m in AGAINST if m in tools]
        print(f"{shape:5} {size:4} {len(rs):5} " + " ".join(f"{c:>20}" for c in cells) + "  "
              + " ".join(f"{s:>16}" for s in same))
    both = [r for r in rows if all(r[t] not in ("timeout", "skip") for t in tools)]
    if both:
        totals = ", ".join(f"{t} {sum(float(r[t]) for r in both):.1f} s" for t in tools)
        totals += f" ({clock})"
        print(f"\non the {len(both)} tests every tool finished: {totals}")
    for m in AGAINST:
        if m in tools:
            bad = [r["name"] for r in rows if r.get(m + "-same") == "NO"]
            if bad:
                print(f"{m} differs from {AGAINST[m]} on: {', '.join(bad)}")


if __name__ == "__main__":
    main()
