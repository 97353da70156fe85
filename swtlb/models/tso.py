"""x86-TSO: each CPU's stores wait in a FIFO buffer, so only store->load order is relaxed.

The kernel primitives map as on x86: smp_mb() and synchronize_*() are ``mfence``; every atomic
read-modify-write (xchg, cmpxchg, atomic_*(), spin_lock()) is a ``lock``-prefixed instruction and
so a full barrier; smp_rmb(), smp_wmb(), the smp_mb__*() helpers, acquire and release cost nothing
because TSO already gives that order. A CPU may read its own buffered store early (rfi is not
global). RCU's law comes on top (``grace``): no critical section straddles another CPU's grace
period, which the kernel's RCU code, not the CPU, makes true.
"""

from __future__ import annotations

from ..executions import Execution
from ..relations import Rel
from . import grace
from .base import Verdict, reject

# On x86 only smp_mb() and the grace periods emit a fence; the smp_mb__*() helpers are compiler
# barriers there, because the atomics and locks they accompany are already locked instructions.
FULL_FENCES = ("mb", "sync-rcu", "sync-srcu")
# Tree SRCU's __srcu_read_lock() runs smp_mb() after its counter increment and
# __srcu_read_unlock() one before its own (kernel/rcu/srcutree.c, read at
# torvalds/linux@00c1d298d486), so on x86 each is an mfence around its srcu_struct access.
SRCU_FENCES = ("srcu-lock", "srcu-unlock")


def check(x: Execution, observed: frozenset[str] = frozenset()) -> Verdict:
    n = x.n
    rf, co, rmw = x.complete()
    fr = rf.inv @ co
    po, ext = x.po, x.ext
    po_loc = po & x.loc
    coherence = po_loc | rf | co | fr
    if not coherence.is_acyclic():
        return reject("coherence", "acyclic", coherence, **{"po-loc": po_loc, "rf": rf, "co": co,
                                                           "fr": fr})
    atomic = rmw & ((fr & ext) @ (co & ext))
    if not atomic.is_empty():
        return reject("atomic", "empty", atomic, rmw=rmw)
    R = x.tagged("R")
    W = x.tagged("W")
    M = R | W
    locked = x.tagged("rmw", "LKR", "LKW")  # lock-prefixed instructions
    fences = (x.tagged(*FULL_FENCES) & x.tagged("F", "S")) | locked | x.tagged(*SRCU_FENCES)
    ppo = Rel.ident(M, n) @ po @ Rel.ident(M, n) - Rel.product(W & ~locked, R & ~locked, n)
    mfence = Rel.ident(M, n) @ po @ Rel.ident(fences, n) @ po.opt @ Rel.ident(M, n) | (
        Rel.ident(M, n) @ po.opt @ Rel.ident(fences, n) @ po @ Rel.ident(M, n))
    ghb = ppo | mfence | (rf & ext) | co | fr
    if not ghb.is_acyclic():
        return reject("tso", "acyclic", ghb, ppo=ppo, mfence=mfence, rfe=rf & ext, co=co, fr=fr)
    ok, placed = grace.respected(x, ghb)
    if not ok:
        return reject("rcu", "acyclic", placed, ppo=ppo, mfence=mfence, rfe=rf & ext, co=co,
                      fr=fr, **{"grace-period": placed - ghb})
    return Verdict(True)
