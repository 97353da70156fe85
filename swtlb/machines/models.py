"""The three machines: which instruction must wait for which, and how ready times are drawn.

``sc``: one memory; each CPU runs its instructions in order and every store is seen by all at
once, so a run is a random interleaving.

``tso`` (x86): CPUs run in order, but each store waits in a FIFO store buffer for a random time
before memory (and the other CPUs) see it; a CPU reads its own buffered stores early. ``smp_mb()``,
``synchronize_rcu()`` and every locked instruction (RMWs, ``spin_lock()``) first drain the buffer.

``weak`` (arm64-like, other-multi-copy-atomic): an instruction may run as soon as what it depends
on has run, so loads run ahead and stores linger. A store becomes visible to every other CPU at one
instant. What orders two accesses of one CPU: the same location (coherence; a load may still take a
newer own store early); an address dependency (load -> access); a data or control dependency (load
-> store), where a store waits for every earlier branch, also one that has already closed (no CPU
lets a store out on a guess); ``ldar`` (``smp_load_acquire``, acquire RMWs, ``spin_lock``) before
everything after it; ``stlr`` (``smp_store_release``, release RMWs, ``spin_unlock``) after
everything before it, and before a later ``ldar``; ``dmb ish`` (``smp_mb()``, fully ordered RMWs,
``smp_mb__{before,after}_atomic()``, ``smp_mb__after_spinlock()``, ``synchronize_rcu()``) between
everything; ``dmb ishld`` (``smp_rmb()``) from earlier loads to everything later; ``dmb ishst``
(``smp_wmb()``) between stores. ``barrier()``, ``rcu_read_lock()/unlock()``,
``smp_mb__after_unlock_lock()`` and ``smp_mb__after_srcu_read_unlock()`` emit no instruction.
Failed cmpxchg and plain C accesses are treated like their marked forms (never less ordered than
hardware).
"""

from __future__ import annotations

import numpy as np

from .engine import Knobs, Machine, Pred
from .program import FULL_FENCES, Instr, Program


def _in_order(prog: Program, instrs: list[Instr], drain: bool) -> dict[int, list[Pred]]:
    preds: dict[int, list[Pred]] = {}
    for thread in prog.threads:
        timed = [i for i in thread if i.op != "assign"]
        stores: list[int] = []
        for a, b in zip(timed, timed[1:]):
            preds.setdefault(b.index, []).append((a.index, "T"))
        for ins in timed:
            full = ins.op in ("rmw", "lock") or (ins.op == "fence"
                                                  and ins.tag in FULL_FENCES["tso"])
            if drain and full:
                preds.setdefault(ins.index, []).extend((s, "V") for s in stores)
            if ins.is_write:
                stores.append(ins.index)
    return preds


def _sc_preds(prog: Program, instrs: list[Instr]) -> dict[int, list[Pred]]:
    return _in_order(prog, instrs, drain=False)


def _tso_preds(prog: Program, instrs: list[Instr]) -> dict[int, list[Pred]]:
    return _in_order(prog, instrs, drain=True)


def _acquire(i: Instr) -> bool:
    return i.op == "lock" or (i.is_read and i.tag in ("acquire", "mb"))


def _release(i: Instr) -> bool:
    return i.op == "unlock" or (i.is_write and i.tag in ("release", "mb"))


FULL = FULL_FENCES["weak"]


def _weak_preds(prog: Program, instrs: list[Instr]) -> dict[int, list[Pred]]:
    preds: dict[int, list[Pred]] = {}
    for thread in prog.threads:
        base = thread[0].index if thread else 0
        timed = [i for i in thread if i.op != "assign"]
        for k, j in enumerate(timed):
            wait: set[int] = set()
            data_ready: set[int] = set()  # own stores this load may forward from
            for i in timed[:k]:
                if i.op == "fence":
                    if i.tag in FULL or (i.tag == "rmb") or (i.tag == "wmb" and j.is_write):
                        wait.add(i.index)
                    continue
                if not i.is_access:
                    continue
                if j.op == "fence":
                    if (j.tag in FULL or (j.tag == "rmb" and i.is_read)
                            or (j.tag == "wmb" and i.is_write)):
                        wait.add(i.index)
                    continue
                if not j.is_access:
                    continue
                alias = i.loc is None or j.loc is None or i.loc == j.loc
                if alias and i.op == "store" and j.op == "load":
                    data_ready.add(i.index)  # forwarding needs the store's value, not its
                    # visibility: without this a load took a value not yet computed (the fuzz
                    # found such a run closing a causal cycle through z1/z2 out of thin air)
                elif alias:
                    wait.add(i.index)  # coherence
                if _acquire(i) or _release(j) or (_release(i) and _acquire(j)):
                    wait.add(i.index)
                if i.tag == "mb" and i.op == "rmw" or j.tag == "mb" and j.op == "rmw":
                    wait.add(i.index)  # fully ordered RMWs are smp_mb() on both sides
                local = i.index - base
                if local in j.addr_deps or (j.is_write and (local in j.data_deps
                                                            or local in j.ctrl_deps)):
                    wait.add(i.index)
            # whatever waits for a store waits until every other CPU can see it
            preds[j.index] = sorted([(i, "V" if instrs[i].is_write else "T") for i in wait]
                                    + [(i, "T") for i in data_ready - wait])
    return preds


def _in_order_draws(prog: Program, rng: np.random.Generator, n: int,
                    knobs: Knobs) -> dict[int, np.ndarray]:
    out = {}
    for thread in prog.threads:
        t = rng.uniform(0, knobs.skew, n)
        for ins in thread:
            t = t + rng.exponential(1.0, n)
            out[ins.index] = t
    return out


def _weak_draws(prog: Program, rng: np.random.Generator, n: int,
                knobs: Knobs) -> dict[int, np.ndarray]:
    out = {}
    for thread in prog.threads:
        start = rng.uniform(0, knobs.skew, n)
        for k, ins in enumerate(thread):
            out[ins.index] = start + 0.25 * k + rng.exponential(knobs.reorder, n)
    return out


MACHINES: dict[str, Machine] = {
    "sc": Machine("sc", _sc_preds, _in_order_draws),
    "tso": Machine("tso", _tso_preds, _in_order_draws, fifo=True, delay=1.0),
    "weak": Machine("weak", _weak_preds, _weak_draws, delay=1.0),
}
MODEL_OF = {"sc": "sc", "tso": "tso", "weak": "lkmm"}
