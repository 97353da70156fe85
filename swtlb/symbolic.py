"""Out-of-thin-air values as herd7 7.58 treats them: one symbolic execution, or none.

herd7 does not guess values. Each read gets a fresh variable ``S<n>``; choosing reads-from turns
into equations (``S4 := S8`` for a read of a write that copies a read, ``S4 := 0`` for a read of
the initial state, ``S9 := S3+1`` for arithmetic) that its solver resolves, once for registers
and once for memory (herd/mem.ml ``calculate_rf_with_cnstrnts``; herd/valconstraint.ml
``solve_topo``): copies are merged by union-find (``normalize_vars``, herd/partition.ml), then
the equations are solved in dependency order (``eq2g``, strongly connected components), known
values propagating forwards through the operations. A cycle of copies that no constant reaches
(``r1 = *x; *y = r1;`` beside ``r1 = *y; *x = r1;``) keeps its variable: the candidate is kept
*once*, its final state shows ``S8``, and a symbol equals no constant in the condition
(lib/symbValue.ml ``equal``). A candidate left with an unsolved equation is rejected
(mem.ml ``when_unsolved``): an operation, a branch or a failed cmpxchg on such a variable, but
also a copy that herd7's union-find fails to merge (its ``as_solution`` maps a variable to its
parent, not its root), which can reject a candidate whose values are all known.

Our engine guesses values from finite domains instead, so a copy cycle gives one execution per
value that justifies itself. ``Analysis.resolve`` turns that back into herd7's answer for one
candidate: None to keep it as it is (nearly always: no cycle of reads-from and dependencies and
too few copies to trouble the union-find), ``DROP`` when herd7 rejects it, else the symbolic
final values, with a key that is the same for all the concrete twins of herd7's one execution
(the caller keeps the first).

Printing ``S<n>`` as herd7 does needs its variable numbers, and its rejections need its order
of equations. ``_Build`` replays, for the C we parse, how herd7 builds each thread's event
structures (herd/CSem.ml on the monad of herd/eventsMonad.ml): every read of a register or of
memory and every operation on a value not known yet takes the next number (lib/symbValue.ml
``fresh_var``, one counter for the whole test), both branches of an ``if`` are built, and the
rest of the thread is built once after each alternative. ``_solve`` then replays the solver on
those numbers: loads by decreasing event number, each ``load := stored value``.
"""

from __future__ import annotations

import itertools

from . import arith
from .interpreter import LOCK_TAGS, Trace
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
    Loc,
    Name,
    Stmt,
    Value,
)
from .primitives import TABLE
from .record import field, record
from .relations import Rel, bits

DROP = "drop"


@record(frozen=True)
class Symbol:
    """herd7's unsolved value ``S<n>``: equal to itself only, sorted before every constant."""

    n: int

    def __str__(self) -> str:
        return f"S{self.n}"


@record
class Symbolic:
    """What herd7 shows for a candidate whose copy cycle stays unsolved."""

    key: tuple  # the same for every concrete twin of herd7's one execution
    registers: dict[tuple[int, str], Symbol] = field(default_factory=dict)
    memory: dict[str, Symbol] = field(default_factory=dict)
    events: dict[int, Symbol] = field(default_factory=dict)  # by event index: herd7's figures

    def value(self, loc: Loc) -> Symbol | None:
        if loc.thread is not None:
            return self.registers.get((loc.thread, loc.name))
        return self.memory.get(loc.name)


# ---- herd7's construction, replayed for its numbering -----------------------------------------
# A value is a variable number (int) or a constant ("c", v). An alternative is one path through a
# thread: its result, its decisions (as Trace.path records them), its events in creation order
# and the equations its operations add.
@record(frozen=True)
class _Ev:
    kind: str  # "R"/"W" memory value access, "RR"/"RW" register read/write
    eiid: int
    value: object
    where: object  # address value (memory) or register name


@record(frozen=True)
class _Alt:
    value: object = None
    path: tuple = ()
    evs: tuple = ()
    eqs: tuple = ()


def _join(a: _Alt, b: _Alt, value=None, keep_b=True) -> _Alt:
    return _Alt(b.value if keep_b else value, a.path + b.path, a.evs + b.evs, a.eqs + b.eqs)


class Unsupported(Exception):
    """A construct the replay does not know: the caller keeps the concrete executions."""


COMPARISONS = {"==", "!=", "<", ">", "<=", ">="}
MAX_ALTERNATIVES = 20_000  # per thread: beyond, give up the replay (herd7 would be slow too)


class _Build:
    """herd7's order of construction: ``m >>= f`` runs f after each alternative of m and lists
    the results last first (eventsMonad ``data_comp``), ``m1 >>| m2`` runs m1 then m2, ``altT``
    and ``choiceT`` list the first then the second; a statement's continuation is built after
    each of its alternatives in turn, the results again last first (``comb_instr_code``)."""

    def __init__(self, test: LitmusTest):
        self.test = test
        self.var = 0
        self.eiid = 0

    def fresh(self) -> int:
        self.var += 1
        return self.var

    def event(self, kind: str, value, where) -> _Alt:
        self.eiid += 1
        return _Alt(value, (), (_Ev(kind, self.eiid, value, where),))

    # -- combinators ----------------------------------------------------------------------------
    @staticmethod
    def bind(alts: list[_Alt], f) -> list[_Alt]:
        out: list[_Alt] = []
        for a in alts:
            for b in f(a.value):
                out.append(_join(a, b))
        return out[::-1]

    @staticmethod
    def par(left: list[_Alt], right: list[_Alt]) -> list[_Alt]:
        out = [_join(a, b, (a.value, b.value), keep_b=False) for a in left for b in right]
        return out[::-1]

    def op(self, op: str, v1, v2) -> list[_Alt]:
        """``M.op``: a constant when herd7 can compute it now (V.op: both known, or ``x + 0``,
        ``x | 0``), else a fresh variable with its equation."""
        c1, c2 = isinstance(v1, tuple), isinstance(v2, tuple)
        if op in ("+", "|") and c2 and v2[1] == 0:
            return [_Alt(v1)]
        if op in ("+", "|") and c1 and v1[1] == 0:
            return [_Alt(v2)]
        if c1 and c2:
            return [_Alt(("c", _constant(op, v1[1], v2[1])))]
        s = self.fresh()
        return [_Alt(s, (), (), ((s, ("op", op, v1, v2)),))]

    # -- expressions ----------------------------------------------------------------------------
    def expr(self, e: Expr) -> list[_Alt]:
        if isinstance(e, Const):
            return [_Alt(("c", e.value))]
        if isinstance(e, Name):
            return [self.event("RR", self.fresh(), e.ident)]
        if isinstance(e, Deref):
            return self.bind(self.expr(e.pointer), self.read)
        if isinstance(e, AddrOf):
            if isinstance(e.target, Name):
                return [_Alt(("c", e.target.ident))]
            if isinstance(e.target, Deref):
                return self.expr(e.target.pointer)
            raise Unsupported("&")
        if isinstance(e, Binary):
            return self.bind(self.par(self.expr(e.left), self.expr(e.right)),
                             lambda v: self.op(e.op, *v))
        if isinstance(e, Call):
            return self.call(e)
        raise Unsupported(type(e).__name__)

    def read(self, addr) -> list[_Alt]:
        return [self.event("R", self.fresh(), addr)]

    def write(self, addr, value) -> list[_Alt]:
        return [self.event("W", value, addr)]

    def address(self, call: Call, lvalue: bool) -> list[_Alt]:
        arg = call.args[0]
        if lvalue:
            if not isinstance(arg, Deref):
                raise Unsupported(call.func)
            arg = arg.pointer
        return self.expr(arg)

    def call(self, c: Call) -> list[_Alt]:
        prim = TABLE.get(c.func)
        if prim is None:
            raise Unsupported(c.func)
        act, args = prim.action, c.args
        if act in ("load", "srcu_lock"):
            return self.bind(self.address(c, prim.lvalue), self.read)
        if act in ("store", "srcu_unlock"):
            return self.bind(self.par(self.address(c, prim.lvalue), self.expr(args[1])),
                             lambda v: self.write(*v))
        if act == "fence":
            return [_Alt()]
        if act in ("lock", "unlock", "srcu_sync"):
            return self.bind(self.expr(args[0]), lambda v: [_Alt()])
        if act in ("trylock", "islocked"):
            return self.bind(self.expr(args[0]), lambda v: [
                _Alt(("c", 1), ((act, True),)), _Alt(("c", 0), ((act, False),))])
        if act == "rmw" and prim.op == "xchg":  # linux_exch: location, operand, read, write
            loc = self.expr(args[0])
            operand = self.expr(args[1])
            return [self._exchange(a, b) for a in loc for b in operand]
        if act == "rmw":  # build_atomic_op: operand first, then location, read, op, write
            if prim.constant is not None:
                ptr, operand = args[0], Const(prim.constant)
            else:
                operand, ptr = (args[0], args[1]) if prim.operand_first else (args[1], args[0])
            first = self.expr(operand)
            loc_read = self.bind(self.expr(ptr), lambda loc: [
                _join(r, _Alt((r.value, loc))) for r in self.read(loc)])
            both = self.par(first, loc_read)
            out = self.bind(both, lambda v: self.bind(
                self.op(prim.op, v[1][0], v[0]),
                lambda w: [_join(x, _Alt(v[1][0] if prim.returns == "old" else w))
                           for x in self.write(v[1][1], w)]))
            if prim.returns in ("==0", "<0"):
                test = "==" if prim.returns == "==0" else "<"
                out = self.bind(self.par(out, [_Alt(("c", 0))]), lambda v: self.op(test, *v))
            return out
        if act == "cmpxchg":
            return self._cmpxchg(args, True) + self._cmpxchg(args, False)
        if act == "add_unless":
            return self._add_unless(args, True) + self._add_unless(args, False)
        raise Unsupported(c.func)

    def _exchange(self, loc: _Alt, operand: _Alt) -> _Alt:
        r = self.read(loc.value)[0]
        w = self.write(loc.value, operand.value)[0]
        return _Alt(r.value, loc.path + operand.path, loc.evs + operand.evs + r.evs + w.evs,
                    loc.eqs + operand.eqs)

    def _cmpxchg(self, args, ok: bool) -> list[_Alt]:
        """linux_cmpexch_ok / _no: each runs the location and old value again."""
        loc, old = self.expr(args[0])[0], self.expr(args[1])[0]
        parts = [loc, old]
        if ok:
            parts.append(self.expr(args[2])[0])
        r = self.read(loc.value)[0]
        parts.append(r)
        if ok:
            parts.append(self.write(loc.value, parts[2].value)[0])
            eqs = ((old.value, ("atom", r.value)),)
        else:
            s = self.fresh()
            eqs = ((s, ("op", "==", old.value, r.value)), (s, ("atom", ("c", 0))))
        out = _Alt(r.value, (("cmpxchg", ok),), (), eqs)
        for p in reversed(parts):
            out = _Alt(out.value, p.path + out.path, p.evs + out.evs, p.eqs + out.eqs)
        return [out]

    def _add_unless(self, args, ok: bool) -> list[_Alt]:
        """linux_add_unless_ok / _no, atomic_add_unless(v, a, u)."""
        loc = self.expr(args[0])[0]
        parts = [loc]
        if ok:
            parts.append(self.expr(args[1])[0])
        limit = self.expr(args[2])[0]
        parts.append(limit)
        r = self.read(loc.value)[0]
        parts.append(r)
        if ok:
            added = self.op("+", r.value, parts[1].value)[0]
            parts.append(added)
            parts.append(self.write(loc.value, added.value)[0])
            s = self.fresh()
            eqs = ((s, ("op", "==", r.value, limit.value)), (s, ("atom", ("c", 0))))
        else:
            eqs = ((r.value, ("atom", limit.value)),)
        out = _Alt(("c", int(ok)), (("add_unless", ok),), (), eqs)
        for p in reversed(parts):
            out = _Alt(out.value, p.path + out.path, p.evs + out.evs, p.eqs + out.eqs)
        return [out]

    # -- statements -----------------------------------------------------------------------------
    def stmt(self, s: Stmt) -> list[_Alt]:
        if isinstance(s, Declare):
            return [_Alt()] if s.init is None else self.store_reg(s.name, s.init)
        if isinstance(s, Assign):
            if isinstance(s.target, Name):
                return self.store_reg(s.target.ident, s.value)
            return self.bind(self.par(self.expr(s.target.pointer), self.expr(s.value)),
                             lambda v: self.write(*v))
        if isinstance(s, ExprStmt):
            return self.bind(self.expr(s.expr), lambda v: [_Alt()])
        if isinstance(s, If):
            cond = s.cond
            if not (isinstance(cond, Binary) and cond.op in COMPARISONS):
                cond = Binary("!=", cond, Const(0))
            return self.after(self.expr(cond), lambda v: self.choice(v, s))
        raise Unsupported(type(s).__name__)

    def store_reg(self, reg: str, e: Expr) -> list[_Alt]:
        return self.bind(self.expr(e), lambda v: [self.event("RW", v, reg)])

    def choice(self, v, s: If) -> list[_Alt]:
        """choiceT: both branches when the condition is not known yet, then before else."""
        if isinstance(v, tuple):
            taken = v[1] != 0
            return [_join(_Alt(path=(("if", taken),)), b)
                    for b in self.seq(s.then if taken else s.orelse)]
        then = [_join(_Alt(path=(("if", True),), eqs=((v, ("atom", ("c", 1))),)), b)
                for b in self.seq(s.then)]
        orelse = [_join(_Alt(path=(("if", False),), eqs=((v, ("atom", ("c", 0))),)), b)
                  for b in self.seq(s.orelse)]
        return then + orelse

    def after(self, alts: list[_Alt], f) -> list[_Alt]:
        """``>>>>`` and ``>>>``: f after each alternative in turn, the results last first."""
        out: list[_Alt] = []
        for a in alts:
            out.extend(_join(a, b) for b in f(a.value))
            if len(out) > MAX_ALTERNATIVES:
                raise Unsupported("too many alternatives")
        return out[::-1]

    def seq(self, stmts: tuple[Stmt, ...]) -> list[_Alt]:
        if not stmts:
            return [_Alt()]
        return self.after(self.stmt(stmts[0]), lambda _: self.seq(stmts[1:]))


def _constant(op: str, a: Value, b: Value) -> Value:
    """An operation on two constants, folded now as herd7's V.op does."""
    if op in ("==", "!="):
        return int((a == b) == (op == "=="))
    if isinstance(a, str) or isinstance(b, str) or op not in arith.SCALAR:
        raise Unsupported(op)
    try:
        return arith.apply(op, a, b)
    except arith.DivisionByZero:
        raise Unsupported(op) from None


def thread_alternatives(test: LitmusTest) -> list[dict[tuple, _Alt]] | None:
    """Each thread's alternatives as herd7 builds them (numbers included), by decisions; None
    for a program the replay does not know."""
    b = _Build(test)
    try:
        return [{a.path: a for a in b.seq(t.body)} for t in test.threads]
    except (Unsupported, LookupError, TypeError, ValueError):
        return None


# ---- herd7's solver, on one candidate ----------------------------------------------------------
# An equation is (lhs, expr): lhs an atom, expr ("atom", a), ("op", op, a, b) or
# ("readinit", address). Solving only tracks which variables become known: the candidate is a
# concrete execution of ours, so its constants agree (herd7 would find no contradiction).
KNOWN = ("c", None)  # a constant found by solving (its value is ours)


def _atoms(expr: tuple) -> tuple:
    return expr[1:] if expr[0] != "op" else expr[2:]


def _vars(expr: tuple) -> list[int]:
    return [a for a in _atoms(expr) if isinstance(a, int)]


def _atom_key(a) -> tuple:
    """V.compare: variables by number, before constants."""
    if isinstance(a, int):
        return (0, a)
    v = a[1]
    return (1, 2, "") if v is None else (1, 1, v) if isinstance(v, str) else (1, 0, v)


def _eq_key(eq: tuple) -> tuple:
    """OrderedEq.compare of valconstraint.ml: left-hand side, then the expression."""
    lhs, expr = eq
    rank = {"atom": 0, "readinit": 1, "op": 3}[expr[0]]
    return (_atom_key(lhs), rank, expr[1] if expr[0] == "op" else "",
            tuple(_atom_key(a) for a in _atoms(expr)))


class _Partition:
    """herd/partition.ml: union by rank with path compression; ``as_solution`` maps each
    variable to its *parent*, which is not always the root."""

    def __init__(self):
        self.parent: dict[int, int] = {}
        self.rank: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        self.rank.setdefault(x, 0)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, x1: int, x2: int) -> None:
        d1, d2 = self.find(x1), self.find(x2)
        if self.rank[d1] > self.rank[d2]:
            self.parent[d2] = d1
        elif self.rank[d2] > self.rank[d1]:
            self.parent[d1] = d2
        elif d1 != d2:
            self.parent[d2] = d1
            self.rank[d1] += 1

    def solution(self) -> dict[int, int]:
        return {x: p for x, p in self.parent.items() if p != x}


def _sccs(nodes: list[tuple], succs: dict[tuple, list[tuple]]) -> list[list[tuple]]:
    """Tarjan as lib/innerRel.ml's FullSCC: nodes and successors in order, each component
    listed from the last node pushed to its root, components dependencies first."""
    visit: dict[tuple, float] = {}
    stack: list[tuple] = []
    out: list[list[tuple]] = []
    counter = itertools.count()

    def dfs(n: tuple) -> float:
        if n in visit:
            return visit[n]
        low = visit[n] = next(counter)
        stack.append(n)
        for v in succs[n]:
            low = min(low, dfs(v))
        if low != visit[n]:
            return low
        scc: list[tuple] = []
        while True:
            m = stack.pop()
            scc.append(m)
            visit[m] = float("inf")
            if m == n:
                break
        out.append(scc)
        return low

    for n in nodes:
        dfs(n)
    return out


def _solve(eqs: list[tuple]) -> tuple[dict[int, object], list[tuple]]:
    """valconstraint.ml ``solve_topo``: merge the copies ``x := y`` (``normalize_vars``, in list
    order), order the equations by dependency (``eq2g``, strongly connected components), solve
    each in turn (``solve_one``). Returns what each variable becomes (KNOWN, a variable, or
    absent: itself) and the equations left unsolved."""
    part = _Partition()
    for lhs, expr in eqs:
        if isinstance(lhs, int) and expr[0] == "atom" and isinstance(expr[1], int):
            part.union(lhs, expr[1])
    m = part.solution()

    def sub(a):
        return m.get(a, a) if isinstance(a, int) else a

    cs: set[tuple] = set()
    for lhs, expr in eqs:
        lhs = sub(lhs)
        expr = (expr[0], expr[1], *map(sub, expr[2:])) if expr[0] == "op" else (
            expr[0], sub(expr[1]))
        if expr[0] == "atom" and lhs == expr[1]:
            continue
        if not isinstance(lhs, int) and expr[0] == "atom" and isinstance(expr[1], int):
            lhs, expr = expr[1], ("atom", lhs)  # eq2g: cst := x is solved as x := cst
        cs.add((lhs, expr))
    nodes = sorted(cs, key=_eq_key)
    defs: dict[int, list[tuple]] = {}
    for eq in nodes:
        if isinstance(eq[0], int):
            defs.setdefault(eq[0], []).append(eq)
    succs = {eq: sorted({d for v in _vars(eq[1]) for d in defs.get(v, ())}, key=_eq_key)
             for eq in nodes}
    known: set[int] = set()
    unsolved: list[tuple] = []
    for scc in _sccs(nodes, succs):
        for lhs, expr in scc:  # solve_one: simplify by what is known, then conclude
            lhs = KNOWN if lhs in known else lhs
            if all(v in known for v in _vars(expr)):
                expr = ("atom", KNOWN if expr[0] != "atom" or isinstance(expr[1], int)
                        else expr[1])
            else:
                known_ = [KNOWN if a in known else a for a in _atoms(expr)]
                expr = (expr[0], expr[1], *known_) if expr[0] == "op" else (expr[0], *known_)
            if isinstance(lhs, int) and expr[0] == "atom" and not isinstance(expr[1], int):
                known.add(lhs)
            elif isinstance(lhs, int) or expr[0] != "atom" or isinstance(expr[1], int):
                unsolved.append((lhs, expr))
    result: dict[int, object] = {x: KNOWN for x in known}
    for x, y in m.items():  # add_vars_solns: a merged variable follows its parent, once
        result[x] = KNOWN if y in known else y
    return result, unsolved[::-1]  # solve_one conses each unsolved equation on the front


def _apply(sol: dict[int, object], a):
    return sol.get(a, a) if isinstance(a, int) else a


@record
class _Paths:
    """What herd7 knows of one choice of paths before any reads-from: its events, and the
    register pass (mem.ml ``do_solve_regs``) done once for all candidates that share it."""

    evs: list[list[_Ev]]  # per thread, memory accesses in order
    finals: dict[tuple[int, str], object]  # each register's last value
    sol: dict[int, object]
    left: list[tuple]


class Analysis:
    """herd7's view of the candidates of one test: asked per candidate, the replay of its
    construction built on first need and the register pass kept per choice of paths."""

    def __init__(self, test: LitmusTest):
        self.test = test
        self._alts: list[dict[tuple, _Alt]] | None | bool = False  # False: not built yet
        self.paths: dict[tuple, _Paths | None] = {}

    def _registers(self, traces: list[Trace]) -> _Paths | None:
        key = tuple(tr.path for tr in traces)
        if key not in self.paths:
            if self._alts is False:
                self._alts = thread_alternatives(self.test)
            self.paths[key] = None if self._alts is None else self._solve_registers(traces)
        return self.paths[key]

    def _solve_registers(self, traces: list[Trace]) -> _Paths | None:
        reads: list[tuple[int, int, object]] = []
        monad: list[tuple] = []
        finals: dict[tuple[int, str], object] = {}
        evs: list[list[_Ev]] = []
        for tr in traces:
            alt = self._alts[tr.thread].get(tr.path)
            if alt is None:
                return None
            thread = self.test.threads[tr.thread]
            for e in sorted(alt.evs, key=lambda e: e.eiid):
                if e.kind == "RW":
                    finals[(tr.thread, e.where)] = e.value
                elif e.kind == "RR":
                    init = self.test.reg_init.get((tr.thread, e.where),
                                                  e.where if e.where in thread.params else 0)
                    reads.append((e.eiid, e.value, finals.get((tr.thread, e.where),
                                                              ("c", init))))
            evs.append([e for e in sorted(alt.evs, key=lambda e: e.eiid) if e.kind in ("R", "W")])
            monad.extend(alt.eqs)
        # loads by decreasing event number, each `load := stored value`, then the operations
        regs = [(v, ("atom", src)) for _, v, src in sorted(reads, reverse=True)]
        sol, left = _solve(regs + monad)
        return _Paths(evs, finals, sol, left)

    def _skeleton(self, x) -> tuple | None:
        """Per skeleton (kept in its memo, which skeletons of one shape share, hence the
        paths in the key): herd7's view of each read and write of ours after the register
        pass, the reads by decreasing event number."""
        key = ("swtlb.symbolic", id(self), tuple(tr.path for tr in x.traces))
        if key not in x.memo:
            x.memo[key] = self._prepare(x)
        return x.memo[key]

    def _prepare(self, x) -> tuple | None:
        paths = self._registers(x.traces)
        if paths is None:
            return None  # a program or path the replay does not know: keep the guesses
        mine: dict[int, _Ev] = {}  # our event id -> herd7's event
        for tr, theirs in zip(x.traces, paths.evs):
            ours = [ev for ev in x.events if ev.thread == tr.thread and ev.kind in "RW"
                    and not ev.tags & LOCK_TAGS]
            if [e.kind for e in theirs] != [ev.kind for ev in ours]:
                return None  # the replay does not follow this run: keep the guesses
            mine.update((ev.eid, e) for ev, e in zip(ours, theirs))
        sol = paths.sol
        view = {i: (_apply(sol, e.value), _apply(sol, e.where)) for i, e in mine.items()}
        reads = sorted((i for i in mine if mine[i].kind == "R"), key=lambda i: -mine[i].eiid)
        return paths, mine, view, reads

    def resolve(self, x) -> Symbolic | str | None:
        """None: keep the candidate as it is (nearly always); DROP: herd7 has no such
        execution; else the symbolic values herd7 shows for it."""
        events = x.events
        cyclic = not (x.rf | x.data | x.rmw | x.addr).is_acyclic()
        if not cyclic and not any(x.rf.rows[w] for w, ev in enumerate(events)
                                  if ev.kind == "W" and (ev.data or ev.rmw_read is not None)):
            return None  # no read of a value that is not a constant: nothing to merge
        prep = self._skeleton(x)
        if prep is None:
            return None
        paths, mine, view, reads = prep
        src: dict[int, int] = {}
        for w, row in enumerate(x.rf.rows):
            for r in bits(row):
                src[r] = w
        mem: list[tuple] = []  # mem.ml solve_mem: loads by decreasing event number
        for r in reads:
            value, where = view[r]
            w = src.get(r)
            if w is None:
                return None
            if events[w].thread >= 0:
                stored, at = view[w]
                mem.append((value, ("atom", stored)))
                mem.append((at, ("atom", where)))
            elif isinstance(where, int):
                mem.append((value, ("readinit", where)))
            else:
                mem.append((("c", events[w].value), ("atom", value)))
        eqs = mem + paths.left
        if not cyclic and not _leftover_copies(eqs):
            return None  # every value grounded and every copy merged: herd7 solves it all
        sol2, left = _solve(eqs)
        if left:
            return DROP  # mem.ml when_unsolved: "Candidate rejected for remaining equations"
        sol1 = paths.sol

        def final(a) -> Symbol | None:
            a = _apply(sol2, _apply(sol1, a))
            return Symbol(a) if isinstance(a, int) else None

        if not any(final(e.value) for e in mine.values() if e.kind == "R"):
            return None
        if any(final(e.where) for e in mine.values()):
            return None  # an address out of thin air: not modelled, keep the guesses
        out = Symbolic((tuple(tr.path for tr in x.traces),
                        tuple((ev.thread, ev.index, ev.kind, ev.loc) for ev in events),
                        x.rf.rows, x.co.rows, x.rf_lf.rows, x.rf_ru.rows))
        out.registers = {k: s for k, v in paths.finals.items() if (s := final(v)) is not None}
        out.memory = {events[w].loc: s for w in x.last_writes
                      if w in mine and (s := final(mine[w].value)) is not None}
        out.events = {i: s for i, e in mine.items() if (s := final(e.value)) is not None}
        return out


def _leftover_copies(eqs: list[tuple]) -> bool:
    """Would normalize_vars leave a copy ``x := y`` unmerged (the cheap half of ``_solve``)?"""
    part = _Partition()
    copies = [(a, e[1]) for a, e in eqs
              if isinstance(a, int) and e[0] == "atom" and isinstance(e[1], int)]
    for a, b in copies:
        part.union(a, b)
    m = part.solution()
    return any(m.get(a, a) != m.get(b, b) for a, b in copies)


def may_be_symbolic(sk) -> bool:
    """Could some candidate of this skeleton keep a symbol? Only if a cycle of possible
    reads-from (any write to a read of its location) and dependencies exists; speedcheck's
    pruning, which looks at concrete values, must not skip such a skeleton."""
    reads = sk.sets.get("R", 0)
    rows = [0] * sk.n
    for i, ev in enumerate(sk.events):
        if ev.kind == "W" and ev.loc is not None and not ev.tags & LOCK_TAGS:
            rows[i] = sk.bylocation.get(ev.loc, 0) & reads
    return not (Rel(rows, sk.n) | sk.data | sk.rmw).is_acyclic()


def copies_values(test: LitmusTest) -> bool:
    """Does some process store a value that is not a constant (a register, a read)? Without
    such a store no value is symbolic, and speedcheck may prune on concrete values alone."""
    stored = {"store": 1, "srcu_unlock": 1, "cmpxchg": 2}

    def constant(e: Expr) -> bool:
        return isinstance(e, Const) or (isinstance(e, Binary) and constant(e.left)
                                        and constant(e.right))

    def copies(s: Stmt) -> bool:
        if isinstance(s, If):
            return any(map(copies, s.then + s.orelse))
        if isinstance(s, Assign) and isinstance(s.target, Deref):
            return not constant(s.value)
        e = s.expr if isinstance(s, ExprStmt) else s.value if isinstance(s, Assign) else s.init
        prim = TABLE.get(e.func) if isinstance(e, Call) else None
        if prim is None:
            return False
        k = 1 if prim.action == "rmw" and prim.op == "xchg" else stored.get(prim.action)
        return k is not None and len(e.args) > k and not constant(e.args[k])

    return any(copies(s) for t in test.threads for s in t.body)
