"""Compile a litmus test into straight-line, guarded instructions that numpy can run in bulk.

Every process becomes a list of instructions in program order. An ``if`` does not branch: the
instructions of both arms are kept, each with a *guard* that says when it really executes, so one
array operation per instruction runs every simulated run at once. Values are int64; the address
of location ``k`` is ``ADDR + k`` so that pointers compare and print as herd7's names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..litmus.ast import (
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
)
from ..litmus.errors import LitmusError, UnsupportedError
from ..primitives import TABLE

ADDR = np.int64(1 << 40)
Regs = dict[str, np.ndarray]
Fn = Callable[[Regs], np.ndarray]

# Fences that are a full barrier (``dmb ish`` / ``mfence``) on each machine; the others are
# compiler barriers there (x86's atomics are locked already; arm64 orders unlock+lock itself).
FULL_FENCES = {"sc": {"mb", "sync-rcu"}, "tso": {"mb", "sync-rcu"},
               "weak": {"mb", "before-atomic", "after-atomic", "after-spinlock", "sync-rcu"}}


@dataclass
class Instr:
    """One machine instruction. Memory ops have ``loc`` (static id) or ``loc_fn`` (pointer)."""

    thread: int
    op: str  # load, store, rmw, fence, assign, lock, unlock, rcu_lock, rcu_unlock
    tag: str = ""  # once, acquire, release, mb, noreturn, plain; or the fence's name
    loc: int | None = None
    loc_fn: Fn | None = None
    value: Fn | None = None  # store value / RMW operand / assigned value
    expected: Fn | None = None  # cmpxchg's old value; add_unless's 'unless' value
    rmw: str = ""  # xchg, cmpxchg, add_unless, or an arithmetic operator
    returns: str = ""  # old, new, ==0, <0
    dest: str | None = None
    guard: Fn | None = None
    addr_deps: frozenset[int] = frozenset()
    data_deps: frozenset[int] = frozenset()
    ctrl_deps: frozenset[int] = frozenset()
    index: int = -1  # global index, set by compile_test
    pos: tuple[int, int] = (0, 0)

    @property
    def is_read(self) -> bool:
        return self.op in ("load", "rmw", "lock")

    @property
    def is_write(self) -> bool:
        return self.op in ("store", "rmw", "lock", "unlock")

    @property
    def is_access(self) -> bool:
        return self.is_read or self.is_write


@dataclass
class Program:
    test: LitmusTest
    locations: list[str]
    threads: list[list[Instr]]
    init: dict[int, int]

    @property
    def instrs(self) -> list[Instr]:
        return [i for t in self.threads for i in t]

    def decode(self, v: int) -> int | str:
        if v >= ADDR and v - ADDR < len(self.locations):
            return self.locations[int(v - ADDR)]
        return int(v)


def _truncating_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    q = np.abs(a) // np.abs(b)  # b is a constant other than 0 (see _Compiler.expr)
    return np.where((a < 0) == (b < 0), q, -q)


def _wrapped(op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable:
    """``op`` with its result cut to 32 bits, as ``arith.apply`` does (int64 operands that fit
    in 32 bits keep every sum, difference and product exact before the cut). An address
    (ADDR and up, never a 32-bit value) plus 0 stays whole: it is a location, not a number."""
    def cut(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = op(a, b)
        return np.where((a >= ADDR) | (b >= ADDR), out, out.astype(np.int32).astype(np.int64))
    return cut


# arith.SCALAR's operators on arrays of runs, with the same results
_ARITH: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": _wrapped(np.add), "-": _wrapped(np.subtract), "*": _wrapped(np.multiply),
    "/": _wrapped(_truncating_div), "&": np.bitwise_and, "|": np.bitwise_or,
    "^": np.bitwise_xor, "&~": lambda a, b: np.bitwise_and(a, np.invert(b)),
    "==": lambda a, b: (a == b).astype(np.int64), "!=": lambda a, b: (a != b).astype(np.int64),
    "<": lambda a, b: (a < b).astype(np.int64), ">": lambda a, b: (a > b).astype(np.int64),
    "<=": lambda a, b: (a <= b).astype(np.int64), ">=": lambda a, b: (a >= b).astype(np.int64),
}


class _Compiler:
    def __init__(self, test: LitmusTest, thread: Thread, locs: dict[str, int]):
        self.test = test
        self.thread = thread
        self.locs = locs
        self.out: list[Instr] = []
        self.taint: dict[str, frozenset[int]] = {}  # register -> local loads it depends on
        self.guard: Fn | None = None
        self.ctrl: frozenset[int] = frozenset()
        # Loads that decided an earlier, already closed branch. A CPU never lets a store out
        # before the branches ahead of it resolve, so these order later stores too (unlike
        # LKMM's ctrl, which ends at the join). Without this the weak machine wrote a value
        # chosen by a branch before reading what chose it (the fuzz found that cycle).
        self.joined: frozenset[int] = frozenset()
        self.temps = 0

    def fail(self, message: str, pos: tuple[int, int]) -> UnsupportedError:
        return UnsupportedError(f"the machines cannot run this test: {message}", self.test.file,
                                *pos)

    def loc_id(self, name: str, pos: tuple[int, int]) -> int:
        if name not in self.locs:
            self.locs[name] = len(self.locs)
        return self.locs[name]

    def emit(self, ins: Instr) -> int:
        ins.thread = self.thread.index
        ins.guard = self.guard
        ins.ctrl_deps = self.ctrl | self.joined
        self.out.append(ins)
        return len(self.out) - 1

    def temp(self) -> str:
        self.temps += 1
        return f"$t{self.temps}"

    # -- expressions: return (function of registers, taint) --------------------------------------
    def expr(self, e: Expr) -> tuple[Fn, frozenset[int]]:
        if isinstance(e, Const):
            v = np.int64(e.value)
            return (lambda r, v=v: v), frozenset()
        if isinstance(e, Name):
            if e.ident in self.taint or e.ident in self.declared:
                name = e.ident
                return (lambda r, name=name: r[name]), self.taint.get(name, frozenset())
            if e.ident in self.thread.params or e.ident in self.test.init:
                v = ADDR + self.loc_id(e.ident, e.pos)
                return (lambda r, v=v: v), frozenset()
            return (lambda r: np.int64(0)), frozenset()
        if isinstance(e, AddrOf) and isinstance(e.target, Name):
            v = ADDR + self.loc_id(e.target.ident, e.pos)
            return (lambda r, v=v: v), frozenset()
        if isinstance(e, AddrOf) and isinstance(e.target, Deref):
            return self.expr(e.target.pointer)
        if isinstance(e, Deref):
            return self.access(Call("READ_ONCE", (e,), e.pos), plain=True)
        if isinstance(e, Binary):
            fa, ta = self.expr(e.left)
            fb, tb = self.expr(e.right)
            if e.op not in _ARITH:
                raise self.fail(f"operator '{e.op}'", e.pos)
            op = _ARITH[e.op]
            if e.op == "/":
                # every run evaluates every instruction, guarded or not, so a read divisor
                # could divide by zero in runs that never take that path: divide by constants
                if not isinstance(e.right, Const):
                    raise self.fail("division by a value that is not a constant", e.pos)
                if e.right.value == 0:
                    raise LitmusError("division by zero (herd7 stops with Division_by_zero)",
                                      self.test.file, *e.pos)
            if e.op in ("+", "-"):  # a run may offset a pointer: refuse it, never alias
                op = self._no_offset(op, e)
            return (lambda r, fa=fa, fb=fb, op=op: op(np.asarray(fa(r), np.int64),
                                                     np.asarray(fb(r), np.int64))), ta | tb
        if isinstance(e, Call):
            return self.access(e)
        raise self.fail(f"expression {type(e).__name__}", getattr(e, "pos", (0, 0)))

    def _no_offset(self, op: Callable, e: Binary) -> Callable:
        """``op`` (+ or -), refusing any run that moves an address: the machines number the
        locations one after another, so 'y - 1' would silently be another location."""
        def checked(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            moved = ((a >= ADDR) & (b != 0)) | ((b >= ADDR) & ((a != 0) | (e.op == "-")))
            if np.any(moved):
                raise self.fail("pointer arithmetic ('" + e.op + "' on an address)", e.pos)
            return op(a, b)
        return checked

    def address(self, e: Expr, lvalue: bool) -> tuple[int | None, Fn | None, frozenset[int]]:
        if lvalue:
            if not isinstance(e, Deref):
                raise self.fail("expected '*pointer'", getattr(e, "pos", (0, 0)))
            e = e.pointer
        if isinstance(e, Name) and e.ident not in self.taint and e.ident not in self.declared \
                and (e.ident in self.thread.params or e.ident in self.test.init):
            return self.loc_id(e.ident, e.pos), None, frozenset()
        if isinstance(e, AddrOf) and isinstance(e.target, Name):
            return self.loc_id(e.target.ident, e.pos), None, frozenset()
        f, t = self.expr(e)
        return None, (lambda r, f=f: np.asarray(f(r), np.int64) - ADDR), t

    def access(self, c: Call, plain: bool = False) -> tuple[Fn, frozenset[int]]:
        prim = TABLE.get(c.func)
        if prim is None:
            raise self.fail(f"unsupported primitive '{c.func}'", c.pos)
        act, args = prim.action, list(c.args)
        if act in ("trylock", "islocked", "srcu_lock", "srcu_unlock", "srcu_sync"):
            raise self.fail(f"'{c.func}' is not modelled by the machines", c.pos)
        zero: Fn = lambda r: np.int64(0)  # noqa: E731
        if act == "fence":
            op = {"rcu-lock": "rcu_lock", "rcu-unlock": "rcu_unlock"}.get(prim.tag, "fence")
            self.emit(Instr(0, op, prim.tag, pos=c.pos))
            return zero, frozenset()
        if act in ("lock", "unlock"):
            loc, loc_fn, at = self.address(args[0], False)
            if loc is None:
                raise self.fail("spinlocks must be named directly, not through a pointer",
                                c.pos)
            self.emit(Instr(0, act, "acquire" if act == "lock" else "release", loc=loc,
                            pos=c.pos))
            return zero, frozenset()
        loc, loc_fn, at = self.address(args[0], prim.lvalue)
        tag = "plain" if plain else prim.tag
        if act == "load":
            dest = self.temp()
            i = self.emit(Instr(0, "load", tag, loc, loc_fn, dest=dest, addr_deps=at, pos=c.pos))
            self.taint[dest] = frozenset({i})
            return (lambda r, d=dest: r[d]), frozenset({i})
        if act == "store":
            value, vt = self.expr(args[1])
            self.emit(Instr(0, "store", tag, loc, loc_fn, value=value, addr_deps=at,
                            data_deps=vt, pos=c.pos))
            if prim.then_fence:
                self.emit(Instr(0, "fence", prim.then_fence, pos=c.pos))
            return zero, frozenset()
        dest = self.temp()
        if act == "rmw":
            if prim.constant is not None:
                operand: Expr = Const(prim.constant)
            elif prim.op == "xchg":
                operand = args[1]
            else:
                operand = args[0] if prim.operand_first else args[1]
                loc, loc_fn, at = self.address(args[1] if prim.operand_first else args[0],
                                               False)
            value, vt = self.expr(operand)
            i = self.emit(Instr(0, "rmw", tag, loc, loc_fn, value=value, rmw=prim.op,
                                returns=prim.returns or "old", dest=dest, addr_deps=at,
                                data_deps=vt, pos=c.pos))
        else:  # cmpxchg(p, old, new) / atomic_add_unless(p, a, u)
            first, ft = self.expr(args[1])
            second, st = self.expr(args[2])
            if act == "cmpxchg":
                i = self.emit(Instr(0, "rmw", tag, loc, loc_fn, value=second, expected=first,
                                    rmw="cmpxchg", returns="old", dest=dest, addr_deps=at,
                                    data_deps=st, pos=c.pos))
            else:
                i = self.emit(Instr(0, "rmw", tag, loc, loc_fn, value=first, expected=second,
                                    rmw="add_unless", returns="ok", dest=dest, addr_deps=at,
                                    data_deps=ft, pos=c.pos))
        self.taint[dest] = frozenset({i})
        return (lambda r, d=dest: r[d]), frozenset({i})

    # -- statements -----------------------------------------------------------------------------
    def stmts(self, body: tuple[Stmt, ...]) -> None:
        for s in body:
            if isinstance(s, Declare):
                self.declared.add(s.name)
                init = (s.init if s.init is not None else
                        Const(0) if (self.thread.index, s.name) not in self.test.reg_init
                        else None)
                if init is not None:
                    self.assign(s.name, init, s.pos)
            elif isinstance(s, Assign):
                if isinstance(s.target, Name):
                    self.declared.add(s.target.ident)
                    self.assign(s.target.ident, s.value, s.pos)
                else:
                    loc, loc_fn, at = self.address(s.target.pointer, False)
                    value, vt = self.expr(s.value)
                    self.emit(Instr(0, "store", "plain", loc, loc_fn, value=value, addr_deps=at,
                                    data_deps=vt, pos=s.pos))
            elif isinstance(s, ExprStmt):
                self.expr(s.expr)
            elif isinstance(s, If):
                value, ct = self.expr(s.cond)
                # Guards are evaluated as the instructions run, so the condition is kept in a
                # temporary: an arm may assign the very register it tests (the fuzz found an
                # arm switching itself off halfway and the other arm running too).
                flag = self.temp()
                self.emit(Instr(0, "assign", dest=flag, value=value, pos=s.pos))
                saved_guard, saved_ctrl = self.guard, self.ctrl
                for arm, want in ((s.then, True), (s.orelse, False)):
                    test = (lambda r, f=flag: r[f] != 0) if want else (
                        lambda r, f=flag: r[f] == 0)
                    self.guard = test if saved_guard is None else (
                        lambda r, a=saved_guard, b=test: a(r) & b(r))
                    self.ctrl = saved_ctrl | ct
                    self.stmts(arm)
                self.guard, self.ctrl = saved_guard, saved_ctrl
                self.joined |= ct

    def assign(self, name: str, value: Expr, pos: tuple[int, int]) -> None:
        f, t = self.expr(value)
        self.emit(Instr(0, "assign", dest=name, value=f, pos=pos))
        self.taint[name] = t if self.guard is None else self.taint.get(name, frozenset()) | t

    def compile(self) -> list[Instr]:
        self.declared: set[str] = {reg for (t, reg) in self.test.reg_init
                                   if t == self.thread.index}
        for reg in self.declared:
            self.taint[reg] = frozenset()
        self.stmts(self.thread.body)
        return self.out


def compile_test(test: LitmusTest) -> Program:
    """Compile every process; refuse (UnsupportedError) what the machines do not model."""
    locs: dict[str, int] = {}
    for name in test.init:
        locs.setdefault(name, len(locs))
    threads = []
    for t in test.threads:
        c = _Compiler(test, t, locs)
        threads.append(c.compile())
    index = 0
    for t in threads:
        for ins in t:
            ins.index = index
            index += 1
    locations = sorted(locs, key=locs.get)
    init = {}
    for name, v in test.init.items():
        init[locs[name]] = int(ADDR + locs[v]) if isinstance(v, str) and v in locs else (
            int(ADDR + locs.setdefault(v, len(locs))) if isinstance(v, str) else int(v))
    locations = sorted(locs, key=locs.get)
    return Program(test, locations, threads, init)
