"""Run one process of a litmus test symbolically-by-guessing: every read is a choice point.

A *trace* is what one process does for one guess of the value of each of its reads: the events
it issues (with their dependencies) and its final registers. Enumerating the guesses from each
location's finite value domain gives every control path; ``executions`` later keeps only the
guesses some write can justify, which is exactly herd7's set of candidate executions.
"""

from __future__ import annotations

from . import arith
from .litmus.ast import (
    AddrOf,
    Assign,
    Binary,
    Call,
    Const,
    Declare,
    Deref,
    Expr,
    ExprStmt,
    If,
    LitmusTest,
    Name,
    Stmt,
    Thread,
    Value,
)
from .litmus.errors import BoundError, LitmusError, UnsupportedError
from .primitives import TABLE
from .record import record

LOCK_TAGS = frozenset({"LKR", "LKW", "UL", "LF", "RL", "RU"})
Taint = frozenset  # the thread-local indices of the reads a value depends on
EMPTY: frozenset[int] = frozenset()


@record(eq=False)
class Event:
    """One memory event. ``index`` is its place in program order within its thread."""

    thread: int  # -1 for the initial writes
    index: int
    kind: str  # "R", "W", "F" or "S" (synchronize_srcu, which has a location but no value)
    loc: str | None
    value: Value | None
    tags: frozenset[str]
    addr: frozenset[int] = EMPTY
    data: frozenset[int] = EMPTY
    ctrl: frozenset[int] = EMPTY
    rmw_read: int | None = None  # for the write of a successful RMW: its read's index
    pos: tuple[int, int] = (0, 0)
    eid: int = -1  # index in the execution, set when events of all threads are combined

    def label(self) -> str:
        ann = ",".join(sorted(t for t in self.tags if t != "rmw")) or ("plain" if
                                                                        self.kind in "RW" else "")
        if self.kind == "F":
            return f"F[{ann}]"
        star = "*" if "rmw" in self.tags else ""
        where = f" {self.loc}" if self.loc else ""
        val = f"={self.value}" if self.value is not None and self.kind in "RW" else ""
        return f"{self.kind}{star}[{ann}]{where}{val}"


@record
class Trace:
    thread: int
    events: list[Event]
    regs: dict[str, Value]
    choices: tuple
    fault: tuple[Value, tuple[int, int]] | None = None  # (value, pos): the run stopped there
    path: tuple = ()  # the decisions taken, in order: ("if", taken), ("trylock", acquired), ...


class _Fault(Exception):
    """The run cannot go on: a read value that is not a location is dereferenced, or (value
    ``arith.DivisionByZero``) an expression divides by zero."""

    def __init__(self, value: Value, pos: tuple[int, int]):
        self.value, self.pos = value, pos


class _NeedChoice(Exception):
    def __init__(self, options: list):
        self.options = options


class _Infeasible(Exception):
    """This guess leads nowhere herd7 would go (e.g. dereferencing an integer)."""


def offset_location(base: str, offset: int) -> str:
    """The location ``offset`` words after ``base``, named as herd7 prints it (``y+1``,
    ``y+-1``; offset 0 is ``base`` itself). herd7 gives it no initial write."""
    name, _, old = base.partition("+")
    total = int(old or 0) + offset
    return f"{name}+{total}" if total else name


def is_offset_location(loc: str) -> bool:
    """Is ``loc`` a word reached by pointer arithmetic (``y+-1``) rather than a named one?"""
    return "+" in loc


def _truthy(v: Value) -> bool:
    return v != 0


class _Run:
    def __init__(self, test: LitmusTest, thread: Thread, domains: dict[str, list[Value]],
                 choices: tuple, free_branches: bool = False):
        self.test = test
        self.free_branches = free_branches
        self.thread = thread
        self.domains = domains
        self.choices = choices
        self.k = 0
        self.events: list[Event] = []
        self.regs: dict[str, tuple[Value, frozenset[int]]] = {}
        self.declared: set[str] = set()
        self.ctrl: frozenset[int] = EMPTY
        self.path: list[tuple[str, bool]] = []  # see Trace.path (swtlb.symbolic reads it)
        for (t, reg), v in test.reg_init.items():
            if t == thread.index:
                self.regs[reg] = (v, EMPTY)

    def fail(self, message: str, pos: tuple[int, int]) -> LitmusError:
        return UnsupportedError(message, self.test.file, *pos)

    def choose(self, options: list):
        if self.k < len(self.choices):
            self.k += 1
            return self.choices[self.k - 1]
        raise _NeedChoice(options)

    def emit(self, kind: str, loc: str | None, value: Value | None, tags: set[str] | frozenset,
             pos: tuple[int, int], addr: frozenset = EMPTY, data: frozenset = EMPTY,
             rmw_read: int | None = None) -> int:
        if loc is not None and is_offset_location(loc) and (kind != "W" or set(tags) & (
                LOCK_TAGS | {"srcu-unlock"})):
            # herd7 gives such a word no initial write and refuses a test in which a read of
            # it may find no write ("mixed-size test rejected"); only plain stores are modelled
            raise self.fail(f"only a store may access '{loc}', a word reached by pointer "
                            "arithmetic (herd7 gives it no initial write)", pos)
        ev = Event(self.thread.index, len(self.events), kind, loc, value, frozenset(tags),
                   addr, data, self.ctrl, rmw_read, pos)
        self.events.append(ev)
        return ev.index

    def read_value(self, loc: str) -> Value:
        return self.choose(self.domains.get(loc, [0]))

    # -- statements -----------------------------------------------------------------------------
    def run(self, stmts: tuple[Stmt, ...]) -> None:
        for s in stmts:
            if isinstance(s, Declare):
                self.declared.add(s.name)
                if s.init is not None:
                    self.regs[s.name] = self.eval(s.init)
                elif s.name not in self.regs:
                    self.regs[s.name] = (0, EMPTY)
            elif isinstance(s, Assign):
                if isinstance(s.target, Name):
                    if s.target.ident in self.thread.params and s.target.ident not in self.declared:
                        raise LitmusError(f"cannot assign to parameter '{s.target.ident}'",
                                          self.test.file, *s.pos)
                    self.regs[s.target.ident] = self.eval(s.value)
                else:
                    addr, at = self.address(s.target.pointer)
                    value, vt = self.eval(s.value)
                    self.emit("W", addr, value, set(), s.pos, at, vt)
            elif isinstance(s, ExprStmt):
                self.eval(s.expr)
            elif isinstance(s, If):
                cond, ct = self.eval(s.cond)
                taken = self.choose([True, False]) if ct and self.free_branches else _truthy(cond)
                self.path.append(("if", taken))
                saved = self.ctrl
                self.ctrl = saved | ct
                self.run(s.then if taken else s.orelse)
                self.ctrl = saved

    # -- expressions ----------------------------------------------------------------------------
    def address(self, e: Expr) -> tuple[str, frozenset[int]]:
        value, taint = self.eval(e)
        if not isinstance(value, str):
            pos = getattr(e, "pos", self.thread.pos)
            if self.free_branches:  # a path the domain search invented, not a real run
                raise _Infeasible()
            if not taint:  # no read supplies it (an unset pointer, a constant): every run
                raise self.fail(f"a run dereferences {value}, which is not a location", pos)
            raise _Fault(value, pos)  # a read value: check() decides if a real run gets here
        return value, taint

    def lvalue_address(self, e: Expr, call: Call) -> tuple[str, frozenset[int]]:
        if isinstance(e, Deref):
            return self.address(e.pointer)
        raise LitmusError(f"{call.func}() expects '*pointer' as its first argument",
                          self.test.file, *call.pos)

    def eval(self, e: Expr) -> tuple[Value, frozenset[int]]:
        if isinstance(e, Const):
            return e.value, EMPTY
        if isinstance(e, Name):
            if e.ident in self.regs:
                return self.regs[e.ident]
            if e.ident in self.thread.params or e.ident in self.test.init:
                return e.ident, EMPTY
            if e.ident in self.declared:
                return 0, EMPTY
            raise LitmusError(f"unknown name '{e.ident}' (not a register, parameter or location)",
                              self.test.file, *e.pos)
        if isinstance(e, Deref):
            addr, at = self.address(e.pointer)
            idx = self.emit("R", addr, self.read_value(addr), set(), e.pos, at)
            return self.events[idx].value, frozenset({idx})
        if isinstance(e, AddrOf):
            if isinstance(e.target, Name):
                return e.target.ident, EMPTY
            if isinstance(e.target, Deref):
                return self.eval(e.target.pointer)
            raise self.fail("'&' applies only to a name or '*pointer'", e.pos)
        if isinstance(e, Binary):
            return self.binary(e)
        if isinstance(e, Call):
            return self.call(e)
        raise self.fail(f"unsupported expression {type(e).__name__}", (0, 0))

    def binary(self, e: Binary) -> tuple[Value, frozenset[int]]:
        a, at = self.eval(e.left)
        b, bt = self.eval(e.right)
        t = at | bt
        if e.op == "==":
            return int(a == b), t
        if e.op == "!=":
            return int(a != b), t
        if isinstance(a, str) or isinstance(b, str):
            if e.op in ("+", "-") and isinstance(a, str) and isinstance(b, int):
                return offset_location(a, b if e.op == "+" else -b), t
            if e.op == "+" and isinstance(b, str) and isinstance(a, int):
                return offset_location(b, a), t
            raise self.fail(f"arithmetic '{e.op}' on an address is not supported", e.pos)
        try:
            return arith.apply(e.op, a, b), t
        except arith.DivisionByZero:
            raise _Fault(arith.DivisionByZero, e.pos) from None

    def call(self, c: Call) -> tuple[Value, frozenset[int]]:
        prim = TABLE.get(c.func)
        if prim is None:
            raise UnsupportedError(f"unsupported primitive '{c.func}' (not in linux-kernel.def)",
                                   self.test.file, *c.pos)
        args = list(c.args)
        expected = {"load": 1, "store": 2, "fence": 0, "lock": 1, "unlock": 1, "trylock": 1,
                    "islocked": 1, "srcu_lock": 1, "srcu_unlock": 2, "srcu_sync": 1,
                    "cmpxchg": 3, "add_unless": 3}.get(prim.action)
        if prim.action == "rmw":
            expected = 1 if prim.constant is not None else 2
        if len(args) != expected:
            raise LitmusError(f"{c.func}() takes {expected} argument(s), got {len(args)}",
                              self.test.file, *c.pos)
        act, tag, pos = prim.action, prim.tag, c.pos
        if act == "fence":
            self.emit("F", None, None, {tag}, pos)
            return 0, EMPTY
        if act == "load":
            addr, at = self.lvalue_address(args[0], c) if prim.lvalue else self.address(args[0])
            idx = self.emit("R", addr, self.read_value(addr), {tag}, pos, at)
            return self.events[idx].value, frozenset({idx})
        if act == "store":
            addr, at = self.lvalue_address(args[0], c) if prim.lvalue else self.address(args[0])
            value, vt = self.eval(args[1])
            self.emit("W", addr, value, {tag}, pos, at, vt)
            if prim.then_fence:
                self.emit("F", None, None, {prim.then_fence}, pos)
            return 0, EMPTY
        if act == "rmw":
            if prim.constant is not None:
                ptr, operand = args[0], None
            elif prim.op == "xchg":
                ptr, operand = args[0], args[1]
            else:
                operand, ptr = (args[0], args[1]) if prim.operand_first else (args[1], args[0])
            addr, at = self.address(ptr)
            ov, ot = self.eval(operand) if operand is not None else (prim.constant, EMPTY)
            old = self.read_value(addr)
            tags = {tag, "rmw"}
            r = self.emit("R", addr, old, tags, pos, at)
            if prim.op == "xchg":
                new = ov
            else:
                if isinstance(old, str) or isinstance(ov, str):
                    raise self.fail("atomic arithmetic on an address is not supported", pos)
                new = arith.apply(prim.op, old, ov)
            # herd7 makes the write of an arithmetic RMW (__atomic_op, __atomic_op_return,
            # __atomic_fetch_op) data-dependent on its read (iico_data); an exchange's is not
            wd = ot if prim.op == "xchg" else ot | {r}
            self.emit("W", addr, new, tags, pos, at, wd, rmw_read=r)
            result = {"old": old, "new": new, "==0": int(new == 0), "<0": int(
                not isinstance(new, str) and new < 0), "": 0}[prim.returns]
            return result, frozenset({r})
        if act in ("cmpxchg", "add_unless"):
            addr, at = self.address(args[0])
            a, at1 = self.eval(args[1])
            b, bt = self.eval(args[2])
            old = self.read_value(addr)
            tags = {tag, "rmw"}
            r = self.emit("R", addr, old, tags, pos, at)
            self.path.append((act, old == a if act == "cmpxchg" else old != b))
            if act == "cmpxchg":
                if old == a:
                    self.emit("W", addr, b, tags, pos, at, bt, rmw_read=r)
                return old, frozenset({r})
            if old != b:  # atomic_add_unless(v, a, u): add a unless the value is u
                if isinstance(old, str) or isinstance(a, str):
                    raise self.fail("atomic arithmetic on an address is not supported", pos)
                self.emit("W", addr, arith.apply("+", old, a), tags, pos, at, at1 | {r},
                          rmw_read=r)  # the write depends on the read, as in herd7
                return 1, frozenset({r})
            return 0, frozenset({r})
        if act == "lock":
            addr, at = self.address(args[0])
            self.emit("R", addr, 0, {"LKR"}, pos, at)
            self.emit("W", addr, 1, {"LKW"}, pos, at)
            return 0, EMPTY
        if act == "unlock":
            addr, at = self.address(args[0])
            self.emit("W", addr, 0, {"UL"}, pos, at)
            return 0, EMPTY
        if act == "trylock":
            addr, at = self.address(args[0])
            self.path.append(("trylock", self.choose(["acquired", "failed"]) == "acquired"))
            if self.path[-1][1]:
                r = self.emit("R", addr, 0, {"LKR"}, pos, at)
                self.emit("W", addr, 1, {"LKW"}, pos, at)
                return 1, frozenset({r})
            r = self.emit("R", addr, 1, {"LF"}, pos, at)
            return 0, frozenset({r})
        if act == "islocked":
            addr, at = self.address(args[0])
            self.path.append(("islocked", self.choose(["locked", "unlocked"]) == "locked"))
            if self.path[-1][1]:
                return 1, frozenset({self.emit("R", addr, 1, {"RL"}, pos, at)})
            return 0, frozenset({self.emit("R", addr, 0, {"RU"}, pos, at)})
        if act == "srcu_lock":
            addr, at = self.address(args[0])
            idx = self.emit("R", addr, self.read_value(addr), {"srcu-lock"}, pos, at)
            return self.events[idx].value, frozenset({idx})
        if act == "srcu_unlock":
            addr, at = self.address(args[0])
            value, vt = self.eval(args[1])
            self.emit("W", addr, value, {"srcu-unlock"}, pos, at, vt)
            return 0, EMPTY
        if act == "srcu_sync":
            addr, at = self.address(args[0])
            self.emit("S", addr, None, {"sync-srcu"}, pos, at)
            return 0, EMPTY
        raise self.fail(f"unsupported primitive '{c.func}'", pos)


def _sort_key(v: Value) -> tuple:
    return (1, v) if isinstance(v, str) else (0, v)


def thread_traces(test: LitmusTest, thread: Thread, domains: dict[str, list[Value]],
                  limit: int = 200_000, written: set | None = None,
                  write_counts: list[int] | None = None) -> list[Trace]:
    """Every trace of ``thread`` when each read may return any value of its location's domain.

    With ``written``, only collect the (location, value) of every write any run issues, on paths
    cut short too, taking both sides of each branch that depends on a read; the traces are then
    not real ones. This over-approximates what the process can store, so that ``value_domains``
    also finds the values only a cycle of reads-from can justify (herd7 solves for those).
    """
    out: list[Trace] = []
    pending: list[tuple] = [()]
    while pending:
        choices = pending.pop()
        run = _Run(test, thread, domains, choices, free_branches=written is not None)
        fault = None
        try:
            run.run(thread.body)
        except _NeedChoice as need:
            pending.extend(choices + (o,) for o in reversed(need.options))
            continue
        except _Infeasible:
            continue
        except _Fault as f:
            fault = (f.value, f.pos)
        finally:
            if written is not None:
                written.update((ev.loc, ev.value) for ev in run.events
                               if ev.kind == "W" and not ev.tags & LOCK_TAGS)
            if write_counts is not None:
                write_counts.append(sum(ev.kind == "W" for ev in run.events))
        regs = {name: v for name, (v, _) in run.regs.items()}
        out.append(Trace(thread.index, run.events, regs, choices, fault, tuple(run.path)))
        if len(out) > limit:
            raise BoundError(f"P{thread.index} has more than {limit} control paths", test.file,
                             *thread.pos)
    return out


def value_domains(test: LitmusTest, max_rounds: int = 8, max_values: int = 64,
                  settle: bool = True) -> tuple[dict[str, list[Value]], list[list[Trace]]]:
    """Grow each location's set of possible values until the writes stop adding new ones.

    With ``settle=False`` the growth stops after as many rounds as the test has writes, settled
    or not. That is still enough: outside an out-of-thin-air cycle a read's value was computed
    from a chain of at most that many writes (each write's value from reads po-before it), and
    round k holds every value of a chain of k. Counting up and down (``atomic_inc`` twice, then
    ``atomic_dec``) never settles, because a guess may be justified by a po-later write; the
    surplus values are harmless, as no coherent execution can read them.
    """
    domains: dict[str, set[Value]] = {loc: {v} for loc, v in test.init.items()}
    for t in test.threads:
        for p in t.params:
            domains.setdefault(p, {0})
    # A cycle of copies (r = *x; *y = r; ...) that reaches a successful cmpxchg or a failed
    # atomic_add_unless takes the constant it is compared with: herd7 solves the cycle to it
    # although no write stores it. Every location may have to hold those constants.
    compared = compared_constants(test)
    for vs in domains.values():
        vs |= compared
    rounds = max_rounds
    for k in range(max_rounds):
        frozen = {loc: sorted(vs, key=_sort_key) for loc, vs in domains.items()}
        written: set = set()
        writes = 0
        for t in test.threads:
            runs: list[int] = []
            thread_traces(test, t, frozen, written=written, write_counts=runs)
            writes += max(runs, default=0)
        if not settle and k == 0:
            rounds = writes
        grown = {loc: set(vs) for loc, vs in domains.items()}
        for loc, v in written:
            grown.setdefault(loc, {test.init.get(loc, 0)} | compared).add(v)
        if grown == domains or (not settle and k >= rounds):
            return frozen, [thread_traces(test, t, frozen) for t in test.threads]
        if any(len(vs) > max_values for vs in grown.values()):
            raise BoundError(f"a location may hold more than {max_values} values; stopped after "
                             f"{k + 1} rounds", test.file, 1, 1)
        domains = grown
    raise BoundError("the values written never settle (a counter that keeps growing?); "
                     f"stopped after {max_rounds} rounds", test.file, 1, 1)


def compared_constants(test: LitmusTest) -> set[Value]:
    """The constants a read is equated with: cmpxchg's expected value, atomic_add_unless's
    limit (see value_domains)."""
    out: set[Value] = set()

    def expr(e: Expr) -> None:
        if isinstance(e, Call):
            act = TABLE[e.func].action if e.func in TABLE else ""
            k = {"cmpxchg": 1, "add_unless": 2}.get(act)
            if k is not None and len(e.args) > k and isinstance(e.args[k], Const):
                out.add(e.args[k].value)
            for a in e.args:
                expr(a)
        elif isinstance(e, Deref):
            expr(e.pointer)
        elif isinstance(e, AddrOf):
            expr(e.target)
        elif isinstance(e, Binary):
            expr(e.left)
            expr(e.right)

    def stmts(body: tuple[Stmt, ...]) -> None:
        for st in body:
            if isinstance(st, If):
                expr(st.cond)
                stmts(st.then)
                stmts(st.orelse)
            elif isinstance(st, Assign):
                expr(st.target)
                expr(st.value)
            elif isinstance(st, ExprStmt):
                expr(st.expr)
            elif isinstance(st, Declare) and st.init is not None:
                expr(st.init)

    for t in test.threads:
        stmts(t.body)
    return out
