"""Differential test: random LKMM litmus tests decided by swtlb and by herd7 7.58 (issue 13).

The conformance suite only covers tests people wrote; this one draws new small programs mixing
the kernel primitives (ONCE, acquire/release, fences, RMWs with and without a return value,
spinlocks, RCU readers and grace periods, rcu_assign_pointer/rcu_dereference, plain accesses,
``if`` on a register), asks both tools, and keeps every test whose verdict, Positive/Negative
counts, state set or flags differ. Test ``i`` of seed ``S`` is always the same text, so a
finding is replayed with ``--show S:i``.

    .venv/bin/python -m fuzz.herd_diff --tests 2000 --seed 1 --jobs 2 --report diff.json
    .venv/bin/python -m fuzz.herd_diff --show 1:17        # print one generated test

tests/test_differential.py runs ~150 of them in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import swtlb
from swtlb.herdout import parse_herd_output

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SWTLB_SHARED", ROOT.parent / "shared"))
HERD7 = SHARED / "tools" / "herd7" / "herd7"
LKMM = SHARED / "lkmm"
HERD_TIMEOUT = 120
CHECK_BOUNDS = dict(max_candidates=200_000, timeout=60)

LOCS = ("x", "y", "z")
LOCK = "s"  # herd7 refuses a parameter named `lock` or `unlock` (they are its keywords)
POINTER = "p"  # an `int **` that starts at y and is published with rcu_assign_pointer
PARAM_TYPES = {"x": "int *", "y": "int *", "z": "int *", LOCK: "spinlock_t *",
               POINTER: "int **"}

# Every construct the generator may draw, by the name used to switch it off (see Generator).
# The weights keep blocks rare enough that most tests stay small (herd7 answers in ~0.1 s);
# the last three are the final condition's forms rather than statements.
WEIGHTS = {"once": 4, "acqrel": 2, "plain": 2, "fence": 2, "rmw_return": 2, "rmw_void": 1,
           "lock": 1, "trylock": 0.5, "rcu": 1, "sync": 1, "pointer": 1, "if": 1.5, "data": 1.5,
           "notexists": 0, "forall": 0, "or": 0, "feedback": 0}
# "feedback" (weight 0: a switch, not a statement) lets a location be counted both up and
# down, or a value read be stored back where it came from: `atomic_inc(x); atomic_inc(x);
# atomic_dec(x);`. Their values never settle, so the value search once stopped there.
DECREMENTS = ("dec", "sub", "_or")
# "plain_load" (a switch too) keeps plain reads out. They were left out until swtlb.symbolic
# kept the symbolic value herd7 gives a copy cycle (`r0 = *y; WRITE_ONCE(*x, r0);` beside
# `r0 = xchg(x, 1); WRITE_ONCE(*y, r0);`: one execution, not one per self-justifying value).
WEIGHTS["plain_load"] = 0
CONSTRUCTS = tuple(WEIGHTS)

FENCES = ("smp_mb()", "smp_rmb()", "smp_wmb()", "smp_mb__before_atomic()",
          "smp_mb__after_atomic()", "barrier()")
ORDERS = ("", "_relaxed", "_acquire", "_release")
VOID_RMWS = ("atomic_inc({x})", "atomic_dec({x})", "atomic_add({v}, {x})",
             "atomic_sub({v}, {x})", "atomic_or({v}, {x})")
RETURN_RMWS = ("xchg{o}({x}, {v})", "cmpxchg{o}({x}, {old}, {v})", "atomic_xchg{o}({x}, {v})",
               "atomic_cmpxchg{o}({x}, {old}, {v})", "atomic_add_return{o}({v}, {x})",
               "atomic_sub_return{o}({v}, {x})", "atomic_inc_return{o}({x})",
               "atomic_fetch_add{o}({v}, {x})", "atomic_fetch_inc{o}({x})",
               "atomic_fetch_or{o}({v}, {x})")
MB_ONLY_RMWS = ("atomic_dec_and_test({x})", "atomic_inc_and_test({x})")


# ---- programs --------------------------------------------------------------------------------
@dataclass
class Stmt:
    """One statement; a block (lock, trylock, rcu, if) keeps its body so it can be shrunk."""

    kind: str  # "leaf", "lock", "trylock", "rcu", "if"
    text: str = ""  # the leaf, the if's condition, or the trylock's register
    body: list[Stmt] = field(default_factory=list)
    orelse: list[Stmt] = field(default_factory=list)

    def render(self) -> str:
        inner = " ".join(s.render() for s in self.body)
        if self.kind == "leaf":
            return self.text
        if self.kind == "lock":
            return f"spin_lock({LOCK}); {inner} spin_unlock({LOCK});"
        if self.kind == "trylock":
            return (f"{self.text} = spin_trylock({LOCK}); if ({self.text}) {{ {inner} "
                    f"spin_unlock({LOCK}); }}")
        if self.kind == "rcu":
            return f"rcu_read_lock(); {inner} rcu_read_unlock();"
        other = " ".join(s.render() for s in self.orelse)
        return f"if ({self.text}) {{ {inner} }}" + (f" else {{ {other} }}" if other else "")


@dataclass
class Program:
    """A litmus test as parts, so that minimising can drop statements and atoms."""

    procs: list[list[Stmt]]
    pointers: list[set[str]]  # per process: registers declared `int *`
    atoms: list[str]  # the final condition's conjuncts (or disjuncts, see `join`)
    join: str = " /\\ "
    quantifier: str = "exists"
    init: str = ""
    name: str = "diff"

    def text(self) -> str:
        """The test in herd7's C syntax: parameters and declarations follow what is used."""
        used_in_cond = {m.group(1) for a in self.atoms for m in re.finditer(r"\b([a-z])\b", a)}
        lines = [f"C {self.name}", "{" + (f" {self.init} " if self.init else "") + "}"]
        for t, stmts in enumerate(self.procs):
            body = " ".join(s.render() for s in stmts)
            regs = set(re.findall(r"\br\d+\b", body))
            regs |= {a.split(":")[1].split("=")[0] for a in self.atoms
                     if a.startswith(f"{t}:")}
            decls = " ".join(f"int {'*' if r in self.pointers[t] else ''}{r};"
                             for r in sorted(regs, key=lambda r: int(r[1:])))
            names = [n for n in PARAM_TYPES if re.search(rf"\b{n}\b", body)]
            if POINTER in names or (t == 0 and POINTER in used_in_cond):
                names = sorted(set(names) | {"x", "y"}, key=list(PARAM_TYPES).index)
            names = names or ["x"]
            params = ", ".join(f"{PARAM_TYPES[n]}{n}" for n in names)
            lines.append(f"P{t}({params}) {{ {decls} {body} }}".replace("  ", " "))
        cond = self.join.join(self.atoms) if self.atoms else "true"
        lines.append(f"{self.quantifier} ({cond})")
        return "\n".join(lines) + "\n"


class Generator:
    """Random programs of 2–4 processes from one `random.Random`, so a seed names a test."""

    def __init__(self, rng: random.Random, exclude: frozenset[str] = frozenset(),
                 small: bool = False):
        self.rng = rng
        self.exclude = exclude
        self.allowed = [c for c, w in WEIGHTS.items() if w and c not in exclude]
        self.small = small  # CI: fewer statements and no nested blocks, so swtlb stays quick
        self.max_depth = 1 if small else 2

    def program(self) -> Program:
        r = self.rng
        nprocs = r.choice((2, 2, 3, 3, 4))
        per_proc = ({2: (2, 3), 3: (1, 2), 4: (1, 2)} if self.small else
                    {2: (2, 4), 3: (1, 3), 4: (1, 2)})[nprocs]
        procs, pointers, regs_of = [], [], []
        self.stored: set[str] = set()
        self.pointer_used = False
        for _ in range(nprocs):
            self.regs: list[str] = []
            self.source: dict[str, str] = {}  # a register: the location it was read from
            self.ptrs: set[str] = set()
            stmts = [self.stmt(depth=0, in_rcu=False, in_lock=False)
                     for _ in range(r.randint(*per_proc))]
            procs.append(stmts)
            pointers.append(self.ptrs)
            regs_of.append(list(self.regs))
        atoms = self.atoms(regs_of, pointers)
        init = " ".join(f"{loc}={r.choice((1, 2))};" for loc in LOCS if r.random() < 0.1)
        if self.pointer_used:
            init = (init + f" {POINTER}=y;").strip()
        quantifier, join = "exists", " /\\ "
        roll = r.random()
        if roll < 0.1 and "notexists" not in self.exclude:
            quantifier = "~exists"
        elif 0.1 <= roll < 0.15 and "forall" not in self.exclude:
            quantifier = "forall"
        if r.random() < 0.15 and "or" not in self.exclude:
            join = " \\/ "
        return Program(procs, pointers, atoms, join, quantifier, init)

    def atoms(self, regs_of: list[list[str]], pointers: list[set[str]]) -> list[str]:
        r = self.rng
        choices = [(t, reg) for t, regs in enumerate(regs_of) for reg in regs]
        atoms: list[str] = []
        for _ in range(r.randint(1, 3)):
            if choices and (r.random() < 0.75 or not self.stored):
                t, reg = r.choice(choices)
                value = r.choice(("x", "y")) if reg in pointers[t] else r.choice((0, 1, 2))
                atom = f"{t}:{reg}={value}"
            elif self.stored:
                loc = r.choice(sorted(self.stored))
                value = r.choice(("x", "y")) if loc == POINTER else r.choice((0, 1, 2))
                atom = f"{loc}={value}"
            else:
                continue
            if all(a.split("=")[0] != atom.split("=")[0] for a in atoms):
                atoms.append(atom)  # one value per variable: `x=1 /\\ x=0` says nothing
        return atoms

    def _forms(self, forms: tuple[str, ...]) -> list[str]:
        if "feedback" not in self.exclude:
            return list(forms)
        return [f for f in forms if not any(d in f.split("(")[0] for d in DECREMENTS)]

    def new_reg(self) -> str:
        reg = f"r{len(self.regs)}"
        self.regs.append(reg)
        return reg

    def stmt(self, depth: int, in_rcu: bool, in_lock: bool) -> Stmt:
        r = self.rng
        kinds = list(self.allowed)
        if depth >= self.max_depth:
            kinds = [k for k in kinds if k not in ("lock", "trylock", "rcu", "if")]
        if in_lock:
            kinds = [k for k in kinds if k not in ("lock", "trylock")]
        if in_rcu:
            kinds = [k for k in kinds if k != "sync"]
        if not self.regs:
            kinds = [k for k in kinds if k not in ("if", "data")]
        kinds = kinds or ["once"]
        kind = r.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
        loc = r.choice(LOCS)
        v = r.choice((1, 2))
        if kind in ("lock", "trylock", "rcu"):
            inner = dict(in_rcu=in_rcu or kind == "rcu", in_lock=in_lock or kind != "rcu")
            body = [self.stmt(depth + 1, **inner) for _ in range(r.randint(1, 2))]
            reg = self.new_reg() if kind == "trylock" else ""
            return Stmt(kind, reg, body)
        if kind == "if":
            reg = r.choice(self.regs)
            cond = r.choice((reg, f"{reg} == {v}", f"{reg} != 0"))
            if reg in self.ptrs:
                cond = f"{reg} == x"
            body = [self.stmt(depth + 1, in_rcu, in_lock) for _ in range(r.randint(1, 2))]
            orelse = ([self.stmt(depth + 1, in_rcu, in_lock)] if r.random() < 0.4 else [])
            return Stmt("if", cond, body, orelse)
        return Stmt("leaf", self.leaf(kind, loc, v))

    def leaf(self, kind: str, loc: str, v: int) -> str:
        r = self.rng
        store = kind in ("once", "acqrel", "plain") and r.random() < 0.5
        if kind == "plain" and "plain_load" in self.exclude:
            store = True
        if store or kind in ("rmw_return", "rmw_void"):
            self.stored.add(loc)
        if kind in ("once", "acqrel", "plain") and not store:
            reg = self.new_reg()
            self.source[reg] = loc
            load = {"once": "READ_ONCE(*{x})", "acqrel": "smp_load_acquire({x})",
                    "plain": "*{x}"}[kind]
            return f"{reg} = {load.format(x=loc)};"
        if kind == "once":
            return f"WRITE_ONCE(*{loc}, {v});"
        if kind == "acqrel":
            return f"smp_store_release({loc}, {v});"
        if kind == "plain":
            return f"*{loc} = {v};"
        if kind == "fence":
            return r.choice(FENCES) + ";"
        if kind == "sync":
            return "synchronize_rcu();"
        if kind == "rmw_void":
            return r.choice(self._forms(VOID_RMWS)).format(x=loc, v=v) + ";"
        if kind == "rmw_return":
            form = r.choice(self._forms(RETURN_RMWS + MB_ONLY_RMWS))
            call = form.format(o=r.choice(ORDERS), x=loc, v=v, old=r.choice((0, 1)))
            reg = self.new_reg()
            self.source[reg] = loc
            return f"{reg} = {call};"
        if kind == "data":
            srcs = [g for g in self.regs if g not in self.ptrs]
            if "feedback" in self.exclude:
                srcs = [g for g in srcs if self.source.get(g) != loc]
            src = r.choice(srcs or ["0"])
            self.stored.add(loc)
            value = r.choice((src, f"{src} + 1")) if src != "0" else "1"
            return f"WRITE_ONCE(*{loc}, {value});"
        if kind == "pointer":
            self.pointer_used = True
            if r.random() < 0.5:
                self.stored.add(POINTER)
                target = r.choice(("x", "y"))
                how = r.choice(("rcu_assign_pointer(*{p}, {t});", "WRITE_ONCE(*{p}, {t});"))
                return how.format(p=POINTER, t=target)
            ptr = self.new_reg()
            self.ptrs.add(ptr)
            val = self.new_reg()
            load = r.choice(("rcu_dereference(*{p})", "READ_ONCE(*{p})"))
            return f"{ptr} = {load.format(p=POINTER)}; {val} = READ_ONCE(*{ptr});"
        raise ValueError(kind)


def generate(seed: int, index: int, exclude: frozenset[str] = frozenset(),
             small: bool = False) -> Program:
    """Test `index` of run `seed`: a string seed keeps it the same on every Python."""
    rng = random.Random(f"herd-diff:{seed}:{index}")
    prog = Generator(rng, exclude, small).program()
    return replace(prog, name=f"diff-{seed}-{index}")


# ---- the two tools ---------------------------------------------------------------------------
def herd7_available() -> bool:
    return HERD7.exists() and LKMM.exists()


def run_herd7(text: str, workdir: Path, name: str) -> tuple[str, float]:
    """herd7's whole output (stdout then stderr) and its wall seconds, one process per test."""
    path = workdir / f"{name}.litmus"
    path.write_text(text)
    start = time.perf_counter()
    try:
        run = subprocess.run([str(HERD7), "-conf", "linux-kernel.cfg", str(path.resolve())],
                             cwd=LKMM, capture_output=True, text=True, timeout=HERD_TIMEOUT)
        out = run.stdout + run.stderr
    except subprocess.TimeoutExpired:
        out = f"TIMEOUT after {HERD_TIMEOUT} s"
    return out, time.perf_counter() - start


def run_swtlb(text: str, timeout: float | None = None) -> tuple[str, str, float]:
    """("ok", herd-style text) or ("refused"/"bound"/"crash", message), and CPU seconds.

    Thread CPU time, not wall time: the other worker's herd7 and the GIL must not count.
    """
    start = time.thread_time()
    try:
        bounds = dict(CHECK_BOUNDS, **({"timeout": timeout} if timeout else {}))
        result = swtlb.check(text, **bounds)
        status, out = "ok", result.herd_text(seconds=False)
    except swtlb.BoundError as exc:
        status, out = "bound", str(exc)
    except swtlb.LitmusError as exc:
        status, out = "refused", str(exc)
    except Exception as exc:  # noqa: BLE001 - a crash is a finding, not a stop
        status, out = "crash", f"{type(exc).__name__}: {exc}"
    return status, out, time.thread_time() - start


def _summary(herd_out: str) -> dict:
    o = parse_herd_output(herd_out)
    return {"verdict": o.verdict, "positive": o.positive, "negative": o.negative,
            "states": sorted(o.states), "flags": sorted(o.flags), "ok": o.ok, "kind": o.kind}


def judge(herd_out: str, status: str, ours: str) -> str:
    """One of: agree, disagree, herd7-refused, herd7-timeout, bound (swtlb stopped by a bound)."""
    if herd_out.startswith("TIMEOUT"):
        return "herd7-timeout"
    if not re.search(r"^Observation ", herd_out, re.M):
        return "herd7-refused"
    if status == "bound":
        return "bound"
    if status != "ok":
        return "disagree"
    return "agree" if _summary(herd_out) == _summary(ours) else "disagree"


@dataclass
class Outcome:
    seed: int
    index: int
    text: str
    result: str
    herd_seconds: float
    swtlb_seconds: float
    herd_output: str
    swtlb_status: str
    swtlb_output: str

    def record(self) -> dict:
        return {"seed": self.seed, "index": self.index, "result": self.result,
                "text": self.text, "herd7": self.herd_output,
                "swtlb": f"[{self.swtlb_status}]\n{self.swtlb_output}",
                "herd7_summary": _summary(self.herd_output),
                "swtlb_summary": _summary(self.swtlb_output) if self.swtlb_status == "ok"
                else self.swtlb_status}


def decide(seed: int, index: int, workdir: Path, text: str | None = None,
           exclude: frozenset[str] = frozenset(), small: bool = False) -> Outcome:
    """Generate test `index` (unless given its text) and ask both tools."""
    text = text if text is not None else generate(seed, index, exclude, small).text()
    herd_out, herd_s = run_herd7(text, workdir, f"t{seed}-{index}-{os.getpid()}")
    status, ours, ours_s = run_swtlb(text)
    return Outcome(seed, index, text, judge(herd_out, status, ours), herd_s, ours_s, herd_out,
                   status, ours)


def run_many(seed: int, tests: int, jobs: int = 2, exclude: frozenset[str] = frozenset(),
             small: bool = False,
             progress: Callable[[int, Counter], None] | None = None) -> list[Outcome]:
    """Tests 0..tests-1 of `seed`, herd7 calls `jobs` at a time (threads: herd7 is a process)."""
    with tempfile.TemporaryDirectory(prefix="herd-diff-") as tmp, \
            ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes: list[Outcome] = []
        counts: Counter = Counter()
        def one(i: int) -> Outcome:
            return decide(seed, i, Path(tmp), exclude=exclude, small=small)

        for o in pool.map(one, range(tests)):
            outcomes.append(o)
            counts[o.result] += 1
            if progress:
                progress(len(outcomes), counts)
    return outcomes


# ---- minimising ------------------------------------------------------------------------------
def _smaller(prog: Program):
    """Programs one step smaller: an atom, a process, a statement, or a block's wrapper gone."""
    for i in range(len(prog.atoms)):
        if len(prog.atoms) > 1:
            yield replace(prog, atoms=prog.atoms[:i] + prog.atoms[i + 1:])
    for t in range(len(prog.procs)):
        if len(prog.procs) > 2 and not any(a.startswith(f"{t}:") for a in prog.atoms):
            def renumber(a: str, t: int = t) -> str:
                m = re.match(r"(\d+):(.*)", a)
                return f"{int(m.group(1)) - 1}:{m.group(2)}" if m and int(m.group(1)) > t else a
            yield replace(prog, procs=prog.procs[:t] + prog.procs[t + 1:],
                          pointers=prog.pointers[:t] + prog.pointers[t + 1:],
                          atoms=[renumber(a) for a in prog.atoms])
    for t, stmts in enumerate(prog.procs):
        for variant in _smaller_lists(stmts):
            yield replace(prog, procs=prog.procs[:t] + [variant] + prog.procs[t + 1:])


def _smaller_lists(stmts: list[Stmt]):
    for i, s in enumerate(stmts):
        yield stmts[:i] + stmts[i + 1:]
        if s.kind != "leaf":  # unwrap: keep the body without the lock, reader or branch
            yield stmts[:i] + s.body + s.orelse + stmts[i + 1:]
            for body in _smaller_lists(s.body):
                yield stmts[:i] + [replace(s, body=body)] + stmts[i + 1:]
            for orelse in _smaller_lists(s.orelse):
                yield stmts[:i] + [replace(s, orelse=orelse)] + stmts[i + 1:]


def minimise(prog: Program, workdir: Path, budget: int = 300) -> tuple[Program, Outcome]:
    """Greedy: take any one-step-smaller program with the same finding (a disagreement, or
    swtlb stopped by a bound where herd7 answered) until none has it."""
    best = decide(0, 0, workdir, prog.text())
    finding = best.result
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        for smaller in _smaller(prog):
            tries += 1
            o = decide(0, tries, workdir, smaller.text())
            if o.result == finding and (finding != "bound" or o.swtlb_output == best.swtlb_output):
                prog, best, improved = smaller, o, True
                break
            if tries >= budget:
                break
    return prog, best


# ---- the long run ----------------------------------------------------------------------------
def cli_overhead(samples: list[str], workdir: Path) -> dict:
    """What `python -m swtlb check FILE` costs over the in-process call, per test."""
    spent, inproc = [], []
    for k, text in enumerate(samples):
        path = workdir / f"cli{k}.litmus"
        path.write_text(text)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "swtlb", "check", str(path)], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
        spent.append(time.perf_counter() - start)
        start = time.perf_counter()
        run_swtlb(text)
        inproc.append(time.perf_counter() - start)
    extra = [a - b for a, b in zip(spent, inproc)]
    return {"samples": len(samples), "process_mean_s": round(sum(spent) / len(spent), 3),
            "in_process_mean_s": round(sum(inproc) / len(inproc), 4),
            "process_start_extra_s": round(sum(extra) / len(extra), 3)}


def _stats(xs: list[float]) -> dict:
    xs = sorted(xs)
    if not xs:
        return {}
    return {"total_s": round(sum(xs), 1), "mean_s": round(sum(xs) / len(xs), 4),
            "median_s": round(xs[len(xs) // 2], 4), "p99_s": round(xs[int(len(xs) * .99)], 3),
            "max_s": round(xs[-1], 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report", type=Path, default=Path("herd-diff-report.json"))
    parser.add_argument("--exclude", default="", help=f"comma list from {','.join(CONSTRUCTS)}")
    parser.add_argument("--minimise", type=int, default=5, help="shrink this many findings")
    parser.add_argument("--cli-samples", type=int, default=5,
                        help="time `python -m swtlb check` on this many tests, once")
    parser.add_argument("--timeout", type=float, default=20, help="swtlb's, per test")
    parser.add_argument("--small", action="store_true", help="the CI test's smaller programs")
    parser.add_argument("--show", metavar="SEED:INDEX", help="print one test and stop")
    args = parser.parse_args(argv)
    exclude = frozenset(filter(None, args.exclude.split(",")))
    if args.show:
        seed, index = map(int, args.show.split(":"))
        print(generate(seed, index, exclude, args.small).text(), end="")
        return 0
    if not herd7_available():
        print(f"herd7 not found at {HERD7} (set SWTLB_SHARED)", file=sys.stderr)
        return 2
    CHECK_BOUNDS["timeout"] = args.timeout
    start = time.monotonic()

    def progress(done: int, counts: Counter) -> None:
        if done % 100 == 0 or done == args.tests:
            print(f"{time.monotonic() - start:7.0f} s {done:6} tests {dict(counts)}", flush=True)

    outcomes = run_many(args.seed, args.tests, args.jobs, exclude, args.small, progress)
    wall = time.monotonic() - start
    counts = Counter(o.result for o in outcomes)
    findings = [o for o in outcomes if o.result == "disagree"]
    with tempfile.TemporaryDirectory(prefix="herd-diff-min-") as tmp:
        minimised = []
        for o in findings[:args.minimise]:
            small, out = minimise(generate(o.seed, o.index, exclude, args.small), Path(tmp))
            minimised.append({"seed": o.seed, "index": o.index, **out.record(),
                              "text": small.text()})
        cli = cli_overhead([o.text for o in outcomes[:args.cli_samples]], Path(tmp)) \
            if args.cli_samples else {}
    report = {
        "seed": args.seed, "tests": len(outcomes), "jobs": args.jobs, "wall_s": round(wall, 1),
        "excluded": sorted(exclude), "results": dict(counts),
        "herd7_seconds": _stats([o.herd_seconds for o in outcomes]),
        "swtlb_cpu_seconds": _stats([o.swtlb_seconds for o in outcomes]),
        "swtlb_cli_per_test": cli,
        "disagreements": [o.record() for o in findings],
        "minimised": minimised,
        "herd7_refused": [o.record() for o in outcomes if o.result == "herd7-refused"],
        "other": [o.record() for o in outcomes if o.result in ("bound", "herd7-timeout")],
    }
    args.report.write_text(json.dumps(report, indent=1))
    tsv = args.report.with_suffix(".tsv")
    tsv.write_text("seed\tindex\tresult\therd7_s\tswtlb_cpu_s\tswtlb_status\n" + "".join(
        f"{o.seed}\t{o.index}\t{o.result}\t{o.herd_seconds:.3f}\t{o.swtlb_seconds:.4f}\t"
        f"{o.swtlb_status}\n" for o in outcomes))
    shown = {k: v for k, v in report.items()
             if k not in ("disagreements", "minimised", "herd7_refused", "other")}
    print(json.dumps(shown, indent=1))
    for m in minimised:
        print(f"--- {m['seed']}:{m['index']} minimised:\n{m['text']}herd7: {m['herd7_summary']}"
              f"\nswtlb: {m['swtlb_summary']}")
    return 1 if findings or counts["herd7-refused"] else 0


if __name__ == "__main__":
    sys.exit(main())
