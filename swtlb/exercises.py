"""Exercises: the learner writes a litmus test; the test is judged, never its text.

Each exercise is data (``EXERCISES`` at the bottom): the test to start from, whose condition is
the task's; the edits the task allows (barriers to insert, annotations an access may change to,
locations that must stay as given); the primitives it requires or forbids; the most barriers a
minimal answer adds; and the verdict LKMM must give. ``Task`` judges an answer on its parsed
syntax tree, so a primitive named in a comment counts for nothing. Its feedback always opens with
what LKMM answers for the submitted test, then lists what is wrong, in this order:

* outcome: the condition is the task's (the same atoms up to renaming, or true in exactly the
  same candidate executions), and it is neither contradictory nor unreachable;
* shape: the same processes and accesses (location, kind, value, order) as the start, up to the
  names of registers and locations and the layout; only the allowed edits;
* primitives: counted in the code; the required ones present, forbidden ones absent, no more
  barriers than the fewest that work;
* verdict: the one the task asks for.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from .check import CheckResult, check, format_prop, holds
from .executions import Execution, Limits, executions
from .interpreter import LOCK_TAGS
from .litmus.ast import (
    AddrOf,
    And,
    Assign,
    Atom,
    Binary,
    Call,
    Const,
    Declare,
    Deref,
    Expr,
    ExprStmt,
    If,
    LitmusTest,
    Loc,
    Name,
    Not,
    Or,
    Prop,
    Stmt,
    Thread,
)
from .litmus.errors import LitmusError
from .litmus.parser import parse
from .primitives import TABLE
from .record import replace

BARRIERS = ("smp_mb", "smp_rmb", "smp_wmb")
FENCES = tuple(name for name, p in TABLE.items() if p.action == "fence")
TIMEOUT = 20.0


# ---- a process as the list of steps it takes ---------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One access, fence, lock operation or branch marker of a process, as written."""

    thread: int
    kind: str  # load, store, rmw, fence, lock, unlock, set, call, if, else, end
    prim: str = ""  # READ_ONCE, smp_mb, ...; "plain" for a *x access
    loc: str = ""  # the location it touches, as the test names it
    reg: str = ""  # the register it fills
    args: tuple[Expr, ...] = ()  # a store's value, an if's condition, other arguments
    stmt: Stmt | None = field(default=None, compare=False)  # where it came from, to rewrite it

    @property
    def access(self) -> bool:
        return self.kind in ("load", "store", "rmw")


def _location(expr: Expr | None) -> str:
    while isinstance(expr, (Deref, AddrOf)):
        expr = expr.pointer if isinstance(expr, Deref) else expr.target
    return expr.ident if isinstance(expr, Name) else _render(expr, str) if expr else ""


def _from_call(thread: int, call: Call, reg: str, stmt: Stmt) -> Step:
    p = TABLE.get(call.func)
    if p is None:
        return Step(thread, "call", call.func, reg=reg, args=call.args, stmt=stmt)
    if p.action == "fence":
        return Step(thread, "fence", call.func, stmt=stmt)
    target = call.args[1] if p.operand_first and len(call.args) > 1 else (
        call.args[0] if call.args else None)
    others = tuple(a for a in call.args if a is not target)
    kind = p.action if p.action in ("load", "store", "lock", "unlock") else "rmw"
    return Step(thread, kind, call.func, _location(target), reg, others, stmt)


def _assign(thread: int, reg: str, value: Expr, stmt: Stmt) -> Step:
    if isinstance(value, Call):
        return _from_call(thread, value, reg, stmt)
    if isinstance(value, Deref):
        return Step(thread, "load", "plain", _location(value), reg, stmt=stmt)
    return Step(thread, "set", reg=reg, args=(value,), stmt=stmt)


def steps(thread: Thread) -> list[Step]:
    """The process flattened: declarations without a value vanish, an if becomes markers."""
    out: list[Step] = []

    def walk(body: tuple[Stmt, ...]) -> None:
        for s in body:
            t = thread.index
            if isinstance(s, If):
                out.append(Step(t, "if", args=(s.cond,), stmt=s))
                walk(s.then)
                if s.orelse:
                    out.append(Step(t, "else"))
                    walk(s.orelse)
                out.append(Step(t, "end"))
            elif isinstance(s, Declare):  # int r; and int r = 0; say the same
                if s.init is not None and s.init != Const(0, s.init.pos):
                    out.append(_assign(t, s.name, s.init, s))
            elif isinstance(s, Assign) and isinstance(s.target, Name):
                out.append(_assign(t, s.target.ident, s.value, s))
            elif isinstance(s, Assign):
                out.append(Step(t, "store", "plain", _location(s.target), args=(s.value,),
                                stmt=s))
            elif isinstance(s, ExprStmt) and isinstance(s.expr, Call):
                out.append(_from_call(t, s.expr, "", s))
            else:
                out.append(Step(t, "call", "", args=(s.expr,), stmt=s))

    walk(thread.body)
    return out


def _render(expr: Expr, name: Callable[[str], str]) -> str:
    """C text of an expression, each identifier passed through ``name``."""
    if isinstance(expr, Const):
        return str(expr.value)
    if isinstance(expr, Name):
        return name(expr.ident)
    if isinstance(expr, Deref):
        return "*" + _render(expr.pointer, name)
    if isinstance(expr, AddrOf):
        return "&" + _render(expr.target, name)
    if isinstance(expr, Binary):
        return f"{_render(expr.left, name)} {expr.op} {_render(expr.right, name)}"
    return f"{expr.func}({', '.join(_render(a, name) for a in expr.args)})"


def _idents(expr: Expr) -> Iterator[str]:
    if isinstance(expr, Name):
        yield expr.ident
    elif isinstance(expr, Deref):
        yield from _idents(expr.pointer)
    elif isinstance(expr, AddrOf):
        yield from _idents(expr.target)
    elif isinstance(expr, Binary):
        yield from _idents(expr.left)
        yield from _idents(expr.right)
    elif isinstance(expr, Call):
        for a in expr.args:
            yield from _idents(a)


# ---- names: the answer may call registers and locations what it likes -------------------------
@dataclass
class Names:
    """How one test's registers and locations are called in a comparison."""

    locations: frozenset[str]
    locs: dict[str, str] = field(default_factory=dict)
    regs: dict[tuple[int, str], str] = field(default_factory=dict)

    def loc(self, name: str) -> str:
        return self.locs.get(name, name)

    def ident(self, thread: int, name: str) -> str:
        return self.loc(name) if name in self.locations else self.regs.get((thread, name), name)

    def inverse(self) -> Names:
        return Names(self.locations, {v: k for k, v in self.locs.items()},
                     {(t, v): k for (t, k), v in self.regs.items()})


def _locations(test: LitmusTest) -> frozenset[str]:
    found = set(test.init) | {v for v in test.init.values() if isinstance(v, str)}
    for t in test.threads:
        found |= set(t.params)
    return frozenset(found)


def naming(test: LitmusTest, canonical: bool) -> Names:
    """Registers named by first use in each process; locations too if ``canonical``, else as
    written (the learner who kept the task's names reads the feedback in them)."""
    names = Names(_locations(test))
    for t in test.threads:
        count = 0
        for s in steps(t):
            idents = ([s.loc] if s.loc else []) + ([s.reg] if s.reg else [])
            for a in s.args:
                idents += list(_idents(a))
            for ident in idents:
                if ident in names.locations:
                    if canonical:
                        names.locs.setdefault(ident, f"L{len(names.locs)}")
                elif (t.index, ident) not in names.regs:
                    names.regs[(t.index, ident)] = f"r{count}"
                    count += 1
    return names


def _key(s: Step, names: Names) -> tuple:
    """What must match between the start and the answer (an access's annotation may differ)."""
    args = tuple(_render(a, lambda i: names.ident(s.thread, i)) for a in s.args)
    if s.kind == "if":  # if (r0), if (r0 == 1), if (r0 != 0): the same dependency
        return ("if", tuple(sorted({names.ident(s.thread, i) for i in _idents(s.args[0])})))
    prim = s.prim if s.kind not in ("load", "store") else ""
    return (s.kind, prim, names.loc(s.loc), names.ident(s.thread, s.reg) if s.reg else "", args)


def code(s: Step) -> str:
    """The step as C, in its own test's names."""
    def arg(e: Expr) -> str:
        return _render(e, str)
    star = "*" if s.prim == "plain" or (s.prim in TABLE and TABLE[s.prim].lvalue) else ""
    if s.kind == "load":
        call = f"*{s.loc}" if s.prim == "plain" else f"{s.prim}({star}{s.loc})"
        return f"{s.reg} = {call}" if s.reg else call
    if s.kind == "store" and s.prim == "plain":
        return f"*{s.loc} = {arg(s.args[0])}"
    if s.kind in ("store", "rmw", "lock", "unlock"):
        call = f"{s.prim}({', '.join([star + s.loc, *map(arg, s.args)])})"
        return f"{s.reg} = {call}" if s.reg else call
    if s.kind == "fence":
        return f"{s.prim}()"
    if s.kind == "if":
        return f"if ({arg(s.args[0])})"
    if s.kind in ("else", "end"):
        return "else" if s.kind == "else" else "}"
    return f"{s.reg} = {arg(s.args[0])}" if s.reg else ", ".join(map(arg, s.args))


def _what(s: Step, loc: str) -> str:
    return {"load": f"load of {loc}", "store": f"store to {loc}"}.get(s.kind, f"{s.prim} of {loc}")


@dataclass(frozen=True)
class Edit:
    """A change the answer made to the start: a fence inserted or an access re-annotated."""

    step: Step  # the answer's step
    was: Step | None  # the start's step it re-annotates (None: an inserted fence)
    loc: str = ""  # the location, as the start names it

    @property
    def prim(self) -> str:
        return self.step.prim

    def __str__(self) -> str:
        if self.was is None:
            return f"P{self.step.thread} gained {self.prim}()"
        new = "a plain access" if self.prim == "plain" else f"{self.prim}()"
        return f"P{self.step.thread}'s {_what(self.was, self.loc)} became {new}"


@dataclass
class Shape:
    """The answer against the start: its edits, everything else that differs, and the names."""

    edits: list[Edit]
    problems: list[str]
    start: Names
    answer: Names


def _diff(s_steps: list[Step], a_steps: list[Step], ns: Names, na: Names
          ) -> tuple[list[Edit], list[str]]:
    """One process: the start's steps against the answer's, as edits and problems."""
    sk, ak = [_key(s, ns) for s in s_steps], [_key(s, na) for s in a_steps]
    edits: list[Edit] = []
    lost: list[tuple[int, Step]] = []  # (which difference, step) the answer lacks or adds
    extra: list[tuple[int, Step]] = []
    opcodes = difflib.SequenceMatcher(None, sk, ak, autojunk=False).get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            edits += [Edit(new, old, old.loc) for old, new in zip(s_steps[i1:i2], a_steps[j1:j2])
                      if old.prim != new.prim]
            continue
        lost += [(k, s) for s in s_steps[i1:i2]]
        for s in a_steps[j1:j2]:
            if s.kind == "fence":
                edits.append(Edit(s, None))
            else:
                extra.append((k, s))
    problems: list[str] = []
    for k, old in list(lost):  # the same step elsewhere: say it moved
        twin = next((e for e in edits if e.was is None and old.kind == "fence"
                     and e.prim == old.prim), None)
        match = next(((j, s) for j, s in extra if _key(s, na) == _key(old, ns)), None)
        if old.kind in ("else", "end") or not (twin or match):
            continue
        if twin:
            edits.remove(twin)
        else:
            extra.remove(match)
        lost.remove((k, old))
        moved = twin.step if twin else match[1]
        problems.append(f"P{old.thread}'s `{code(moved)}` is not where the task has it")
    problems += [f"P{s.thread}'s `{code(s)}` is gone; it is part of the task"
                 for _, s in lost if s.kind == "fence"]
    markers = [s for _, s in lost + extra if s.kind in ("else", "end")]
    lost = [(k, s) for k, s in lost if s.kind not in ("fence", "else", "end")]
    extra = [(k, s) for k, s in extra if s.kind not in ("else", "end")]
    if markers and not any(s.kind == "if" for _, s in lost + extra):
        problems.append(f"P{markers[0].thread}'s if block holds other statements than the task's")
    for k, old in list(lost):  # a difference that replaced steps: say what became what
        new = next((s for j, s in extra if j == k), None)
        if new is None:
            continue
        lost.remove((k, old))
        extra.remove((k, new))
        if old.access and old.kind == new.kind and _key(old, ns)[2] == _key(new, na)[2]:
            problems.append(f"P{old.thread}'s {_what(old, old.loc)} changed: `{code(new)}` "
                            f"where the task has `{code(old)}`")
        else:
            problems.append(f"P{old.thread} has `{code(new)}` where the task has `{code(old)}`")
    problems += [f"P{s.thread} lacks the task's `{code(s)}`" for _, s in lost]
    problems += [f"P{s.thread} has an extra `{code(s)}`" for _, s in extra]
    return edits, problems


def compare(start: LitmusTest, answer: LitmusTest, canonical: bool) -> Shape:
    """Diff each process's steps; fences inserted and annotations changed are edits."""
    ns, na = naming(start, canonical), naming(answer, canonical)
    back = ns.inverse()
    edits: list[Edit] = []
    problems: list[str] = []
    n, m = len(start.threads), len(answer.threads)
    if n != m:
        problems.append(f"the task has {n} processes (P0 to P{n - 1}); yours has {m}")
    for ts, ta in zip(start.threads, answer.threads) if n == m else ():
        new_edits, found = _diff(steps(ts), steps(ta), ns, na)
        edits += new_edits
        problems += found
    def here(v):  # an answer's location (or address value) under the start's name
        return back.loc(na.loc(v)) if isinstance(v, str) else v
    mine = {here(k): here(v) for k, v in answer.init.items()}
    for name in sorted(set(mine) | set(start.init)):
        if mine.get(name, 0) != start.init.get(name, 0):
            problems.append(f"the initial state sets {name}={mine.get(name, 0)}; the task's "
                            f"has {name}={start.init.get(name, 0)}")
    for (t, reg), v in sorted(answer.reg_init.items()):
        theirs = back.regs.get((t, na.regs.get((t, reg), reg)), reg)
        if v != start.reg_init.get((t, theirs), 0):
            problems.append(f"the initial state sets {t}:{reg}={v}; the task's does not")
    if answer.filter is not None and start.filter is None:
        problems.append("the test has a filter, which changes which executions count; the "
                        "task's has none")
    return Shape(edits, problems, ns, na)


# ---- conditions --------------------------------------------------------------------------------
def _rename(prop: Prop, names: Names) -> Prop:
    if isinstance(prop, Atom):
        def loc(x: Loc) -> Loc:
            return Loc(names.ident(x.thread, x.name) if x.thread is not None
                       else names.loc(x.name), x.thread)
        value = loc(prop.value) if isinstance(prop.value, Loc) else (
            names.loc(prop.value) if isinstance(prop.value, str) else prop.value)
        return Atom(loc(prop.loc), value, prop.negated)
    if isinstance(prop, Not):
        return Not(_rename(prop.prop, names))
    if isinstance(prop, (And, Or)):
        return type(prop)(_rename(prop.left, names), _rename(prop.right, names))
    return prop


def _conjuncts(prop: Prop) -> list[Atom] | None:
    if isinstance(prop, Atom):
        return [prop]
    if isinstance(prop, And):
        left, right = _conjuncts(prop.left), _conjuncts(prop.right)
        return None if left is None or right is None else left + right
    return None


def _contradiction(prop: Prop) -> str | None:
    atoms = _conjuncts(prop) or []
    for a in atoms:
        for b in atoms:
            if a.loc == b.loc and not isinstance(a.value, Loc) and not a.negated and (
                    (not b.negated and a.value != b.value) or (b.negated and a.value == b.value)):
                other = f"not {b.value}" if b.negated else f"{b.value}"
                return f"it asks {a.loc} to be both {a.value} and {other}"
    return None


def _candidates(test: LitmusTest) -> list[Execution]:
    """Every candidate execution, allowed or not: what 'can never hold' is judged over."""
    return [x for x in executions(test, Limits(200_000, TIMEOUT))
            if not any(t.fault for t in x.traces)]


def _cond(test: LitmusTest) -> str:
    return f"{test.condition.quantifier} ({format_prop(test.condition.prop)})"


def outcome(start: LitmusTest, answer: LitmusTest, shape: Shape) -> list[str]:
    """Why the answer's condition is not the task's, or nothing."""
    ps, pa = start.condition, answer.condition
    theirs = f"the task's is {_cond(start)}"
    if pa.quantifier != ps.quantifier:
        return [f"the condition is {_cond(answer)}; {theirs}: Never, Sometimes and Always "
                "say whether that outcome can happen"]
    mine = _conjuncts(_rename(pa.prop, shape.answer))
    wanted = _conjuncts(_rename(ps.prop, shape.start))
    if mine is not None and wanted is not None and set(mine) == set(wanted):
        return []
    if (why := _contradiction(pa.prop)) is not None:
        return [f"the condition contradicts itself ({why}), so no execution can reach it; "
                f"{theirs}"]
    try:
        cands = _candidates(answer)
    except LitmusError:
        cands = []
    if cands and not any(holds(answer, pa.prop, x) for x in cands):
        dead = [a for a in _conjuncts(pa.prop) or []
                if not any(holds(answer, a, x) for x in cands)]
        what = f"{dead[0].loc}={dead[0].value}" if dead else format_prop(pa.prop)
        writes = {a.value for t in answer.threads for s in steps(t) if s.kind == "store"
                  for a in s.args if isinstance(a, Const)} | {0}
        because = (f" (no store writes {dead[0].value})" if dead and isinstance(
            dead[0].value, int) and dead[0].value not in writes else "")
        return [f"no execution of your test, allowed or not, ends with {what}{because}, so "
                f"Never says nothing; {theirs}"]
    task_here = _rename(_rename(ps.prop, shape.start), shape.answer.inverse())
    if cands and all(holds(answer, pa.prop, x) == holds(answer, task_here, x) for x in cands):
        return []  # written differently, true in exactly the same executions
    if _cond(answer) == _cond(start):  # same text, other accesses: the registers moved
        return [f"the condition reads as the task's, {_cond(start)}, but its registers now hold "
                "other loads than in the task (compare the order of the loads)"]
    return [f"the condition is {_cond(answer)}; {theirs}"]


# ---- what LKMM says ----------------------------------------------------------------------------
def story(x: Execution) -> str:
    """What each process reads in ``x`` and from whom: enough to see the bad outcome happen."""
    source = {r: w for w, r in x.rf.pairs()}
    parts = []
    for t in sorted({e.thread for e in x.events if e.thread >= 0}):
        reads = [e for e in x.events if e.thread == t and e.kind == "R" and not e.tags & LOCK_TAGS]
        bits = []
        for e in sorted(reads, key=lambda e: e.index):
            w = source.get(e.eid)
            writer = x.events[w].thread if w is not None else -1
            origin = ("the initial value" if writer < 0 else "its own store" if writer == t
                      else f"P{writer}'s store")
            bits.append(f"{e.loc}={e.value} ({origin})")
        if bits:
            parts.append(f"P{t} reads " + ", then ".join(bits))
    return "; ".join(parts)


def verdict_line(result: CheckResult) -> str:
    """LKMM's answer for the submitted test, and for Sometimes the execution that shows it."""
    prop = format_prop(result.test.condition.prop)
    counts = f"(Positive {result.positive}, Negative {result.negative})"
    if result.verdict == "Never":
        line = f"LKMM says Never for your test {counts}: no execution it allows ends with {prop}."
    elif result.verdict == "Always":
        line = f"LKMM says Always for your test {counts}: every execution it allows ends with " \
               f"{prop}."
    else:
        bad = next(x for x in result.allowed if holds(result.test, result.test.condition.prop, x))
        line = (f"LKMM says Sometimes for your test {counts}: it allows an execution ending with "
                f"{prop}, in which {story(bad)}.")
    if "data-race" in result.flags:
        line += " It also flags a data race: plain accesses race, so LKMM promises nothing."
    return line


# ---- rewriting an answer, to see whether an edit was needed ------------------------------------
def _rewrite(test: LitmusTest, old: Stmt, new: Stmt | None) -> LitmusTest:
    def body(stmts: tuple[Stmt, ...]) -> tuple[Stmt, ...]:
        out: list[Stmt] = []
        for s in stmts:
            if s is old:
                out += [new] if new is not None else []
            elif isinstance(s, If):
                out.append(replace(s, then=body(s.then), orelse=body(s.orelse)))
            else:
                out.append(s)
        return tuple(out)
    return replace(test, threads=[replace(t, body=body(t.body)) for t in test.threads])


def _with_prim(s: Step, prim: str) -> Stmt | None:
    """The statement of access ``s`` with annotation ``prim`` (None if it cannot be spelt)."""
    if not s.loc.isidentifier() or s.kind not in ("load", "store"):
        return None
    where = Name(s.loc)
    if prim == "plain":
        if s.kind == "store":
            return Assign(Deref(where), s.args[0])
        expr: Expr = Deref(where)
    else:
        expr = Call(prim, (Deref(where) if TABLE[prim].lvalue else where, *s.args))
    if s.kind == "store":
        return ExprStmt(expr)
    if isinstance(s.stmt, Declare):
        return Declare(s.reg, expr)
    return Assign(Name(s.reg), expr) if s.reg else ExprStmt(expr)


def _verdict(test: LitmusTest) -> str | None:
    try:
        return check(test, timeout=TIMEOUT).verdict
    except LitmusError:
        return None


# ---- the task ----------------------------------------------------------------------------------
def _calls(test: LitmusTest) -> Iterator[tuple[int, str]]:
    """(process, function) for every call in the code: comments are not code."""
    def exprs(body: tuple[Stmt, ...]) -> Iterator[Expr]:
        for s in body:
            if isinstance(s, If):
                yield s.cond
                yield from exprs(s.then)
                yield from exprs(s.orelse)
            elif isinstance(s, Declare):
                yield from [s.init] if s.init is not None else []
            elif isinstance(s, Assign):
                yield from (s.target, s.value)
            else:
                yield s.expr

    def calls(e: Expr) -> Iterator[str]:
        if isinstance(e, Call):
            yield e.func
        for sub in (getattr(e, a) for a in ("pointer", "target", "operand", "left", "right")
                    if hasattr(e, a)):
            yield from calls(sub)
        for sub in getattr(e, "args", ()):
            yield from calls(sub)

    for t in test.threads:
        for e in exprs(t.body):
            for name in calls(e):
                yield t.index, name


def _names(prims: tuple[str, ...]) -> str:
    names = [f"{p}()" for p in prims]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class Task:
    """What an exercise demands; calling it on an answer's text gives (right?, feedback)."""

    start: str  # the test to start from; its condition is the task's
    verdict: str = "Never"  # what LKMM must answer for the finished test
    only: tuple[str, ...] = BARRIERS  # what the answer may add: barriers, new annotations
    on: tuple[int, ...] | None = None  # the processes additions may go on (None: any)
    keep: dict[str, str] = field(default_factory=dict)  # locations to leave as they are: why
    require: tuple[str, ...] = ()  # primitives the answer's code must use
    forbid: tuple[str, ...] = ()  # primitives it must not use
    fewest: int | None = None  # the most additions a right answer makes (the minimum)

    @cached_property
    def test(self) -> LitmusTest:
        return parse(self.start)

    def __call__(self, text: str) -> tuple[bool, str]:
        try:
            answer = parse(text)
            result = check(answer, timeout=TIMEOUT)
        except LitmusError as exc:
            return False, f"swtlb cannot read it: {exc}"
        shape = compare(self.test, answer, canonical=True)
        if _locations(answer) == _locations(self.test) and shape.problems:
            shape = compare(self.test, answer, canonical=False)  # same names: keep them
        problems = outcome(self.test, answer, shape) + shape.problems
        problems += self._edits(shape.edits) + self._primitives(answer, text)
        if result.verdict != self.verdict:
            problems.append(f"the task asks for {self.verdict}"
                            + (": that execution must become impossible"
                               if result.verdict == "Sometimes" else ""))
        elif not problems:
            needless, notes = self._needless(answer, shape.edits)
            if self.fewest is not None and needless:
                problems += [f"{e} is not needed: without it LKMM still says {self.verdict}"
                             for e in needless]
            else:
                return True, "\n".join([verdict_line(result)] + [f"  - {n}" for n in notes])
        return False, "\n".join([verdict_line(result)] + [f"  - {p}" for p in problems])

    def _edits(self, edits: list[Edit]) -> list[str]:
        problems = []
        for e in edits:
            if e.was is not None and e.loc in self.keep:
                problems.append(f"{e}; {self.keep[e.loc]}")
            elif e.prim in self.forbid:
                continue  # said once, by _primitives
            elif e.prim not in self.only:
                problems.append(f"{e}: this exercise adds only {_names(self.only)}")
            elif self.on is not None and e.step.thread not in self.on:
                where = " and ".join(f"P{t}" for t in self.on)
                problems.append(f"{e}: the task adds barriers to {where} only")
        barriers = [e for e in edits if e.was is None]
        if self.fewest is not None and len(barriers) > self.fewest:
            problems.append(f"it adds {len(barriers)} barriers; the fewest that work is "
                            f"{self.fewest}")
        return problems

    def _primitives(self, answer: LitmusTest, text: str) -> list[str]:
        used = list(_calls(answer))
        problems = []
        for name in self.require:
            if not any(n == name for _, n in used):
                where = " (its name in a comment does not count)" if name in text else ""
                problems.append(f"there is no {name}() in the code{where}")
        banned = list(dict.fromkeys((t, n) for t, n in used if n in self.forbid))
        if banned:
            uses = "; ".join(f"P{t} uses {n}()" for t, n in banned)
            problems.append(f"{uses}: this exercise forbids {'it' if len(banned) == 1 else 'them'}"
                            f" and adds only {_names(self.only)}")
        return problems

    def _needless(self, answer: LitmusTest, edits: list[Edit]) -> tuple[list[Edit], list[str]]:
        """Edits the verdict does not need, and lighter barriers that would do."""
        needless, notes = [], []
        for e in edits:
            assert e.step.stmt is not None
            undo = None if e.was is None else _with_prim(e.step, e.was.prim)
            if (e.was is None or undo is not None) and _verdict(
                    _rewrite(answer, e.step.stmt, undo)) == self.verdict:
                needless.append(e)
                notes.append(f"{e}, which is not needed: without it LKMM still says "
                             f"{self.verdict}")
                continue
            if e.prim == "smp_mb":
                for lighter in ("smp_wmb", "smp_rmb"):
                    if lighter in self.only and _verdict(_rewrite(answer, e.step.stmt, ExprStmt(
                            Call(lighter, ())))) == self.verdict:
                        notes.append(f"P{e.step.thread}'s smp_mb() could be the lighter "
                                     f"{lighter}()")
                        break
        return needless, notes


# ---- the exercises -----------------------------------------------------------------------------
@dataclass
class Exercise:
    """Write something, check it, ask for hints one at a time; the solution lives here."""

    key: str
    prompt: str
    checker: Callable[[str], tuple[bool, str]]
    hints: list[str]
    solution_text: str
    given: int = 0

    def hint(self) -> str:
        if not self.hints:
            return "No hints for this one."
        text = self.hints[min(self.given, len(self.hints) - 1)]
        self.given += 1
        return f"Hint {min(self.given, len(self.hints))}/{len(self.hints)}: {text}"

    def check(self, answer: str) -> bool:
        """Judge ``answer`` (a litmus test's text), print why, return whether it is right."""
        if not isinstance(answer, str):
            raise ValueError(f"check() takes the text of a litmus test (a str), not "
                             f"{type(answer).__name__}: start from .start()")
        ok, message = self.checker(answer)
        print(("Correct: " if ok else "Not yet: ") + message)
        return ok

    def solution(self) -> str:
        return self.solution_text

    def start(self) -> str:
        """The test to start from: the task's shape and condition, without the fix."""
        return getattr(self.checker, "start", "")


EXERCISES: dict[str, Exercise] = {}


def _register(ex: Exercise) -> None:
    EXERCISES[ex.key] = ex


_register(Exercise(
    "mp-release-acquire",
    "Write MP (P0 stores x then y, P1 loads y then x) where the bad outcome 1:r0=1 /\\ 1:r1=0 "
    "is forbidden by using smp_store_release() and smp_load_acquire() only.",
    Task("""C MP+poonceonces
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0)
""", only=("smp_store_release", "smp_load_acquire"),
         require=("smp_store_release", "smp_load_acquire"), forbid=FENCES),
    ["The flag is y: make its store a release and its load an acquire.",
     "smp_store_release(y, 1) takes a pointer, not *y; so does smp_load_acquire(y)."],
    """C MP+pooncerelease+poacquireonce
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_store_release(y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = smp_load_acquire(y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0)
"""))
_register(Exercise(
    "sb-needs-mb",
    "Write store buffering (each CPU stores its own variable, then loads the other's) with the "
    "outcome 0:r0=0 /\\ 1:r0=0 forbidden. Which barrier does it take?",
    Task("""C SB+poonceonces
{}
P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r0=0)
""", require=("smp_mb",)),
    ["Store-to-load order is the one order no weaker barrier gives.",
     "Put smp_mb() between the store and the load on both CPUs."],
    """C SB+fencembonceonces
{}
P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); smp_mb(); r0 = READ_ONCE(*y); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); smp_mb(); r0 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r0=0)
"""))
_HANDOFF = "the driver's hand-off is not swiotlb's to change"
_register(Exercise(
    "swiotlb-flag-fix",
    "Take the v2 flag design (P0: list=1 under a lock, release store of flag, unlock, then "
    "blah=1; P1: read blah, acquire-read flag) and add the fewest barriers so that "
    "1:r0=1 /\\ 1:r1=0 is forbidden.",
    Task("""C swiotlb-v2-flag
{}
P0(int *list, int *flag, int *blah, spinlock_t *dyn_lock)
{
	spin_lock(dyn_lock);
	WRITE_ONCE(*list, 1);
	smp_store_release(flag, 1);
	spin_unlock(dyn_lock);
	WRITE_ONCE(*blah, 1);
}
P1(int *list, int *flag, int *blah)
{
	int r0;
	int r1;
	r0 = READ_ONCE(*blah);
	r1 = smp_load_acquire(flag);
}
exists (1:r0=1 /\\ 1:r1=0)
""", keep={"blah": _HANDOFF, "flag": "the task keeps the flag's release and acquire",
           "list": "the list update stays as the patch has it"}, fewest=2),
    ["Catalin: the writer needs ordering between the flag and the later store of blah.",
     "And the reader: the acquire orders what comes after the flag load, not the blah load "
     "before it. Which barrier orders two loads?",
     "smp_wmb() after the unlock on P0, smp_rmb() between the two loads on P1."],
    """C swiotlb-v2-flag-fixed
{}
P0(int *list, int *flag, int *blah, spinlock_t *dyn_lock)
{
	spin_lock(dyn_lock);
	WRITE_ONCE(*list, 1);
	smp_store_release(flag, 1);
	spin_unlock(dyn_lock);
	smp_wmb();
	WRITE_ONCE(*blah, 1);
}
P1(int *list, int *flag, int *blah)
{
	int r0;
	int r1;
	r0 = READ_ONCE(*blah);
	smp_rmb();
	r1 = smp_load_acquire(flag);
}
exists (1:r0=1 /\\ 1:r1=0)
"""))
_register(Exercise(
    "three-cpu",
    "Write the three-CPU shape of the v6.6 fix: P0 publishes y (a new pool) with WRITE_ONCE; "
    "P1 reads y and, if it saw 1, stores z (the flag) and then w (paddr); P2 reads w, then "
    "smp_rmb(), then y. Choose P1's barrier so that 2:r0=1 /\\ 2:r1=0 is forbidden.",
    Task("""C WRC+ctrlonceonce-poonceonce+fencermbonceonce+Once
{}
P0(int *y) { WRITE_ONCE(*y, 1); }
P1(int *y, int *z, int *w) { int r0; r0 = READ_ONCE(*y); if (r0) { WRITE_ONCE(*z, 1);
	WRITE_ONCE(*w, 1); } }
P2(int *y, int *w) { int r0; int r1; r0 = READ_ONCE(*w); smp_rmb(); r1 = READ_ONCE(*y); }
exists (2:r0=1 /\\ 2:r1=0)
""", on=(1,), fewest=1),
    ["smp_wmb() orders only P1's own stores; the store P1 must pass on is P0's.",
     "A full barrier is cumulative: it orders stores P1 has read before its later stores."],
    """C WRC+ctrlonceonce-fencembonceonce+fencermbonceonce+Once
{}
P0(int *y) { WRITE_ONCE(*y, 1); }
P1(int *y, int *z, int *w) { int r0; r0 = READ_ONCE(*y); if (r0) { WRITE_ONCE(*z, 1);
	smp_mb(); WRITE_ONCE(*w, 1); } }
P2(int *y, int *w) { int r0; int r1; r0 = READ_ONCE(*w); smp_rmb(); r1 = READ_ONCE(*y); }
exists (2:r0=1 /\\ 2:r1=0)
"""))


def exercise(key: str) -> Exercise:
    """The exercise named ``key`` (see ``EXERCISES``)."""
    if key not in EXERCISES:
        raise KeyError(f"no exercise {key!r}; there are: {', '.join(EXERCISES)}")
    return EXERCISES[key]


# ---- notebook 09: one exercise per axiom that a barrier or an annotation can decide --------------
# The coherence and atomic axioms have none: no barrier or annotation changes their verdict (they
# look only at one location's rf, co and fr, and at the read and write of one RMW), and turning
# two accesses into one RMW is a change of shape, which Task refuses by design.
_register(Exercise(
    "axiom-hb",
    "Load buffering (LB): each CPU reads one variable and then writes the other. Make "
    "0:r0=1 /\\ 1:r0=1 impossible by changing annotations only: smp_load_acquire() or "
    "smp_store_release(), no barriers. The happens-before axiom should reject the cycle.",
    Task("""C LB+poonceonces
{}
P0(int *x, int *y) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; r0 = READ_ONCE(*y); WRITE_ONCE(*x, 1); }
exists (0:r0=1 /\\ 1:r0=1)
""", only=("smp_load_acquire", "smp_store_release"), forbid=FENCES),
    ["The cycle is rfe, P1's read-before-write, rfe, P0's read-before-write: every CPU must "
     "keep its read before its write.",
     "An acquire keeps what follows it after it; a release keeps what precedes it before it. "
     "One of the two on each CPU is enough."],
    """C LB+poacquireonce+pooncerelease
{}
P0(int *x, int *y) { int r0; r0 = smp_load_acquire(x); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; r0 = READ_ONCE(*y); smp_store_release(x, 1); }
exists (0:r0=1 /\\ 1:r0=1)
"""))
_register(Exercise(
    "axiom-pb",
    "The R shape (as the kernel's tests name it): P0 stores x then y; P1 stores y=2, then "
    "reads x. Make the outcome y=2 /\\ 1:r0=0 (y ends as 2: P1's store came last) impossible "
    "with the fewest barriers. Two stores on P0: is smp_wmb() enough there?",
    Task("""C R+poonceonces
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 2); r0 = READ_ONCE(*x); }
exists (y=2 /\\ 1:r0=0)
""", require=("smp_mb",), fewest=2),
    ["The cycle has two overwrite links (a coe on y and an fre on x) and no rfe: no reader "
     "ever sees the store it must be ordered after.",
     "prop may start with one overwrite link only; each further one needs a strong fence "
     "(pb = prop ; strong-fence ; hb*). smp_wmb() is not strong.",
     "smp_mb() on both CPUs, between the two accesses."],
    """C R+fencembonceonces
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_mb(); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 2); smp_mb(); r0 = READ_ONCE(*x); }
exists (y=2 /\\ 1:r0=0)
"""))
_register(Exercise(
    "axiom-rcu",
    "P0 writes x then y inside an RCU read-side critical section; P1 reads x, then y. Add one "
    "primitive to P1 only so that 1:r0=1 /\\ 1:r1=0 is impossible. Is smp_mb() enough?",
    Task("""C RCU+po+read
{}
P0(int *x, int *y)
{
	rcu_read_lock();
	WRITE_ONCE(*x, 1);
	WRITE_ONCE(*y, 1);
	rcu_read_unlock();
}
P1(int *x, int *y)
{
	int r0;
	int r1;

	r0 = READ_ONCE(*x);
	r1 = READ_ONCE(*y);
}
exists (1:r0=1 /\\ 1:r1=0)
""", only=(*BARRIERS, "synchronize_rcu"), on=(1,), fewest=1,
         keep={"x": "P0's accesses stay as the critical section has them",
               "y": "P0's accesses stay as the critical section has them"}),
    ["Even sequential consistency allows this outcome: P1 may read x between P0's two stores. "
     "No barrier stops that; something must wait.",
     "A grace period cannot overlap a critical section: if it starts after P0's section "
     "began (P1 saw x=1), it ends after P0's section ended, so y=1 has reached every CPU.",
     "synchronize_rcu() between P1's two loads."],
    """C RCU+sync+read
{}
P0(int *x, int *y)
{
	rcu_read_lock();
	WRITE_ONCE(*x, 1);
	WRITE_ONCE(*y, 1);
	rcu_read_unlock();
}
P1(int *x, int *y)
{
	int r0;
	int r1;

	r0 = READ_ONCE(*x);
	synchronize_rcu();
	r1 = READ_ONCE(*y);
}
exists (1:r0=1 /\\ 1:r1=0)
"""))
_register(Exercise(
    "axiom-data-race",
    "MP with plain data: P0 writes *x = 1 (plain), then the flag y; P1 reads the flag and, if "
    "it is set, reads *x (plain). Add the fewest barriers so that 1:r0=1 /\\ 1:r1=0 is "
    "impossible; x stays plain. Check that LKMM no longer flags a data race.",
    Task("""C MP+plain+poonceonce
{}
P0(int *x, int *y)
{
	*x = 1;
	WRITE_ONCE(*y, 1);
}
P1(int *x, int *y)
{
	int r0;
	int r1 = 0;

	r0 = READ_ONCE(*y);
	if (r0) {
		r1 = *x;
	}
}
exists (1:r0=1 /\\ 1:r1=0)
""", keep={"x": "x stays plain: the exercise orders plain accesses, it does not mark them"},
         fewest=2),
    ["A plain access is in no hb, pb or rb link; a fence next to it bounds it to a marked "
     "access that is.",
     "The write side must make *x = 1 visible before y; the read side must keep the load of "
     "*x after the load of y (the if alone orders no load).",
     "smp_wmb() between P0's stores, smp_rmb() before P1's plain load."],
    """C MP+fencewmbplainonce+fencermbonceplain
{}
P0(int *x, int *y)
{
	*x = 1;
	smp_wmb();
	WRITE_ONCE(*y, 1);
}
P1(int *x, int *y)
{
	int r0;
	int r1 = 0;

	r0 = READ_ONCE(*y);
	if (r0) {
		smp_rmb();
		r1 = *x;
	}
}
exists (1:r0=1 /\\ 1:r1=0)
"""))
