"""The Linux-kernel memory model, as ``linux-kernel.bell``, ``lock.cat`` and ``linux-kernel.cat``.

Read this beside the three files: each ``let`` there is one assignment here, with the same name
(``-`` spelt ``_``), in the same order, with what it means in a comment. Relations are
``Rel`` (``|`` union, ``&`` intersection, ``-`` difference, ``@`` sequence, ``.inv``, ``.plus``,
``.star``, ``.opt``); sets are bitmasks; ``I(S)`` is ``[S]``. Candidate generation (``with ... from``
and ``cos-opt.cat``) is done by ``swtlb.executions``; this module only judges.
"""

from __future__ import annotations

from ..executions import Execution
from ..relations import Rel
from .base import Verdict, reject


def _hb_floor(x: Execution) -> tuple[int, Rel, dict[str, Rel]] | None:
    """What every execution of this skeleton has in hb whatever its rf and co, restricted to
    Marked events: the plain dependencies and the fences of ``ppo`` (lock.cat's Acquire and
    Release included). None when a lock axiom, checked before hb, rejects the skeleton."""
    n = x.n
    po, loc, S = x.po, x.loc, x.tagged
    lock_events = S("LKR", "LKW", "UL", "LF", "RL", "RU")
    R, W = S("R"), S("W") & ~S("UL")
    M = R | W | S("UL")
    po_loc = po & loc
    between_ul = po_loc @ Rel.ident(S("UL"), n) @ po_loc
    LKW = Rel.ident(S("LKW"), n)
    if not ((LKW @ po_loc).rng(S("LKR") | S("RU")) - between_ul).is_empty():
        return None  # lock-nest or nested-is-locked
    critical = (LKW @ po_loc).rng(S("UL")) - (po_loc @ Rel.ident(S("LKW", "UL"), n) @ po_loc)
    unmatched = S("LKW") & ~critical.domain()
    if not ((loc.dom(unmatched).rng(unmatched)) - Rel.ident(unmatched, n)).is_empty():
        return None  # unmatched-locks
    rmw = x.rmw.domain() | x.rmw.range()
    failed = S("rmw") & ~rmw
    acquire = (S("acquire") & ~W & ~failed) | S("LKR")
    release = (S("release") & ~R & ~failed) | S("UL")
    mb = (S("mb") & ~failed) | S("F") & S("mb")

    def fencerel(tags: int) -> Rel:
        return po @ Rel.ident(tags, n) @ po

    R4rmb = R & ~S("noreturn")
    reasons = {"acq-po": po.dom(acquire), "po-rel": po.rng(release),
               "mb": fencerel(S("F") & S("mb")) | po.rng(mb & R) | po.dom(mb & W),
               "rmb": fencerel(S("rmb")).dom(R4rmb).rng(R4rmb),
               "wmb": fencerel(S("wmb")).dom(W).rng(W),
               "addr": x.addr, "data": x.data.rng(W), "ctrl": x.ctrl.rng(W)}
    fences = (reasons["acq-po"] | reasons["po-rel"] | reasons["mb"] | reasons["rmb"]
              | reasons["wmb"]).dom(M).rng(M)
    deps = ((x.addr | x.data | x.ctrl).rng(W) | x.addr.rng(R))
    marked = (S("IW", "once", "release", "acquire", "mb", "rmw", "srcu-lock", "srcu-unlock")
              | lock_events | (((1 << n) - 1) & ~(R | W | S("UL"))))
    return marked, (fences | deps).dom(marked).rng(marked), reasons


def check(x: Execution, observed: frozenset[str] = frozenset()) -> Verdict:
    # A shortcut, not in the cat files: hb (below) contains the part of ppo that rf and co do
    # not change and rfe, so a cycle there is an hb cycle; the earlier axioms hold (coherence
    # and atomicity by construction, the lock ones are checked once per skeleton).
    if x.rf_lk is not None:
        if "lkmm-hb-floor" not in x.memo:
            x.memo["lkmm-hb-floor"] = _hb_floor(x)
        floor = x.memo["lkmm-hb-floor"]
        if floor is not None:
            marked, hb0, reasons = floor
            rfe = (x.rf | x.rf_lf | x.rf_ru | x.rf_lk) & x.ext
            early = hb0 | rfe.dom(marked).rng(marked)
            if not early.is_acyclic():
                return reject("happens-before", "acyclic", early, reasons, ppo=hb0, rfe=rfe)
    n = x.n
    ALL = (1 << n) - 1

    def I(s: int) -> Rel:  # noqa: E743 - cat's [S]
        return Rel.ident(s, n)

    def fencerel(s: int) -> Rel:
        return po @ I(s) @ po

    po, loc, int_, ext = x.po, x.loc, x.int, x.ext
    po_loc = po & loc
    ident = I(ALL)
    S = x.tagged
    R, W, IW = S("R") & ~S("LKR", "LF", "RL", "RU"), S("W") & ~S("LKW", "UL"), S("IW")
    M = R | W
    LKR, LKW, UL, LF, RL, RU = S("LKR"), S("LKW"), S("UL"), S("LF"), S("RL"), S("RU")
    # the bell's one 'MB tag marks smp_mb()'s fence and the accesses of a full-barrier RMW alike
    ONCE, RELEASE, ACQUIRE, NORETURN, MB, RMW = (S("once"), S("release"), S("acquire"),
                                                 S("noreturn"), S("mb"), S("rmw"))
    Rmb, Wmb, Barrier = S("rmb"), S("wmb"), S("barrier")
    Rcu_lock, Rcu_unlock, Sync_rcu = S("rcu-lock"), S("rcu-unlock"), S("sync-rcu")
    Before_atomic, After_atomic = S("before-atomic"), S("after-atomic")
    After_spinlock, After_unlock_lock = S("after-spinlock"), S("after-unlock-lock")
    After_srcu_read_unlock = S("after-srcu-read-unlock")
    rmw, addr, data, ctrl, rf = x.rmw, x.addr, x.data, x.ctrl, x.rf
    flags: set[str] = set()

    # ======================= linux-kernel.bell =================================================
    FailedRMW = RMW & ~(rmw.domain() | rmw.range())  # RMW events that did not write
    Acquire = ACQUIRE & ~W & ~FailedRMW  # acquire tags that really order (not on stores)
    Release = RELEASE & ~R & ~FailedRMW  # release tags that really order (not on loads)
    Mb = MB & ~FailedRMW  # smp_mb() fences, and full-barrier RMW events that succeeded
    Noreturn = NORETURN & ~W  # the read of a non-value-returning RMW
    Srcu_lock, Srcu_unlock, Sync_srcu = S("srcu-lock"), S("srcu-unlock"), S("sync-srcu")
    Srcu = Srcu_lock | Srcu_unlock | Sync_srcu  # noqa: F841 - all SRCU events (unused, as in the cat)
    # rcu-rscs: match each rcu_read_unlock() with its rcu_read_lock(), innermost first
    matched = Rel.empty(n)
    while True:
        unmatched_locks = Rcu_lock & ~matched.domain()
        unmatched_unlocks = Rcu_unlock & ~matched.range()
        unmatched = unmatched_locks | unmatched_unlocks
        unmatched_po = I(unmatched) @ po @ I(unmatched)
        unmatched_locks_to_unlocks = I(unmatched_locks) @ po @ I(unmatched_unlocks)
        grown = matched | (unmatched_locks_to_unlocks - (unmatched_po @ unmatched_po))
        if grown == matched:
            break
        matched = grown
    rcu_rscs = matched  # pairs (rcu_read_lock, matching rcu_read_unlock)
    if Rcu_lock & ~rcu_rscs.domain():
        flags.add("unmatched-rcu-lock")
    if Rcu_unlock & ~rcu_rscs.range():
        flags.add("unmatched-rcu-unlock")
    carry_srcu_data = (data @ I(ALL & ~Srcu_unlock) @ rf).star  # srcu index passed on via memory
    srcu_rscs = (I(Srcu_lock) @ carry_srcu_data @ data @ I(Srcu_unlock)) & loc  # SRCU sections
    if Srcu_lock & ~srcu_rscs.domain():
        flags.add("unmatched-srcu-lock")
    if Srcu_unlock & ~srcu_rscs.range():
        flags.add("unmatched-srcu-unlock")
    if not ((srcu_rscs.inv @ srcu_rscs) - ident).is_empty():
        flags.add("multiple-srcu-matches")
    if not (rcu_rscs & (po @ I(Sync_srcu) @ po)).is_empty():
        flags.add("invalid-sleep")
    if any(x.events[a].value != x.events[b].value for a, b in srcu_rscs.pairs()):
        flags.add("srcu-bad-value-match")
    Marked = (ALL & ~(M | LKR | LKW | UL | LF | RL | RU)) | IW | ONCE | RELEASE | ACQUIRE | MB | \
        RMW | LKR | LKW | UL | LF | RL | RU | Srcu_lock | Srcu_unlock  # annotated accesses
    Plain = M & ~Marked  # plain C accesses
    rfi_base = rf & int_
    carry_dep = (data @ I(ALL & ~Srcu_unlock) @ rfi_base).star  # deps through plain memory
    addr = carry_dep @ addr  # address dependencies, through memory too
    ctrl = carry_dep @ ctrl  # control dependencies, through memory too
    data = carry_dep @ data  # data dependencies, through memory too

    # ======================= lock.cat ==========================================================
    LF = LF | RL  # spin_is_locked() == true behaves like a failed trylock
    ALL_LOCKS = LKR | LKW | UL | LF | RU | Srcu_lock | Srcu_unlock | Sync_srcu
    if not (I(M & ~IW & ~ALL_LOCKS) @ loc @ I(ALL_LOCKS)).is_empty():
        flags.add("mixed-lock-accesses")
    lk_rmw = (I(LKR) @ po_loc @ I(LKW)) - (po @ po)  # spin_lock()'s read and write
    rmw = rmw | lk_rmw
    if LKW & ~lk_rmw.range():
        flags.add("unpaired-LKW")
    if LKR & ~lk_rmw.domain():
        flags.add("unpaired-LKR")
    lock_nest = (I(LKW) @ po_loc @ I(LKR)) - (po_loc @ I(UL) @ po_loc)  # relock: deadlock
    if not lock_nest.is_empty():
        return reject("lock-nest", "empty", lock_nest)
    nested_is_locked = (I(LKW) @ po_loc @ I(RU)) - (po_loc @ I(UL) @ po_loc)
    if not nested_is_locked.is_empty():
        return reject("nested-is-locked", "empty", nested_is_locked)
    FW = 0  # final writes of locations the condition looks at
    for w in x.final_writes():
        if x.events[w].loc in observed:
            FW |= 1 << w
    if not (I(FW) @ loc @ I(ALL_LOCKS)).is_empty():
        flags.add("lock-final")
    R = R | LKR | LF | RU
    W = W | LKW
    Release = Release | UL
    Acquire = Acquire | LKR
    critical = (I(LKW) @ po_loc @ I(UL)) - (po_loc @ I(LKW | UL) @ po_loc)  # lock..unlock
    if UL & ~critical.range():
        flags.add("unmatched-unlock")
    UNMATCHED_LKW = LKW & ~critical.domain()  # a lock never released
    unmatched_locks = (I(UNMATCHED_LKW) @ loc @ I(UNMATCHED_LKW)) - ident
    if not unmatched_locks.is_empty():
        return reject("unmatched-locks", "empty", unmatched_locks)
    rf = rf | x.rf_lf | x.rf_ru  # rf-lf and rf-ru were chosen by the enumeration (cross)
    co = x.co  # co0 and cos-opt.cat: the enumeration's order, init first, held locks last
    W = W | UL
    M = R | W
    co = (co | critical | (critical.inv @ co)).plus  # each unlock right after its lock
    coe = co & ext
    rf = rf | (I(IW | UL) @ (co - (co @ co)) @ lk_rmw.inv)  # a lock reads the previous unlock
    rfe = rf & ext
    rfi = rf & int_
    fr = rf.inv @ co  # from-reads: a read before a write it did not see
    fre = fr & ext

    # ======================= linux-kernel.cat ==================================================
    # -- Basic relations
    acq_po = I(Acquire) @ po @ I(M)  # after an acquire
    po_rel = I(M) @ po @ I(Release)  # before a release
    po_unlock_lock_po = po @ I(UL) @ (po | rf) @ I(LKR) @ po  # across a lock handover
    R4rmb = R & ~Noreturn  # reads that smp_rmb() orders
    rmb = I(R4rmb) @ fencerel(Rmb) @ I(R4rmb)  # smp_rmb(): read-read
    wmb = I(W) @ fencerel(Wmb) @ I(W)  # smp_wmb(): write-write
    mb = ((I(M) @ fencerel(Mb) @ I(M))  # smp_mb() and its relatives: everything
          | (I(M) @ po @ I(Mb & R))
          | (I(Mb & W) @ po @ I(M))
          | (I(M) @ fencerel(Before_atomic) @ I(RMW) @ po.opt @ I(M))
          | (I(M) @ po.opt @ I(RMW) @ fencerel(After_atomic) @ I(M))
          | (I(M) @ po.opt @ I(LKW) @ fencerel(After_spinlock) @ I(M))
          | (I(M) @ po_unlock_lock_po @ I(After_unlock_lock) @ po @ I(M))
          | (I(M) @ po.opt @ I(Srcu_unlock) @ fencerel(After_srcu_read_unlock) @ I(M)))
    gp = po @ I(Sync_rcu | Sync_srcu) @ po.opt  # grace periods
    strong_fence = mb | gp  # orders everything, cumulatively
    nonrw_fence = strong_fence | po_rel | acq_po
    fence = nonrw_fence | wmb | rmb
    barrier = (fencerel(Barrier | Rmb | Wmb | Mb | Sync_rcu | Sync_srcu | Before_atomic
                        | After_atomic | Acquire | Release | Rcu_lock | Rcu_unlock | Srcu_lock
                        | Srcu_unlock)
               | (po @ I(Release)) | (I(Acquire) @ po))  # what the compiler may not reorder

    # -- Fundamental coherence ordering
    com = rf | co | fr  # communication
    coherence = po_loc | com  # sequential consistency per variable
    if not coherence.is_acyclic():
        return reject("coherence", "acyclic", coherence, **{"po-loc": po_loc, "rf": rf,
                                                           "co": co, "fr": fr})
    atomic = rmw & (fre @ coe)  # nothing slips into a read-modify-write
    if not atomic.is_empty():
        return reject("atomic", "empty", atomic, rmw=rmw)

    # -- Instruction execution ordering
    dep = addr | data
    rwdep = (dep | ctrl) @ I(W)
    overwrite = co | fr
    to_w = rwdep | (overwrite & int_) | (addr @ I(Plain) @ wmb)  # what must precede a write
    to_r = (addr @ I(R)) | (dep @ I(Marked) @ rfi)  # what must precede a read
    ppo = to_r | to_w | (fence & int_) | (po_unlock_lock_po & int_)  # preserved program order

    # -- Propagation: ordering from release operations and strong fences
    def A_cumul(r: Rel) -> Rel:
        return (rfe @ I(Marked)).opt @ r

    rmw_sequence = (rf @ rmw).star
    cumul_fence = I(Marked) @ (A_cumul(strong_fence | po_rel) | wmb | po_unlock_lock_po) @ \
        I(Marked) @ rmw_sequence  # fences that order propagation of writes
    prop = I(Marked) @ (overwrite & ext).opt @ cumul_fence.star @ I(Marked) @ rfe.opt @ \
        I(Marked)  # one write propagates before another event
    hb = I(Marked) @ (ppo | rfe | ((prop - ident) & int_)) @ I(Marked)  # happens-before
    if not hb.is_acyclic():
        reasons = {"acq-po": acq_po, "po-rel": po_rel, "mb": mb, "gp": gp, "rmb": rmb,
                   "wmb": wmb, "po-unlock-lock-po": po_unlock_lock_po, "addr": addr,
                   "data": data, "ctrl": ctrl, "overwrite": overwrite & int_}
        return reject("happens-before", "acyclic", hb, reasons, ppo=ppo, rfe=rfe, prop=prop)

    # -- Write and fence propagation ordering
    hb_star = hb.star
    pb = prop @ strong_fence @ hb_star @ I(Marked)  # propagates-before
    if not pb.is_acyclic():
        # no parts: each edge of the cycle is a whole pb step (prop, then a strong fence, then
        # hb*), named pb; a part that happens to hold the same pair would misname it
        return reject("propagation", "acyclic", pb)

    # -- RCU
    rcu_gp = I(Sync_rcu)
    srcu_gp = I(Sync_srcu)
    rcu_rscsi = rcu_rscs.inv
    srcu_rscsi = srcu_rscs.inv
    rcu_fence = Rel.empty(n)
    rb = Rel.empty(n)
    pb_star = pb.star
    if Sync_rcu | Sync_srcu:  # with no grace period, rcu-order is empty and so is rb
        rcu_link = po.opt @ hb_star @ pb_star @ prop @ po  # links critical sections and gps
        rcu_order = rcu_gp | srcu_gp
        while True:  # let rec: grace periods at least as many as critical sections
            grown = (rcu_gp | srcu_gp
                     | (rcu_gp @ rcu_link @ rcu_rscsi)
                     | ((srcu_gp @ rcu_link @ srcu_rscsi) & loc)
                     | (rcu_rscsi @ rcu_link @ rcu_gp)
                     | ((srcu_rscsi @ rcu_link @ srcu_gp) & loc)
                     | (rcu_gp @ rcu_link @ rcu_order @ rcu_link @ rcu_rscsi)
                     | ((srcu_gp @ rcu_link @ rcu_order @ rcu_link @ srcu_rscsi) & loc)
                     | (rcu_rscsi @ rcu_link @ rcu_order @ rcu_link @ rcu_gp)
                     | ((srcu_rscsi @ rcu_link @ rcu_order @ rcu_link @ srcu_gp) & loc)
                     | (rcu_order @ rcu_link @ rcu_order))
            if grown == rcu_order:
                break
            rcu_order = grown
        rcu_fence = po @ rcu_order @ po.opt  # a grace period's ordering, seen from outside
        rb = prop @ rcu_fence @ hb_star @ pb_star @ I(Marked)  # rcu-before
    fence = fence | rcu_fence
    strong_fence = strong_fence | rcu_fence
    if not rb.is_irreflexive():
        return reject("rcu", "irreflexive", rb, prop=prop, **{"rcu-fence": rcu_fence})

    # -- Plain accesses and data races (all empty when the test has no plain access)
    if Plain:
        if not (I(Plain & W) @ (po_loc - barrier) @ I(Marked)
                | I(Marked) @ (po_loc - barrier) @ I(Plain & W)).is_empty():
            flags.add("mixed-accesses")
        xbstar = (hb | pb | rb).star  # executes-before
        vis = cumul_fence.star @ rfe.opt @ I(Marked) @ (
            (strong_fence @ I(Marked) @ xbstar) | (xbstar & int_))  # visible-to
        w_pre_bounded = I(Marked) @ (addr | fence).opt
        r_pre_bounded = I(Marked) @ (addr | nonrw_fence
                                     | (I(R4rmb) @ fencerel(Rmb) @ I(ALL & ~Noreturn))).opt
        w_post_bounded = fence.opt @ I(Marked) @ rmw_sequence
        r_post_bounded = (nonrw_fence | (I(ALL & ~Noreturn) @ fencerel(Rmb) @ I(R4rmb))).opt @ \
            I(Marked)
        ww_vis = fence | (strong_fence @ xbstar @ w_pre_bounded) | (
            w_post_bounded @ vis @ w_pre_bounded)
        wr_vis = fence | (strong_fence @ xbstar @ r_pre_bounded) | (
            w_post_bounded @ vis @ r_pre_bounded)
        rw_xbstar = fence | (r_post_bounded @ xbstar @ w_pre_bounded)
        pre_race = ext & (Rel.product(Plain, M, n) | Rel.product(M & ~IW, Plain, n))
        wr_incoh = pre_race & rf & rw_xbstar.inv
        rw_incoh = pre_race & fr & wr_vis.inv
        ww_incoh = pre_race & co & ww_vis.inv
        incoh = wr_incoh | rw_incoh | ww_incoh
        if not incoh.is_empty():
            return reject("plain-coherence", "empty", incoh)
        ww_nonrace = ww_vis & (Rel.product(Marked, W, n) | rw_xbstar) & (
            Rel.product(W, Marked, n) | wr_vis)
        ww_race = (pre_race & co) - ww_nonrace
        wr_race = (pre_race & (co.opt @ rf)) - wr_vis - rw_xbstar.inv
        rw_race = (pre_race & fr) - rw_xbstar
        if not (ww_race | wr_race | rw_race).is_empty():
            flags.add("data-race")
    return Verdict(True, flags=flags)
