"""Sequential consistency: one memory, every event in one interleaving of program order.

RCU's law comes on top (``grace``): no critical section straddles another CPU's grace period.
"""

from __future__ import annotations

from ..executions import Execution
from . import grace
from .base import Verdict, reject


def check(x: Execution, observed: frozenset[str] = frozenset()) -> Verdict:
    rf, co, rmw = x.complete()
    fr = rf.inv @ co
    po_loc = x.po & x.loc
    coherence = po_loc | rf | co | fr
    if not coherence.is_acyclic():
        return reject("coherence", "acyclic", coherence, **{"po-loc": po_loc, "rf": rf, "co": co,
                                                           "fr": fr})
    atomic = rmw & ((fr & x.ext) @ (co & x.ext))
    if not atomic.is_empty():
        return reject("atomic", "empty", atomic, rmw=rmw)
    sc = x.po | rf | co | fr
    if not sc.is_acyclic():
        return reject("sc", "acyclic", sc, po=x.po, rf=rf, co=co, fr=fr)
    ok, placed = grace.respected(x, sc)
    if not ok:
        return reject("rcu", "acyclic", placed, po=x.po, rf=rf, co=co, fr=fr,
                      **{"grace-period": placed - sc})
    return Verdict(True)
