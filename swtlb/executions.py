"""Candidate executions: one trace per process, then the reads-from and coherence choices.

The search only ever builds candidates that are coherent per location (SC per variable) and
atomic, because every model here rejects the others; pruning them early is how the enumeration
stays small. Everything else is left to the model, which is the specification.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator

from .interpreter import (
    LOCK_TAGS,
    Event,
    Trace,
    _sort_key,
    compared_constants,
    thread_traces,
    value_domains,
)
from .litmus.ast import LitmusTest, Value
from .litmus.errors import BoundError, UnsupportedError
from .record import field, record
from .relations import Rel, bits


@record
class Limits:
    """Bounds that turn a runaway search into a clear message instead of a hang."""

    max_candidates: int = 1_000_000
    timeout: float | None = None


@record(eq=False)
class Execution:
    """One candidate execution, with the base sets and relations a cat model starts from."""

    events: list[Event]
    traces: list[Trace]
    po: Rel
    addr: Rel
    data: Rel
    ctrl: Rel
    rmw: Rel
    loc: Rel
    int: Rel
    ext: Rel
    rf: Rel  # value reads only; lock-family reads get theirs in lock.cat
    rf_lf: Rel  # failed trylock / spin_is_locked()==1 reads, chosen as lock.cat's `cross`
    rf_ru: Rel  # spin_is_locked()==0 reads
    co: Rel  # co0 + chosen order over writes and lock-writes (unlock events merged by lock.cat)
    final_mem: dict[str, Value]
    sets: dict[str, int] = field(default_factory=dict)
    last_writes: list[int] = field(default_factory=list)
    rf_lk: Rel | None = None  # what each lock read reads from (lock.cat derives it from co)
    memo: dict = field(default_factory=dict)  # shared by the executions of one skeleton

    def final_writes(self) -> list[int]:
        """The co-last write of each location (herd7's FW)."""
        return self.last_writes

    def complete(self) -> tuple[Rel, Rel, Rel]:
        """rf, co and rmw with the lock events merged in, as lock.cat does; for sc and tso."""
        n = self.n
        po_loc = self.po & self.loc
        LKR, LKW, UL = self.tagged("LKR"), self.tagged("LKW"), self.tagged("UL")
        lk_rmw = (Rel.ident(LKR, n) @ po_loc @ Rel.ident(LKW, n)) - (self.po @ self.po)
        critical = (Rel.ident(LKW, n) @ po_loc @ Rel.ident(UL, n)) - (
            po_loc @ Rel.ident(LKW | UL, n) @ po_loc)
        co = (self.co | critical | (critical.inv @ self.co)).plus
        rf = self.rf | self.rf_lf | self.rf_ru | (
            Rel.ident(self.tagged("IW") | UL, n) @ (co - (co @ co)) @ lk_rmw.inv)
        return rf, co, self.rmw | lk_rmw

    @property
    def n(self) -> int:
        return len(self.events)

    def tagged(self, *tags: str) -> int:
        mask = 0
        for t in tags:
            mask |= self.sets.get(t, 0)
        return mask

    def name(self, i: int) -> str:
        ev = self.events[i]
        if ev.thread < 0:
            return f"init:{ev.loc}"
        return f"P{ev.thread}:{ev.index}"

    def describe(self, i: int) -> str:
        ev = self.events[i]
        return f"{self.name(i)} {ev.label()}"


SHARED_SHAPES = 4096  # shapes of skeleton whose derived relations and memo are kept for reuse


class Skeleton:
    """The events of one choice of traces, with everything that does not depend on rf/co."""

    def __init__(self, test: LitmusTest, traces: list[Trace], locations: list[str],
                 shapes: dict | None = None):
        self.test = test
        self.traces = traces
        events: list[Event] = []
        for loc in locations:
            events.append(Event(-1, 0, "W", loc, test.init.get(loc, 0), frozenset({"IW"})))
        for tr in traces:
            for ev in tr.events:
                copy = object.__new__(Event)
                copy.__dict__.update(ev.__dict__)
                events.append(copy)
        for i, ev in enumerate(events):
            ev.eid = i
        self.events = events
        # the shape: everything below but the values; skeletons of one shape share it
        self.shape = (tuple(locations), tuple(tr.thread for tr in traces), tuple(
            (ev.thread, ev.index, ev.kind, ev.loc, ev.tags, ev.addr, ev.data, ev.ctrl,
             ev.rmw_read) for tr in traces for ev in tr.events))
        self.memo: dict = {}  # for models: what they derive from the skeleton alone
        if shapes is not None and self.shape in shapes:
            (self.n, self.sets, self.bylocation, self.po, self.addr, self.data, self.ctrl,
             self.rmw, self.loc, self.int, self.ext) = shapes[self.shape]
            return
        self._derive(traces, len(locations))
        if shapes is not None and len(shapes) < SHARED_SHAPES:
            shapes[self.shape] = (self.n, self.sets, self.bylocation, self.po, self.addr,
                                  self.data, self.ctrl, self.rmw, self.loc, self.int, self.ext)

    def _derive(self, traces: list[Trace], ninit: int) -> None:
        events = self.events
        base: dict[int, int] = {}
        at = ninit
        for tr in traces:
            base[tr.thread] = at
            at += len(tr.events)
        n = self.n = len(events)
        sets: dict[str, int] = {}
        for i, ev in enumerate(events):
            for key in ev.tags | {ev.kind}:
                sets[key] = sets.get(key, 0) | (1 << i)
        self.sets = sets
        po = [0] * n
        addr = [0] * n
        data = [0] * n
        ctrl = [0] * n
        rmw = [0] * n
        same_thread = [0] * n
        for tr in traces:
            b = base[tr.thread]
            k = len(tr.events)
            block = ((1 << k) - 1) << b
            for j, ev in enumerate(tr.events):
                same_thread[b + j] = block
                po[b + j] = block & ~((1 << (b + j + 1)) - 1)
                for src in ev.addr:
                    addr[b + src] |= 1 << (b + j)
                for src in ev.data:
                    data[b + src] |= 1 << (b + j)
                for src in ev.ctrl:
                    ctrl[b + src] |= 1 << (b + j)
                if ev.rmw_read is not None:
                    rmw[b + ev.rmw_read] |= 1 << (b + j)
        for i, ev in enumerate(events):
            if ev.thread < 0:
                same_thread[i] = 1 << i
        full = (1 << n) - 1
        bylocation: dict[str, int] = {}
        for i, ev in enumerate(events):
            if ev.loc is not None:
                bylocation[ev.loc] = bylocation.get(ev.loc, 0) | (1 << i)
        self.bylocation = bylocation
        self.po = Rel(po, n)
        self.addr = Rel(addr, n)
        self.data = Rel(data, n)
        self.ctrl = Rel(ctrl, n)
        self.rmw = Rel(rmw, n)
        self.loc = Rel((bylocation.get(ev.loc, 0) if ev.loc is not None else 0 for ev in events), n)
        self.int = Rel(same_thread, n)
        self.ext = Rel((full & ~row for row in same_thread), n)


# ---- per-location choices ----------------------------------------------------------------------
@record
class LocChoice:
    rf: list[tuple[int, int]]  # (write, read) for value reads
    rf_lf: list[tuple[int, int]]
    rf_ru: list[tuple[int, int]]
    rf_lk: list[tuple[int, int]]  # lock reads, each from its lock-write's co predecessor
    co: list[int]  # total order of the location's writes, init first (lock unlocks included)
    co_pairs: list[tuple[int, int]]  # co0-level order handed to the model (no unlock events)
    co_all: list[tuple[int, int]] | None = None  # its transitive closure, once computed


def _interleavings(seqs: list[list[int]]) -> Iterator[list[int]]:
    """Every merge of the sequences that keeps each one's own order (coherence of po writes)."""
    seqs = [s for s in seqs if s]
    if not seqs:
        yield []
        return
    total = sum(len(s) for s in seqs)
    idx = [0] * len(seqs)
    out: list[int] = []

    def rec() -> Iterator[list[int]]:
        if len(out) == total:
            yield list(out)
            return
        for k, s in enumerate(seqs):
            if idx[k] < len(s):
                out.append(s[idx[k]])
                idx[k] += 1
                yield from rec()
                idx[k] -= 1
                out.pop()

    yield from rec()


def _value_location(sk: Skeleton, loc: str, tick: Callable[[], None]) -> Iterator[LocChoice]:
    events = sk.events
    members = [i for i in range(sk.n) if events[i].loc == loc and events[i].kind in "RW"]
    init = [i for i in members if events[i].thread < 0]
    writes_by_thread: dict[int, list[int]] = {}
    reads: list[int] = []
    for i in members:
        ev = events[i]
        if ev.thread < 0:
            continue
        if ev.kind == "W":
            writes_by_thread.setdefault(ev.thread, []).append(i)
        else:
            reads.append(i)
    rmw_pairs = [(r, w) for r in reads for w in members if sk.rmw.rows[r] >> w & 1]
    for order in _interleavings(list(writes_by_thread.values())):
        tick()
        co = init + order
        pos = {w: k for k, w in enumerate(co)}
        # per read: the coherent window of sources, from program order on this location
        rf: dict[int, int] = {}

        def assign(k: int, co=co, pos=pos, rf=rf) -> Iterator[None]:
            if k == len(reads):
                yield None
                return
            r = reads[k]
            ev = events[r]
            lo, hi = 0, len(co)
            for j in members:
                o = events[j]
                if o.thread != ev.thread or j == r:
                    continue
                if o.index < ev.index:
                    if o.kind == "W":
                        lo = max(lo, pos[j])  # CoWR
                    elif j in rf:
                        lo = max(lo, pos[rf[j]])  # CoRR
                elif o.kind == "W":
                    hi = min(hi, pos[j])  # CoRW
                elif j in rf:
                    hi = min(hi, pos[rf[j]] + 1)  # CoRR, the other way
            for p in range(lo, hi):
                w = co[p]
                if events[w].value == ev.value:
                    rf[r] = w
                    yield from assign(k + 1, co, pos, rf)
                    del rf[r]

        reads.sort(key=lambda i: (events[i].thread, events[i].index))
        for _ in assign(0):
            ok = True
            for r, w in rmw_pairs:  # atomicity: no external write between source and rmw write
                src = pos[rf[r]]
                for p in range(src + 1, pos[w]):
                    if events[co[p]].thread != events[r].thread:
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                yield LocChoice([(w, r) for r, w in rf.items()], [], [], [], co,
                                list(zip(co, co[1:])))


def _lock_location(sk: Skeleton, loc: str, tick: Callable[[], None]) -> Iterator[LocChoice]:
    events = sk.events
    members = [i for i in range(sk.n) if events[i].loc == loc and events[i].kind in "RW"]
    tag = {i: next(iter(events[i].tags & (LOCK_TAGS | {"IW"})), None) for i in members}
    if any(tag[i] is None for i in members):
        raise UnsupportedError(f"'{loc}' is used both as a spinlock and as ordinary memory",
                               sk.test.file, *events[members[-1]].pos)
    init = [i for i in members if tag[i] == "IW"]
    # critical sections: each LKW to the next UL of its thread on this lock
    unlock_of: dict[int, int] = {}
    by_thread: dict[int, list[int]] = {}
    for i in members:
        if events[i].thread >= 0:
            by_thread.setdefault(events[i].thread, []).append(i)
    for seq in by_thread.values():
        for k, i in enumerate(seq):
            if tag[i] == "LKW":
                for j in seq[k + 1:]:
                    if tag[j] in ("LKW", "UL"):
                        if tag[j] == "UL":
                            unlock_of[i] = j
                        break
    lkw_seqs = [[i for i in seq if tag[i] == "LKW" and i in unlock_of]
                for seq in by_thread.values()]
    unmatched = [i for i in members if tag[i] == "LKW" and i not in unlock_of]
    if len(unmatched) > 1:
        return  # two CPUs hold the lock forever: lock.cat's unmatched-locks axiom, deadlock
    lkr_of = {w: r for seq in by_thread.values() for r, w in zip(seq, seq[1:])
              if tag[r] == "LKR" and tag[w] == "LKW"}
    fails = [i for i in members if tag[i] in ("LF", "RL")]
    unlockeds = [i for i in members if tag[i] == "RU"]
    ul_all = [i for i in members if tag[i] == "UL"]  # an unmatched one gets no co edge
    for order in _interleavings(lkw_seqs):
        tick()
        lkws = order + unmatched
        co: list[int] = list(init)
        for w in lkws:
            co.append(w)
            if w in unlock_of:
                co.append(unlock_of[w])
        pos = {w: k for k, w in enumerate(co)}
        lk_rf = [(co[pos[w] - 1], lkr_of[w]) for w in lkws]
        options: list[list[tuple[int, int, str]]] = []
        for e in fails:
            own = [w for w in by_thread[events[e].thread]
                   if tag[w] == "LKW" and events[w].index < events[e].index
                   and (w not in unlock_of or events[unlock_of[w]].index > events[e].index)]
            if own:
                options.append([(own[-1], e, "lf")])
            else:
                options.append([(w, e, "lf") for w in lkws if events[w].thread != events[e].thread])
        for e in unlockeds:
            th = events[e].thread
            prev = [u for u in by_thread[th]
                    if tag[u] == "UL" and events[u].index < events[e].index]
            cands = [u for u in init + ul_all if events[u].thread != th]
            options.append(([(prev[-1], e, "ru")] if prev else []) + [(u, e, "ru") for u in cands])
        for pick in itertools.product(*options):
            tick()
            rf_all = lk_rf + [(w, r) for w, r, _ in pick]
            if _coherent(events, members, co, rf_all):
                yield LocChoice([], [(w, r) for w, r, k in pick if k == "lf"],
                                [(w, r) for w, r, k in pick if k == "ru"], lk_rf, co,
                                list(zip(init + lkws, (init + lkws)[1:])))


def _coherent(events: list[Event], members: list[int], co: list[int],
              rf: list[tuple[int, int]]) -> bool:
    """acyclic (po-loc | rf | co | fr) on one location, computed directly."""
    idx = {e: k for k, e in enumerate(members)}
    n = len(members)
    rows = [0] * n
    for a in members:
        for b in members:
            ea, eb = events[a], events[b]
            if ea.thread == eb.thread and ea.thread >= 0 and ea.index < eb.index:
                rows[idx[a]] |= 1 << idx[b]
    pos = {w: k for k, w in enumerate(co)}
    for k, w in enumerate(co):
        for w2 in co[k + 1:]:
            rows[idx[w]] |= 1 << idx[w2]
    for w, r in rf:
        rows[idx[w]] |= 1 << idx[r]
        for w2 in co[pos[w] + 1:] if w in pos else ():  # an unmatched unlock is in no co
            rows[idx[r]] |= 1 << idx[w2]
    return Rel(rows, n).is_acyclic()


# ---- the whole enumeration ---------------------------------------------------------------------
def _feasible_prefix(chosen: list[Trace], rest_values: list[dict[str, set]], k: int,
                     init: dict[str, Value]) -> bool:
    """Can every value read so far still be written by someone (chosen, later, or init)?"""
    written: dict[str, set] = {}
    for tr in chosen:
        for ev in tr.events:
            if ev.kind == "W" and not ev.tags & LOCK_TAGS:
                written.setdefault(ev.loc, set()).add(ev.value)
    later = rest_values[k]
    for tr in chosen:
        for ev in tr.events:
            if ev.kind == "R" and not ev.tags & LOCK_TAGS:
                v = ev.value
                if v == init.get(ev.loc, 0) or v in written.get(ev.loc, ()) or v in later.get(
                        ev.loc, ()):
                    continue
                return False
    return True


def _out_of_time(test: LitmusTest, limits: Limits | None, start: float) -> None:
    if limits is not None and limits.timeout is not None and \
            time.monotonic() - start > limits.timeout:
        raise BoundError(f"timeout after {limits.timeout:g} s", test.file, 1, 1)


def skeletons(test: LitmusTest, traces: list[list[Trace]] | None = None,
              limits: Limits | None = None, start: float = 0.0,
              prefix_ok: Callable[[list[Trace], list[list[Trace]]], bool] | None = None,
              ) -> Iterator[Skeleton]:
    """Every combination of one trace per process whose read values could all be justified.
    With ``limits``, the search itself (not only the candidates) honours the timeout.
    ``prefix_ok(chosen, traces)`` may cut a prefix of traces (processes 0..k) none of whose
    completions matters to the caller."""
    if traces is None:
        traces = _traces(test, limits, start)
    nthreads = len(traces)
    # rest_values[k]: values that processes k.. can write, per location
    rest_values: list[dict[str, set]] = [dict() for _ in range(nthreads + 1)]
    for k in range(nthreads - 1, -1, -1):
        acc = {loc: set(vs) for loc, vs in rest_values[k + 1].items()}
        for tr in traces[k]:
            for ev in tr.events:
                if ev.kind == "W" and not ev.tags & LOCK_TAGS:
                    acc.setdefault(ev.loc, set()).add(ev.value)
        rest_values[k] = acc
    chosen: list[Trace] = []
    shapes: dict = {}

    def rec(k: int) -> Iterator[list[Trace]]:
        if k == nthreads:
            yield list(chosen)
            return
        for tr in traces[k]:
            _out_of_time(test, limits, start)
            chosen.append(tr)
            if _feasible_prefix(chosen, rest_values, k + 1, test.init) and (
                    prefix_ok is None or prefix_ok(chosen, traces)):
                yield from rec(k + 1)
            chosen.pop()

    for combo in rec(0):
        locs: list[str] = []
        for tr in combo:
            for ev in tr.events:
                if ev.loc is not None and ev.loc not in locs:
                    locs.append(ev.loc)
        yield Skeleton(test, combo, sorted(locs), shapes)


def _traces(test: LitmusTest, limits: Limits | None = None, start: float = 0.0,
            ) -> list[list[Trace]]:
    """Traces over value domains that cover every value a candidate execution can read.

    First a cheap over-approximation (any value any write could store); when arithmetic makes
    that grow without end (counters), the least fixpoint of values written by combinations of
    traces whose every read value some write supplies; and when that grows too, the
    over-approximation cut at as many rounds as there are writes.
    """
    try:
        return value_domains(test, max_rounds=6, max_values=24)[1]
    except BoundError:
        pass
    compared = compared_constants(test)  # what herd7 can solve a copy cycle to
    domains: dict[str, list[Value]] = {loc: sorted({v} | compared, key=_sort_key)
                                       for loc, v in test.init.items()}
    for t in test.threads:
        for p in t.params:
            domains.setdefault(p, sorted({0} | compared, key=_sort_key))
    for _ in range(16):
        traces = [thread_traces(test, t, domains) for t in test.threads]
        seen = {loc: set(vs) for loc, vs in domains.items()}
        for sk in skeletons(test, traces, limits, start):  # every read value is written
            for ev in sk.events:
                if ev.kind == "W" and not ev.tags & LOCK_TAGS:
                    seen.setdefault(ev.loc, set()).add(ev.value)
        grown = {loc: sorted(vs, key=_sort_key) for loc, vs in seen.items()}
        if grown == domains:
            return traces
        domains = grown
    return value_domains(test, max_rounds=64, max_values=64, settle=False)[1]


CACHED_CHOICES = 4096  # per location and skeleton; past that, its choices are made again


def _lazy_product(sources: list[Callable[[], Iterator[LocChoice]]]) -> Iterator[tuple]:
    """The product of every location's choices, without holding more than CACHED_CHOICES of
    any one: the first location is walked once, a later one is kept if it is small (it is
    walked once per choice before it) and enumerated afresh each time if not, so that the
    candidate bound and the timeout stop a search before its memory grows."""
    if not sources:
        yield ()
        return
    cached: list[list[LocChoice] | None] = [None]
    for make in sources[1:]:
        kept = list(itertools.islice(make(), CACHED_CHOICES + 1))
        if not kept:
            return  # a location no coherent choice exists for: the skeleton has no execution
        cached.append(kept if len(kept) <= CACHED_CHOICES else None)

    def walk(i: int) -> Iterator[tuple]:
        if i == len(sources):
            yield ()
            return
        for choice in cached[i] if cached[i] is not None else sources[i]():
            for rest in walk(i + 1):
                yield (choice, *rest)

    yield from walk(0)


def executions(test: LitmusTest, limits: Limits | None = None,
               traces: list[list[Trace]] | None = None,
               keep: Callable[[Skeleton], bool] | None = None,
               prefix_ok: Callable[[list[Trace], list[list[Trace]]], bool] | None = None,
               ) -> Iterator[Execution]:
    """Every candidate execution that is coherent per location and atomic. ``keep`` lets a
    caller skip a whole skeleton (no rf/co choices made) when none of its executions matter;
    ``prefix_ok`` does the same for every skeleton that extends a prefix of traces."""
    limits = limits or Limits()
    start = time.monotonic()
    produced = 0
    ticks = 0
    memos: dict[tuple, dict] = {}  # one memo per shape of skeleton (events, po, dependencies)
    # a location's choices depend on the skeleton's shape and the values of that location's
    # events alone: skeletons that differ elsewhere share them (small ones, up to a budget)
    by_loc: dict[tuple, list[LocChoice]] = {}
    budget = [CACHED_CHOICES * 16]

    def cached(f: Callable, sk: Skeleton, loc: str, key: tuple) -> Iterator[LocChoice]:
        got = by_loc.get(key)
        if got is not None:
            yield from got
            return
        kept: list[LocChoice] | None = [] if budget[0] > 0 else None
        for c in f(sk, loc, tick):
            if kept is not None:
                kept.append(c)
                if len(kept) > CACHED_CHOICES:
                    kept = None
            yield c
        if kept is not None:
            by_loc[key] = kept
            budget[0] -= len(kept) + 1

    def tick() -> None:  # the clock, looked at while coherence orders are only being tried
        nonlocal ticks
        ticks += 1
        if ticks % 256 == 0:
            _out_of_time(test, limits, start)

    for sk in skeletons(test, traces, limits, start, prefix_ok):
        if keep is not None and not keep(sk):
            continue
        if len(memos) < SHARED_SHAPES or sk.shape in memos:
            sk.memo = memos.setdefault(sk.shape, sk.memo)
        sources: list[Callable[[], Iterator[LocChoice]]] = []
        for loc in sorted(sk.bylocation):
            mask = sk.bylocation[loc]
            is_lock = any(sk.events[i].tags & LOCK_TAGS for i in bits(mask))
            enumerate_loc = _lock_location if is_lock else _value_location
            key = (sk.shape, loc, tuple(sk.events[i].value for i in bits(mask)))
            sources.append(lambda f=enumerate_loc, loc=loc, sk=sk, key=key:
                           cached(f, sk, loc, key))
        n = sk.n
        for combo in _lazy_product(sources):
            produced += 1
            if produced > limits.max_candidates:
                raise BoundError(f"more than {limits.max_candidates} candidate executions; raise "
                                 "the bound (--max-candidates) to go on", test.file, 1, 1)
            if limits.timeout is not None and produced % 256 == 0 and \
                    time.monotonic() - start > limits.timeout:
                raise BoundError(f"timeout after {limits.timeout:g} s", test.file, 1, 1)
            rf: list[tuple[int, int]] = []
            rf_lf: list[tuple[int, int]] = []
            rf_ru: list[tuple[int, int]] = []
            rf_lk: list[tuple[int, int]] = []
            co: list[tuple[int, int]] = []
            final: dict[str, Value] = {}
            last_writes: list[int] = []
            for c in combo:
                rf.extend(c.rf)
                rf_lf.extend(c.rf_lf)
                rf_ru.extend(c.rf_ru)
                rf_lk.extend(c.rf_lk)
                pairs = c.co_all
                if pairs is None:  # every pair of the order, once per choice
                    order = [w for w, _ in c.co_pairs] + [c.co_pairs[-1][1]] \
                        if c.co_pairs else []
                    pairs = c.co_all = [(a, b) for a_i, a in enumerate(order)
                                        for b in order[a_i + 1:]]
                co.extend(pairs)
                last = sk.events[c.co[-1]]
                final[last.loc] = last.value
                last_writes.append(c.co[-1])
            yield Execution(sk.events, sk.traces, sk.po, sk.addr, sk.data, sk.ctrl, sk.rmw,
                            sk.loc, sk.int, sk.ext, Rel.from_pairs(rf, n),
                            Rel.from_pairs(rf_lf, n), Rel.from_pairs(rf_ru, n),
                            Rel.from_pairs(co, n), final, sk.sets, last_writes,
                            Rel.from_pairs(rf_lk, n), sk.memo)
