"""Decide a litmus test under a model: enumerate candidates, keep the allowed ones, summarise.

``check()`` is what notebooks call; ``CheckResult`` prints as herd7 would and turns into a
DataFrame; ``explain()`` answers the test's question: if an allowed execution reaches the outcome
it shows that execution's communication edges, otherwise which axiom rejects the candidates that
would reach it and the offending cycle.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable

from . import arith, validate
from .executions import Execution, Limits, Skeleton, executions
from .interpreter import LOCK_TAGS, Trace
from .litmus.ast import (
    And,
    Atom,
    LitmusTest,
    Loc,
    Not,
    Or,
    Prop,
    Truth,
    Value,
)
from .litmus.errors import LitmusError, UnsupportedError
from .litmus.parser import parse
from .models import lkmm
from .models.base import Verdict
from .record import field, record

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from .symbolic import Symbol

MODELS = ("lkmm", "sc", "tso")


def model_check(model: str) -> Callable[..., Verdict]:
    """The model's check function. sc and tso, and the grace-period rule they share, are
    imported when asked for: swtlb-herd7 starts once per test and decides LKMM only."""
    if model == "lkmm":
        return lkmm.check
    from .models import sc, tso

    return {"sc": sc.check, "tso": tso.check}[model]

State = tuple[tuple[Loc, Value], ...]


def _unmatched_srcu(model: str) -> type[Exception] | tuple[()]:
    """What the model raises for an SRCU index it cannot follow: only sc and tso's
    grace-period rule does (an empty tuple in an except clause catches nothing)."""
    if model == "lkmm":
        return ()
    from .models.grace import UnmatchedSrcu

    return UnmatchedSrcu


def _value_key(v: Value | Symbol) -> tuple:
    if isinstance(v, str):
        return (1, v)
    if isinstance(v, int):
        return (0, v)
    return (-1, v.n)  # a swtlb.symbolic.Symbol: herd7 sorts its unsolved values first


def prop_locations(prop: Prop | None) -> list[Loc]:
    """Every register and memory location a condition looks at, in reading order."""
    if isinstance(prop, Atom):
        return [prop.loc] + ([prop.value] if isinstance(prop.value, Loc) else [])
    if isinstance(prop, Not):
        return prop_locations(prop.prop)
    if isinstance(prop, (And, Or)):
        return prop_locations(prop.left) + prop_locations(prop.right)
    return []


def observed_locations(test: LitmusTest) -> list[Loc]:
    """Registers and memory that herd7 prints in each state: the condition's, then `locations`."""
    found = list(test.locations) + prop_locations(test.condition.prop)
    unique = {(loc.thread is None, loc.thread if loc.thread is not None else -1, loc.name): loc
              for loc in found}
    return [unique[k] for k in sorted(unique)]


def _copies_a_read(x: Execution) -> bool:
    """Can herd7 keep a symbol in this candidate? Only if a write's value or address comes
    from a read (without, no cycle of reads-from and dependencies exists and every value is
    a constant, so swtlb.symbolic has nothing to say). Asked once per skeleton."""
    hit = x.memo.get("copies a read")
    if hit is None:
        hit = x.memo["copies a read"] = any(
            ev.kind == "W" and (ev.data or ev.addr or ev.rmw_read is not None) for ev in x.events)
    return hit


def final_value(test: LitmusTest, x: Execution, loc: Loc) -> Value | Symbol:
    symbolic = getattr(x, "symbolic", None)  # set by check() where herd7 keeps a symbol
    if symbolic is not None and (v := symbolic.value(loc)) is not None:
        return v
    if loc.thread is not None:
        if loc.thread >= len(x.traces):
            return 0
        return x.traces[loc.thread].regs.get(loc.name, test.reg_init.get((loc.thread, loc.name), 0))
    return x.final_mem.get(loc.name, test.init.get(loc.name, 0))


def prop_holds(prop: Prop | None, value: Callable[[Loc], Value]) -> bool:
    """Evaluate a condition given each location's final value (no condition holds trivially)."""
    if prop is None:
        return True
    if isinstance(prop, Truth):
        return prop.value
    if isinstance(prop, Not):
        return not prop_holds(prop.prop, value)
    if isinstance(prop, And):
        return prop_holds(prop.left, value) and prop_holds(prop.right, value)
    if isinstance(prop, Or):
        return prop_holds(prop.left, value) or prop_holds(prop.right, value)
    lhs = value(prop.loc)
    rhs = value(prop.value) if isinstance(prop.value, Loc) else prop.value
    return (lhs != rhs) if prop.negated else (lhs == rhs)


def holds(test: LitmusTest, prop: Prop, x: Execution) -> bool:
    return prop_holds(prop, lambda loc: final_value(test, x, loc))


def format_prop(prop: Prop, top: bool = True) -> str:
    """The condition as herd7 prints it (memory in brackets, ``not`` for negation)."""
    if isinstance(prop, Truth):
        return "true" if prop.value else "false"
    if isinstance(prop, Atom):
        rhs = str(prop.value) if isinstance(prop.value, Loc) else str(prop.value)
        return f"{prop.loc}{'<>' if prop.negated else '='}{rhs}"
    if isinstance(prop, Not):
        return f"not ({format_prop(prop.prop)})"
    op = " /\\ " if isinstance(prop, And) else " \\/ "
    parts = []
    for side in (prop.left, prop.right):
        text = format_prop(side, top=False)
        if isinstance(side, (And, Or)) and type(side) is not type(prop):
            text = f"({text})"
        parts.append(text)
    return op.join(parts)


@record
class Step:
    source: str
    relation: str
    target: str
    part_of: str = ""  # the compound relation (prop, ppo, ...) this base edge spells out

    def __iter__(self):
        return iter((self.source, self.relation, self.target))


@record
class Explanation:
    """Why the model decides one execution as it does.

    A rejection names the axiom and spells out its cycle in ``steps``. An explanation of an
    *allowed* execution (``allowed`` true, ``kind`` "allowed", no axiom) lists the rf, co and fr
    edges that make its outcome, so nobody mistakes a rejected candidate for the whole story.
    """

    axiom: str
    kind: str
    steps: list[Step]
    allowed: bool = False
    execution: Execution | None = field(default=None, repr=False, compare=False)
    outcome: str = ""  # the condition the execution reaches, as herd7 prints it
    model: str = ""

    def __str__(self) -> str:
        if self.allowed:
            model = f"'{self.model}'" if self.model else "the model"
            reaches = f" and it reaches {self.outcome}" if self.outcome else ""
            lines = [f"allowed: no axiom of {model} rejects this execution{reaches}; "
                     "its communication edges:"]
        else:
            lines = [f"rejected by '{self.axiom}' ({self.kind}):"]
        lines += [f"  {s.source} --{s.relation}--> {s.target}" + _aside(s) for s in self.steps]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def _aside(step: Step) -> str:
    if not step.part_of:
        return ""
    return f"   ({step.part_of})" if step.part_of.startswith("ppo") else \
        f"   (part of {step.part_of})"


def explain_allowed(x: Execution, outcome: str = "", model: str = "") -> Explanation:
    """The rf, co and fr edges of an allowed execution: what a reader needs to see how its
    outcome comes about. Edges that coherence implies anyway are left out: co from the initial
    writes, and co and fr inside one thread (in an allowed execution they follow po)."""
    rf, co, _ = x.complete()
    fr = rf.inv @ co
    co1 = co - (co @ co)
    steps: list[Step] = []
    for name, rel in (("rf", rf), ("co", co1), ("fr", fr)):
        for a, b in rel.pairs():
            same = x.events[a].thread == x.events[b].thread
            if name != "rf" and (same or x.events[a].thread < 0 and name == "co"):
                continue
            steps.append(Step(x.describe(a), name + ("i" if same else "e"), x.describe(b)))
    return Explanation("", "allowed", steps, allowed=True, execution=x, outcome=outcome,
                       model=model)


def explain_verdict(x: Execution, verdict: Verdict) -> Explanation | None:
    """The rejection of ``x`` spelt out in base relations (None if the verdict allows it)."""
    if verdict.allowed or verdict.relation is None:
        return None
    rel = verdict.relation

    def label(a: int, b: int) -> str:
        if a == b:  # a self-loop is the axiom's own relation, whatever else contains identity
            return AXIOM_RELATION.get(verdict.axiom, verdict.axiom)
        for name, part in verdict.parts.items():
            if (a, b) in part:
                return name
        return AXIOM_RELATION.get(verdict.axiom, verdict.axiom)

    if verdict.kind == "acyclic":
        cycle = rel.find_cycle() or []
        pairs = list(zip(cycle, cycle[1:]))
    elif verdict.kind == "irreflexive":
        pairs = [(i, i) for i in range(x.n) if (i, i) in rel][:1]
    else:
        pairs = rel.pairs()[:1]
    steps: list[Step] = []
    for a, b in pairs:
        name = label(a, b)
        if name == "ppo":  # one edge, with the rule behind it: no event in between is ordered
            rule = next((r for r, part in verdict.reasons.items() if (a, b) in part), "")
            steps.append(Step(x.describe(a), "ppo", x.describe(b),
                              f"ppo: {PPO_RULES[rule]}" if rule else "ppo"))
            continue
        # inside ppo a dependency is the reason for the order; elsewhere (prop, fences) it is
        # a fence, so dependency edges are left out of the path
        path = None if name in BASE else _base_path(x, a, b, deps=name in ("ppo", "hb"))
        if path and len(path) > 1 or (path and path[0][1] != name):
            steps += [Step(x.describe(s), rel, x.describe(t), name) for s, rel, t in path]
        else:
            steps.append(Step(x.describe(a), name, x.describe(b)))
    return Explanation(verdict.axiom or "", verdict.kind, steps, execution=x)


BASE = {"rf", "rfe", "rfi", "co", "fr", "po", "po-loc", "rmw"}
AXIOM_RELATION = {  # the relation each axiom of linux-kernel.cat constrains, by its cat name
    "coherence": "coherence", "happens-before": "hb", "propagation": "pb", "rcu": "rb",
}
PPO_RULES = {  # the relations of linux-kernel.cat that put an edge into ppo, in words
    "acq-po": "an acquire keeps what follows it after it",
    "po-rel": "a release keeps what precedes it before it",
    "mb": "a full barrier between them",
    "gp": "a grace period between them",
    "rmb": "smp_rmb() between two reads",
    "wmb": "smp_wmb() between two writes",
    "po-unlock-lock-po": "an unlock and a later lock of the same lock between them",
    "addr": "an address dependency",
    "data": "a data dependency",
    "ctrl": "a control dependency",
    "overwrite": "the same location, later in coherence order",
}


def _base_path(x: Execution, a: int, b: int, deps: bool = True
               ) -> list[tuple[int, str, int]] | None:
    """A shortest path from a to b through rf, co, fr and po edges (po labelled with the fence
    or dependency it crosses), so a compound edge such as prop reads as the steps behind it."""
    rf, co, _ = x.complete()
    fr = rf.inv @ co
    co1 = co - (co @ co)
    po1 = x.po - (x.po @ x.po)
    edges: dict[int, list[tuple[int, str]]] = {}
    kinds = [("rf", rf), ("fr", fr), ("co", co1)]
    if deps:
        kinds += [("addr", x.addr), ("data", x.data), ("ctrl", x.ctrl)]
    for name, rel in kinds + [("po", po1)]:
        for s, t in rel.pairs():
            label = name
            if name in ("rf", "fr", "co"):
                label += "e" if x.events[s].thread != x.events[t].thread else "i"
            edges.setdefault(s, []).append((t, label))
    if a == b:
        return None
    seen = {a: None}
    queue = [a]
    for node in queue:
        for nxt, label in edges.get(node, ()):
            if nxt not in seen:
                seen[nxt] = (node, label)
                if nxt == b:
                    path = []
                    while seen[nxt] is not None:
                        prev, lab = seen[nxt]
                        path.append((prev, lab, nxt))
                        nxt = prev
                    return path[::-1]
                queue.append(nxt)
    return None


@record
class CheckResult:
    """What herd7 reports for one test and model, plus the executions behind it."""

    test: LitmusTest
    model: str
    observed: list[Loc]
    states: dict[State, int]  # final state -> number of allowed executions giving it
    positive: int
    negative: int
    flags: set[str]
    allowed: list[Execution] = field(repr=False, default_factory=list)
    rejected: list[tuple[Execution, Verdict]] = field(repr=False, default_factory=list)
    candidates: int = 0
    seconds: float = 0.0
    speedcheck: str = "false"  # herd7's -speedcheck mode: "false", "true" or "fast"

    @property
    def verdict(self) -> str:
        if self.positive == 0:
            return "Never"
        return "Always" if self.negative == 0 else "Sometimes"

    @property
    def ok(self) -> bool:
        q = self.test.condition.quantifier
        if q == "exists":
            return self.positive > 0
        if q == "~exists":
            return self.positive == 0
        return self.negative == 0

    def state_text(self, state: State) -> str:
        return " ".join(f"{loc}={v};" for loc, v in state)

    def sorted_states(self) -> list[State]:
        return sorted(self.states, key=lambda s: [_value_key(v) for _, v in s])

    def satisfies(self, state: State) -> bool | None:
        """Whether the final condition holds in ``state`` (None if it looks elsewhere)."""
        return self._state_holds.get(state)

    def herd_text(self, seconds: bool = True) -> str:
        kind = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}
        cond = self.test.condition
        lines = [f"Test {self.test.name} {kind[cond.quantifier]}", f"States {len(self.states)}"]
        lines += [self.state_text(s) for s in self.sorted_states()]
        # herd7 counts witnesses of the test's claim: for ~exists those avoiding the condition
        good, bad = (self.negative, self.positive) if cond.quantifier == "~exists" else (
            self.positive, self.negative)
        lines += ["Ok" if self.ok else "No", "Witnesses", f"Positive: {good} Negative: {bad}"]
        lines += [f"Flag {f}" for f in sorted(self.flags)]
        lines.append(f"Condition {cond.quantifier} ({format_prop(cond.prop)})")
        lines.append(f"Observation {self.test.name} {self.verdict} {self.positive} "
                     f"{self.negative}")
        if seconds:
            lines.append(f"Time {self.test.name} {self.seconds:.2f}")
        return "\n".join(lines) + "\n"

    def to_frame(self):
        """The final states as a pandas DataFrame: one row per state, one column per location."""
        import pandas as pd

        rows = []
        for s in self.sorted_states():
            row = {str(loc): v for loc, v in s}
            row["executions"] = self.states[s]
            row["exists"] = self._state_holds.get(s)
            rows.append(row)
        columns = [str(loc) for loc in self.observed] + ["executions", "exists"]
        return pd.DataFrame(rows, columns=columns)

    def reaches(self, x: Execution) -> bool:
        """Whether ``x`` ends in the outcome the test asks about: the condition for exists and
        ~exists, a counterexample (the condition failing) for forall."""
        cond = self.test.condition
        return holds(self.test, cond.prop, x) != (cond.quantifier == "forall")

    def outcome_text(self) -> str:
        cond = self.test.condition
        text = format_prop(cond.prop)
        return f"not ({text})" if cond.quantifier == "forall" else f"exists ({text})"

    def explain(self, execution: Execution | None = None) -> Explanation | None:
        """Why the model decides as it does.

        With no argument, the answer to the test's question: if an allowed execution reaches
        the outcome, an ``allowed`` explanation of it (its rf/co/fr edges); otherwise why the
        first rejected candidate reaching it is rejected (else the first rejected one; None if
        nothing was rejected). With ``execution``, why the model rejects that one (None if it
        allows it). The explanation's ``execution`` is the execution it talks about.
        """
        if execution is None:
            witness = next((x for x in self.allowed if self.reaches(x)), None)
            if witness is not None:
                return explain_allowed(witness, self.outcome_text(), self.model)
            if not self.rejected:
                return None
            chosen = next((p for p in self.rejected if self.reaches(p[0])), self.rejected[0])
            return explain_verdict(*chosen)
        verdict = model_check(self.model)(execution, frozenset(
            loc.name for loc in self.observed if loc.thread is None))
        return explain_verdict(execution, verdict)

    def to_dot(self, show: str = "prop", nshow: int | None = None, **style) -> str:
        """The executions as Graphviz text, as herd7 ``-show SHOW -o DIR`` writes them
        (``show``: prop, neg, all or none; ``style``: herd7's figure options such as
        ``graph="columns"``, see ``swtlb.dot.DotStyle``)."""
        from .dot import DotStyle, result_dot

        return result_dot(self, show=show, nshow=nshow, style=DotStyle(**style))

    def __str__(self) -> str:
        return self.herd_text(seconds=False)

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        flags = f", flags: {', '.join(sorted(self.flags))}" if self.flags else ""
        head = (f"<p><b>{self.test.name}</b> under <code>{self.model}</code>: "
                f"<b>{self.verdict}</b> (Positive {self.positive}, Negative {self.negative}"
                f"{flags})</p>")
        return head + frame.to_html(index=False)

    _state_holds: dict = field(default_factory=dict, repr=False)


SPEEDCHECK = {False: "false", True: "true", "false": "false", "true": "true", "fast": "fast"}


def _maybe(prop: Prop | None, values: Callable[[Loc], frozenset | None]) -> set[bool]:
    """The truth values ``prop`` can take when each location ranges over ``values`` (None:
    any value); an over-approximation, so "only False" means no execution can satisfy it."""
    both = {True, False}
    if prop is None:
        return {True}
    if isinstance(prop, Truth):
        return {prop.value}
    if isinstance(prop, Not):
        return {not b for b in _maybe(prop.prop, values)}
    if isinstance(prop, (And, Or)):
        left, right = _maybe(prop.left, values), _maybe(prop.right, values)
        combine = (lambda a, b: a and b) if isinstance(prop, And) else (lambda a, b: a or b)
        return {combine(a, b) for a in left for b in right}
    lhs = values(prop.loc)
    rhs = values(prop.value) if isinstance(prop.value, Loc) else frozenset({prop.value})
    if lhs is None or rhs is None:
        return both
    out = set()
    if lhs & rhs:
        out.add(not prop.negated)
    if not (len(lhs) == 1 and lhs == rhs):
        out.add(prop.negated)
    return out


def _skeleton_values(test: LitmusTest, sk: Skeleton) -> Callable[[Loc], frozenset | None]:
    """What each location can hold at the end of the skeleton's executions: its registers
    are fixed by the traces, a memory location ends with one of the values written to it."""
    def values(loc: Loc) -> frozenset | None:
        if loc.thread is not None:
            if loc.thread >= len(sk.traces):
                return frozenset({0})
            regs = sk.traces[loc.thread].regs
            return frozenset({regs.get(loc.name, test.reg_init.get((loc.thread, loc.name), 0))})
        found = [ev for ev in sk.events if ev.loc == loc.name]
        if not found:
            return frozenset({test.init.get(loc.name, 0)})
        if any(ev.tags & LOCK_TAGS for ev in found):
            return None  # lock words: their final value is lock.cat's business
        written = frozenset(ev.value for ev in found if ev.kind == "W")
        return written or None  # not a plain variable (srcu, ...): make no claim
    return values


def _prefix_values(test: LitmusTest, chosen: list[Trace], nthreads: int
                   ) -> Callable[[Loc], frozenset | None]:
    """What each location can hold given only the traces of the first processes: their
    registers are fixed, the later processes' registers and memory are unknown (None)."""
    def values(loc: Loc) -> frozenset | None:
        if loc.thread is None:
            return None
        if loc.thread >= nthreads:
            return frozenset({0})
        if loc.thread >= len(chosen):
            return None
        regs = chosen[loc.thread].regs
        return frozenset({regs.get(loc.name, test.reg_init.get((loc.thread, loc.name), 0))})
    return values


def check(test: LitmusTest | str | os.PathLike, model: str = "lkmm", *,
          max_candidates: int = 1_000_000,
          timeout: float | None = None, keep_rejected: int = 200,
          speedcheck: bool | str = False) -> CheckResult:
    """Decide ``test`` under ``model`` ("lkmm", "sc" or "tso") exactly as herd7 would.

    ``speedcheck`` is herd7's ``-speedcheck``: with True (or "true") only the candidates that
    reach the test's outcome (the condition for exists and ~exists, its negation for forall)
    go to the model, so states, counts and flags cover those alone, as herd7 prints them;
    skeletons that cannot reach it are never expanded. "fast" also stops at the first
    allowed one (the answer is then known; which witness is found depends on the order).
    """
    validate.whole("max_candidates", max_candidates)
    validate.seconds("timeout", timeout)
    validate.whole("keep_rejected", keep_rejected, low=0)
    if not isinstance(test, LitmusTest):
        test = parse(test)
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    if speedcheck not in SPEEDCHECK:
        raise ValueError(f"unknown speedcheck {speedcheck!r}; choose False, True or 'fast'")
    mode = SPEEDCHECK[speedcheck]
    start = time.perf_counter()

    decide, unmatched = model_check(model), _unmatched_srcu(model)

    def judge(x: Execution, observed: frozenset[str]) -> Verdict:
        try:
            return decide(x, observed)
        except unmatched as e:
            raise UnsupportedError(f"under '{model}', srcu_read_unlock() must be given, in a "
                                   "register, the value its own srcu_read_lock() returned",
                                   test.file, *e.pos) from None

    observed = observed_locations(test)
    observed_mem = frozenset(loc.name for loc in observed if loc.thread is None)
    cond = test.condition
    wanted = cond.quantifier != "forall"  # the truth of the condition herd7 looks for
    keep = prefix_ok = None
    if mode != "false":
        from .symbolic import copies_values, may_be_symbolic

        def keep(sk: Skeleton) -> bool:
            if any(tr.fault for tr in sk.traces):
                return True  # a faulting run must still be judged (see below)
            if may_be_symbolic(sk):
                return True  # a value herd7 keeps symbolic can meet the condition anyway
            return wanted in _maybe(cond.prop, _skeleton_values(test, sk))

        faults_from: dict[int, bool] = {}
        copies = copies_values(test)

        def prefix_ok(chosen: list[Trace], traces: list[list[Trace]]) -> bool:
            """The same question on the traces of processes 0..k alone (the others' registers
            and all of memory unknown): every skeleton it cuts, ``keep`` would refuse."""
            k = len(chosen)
            if k not in faults_from:
                faults_from[k] = any(tr.fault for ths in traces[k:] for tr in ths)
            if faults_from[k] or any(tr.fault for tr in chosen):
                return True
            if copies:
                return True  # a value herd7 keeps symbolic can meet the condition anyway
            return wanted in _maybe(cond.prop, _prefix_values(test, chosen, len(traces)))
    states: Counter = Counter()
    holds_in: dict[State, bool] = {}
    flags: set[str] = set()
    positive = negative = 0
    allowed: list[Execution] = []
    rejected: list[tuple[Execution, Verdict]] = []
    candidates = 0
    analysis = None  # swtlb.symbolic's, made for the first candidate that may need it
    symbolic_seen: set = set()
    for x in executions(test, Limits(max_candidates, timeout), keep=keep, prefix_ok=prefix_ok):
        fault = next((t for t in x.traces if t.fault), None)
        if fault is not None and fault.fault[0] is arith.DivisionByZero:
            # herd7 stops on the first candidate that divides by zero, whatever the model says
            raise LitmusError(f"P{fault.thread} divides by zero in a candidate execution "
                              "(herd7 stops with Division_by_zero)", test.file, *fault.fault[1])
        if fault is not None:  # a run that stopped at a dereference of a non-location
            if judge(x, observed_mem).allowed:  # (a rejected prefix has no allowed completion)
                value, (line, col) = fault.fault
                raise UnsupportedError(f"P{fault.thread} dereferences {value}, which is not a "
                                       "location, in an execution the model allows",
                                       test.file, line, col)
            continue
        symbolic = None
        if _copies_a_read(x):
            if analysis is None:
                from .symbolic import Analysis
                analysis = Analysis(test)
            symbolic = analysis.resolve(x)  # herd7's unsolved copy cycles (swtlb.symbolic)
        if symbolic == "drop":  # swtlb.symbolic.DROP: herd7 has no such execution
            continue
        if symbolic is not None:
            if symbolic.key in symbolic_seen:
                continue  # a concrete twin of herd7's one symbolic execution
            symbolic_seen.add(symbolic.key)
            x.symbolic = symbolic
        candidates += 1
        if test.filter is not None and not holds(test, test.filter, x):
            continue  # herd7 discards these whatever the model says
        ok = holds(test, cond.prop, x)
        if mode != "false" and ok != wanted:
            continue  # herd7's speedcheck never shows these to the model
        verdict = judge(x, observed_mem)
        if not verdict.allowed:
            if len(rejected) < keep_rejected:
                rejected.append((x, verdict))
            continue
        flags |= verdict.flags
        state = tuple((loc, final_value(test, x, loc)) for loc in observed)
        states[state] += 1
        holds_in[state] = ok
        if ok:
            positive += 1
        else:
            negative += 1
        if len(allowed) < 100_000:
            allowed.append(x)
        if mode == "fast":
            break
    result = CheckResult(test, model, observed, dict(states), positive, negative, flags,
                         allowed, rejected, candidates, time.perf_counter() - start, mode)
    result._state_holds = holds_in
    return result
