"""RCU's law for the models that have no RCU of their own (sc, tso).

A CPU's ordering rules cannot make ``synchronize_rcu()`` wait for readers: the kernel's RCU code
does that. So that ``sc`` and ``tso`` do not allow what every RCU implementation forbids, they
take the law itself: a read-side critical section lies wholly before or wholly after each grace
period of another CPU (for SRCU: each grace period of the same ``srcu_struct``). An execution
is allowed if one choice of "before" or "after" per (grace period, section) pair keeps the
model's order acyclic; the choices are searched depth first, pruning as soon as one closes a
cycle.
"""

from __future__ import annotations

from ..executions import Execution
from ..record import record
from ..relations import Rel


class UnmatchedSrcu(Exception):
    """srcu_read_unlock() gets its index some other way than from its lock, in a register."""

    def __init__(self, pos: tuple[int, int]):
        super().__init__(pos)
        self.pos = pos


@record(frozen=True)
class Section:
    thread: int
    events: int  # bitmask of the section's events, its lock and unlock included
    loc: str | None  # the srcu_struct of an SRCU section; None for RCU


def sections(x: Execution) -> list[Section]:
    """The outermost RCU sections and the SRCU sections of every thread."""
    out: list[Section] = []
    by_thread: dict[int, list[int]] = {}
    for i, ev in enumerate(x.events):
        if ev.thread >= 0:
            by_thread.setdefault(ev.thread, []).append(i)
    for thread, ids in by_thread.items():
        depth, start = 0, None
        for k, i in enumerate(ids):
            tags = x.events[i].tags
            if "rcu-lock" in tags:
                depth += 1
                start = k if depth == 1 else start
            elif "rcu-unlock" in tags and depth:
                depth -= 1
                if depth == 0:
                    out.append(Section(thread, _span(ids[start:k + 1]), None))
        locks = {x.events[i].index: k for k, i in enumerate(ids)
                 if "srcu-lock" in x.events[i].tags}
        for k, i in enumerate(ids):
            ev = x.events[i]
            if "srcu-unlock" not in ev.tags:
                continue
            opened = [locks[j] for j in ev.data if j in locks]
            if len(opened) != 1:
                raise UnmatchedSrcu(ev.pos)
            out.append(Section(thread, _span(ids[opened[0]:k + 1]), ev.loc))
    return out


def _span(ids: list[int]) -> int:
    mask = 0
    for i in ids:
        mask |= 1 << i
    return mask


def respected(x: Execution, order: Rel) -> tuple[bool, Rel]:
    """Can each section be put wholly before or after each grace period, ``order`` acyclic?

    Returns the answer and, when it is no, ``order`` with the first choices tried (every
    section before every grace period), whose cycle an explanation can show.
    """
    n = x.n
    pairs: list[tuple[int, Section]] = []
    secs = sections(x)
    for g, ev in enumerate(x.events):
        if "sync-rcu" in ev.tags or "sync-srcu" in ev.tags:
            loc = ev.loc if "sync-srcu" in ev.tags else None
            pairs += [(g, s) for s in secs if s.thread != ev.thread and s.loc == loc]
    if not pairs:
        return True, order
    gps = 0
    for g, _ in pairs:
        gps |= 1 << g
    order = order | x.po.rng(gps) | x.po.dom(gps)  # a grace period is a full fence of its CPU
    first = order
    for g, s in pairs:
        first = first | Rel.product(s.events, 1 << g, n)

    def place(k: int, rel: Rel) -> bool:
        if not rel.is_acyclic():
            return False
        if k == len(pairs):
            return True
        g, s = pairs[k]
        return (place(k + 1, rel | Rel.product(s.events, 1 << g, n))
                or place(k + 1, rel | Rel.product(1 << g, s.events, n)))

    return place(0, order), first
