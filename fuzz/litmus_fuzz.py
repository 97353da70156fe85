"""Fuzz the litmus front end, the checker and the weak machine with hypothesis.

Every input must end one of three ways: decided (then the machine runs it and may show only
states LKMM allows), refused with a ``LitmusError`` that names ``<string>:line:col``, or
stopped by a bound (``BoundError``). Anything else is a crash; an input still running after
the watchdog's limit is a hang. The long run records both instead of stopping at the first.

    .venv/bin/python fuzz/litmus_fuzz.py --minutes 30 [--seed 1] [--report fuzz-report.json]

tests/test_robustness.py runs the same strategies for a few hundred inputs in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import swtlb
from swtlb.litmus.errors import BoundError, LitmusError
from swtlb.machines import simulate

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SWTLB_SHARED", ROOT.parent / "shared"))
CHECK_BOUNDS = dict(max_candidates=5_000, timeout=5)
WATCHDOG_SECONDS = 30  # far above the check timeout: only a real hang reaches it

BUILTIN_SEEDS = [
    "C MP+wmb+rmb\n{}\nP0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_wmb(); WRITE_ONCE(*y, 1); }\n"
    "P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); smp_rmb(); r1 = READ_ONCE(*x); }"
    "\nexists (1:r0=1 /\\ 1:r1=0)\n",
    "C SB+mb\n{ x=0; }\nP0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); smp_mb(); "
    "r0 = READ_ONCE(*y); }\nP1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); "
    "r0 = READ_ONCE(*x); }\nexists (0:r0=0 /\\ 1:r0=0)\n",
    "C LB+ctrl\n{}\nP0(int *x, int *y) { int r0; r0 = READ_ONCE(*x); if (r0) "
    "WRITE_ONCE(*y, 1); }\nP1(int *x, int *y, spinlock_t *s) { int r0; spin_lock(s); "
    "r0 = smp_load_acquire(y); spin_unlock(s); WRITE_ONCE(*x, 1); }\n"
    "locations [x]\nexists (0:r0=1 /\\ 1:r0=1)\n",
]
PIECES = ["", "(", ")", "{", "}", ";", "*", "&", "1", "0x10", "-1", "r0", "r9", "x", "y",
          "/\\", "\\/", "~", "(*", "*)", "if (r0)", "else", "smp_mb();", "0:", "1:", "=",
          "==", "\n", "P1(int *x)", "P9(int *z)", "exists", "forall", "filter", "locations",
          "int r1;", "spin_lock(s);", "rcu_read_lock();", "synchronize_rcu();", "xchg(x, 2)",
          "atomic_inc(v);", "[", "]", "\"", "'", "\t", "\x00", "é", "C"]


def seeds() -> list[str]:
    """Real tests to mutate: the shared corpus and course tests where present, the swiotlb
    scenarios, and a few built-in shapes."""
    texts = list(BUILTIN_SEEDS)
    for folder in (SHARED / "litmus", SHARED / "course" / "litmus"):
        texts += [p.read_text(errors="replace") for p in sorted(folder.rglob("*.litmus"))]
    from swtlb.swiotlb import scenario

    texts += [scenario(v).text for v in "abcd"]
    return texts


@st.composite
def mutated(draw, corpus: list[str]) -> str:
    """A real test with a few local edits: replaced spans, dropped or repeated lines,
    changed numbers."""
    text = draw(st.sampled_from(corpus))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["splice", "splice", "line", "number"]))
        if kind == "splice" or not text:
            i = draw(st.integers(0, len(text)))
            j = draw(st.integers(i, min(len(text), i + 12)))
            text = text[:i] + draw(st.sampled_from(PIECES)) + text[j:]
        elif kind == "line":
            lines = text.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            lines[k:k + 1] = draw(st.sampled_from([[], [lines[k]] * 2, [lines[k][::-1]]]))
            text = "\n".join(lines)
        else:
            numbers = list(re.finditer(r"\d+", text))
            if numbers:
                m = draw(st.sampled_from(numbers))
                value = draw(st.sampled_from(["0", "2", "7", "99", "4294967296", "010"]))
                text = text[:m.start()] + value + text[m.end():]
    return text


def random_text() -> st.SearchStrategy[str]:
    """Text with no litmus structure at all, after a valid header line."""
    return st.text(max_size=200).map(lambda t: "C t\n" + t)


@st.composite
def hostile(draw) -> str:
    """The shapes that once ran out of memory or time or crashed: many writers or lockers of
    one location (factorial coherence orders), huge literals, long flat sums and conditions,
    deep nesting."""
    kind = draw(st.sampled_from(["writers", "lockers", "literal", "sum", "conjuncts", "parens",
                                 "ifs"]))
    n = draw(st.integers(2, 12 if kind in ("writers", "lockers") else 3000))
    if kind == "writers":
        procs = "\n".join(f"P{i}(int *x) {{ WRITE_ONCE(*x, {i}); }}" for i in range(n))
        return f"C w\n{{}}\n{procs}\nexists (x=1)\n"
    if kind == "lockers":
        body = "spin_lock(l); spin_unlock(l); " * draw(st.integers(1, 3))
        procs = "\n".join(f"P{i}(spinlock_t *l) {{ {body}}}" for i in range(n))
        return f"C l\n{{}}\n{procs}\nexists (l=0)\n"
    code, cond = "WRITE_ONCE(*x, 1);", "x=1"
    if kind == "literal":
        code = f"r0 = {draw(st.sampled_from(['', '-', '0x']))}{'9' * n};"
    elif kind == "sum":
        code = "r0 = " + " + ".join(["1"] * n) + "; WRITE_ONCE(*x, r0);"
    elif kind == "conjuncts":
        cond = " /\\ ".join(["x=1"] * n)
    elif kind == "parens":
        code = "r0 = " + "(" * n + "1" + ")" * n + ";"
    else:
        code = "if (r0) " * n + "r0 = 1;"
    return f"C h\n{{}}\nP0(int *x) {{ int r0; {code} }}\nexists ({cond})\n"


def inputs(corpus: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(mutated(corpus), mutated(corpus), random_text(), hostile())


class Hang(Exception):
    pass


def run_one(text: str, runs: int = 200) -> str:
    """Decide one input; returns "decided", "refused" or "bound", or raises for a crash.

    A decided test also runs on the weak machine, whose states must all be allowed by LKMM.
    """
    try:
        test = swtlb.parse(text)
        result = swtlb.check(test, **CHECK_BOUNDS)
    except BoundError:
        return "bound"
    except LitmusError as exc:
        if not (str(exc).startswith("<string>:") and exc.line >= 0 and exc.col >= 0):
            raise AssertionError(f"refusal without a position: {exc}") from exc
        return "refused"
    try:
        freq = simulate(test, "weak", runs=runs, seed=0, reference=result, progress=False)
    except LitmusError:  # the machines refuse what they do not model (SRCU, deadlocks...)
        return "decided"
    shown = freq[(freq["count"] > 0) & ~freq["allowed"]]
    if len(shown):
        raise AssertionError(f"the weak machine showed states LKMM forbids: {list(shown.state)}")
    return "decided"


def _alarm(signum, frame):
    raise Hang()


def fuzz(minutes: float, seed: int, report: Path | None) -> dict:
    corpus = seeds()
    outcomes: Counter = Counter()
    failures: list[dict] = []
    slowest = [0.0, ""]

    def record(failure: dict) -> None:  # at once, so a killed run still leaves its findings
        failures.append(failure)
        if report:
            with open(report.with_suffix(".failures.jsonl"), "a") as f:
                f.write(json.dumps(failure) + "\n")

    @settings(max_examples=500, deadline=None, database=None, derandomize=False,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(inputs(corpus))
    def one(text: str) -> None:
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, WATCHDOG_SECONDS)
        try:
            outcomes[run_one(text)] += 1
        except Hang:
            outcomes["hang"] += 1
            record({"kind": "hang", "input": text})
        except Exception:  # noqa: BLE001 - a crash is what we are here to find
            outcomes["crash"] += 1
            record({"kind": "crash", "input": text, "error": traceback.format_exc()})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        took = time.perf_counter() - start
        if took > slowest[0]:
            slowest[:] = [took, text]

    signal.signal(signal.SIGALRM, _alarm)
    deadline = time.monotonic() + minutes * 60
    start = time.monotonic()
    round_no = 0
    while time.monotonic() < deadline:
        hypothesis.seed(seed * 1_000_003 + round_no)(one)()  # 500 inputs, a fresh seed each
        round_no += 1
        done = sum(outcomes.values())
        print(f"{time.monotonic() - start:7.0f} s  {done:8,} inputs  {dict(outcomes)}",
              flush=True)
    import resource

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {"seconds": round(time.monotonic() - start, 1), "inputs": sum(outcomes.values()),
               "peak_rss_mib": round(peak_mib),
               "outcomes": dict(outcomes), "crashes": outcomes["crash"],
               "hangs": outcomes["hang"], "corpus seeds": len(corpus),
               "slowest input seconds": round(slowest[0], 2), "failures": failures[:50]}
    if report:
        report.write_text(json.dumps(summary, indent=1))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report", type=Path, default=None, help="write a JSON summary here")
    args = parser.parse_args(argv)
    summary = fuzz(args.minutes, args.seed, args.report)
    shown = {k: v for k, v in summary.items() if k != "failures"}
    print(json.dumps(shown, indent=1))
    for f in summary["failures"][:5]:
        print(f"--- {f['kind']}:\n{f['input']!r}\n{f.get('error', '')}")
    return 1 if summary["crashes"] or summary["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
