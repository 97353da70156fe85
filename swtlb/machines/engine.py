"""Run a compiled test many times at once: draw timings, then let values flow through memory.

Each instruction of each run gets an execution time ``T``; each store also a visibility time
``V`` (when other CPUs can first read it). A machine only says which instructions must wait for
which (``preds``) and how long stores linger; the rest is common:

* a load reads its own CPU's newest earlier store to the location if that store is not visible
  yet (store forwarding), else the store with the largest ``V`` below its ``T`` (or the initial
  value), so coherence order is visibility order;
* an RMW reads and writes at one instant, so nothing can slip in between;
* orderings between CPUs (who takes a lock first, whether a read-side critical section ends
  before or starts after a grace period) are *scenarios*: each run is dealt one at random among
  those that are possible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..litmus.errors import UnsupportedError
from .program import ADDR, Instr, Program

EPS = 1e-6
Pred = tuple[int, str]  # (global instruction index, "T" or "V")


@dataclass
class Knobs:
    """Timing: larger values make rare reorderings more frequent."""

    skew: float = 2.0  # how far apart (in instruction times) the CPUs may start
    reorder: float = 2.0  # weak: how far an instruction's own readiness may stray from order
    store_delay: float = 1.0  # tso/weak: how long a store may linger before others see it


@dataclass
class Machine:
    name: str
    preds: Callable[[Program, list[Instr]], dict[int, list[Pred]]]  # intra-CPU waits
    draws: Callable[[Program, np.random.Generator, int, Knobs], dict[int, np.ndarray]]
    fifo: bool = False  # stores become visible in program order (x86's store buffer)
    delay: float = 0.0  # scale of how long a store lingers (times Knobs.store_delay)


# ---- cross-CPU scenarios -----------------------------------------------------------------------
def _critical_sections(prog: Program) -> dict[int, list[list[tuple[int, int]]]]:
    """Per lock location, per CPU, its (lock, unlock) pairs in program order."""
    out: dict[int, list[list[tuple[int, int]]]] = {}
    for thread in prog.threads:
        open_: dict[int, int] = {}
        pairs: dict[int, list[tuple[int, int]]] = {}
        for ins in thread:
            if ins.op == "lock":
                if ins.loc in open_:
                    raise UnsupportedError("the machines cannot run a nested spin_lock()",
                                           prog.test.file, *ins.pos)
                open_[ins.loc] = ins.index
            elif ins.op == "unlock":
                if ins.loc not in open_:
                    raise UnsupportedError("the machines cannot run spin_unlock() without "
                                           "spin_lock()", prog.test.file, *ins.pos)
                pairs.setdefault(ins.loc, []).append((open_.pop(ins.loc), ins.index))
        if open_:
            raise UnsupportedError("the machines cannot run a lock that is never released",
                                   prog.test.file, 1, 1)
        for loc, ps in pairs.items():
            out.setdefault(loc, []).append(ps)
    return out


def _rcu_sections(prog: Program) -> list[list[int]]:
    """The accesses of each outermost rcu_read_lock()..rcu_read_unlock() section."""
    sections = []
    for thread in prog.threads:
        depth, current = 0, []
        for ins in thread:
            if ins.op == "rcu_lock":
                depth += 1
                current = current if depth > 1 else [ins.index]
            elif ins.op == "rcu_unlock":
                depth -= 1
                if depth < 0:
                    raise UnsupportedError("the machines cannot run rcu_read_unlock() without "
                                           "rcu_read_lock() (LKMM flags it too)",
                                           prog.test.file, *ins.pos)
                if depth == 0:
                    current.append(ins.index)
                    sections.append(current)
                    current = []
            elif depth and ins.op == "fence" and ins.tag == "sync-rcu":
                raise UnsupportedError("the machines cannot run synchronize_rcu() inside an "
                                       "RCU read-side critical section (it would deadlock)",
                                       prog.test.file, *ins.pos)
            elif depth and ins.is_access:
                current.append(ins.index)
        if depth:
            raise UnsupportedError("the machines cannot run an rcu_read_lock() that is never "
                                   "unlocked (LKMM flags it too)", prog.test.file, *thread[0].pos)
    return sections


MAX_SCENARIOS = 4096


def _merges(seqs: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    seqs = [s for s in seqs if s]
    total = sum(len(s) for s in seqs)
    out = []

    def rec(idx: list[int], acc: list) -> None:
        if len(acc) == total:
            out.append(list(acc))
            return
        for k, s in enumerate(seqs):
            if idx[k] < len(s):
                idx[k] += 1
                acc.append(s[idx[k] - 1])
                rec(idx, acc)
                acc.pop()
                idx[k] -= 1

    rec([0] * len(seqs), [])
    return out


def scenarios(prog: Program, instrs: list[Instr]) -> list[dict[int, list[Pred]]]:
    """Every consistent way the CPUs can be ordered by locks and grace periods."""
    by_index = {i.index: i for i in instrs}
    options: list[list[dict[int, list[Pred]]]] = []
    sections = _critical_sections(prog).values()
    syncs = [i for i in instrs if i.op == "fence" and i.tag == "sync-rcu"]
    count = 2 ** sum(by_index[s[0]].thread != g.thread for g in syncs for s in _rcu_sections(prog))
    for seqs in sections:  # counted before any is built: the merges grow factorially
        lengths = [len(s) for s in seqs if s]
        count *= math.factorial(sum(lengths)) // math.prod(map(math.factorial, lengths))
    if count > MAX_SCENARIOS:
        raise UnsupportedError(f"the machines would need {count:,} lock/grace-period orderings "
                               f"(more than {MAX_SCENARIOS:,})", prog.test.file, 1, 1)
    for seqs in sections:
        choice = []
        for order in _merges(seqs):
            extra: dict[int, list[Pred]] = {}
            for (_, unlock), (lock, _) in zip(order, order[1:]):
                extra.setdefault(lock, []).append((unlock, "V"))
            choice.append(extra)
        options.append(choice)
    for g in syncs:
        for section in _rcu_sections(prog):
            if by_index[section[0]].thread == g.thread:
                continue
            before = {g.index: [(a, "V" if by_index[a].is_write else "T") for a in section]}
            after: dict[int, list[Pred]] = {a: [(g.index, "T")] for a in section}
            options.append([before, after])
    out = []
    for combo in itertools.product(*options):
        merged: dict[int, list[Pred]] = {}
        for part in combo:
            for k, v in part.items():
                merged.setdefault(k, []).extend(v)
        out.append(merged)
    return out


def _topological(instrs: list[Instr], preds: dict[int, list[Pred]]) -> list[int] | None:
    indeg = {i.index: 0 for i in instrs}
    succ: dict[int, list[int]] = {i.index: [] for i in instrs}
    for j, ps in preds.items():
        for i, _ in ps:
            if i != j:
                succ[i].append(j)
                indeg[j] += 1
    ready = sorted(k for k, d in indeg.items() if d == 0)
    order = []
    while ready:
        k = ready.pop(0)
        order.append(k)
        for j in succ[k]:
            indeg[j] -= 1
            if indeg[j] == 0:
                ready.append(j)
    return order if len(order) == len(instrs) else None


# ---- one batch of runs -------------------------------------------------------------------------
def run_batch(prog: Program, machine: Machine, n: int, rng: np.random.Generator,
              knobs: Knobs) -> tuple[dict[tuple[int, str], np.ndarray], dict[int, np.ndarray]]:
    """Simulate ``n`` runs; return final registers per (thread, name) and memory per location."""
    instrs = prog.instrs
    intra = machine.preds(prog, instrs)
    plans = []
    for extra in scenarios(prog, instrs):
        merged = {k: list(v) for k, v in intra.items()}
        for k, v in extra.items():
            merged.setdefault(k, []).extend(v)
        order = _topological(instrs, merged)
        if order is not None:
            plans.append((merged, order))
    if not plans:
        raise UnsupportedError("no ordering of locks and grace periods is possible (deadlock)",
                               prog.test.file, 1, 1)
    draws = machine.draws(prog, rng, n, knobs)
    writes = [i for i in instrs if i.is_write]
    linger = {i.index: rng.exponential(machine.delay * knobs.store_delay or 1.0, n)
              if machine.delay else np.zeros(n) for i in writes}
    pick = rng.integers(0, len(plans), n) if len(plans) > 1 else np.zeros(n, np.int64)
    T = {i.index: np.empty(n) for i in instrs}
    V = {i.index: np.empty(n) for i in writes}
    for k, (merged, order) in enumerate(plans):
        sel = np.flatnonzero(pick == k)
        if sel.size == 0:
            continue
        local_T: dict[int, np.ndarray] = {}
        local_V: dict[int, np.ndarray] = {}
        last_store: dict[int, np.ndarray] = {}
        for j in order:
            ins = instrs[j]
            t = draws[j][sel].copy()
            for i, kind in merged.get(j, ()):
                src = local_V[i] if kind == "V" and i in local_V else local_T[i]
                np.maximum(t, src + EPS, out=t)
            local_T[j] = t
            if ins.is_write:
                v = t if ins.op in ("rmw", "lock") else t + linger[j][sel]
                if machine.fifo and ins.thread in last_store:
                    v = np.maximum(v, last_store[ins.thread] + EPS)
                local_V[j] = v
                last_store[ins.thread] = v
        for j in local_T:
            T[j][sel] = local_T[j]
        for j in local_V:
            V[j][sel] = local_V[j]
    return _values(prog, instrs, T, V, n)


def _values(prog: Program, instrs: list[Instr], T: dict[int, np.ndarray],
            V: dict[int, np.ndarray], n: int):
    """Let values flow until they settle: loads read stores chosen by the timings."""
    loads = [i for i in instrs if i.op in ("load", "rmw")]
    read = {i.index: np.zeros(n, np.int64) for i in loads}
    zero = np.zeros(n, np.int64)
    for _ in range(len(loads) + 2):
        regs_final: dict[tuple[int, str], np.ndarray] = {}
        done = {}  # store index -> (executes, location, value)
        active = {}  # load index -> (executes, location)
        for t, thread in enumerate(prog.threads):
            regs: dict[str, np.ndarray] = {}
            for (th, reg), v in prog.test.reg_init.items():
                if th == t:
                    regs[reg] = np.full(n, _encode(prog, v), np.int64)
            for ins in thread:
                on = np.ones(n, bool) if ins.guard is None else np.asarray(ins.guard(regs), bool)
                on = np.broadcast_to(on, (n,))
                if ins.op == "assign":
                    regs[ins.dest] = np.where(on, ins.value(regs), regs.get(ins.dest, zero))
                    continue
                if not ins.is_access or ins.op in ("lock", "unlock"):
                    continue
                loc = (np.full(n, ins.loc, np.int64) if ins.loc is not None
                       else np.broadcast_to(np.asarray(ins.loc_fn(regs), np.int64), (n,)))
                if ins.op == "load":
                    active[ins.index] = (on, loc)
                    regs[ins.dest] = np.where(on, read[ins.index], regs.get(ins.dest, zero))
                elif ins.op == "store":
                    done[ins.index] = (on, loc, np.broadcast_to(
                        np.asarray(ins.value(regs), np.int64), (n,)))
                else:
                    old = read[ins.index]
                    operand = np.broadcast_to(np.asarray(ins.value(regs), np.int64), (n,))
                    writes, new, result = _rmw(ins, old, operand, regs, n)
                    active[ins.index] = (on, loc)
                    done[ins.index] = (on & writes, loc, new)
                    regs[ins.dest] = np.where(on, result, regs.get(ins.dest, zero))
            for name, arr in regs.items():
                if not name.startswith("$"):
                    regs_final[(t, name)] = np.broadcast_to(arr, (n,))
        changed = False
        for ins in loads:
            if ins.index not in active:
                continue
            on, loc = active[ins.index]
            value = _resolve(prog, ins, loc, T, V, done, n)
            if not np.array_equal(np.where(on, value, 0), np.where(on, read[ins.index], 0)):
                changed = True
                read[ins.index] = value
        if not changed:
            break
    memory = {}
    for k in range(len(prog.locations)):
        best_v = np.full(n, -np.inf)
        value = np.full(n, prog.init.get(k, 0), np.int64)
        for j, (on, loc, val) in done.items():
            hit = on & (loc == k) & (V[j] > best_v)
            best_v = np.where(hit, V[j], best_v)
            value = np.where(hit, val, value)
        memory[k] = value
    return regs_final, memory


def _rmw(ins: Instr, old: np.ndarray, operand: np.ndarray, regs, n: int):
    if ins.rmw == "xchg":
        return np.ones(n, bool), operand, old
    if ins.rmw == "cmpxchg":
        expected = np.broadcast_to(np.asarray(ins.expected(regs), np.int64), (n,))
        ok = old == expected
        return ok, operand, old
    if ins.rmw == "add_unless":
        unless = np.broadcast_to(np.asarray(ins.expected(regs), np.int64), (n,))
        ok = old != unless
        return ok, old + operand, ok.astype(np.int64)
    from .program import _ARITH

    new = _ARITH[ins.rmw](old, operand)
    result = {"old": old, "new": new, "==0": (new == 0).astype(np.int64),
              "<0": (new < 0).astype(np.int64)}[ins.returns]
    return np.ones(n, bool), new, result


def _resolve(prog: Program, ins: Instr, loc: np.ndarray, T, V, done, n: int) -> np.ndarray:
    t_load = T[ins.index]
    value = np.zeros(n, np.int64)
    for k, v in prog.init.items():
        value = np.where(loc == k, v, value)
    best = np.full(n, -np.inf)
    forwarded = np.zeros(n, bool)
    for j, (on, sloc, sval) in done.items():
        if j == ins.index:
            continue
        same = on & (sloc == loc)
        if _same_thread_before(prog, j, ins):
            fwd = same & (V[j] > t_load)
            value = np.where(fwd, sval, value)  # po-later own stores overwrite: newest wins
            forwarded |= fwd
        hit = same & (V[j] < t_load) & (V[j] > best) & ~forwarded
        best = np.where(hit, V[j], best)
        value = np.where(hit, sval, value)
    return value


def _same_thread_before(prog: Program, j: int, ins: Instr) -> bool:
    first = sum(len(t) for t in prog.threads[: ins.thread])
    return first <= j < ins.index


def _encode(prog: Program, v) -> int:
    if isinstance(v, str):
        return int(ADDR + prog.locations.index(v))
    return int(v)
