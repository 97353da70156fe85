"""Every design of the thread as a litmus test with switchable barriers.

``scenario(variant, writer=..., reader=..., handoff=...)`` writes the herd7 C litmus test for
one design and one choice of barriers. The question it asks is always the thread's: can the
checking CPU hold ``paddr`` (it read the driver's hand-off) while ``is_swiotlb_buffer()`` says
no? Barrier choices:

* ``writer`` (mapping CPU, after publishing): none, smp_wmb, smp_mb, or release (the publishing
  store itself becomes ``smp_store_release``);
* ``reader`` (checking CPU, before its probe): none, smp_rmb, acquire (the probe load becomes
  ``smp_load_acquire``) or smp_mb;
* ``handoff`` (how the driver passes ``paddr``): plain C, once (WRITE_ONCE/READ_ONCE) or
  release (smp_store_release/smp_load_acquire).

``describe()`` says what each barrier orders on its own CPU, then a pairing line worked out from
the checker's verdicts (this choice and its neighbours), so the words never contradict the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from ..check import check
from ..litmus.ast import LitmusTest
from ..litmus.parser import parse

WRITERS = ("none", "smp_wmb", "smp_mb", "release")
READERS = ("none", "smp_rmb", "acquire", "smp_mb")
HANDOFFS = ("plain", "once", "release")


@dataclass(frozen=True)
class Variant:
    key: str
    title: str  # the design as posted, barriers included
    source: str  # where the design comes from (Message-ID or commit)
    as_proposed: dict[str, str]  # the barrier choice of the design as posted
    publishes: str  # what the mapping CPU publishes before handing out paddr
    probe: str  # what is_swiotlb_buffer() reads first
    design: str  # the design without its barriers: what a test with other barriers still is
    maps: str  # where a mapping gets its bounce buffer (the path that publishes)


_V2_MAPS = ("with swiotlb=dynamic, swiotlb_tbl_map_single() tries swiotlb_dyn_map() first: a "
            "bounce buffer allocated on its own and put on the device's list. Only if that "
            "fails does it fall back to the fixed pool, and it always fails for buffers "
            "smaller than a page (or with an alignment constraint), which keep using the "
            "fixed pool")  # v2 4/7 and 5/7 (2023-04-19), unchanged in the RESEND

VARIANTS: dict[str, Variant] = {
    "a": Variant("a", "per-device list searched under dma_io_tlb_dyn_lock on every call",
                 "PATCH v2 4/7, 2023-04-19", dict(writer="none", reader="none", handoff="once"),
                 "list_add() of the new slot, under the lock", "the list, under the lock",
                 "per-device list searched under dma_io_tlb_dyn_lock on every call", _V2_MAPS),
    "b": Variant("b", "flag dma_io_tlb_have_dyn: smp_store_release() after list_add(), "
                 "smp_load_acquire() in is_swiotlb_buffer()",
                 "PATCH v2 RESEND 7/7, 2023-05-09 (reviewed in ZGEuYxR2PM6wHeDh@arm.com)",
                 dict(writer="release", reader="acquire", handoff="once"),
                 "the flag, stored after list_add() inside the critical section",
                 "the flag, then the list under the lock",
                 "flag dma_io_tlb_have_dyn, set after list_add() and tested before the locked "
                 "walk", _V2_MAPS),
    "c": Variant("c", "no flag: lockless list_empty() probe, the lock only when non-empty",
                 "Catalin Marinas, ZGEuYxR2PM6wHeDh@arm.com and ZGJdtmP13pv06xDH@arm.com",
                 dict(writer="smp_wmb", reader="smp_rmb", handoff="once"),
                 "list_add() (a WRITE_ONCE of head->next), under the lock",
                 "list_empty() (a READ_ONCE of head->next), then the list under the lock",
                 "no flag: lockless list_empty() probe, the lock only when non-empty",
                 _V2_MAPS + " (Catalin's proposal changes only the lookup)"),
    "d": Variant("d", "v6.6: RCU list of pools, per-device dma_uses_io_tlb, smp_mb() when "
                 "mapping, smp_rmb() in is_swiotlb_buffer()",
                 "commits 1395706a1490 and 2d5780bbef8d (v6.6)",
                 dict(writer="smp_mb", reader="smp_rmb", handoff="once"),
                 "dev->dma_uses_io_tlb, after finding a slot in a pool read from mem->pools",
                 "dma_uses_io_tlb, then the RCU list of pools",
                 "v6.6: RCU list of pools, per-device dma_uses_io_tlb tested before the pool walk",
                 "swiotlb_find_slots() first searches the pools already on mem->pools, the "
                 "default pool among them. Only when none has room (and with "
                 "CONFIG_SWIOTLB_DYNAMIC) does it schedule a worker that adds a bigger pool to "
                 "mem->pools and allocate a transient pool for this one mapping"),
}

_FENCE = {"smp_wmb": "smp_wmb();", "smp_mb": "smp_mb();", "smp_rmb": "smp_rmb();"}


def _store(kind: str, loc: str, value: str) -> str:
    if kind == "plain":
        return f"*{loc} = {value};"
    if kind == "release":
        return f"smp_store_release({loc}, {value});"
    return f"WRITE_ONCE(*{loc}, {value});"


def _load(kind: str, reg: str, loc: str) -> str:
    if kind == "plain":
        return f"{reg} = *{loc};"
    if kind in ("release", "acquire"):
        return f"{reg} = smp_load_acquire({loc});"
    return f"{reg} = READ_ONCE(*{loc});"


@dataclass
class Scenario:
    """One design with one barrier choice, as a litmus test, plus how to read its outcome."""

    variant: Variant
    writer: str
    reader: str
    handoff: str
    cpus: int
    question: str
    name: str
    text: str
    checker: int  # the CPU that calls is_swiotlb_buffer()
    paddr_reg: str  # register holding the hand-off (1 = the new buffer's address)
    answer_reg: str  # register holding is_swiotlb_buffer()'s answer (1 = yes)
    test: LitmusTest = field(repr=False, default=None)

    def outcome(self, regs: dict[str, int]) -> tuple[bool, bool]:
        """(the checker holds paddr, is_swiotlb_buffer() said yes) from its registers."""
        return bool(regs.get(self.paddr_reg, 0)), bool(regs.get(self.answer_reg, 0))

    def describe(self) -> list[str]:
        """What each barrier orders on its own CPU, then what the pairing achieves."""
        return describe(self.variant.key, self.writer, self.reader, self.handoff, self.cpus,
                        self.question)


def scenario(variant: str, writer: str | None = None, reader: str | None = None,
             handoff: str | None = None, *, cpus: int | None = None,
             question: str = "false-negative") -> Scenario:
    """The litmus test for design ``variant`` ("a".."d") with the given barriers (default: as
    the design was proposed). ``cpus=3`` for design d adds the worker CPU that publishes a new
    pool; ``question="flag-without-entry"`` (design b) asks the opposite question: flag seen,
    list walk misses the entry."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    v = VARIANTS[variant]
    writer = v.as_proposed["writer"] if writer is None else writer
    reader = v.as_proposed["reader"] if reader is None else reader
    handoff = v.as_proposed["handoff"] if handoff is None else handoff
    for value, allowed, what in ((writer, WRITERS, "writer"), (reader, READERS, "reader"),
                                 (handoff, HANDOFFS, "handoff")):
        if value not in allowed:
            raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    cpus = (3 if variant == "d" else 2) if cpus is None else cpus
    if cpus not in ((2, 3) if variant == "d" else (2,)):
        raise ValueError("only design d has a three-CPU form")
    if question not in ("false-negative", "flag-without-entry") or (
            question == "flag-without-entry" and variant != "b"):
        raise ValueError("question is 'false-negative' ('flag-without-entry' for design b)")
    build = {"a": _design_a, "b": _design_b, "c": _design_c, "d": _design_d}[variant]
    body, init, checker, answer, exists = build(writer, reader, handoff, cpus, question)
    pub = "release" if writer == "release" else "once"
    probe = "acquire" if reader == "acquire" else "once"
    wfence = f"fence{writer[4:]}" if writer in _FENCE else "po"
    rfence = f"fence{reader[4:]}" if reader in _FENCE else "po"
    hkind = {"release": ("release", "acquire")}.get(handoff, (handoff, handoff))
    parts = [f"{wfence}{pub}{hkind[0]}", f"{rfence}{hkind[1]}{probe}"]
    shape = "MP"
    if cpus == 3:
        shape, parts = "WRC", ["pooncerelease"] + parts  # the worker's init, then publish
    name = f"swiotlb-{variant}-{shape}+" + "+".join(parts)
    if question != "false-negative":
        name += "-" + question
    choice = f"writer={writer} reader={reader} handoff={handoff}"
    if dict(writer=writer, reader=reader, handoff=handoff) == v.as_proposed:
        heading = v.title  # the design exactly as posted, barriers and all
    else:
        heading = v.design  # the posting's barriers would be a false claim here
        choice += " (as posted: " + " ".join(f"{k}={x}" for k, x in v.as_proposed.items()) + ")"
    text = f"C {name}\n\n(*\n * {heading}\n * from: {v.source}\n * {choice}\n *)\n\n" \
           f"{init}\n\n{body}\nexists ({exists})\n"
    sc = Scenario(v, writer, reader, handoff, cpus, question, name, text, checker,
                  f"{checker}:r0", f"{checker}:{answer}")
    sc.test = parse(text, file=f"<scenario {name}>")
    return sc


def _mapper(writer: str, handoff: str, publish: str) -> str:
    fence = f"\n\t{_FENCE[writer]}" if writer in _FENCE else ""
    return f"{publish}{fence}\n\t{_store(handoff, 'blah', '1')}\t/* driver hands out paddr */"


def _unlocking(store: str, comment: str) -> str:
    """A publishing store at the end of a critical section, then the unlock."""
    return f"{store}\t/* {comment} */\n\tspin_unlock(dyn_lock);"


def _checker_head(reader: str, handoff: str) -> str:
    fence = f"\n\t{_FENCE[reader]}" if reader in _FENCE else ""
    return f"\t{_load(handoff, 'r0', 'blah')}\t/* driver picks up paddr */{fence}"


def _list_adder(writer: str, handoff: str) -> str:
    """Designs a and c map alike: list_add() under the lock, then the driver's hand-off."""
    pub = "release" if writer == "release" else "once"
    publish = _mapper(writer, handoff, _unlocking(_store(pub, "list", "1"), "list_add()"))
    return f"""P0(int *list, int *blah, spinlock_t *dyn_lock)
{{
	spin_lock(dyn_lock);
	{publish}
}}
"""


def _design_a(writer, reader, handoff, cpus, question):
    probe = "acquire" if reader == "acquire" else "once"
    body = f"""{_list_adder(writer, handoff)}
P1(int *list, int *blah, spinlock_t *dyn_lock)
{{
	int r0;
	int r1;

{_checker_head(reader, handoff)}
	spin_lock(dyn_lock);		/* is_swiotlb_buffer(): lock, walk */
	{_load(probe, 'r1', 'list')}
	spin_unlock(dyn_lock);
}}
"""
    return body, "{}", 1, "r1", "1:r0=1 /\\ 1:r1=0"


def _design_b(writer, reader, handoff, cpus, question):
    pub = "release" if writer == "release" else "once"
    probe = "acquire" if reader == "acquire" else "once"
    publish = _mapper(writer, handoff,
                      _unlocking(_store(pub, "flag", "1"), "dma_io_tlb_have_dyn = true"))
    body = f"""P0(int *list, int *flag, int *blah, spinlock_t *dyn_lock)
{{
	spin_lock(dyn_lock);
	WRITE_ONCE(*list, 1);		/* list_add() */
	{publish}
}}

P1(int *list, int *flag, int *blah, spinlock_t *dyn_lock)
{{
	int r0;
	int r1;
	int r2 = 0;

{_checker_head(reader, handoff)}
	{_load(probe, 'r1', 'flag')}	/* is_swiotlb_buffer(): the flag */
	if (r1) {{
		spin_lock(dyn_lock);
		r2 = READ_ONCE(*list);	/* locked list walk */
		spin_unlock(dyn_lock);
	}}
}}
"""
    exists = "1:r1=1 /\\ 1:r2=0" if question == "flag-without-entry" else "1:r0=1 /\\ 1:r2=0"
    return body, "{}", 1, "r2", exists


def _design_c(writer, reader, handoff, cpus, question):
    probe = "acquire" if reader == "acquire" else "once"
    body = f"""{_list_adder(writer, handoff)}
P1(int *list, int *blah, spinlock_t *dyn_lock)
{{
	int r0;
	int r1;
	int r2 = 0;

{_checker_head(reader, handoff)}
	{_load(probe, 'r1', 'list')}	/* lockless !list_empty() */
	if (r1) {{
		spin_lock(dyn_lock);
		r2 = READ_ONCE(*list);	/* locked search */
		spin_unlock(dyn_lock);
	}}
}}
"""
    return body, "{}", 1, "r2", "1:r0=1 /\\ 1:r2=0"


def _design_d(writer, reader, handoff, cpus, question):
    pub = "release" if writer == "release" else "once"
    probe = "acquire" if reader == "acquire" else "once"
    c = cpus - 1  # index of the checking CPU
    worker = """P0(int **pools, int *dynpool, spinlock_t *mem_lock)
{
	WRITE_ONCE(*dynpool, 1);		/* initialise the new pool */
	spin_lock(mem_lock);
	rcu_assign_pointer(*pools, dynpool);	/* add_mem_pool(): list_add_rcu() */
	spin_unlock(mem_lock);
}

""" if cpus == 3 else ""
    m = 1 if cpus == 3 else 0
    if cpus == 3:
        find = """	rcu_read_lock();			/* swiotlb_find_slots(): walk mem->pools */
	r0 = rcu_dereference(*pools);
	r1 = READ_ONCE(*r0);			/* a free slot in this pool? */
	rcu_read_unlock();
	if (r1) {
		""" + _mapper(writer, handoff, _store(pub, "uses", "1") + "\t/* dma_uses_io_tlb */") \
            .replace("\n\t", "\n\t\t") + "\n\t}"
        decl = "\tint *r0;\n\tint r1;\n\n"
    else:
        find = "\t" + _mapper(writer, handoff, _store(pub, "uses", "1") + "\t/* dma_uses_io_tlb */")
        decl = ""
    body = f"""{worker}P{m}(int **pools, int *uses, int *blah)
{{
{decl}{find}
}}

P{c}(int **pools, int *uses, int *blah)
{{
	int r0;
	int r1;
	int *r2;
	int r3 = 0;

{_checker_head(reader, handoff)}
	{_load(probe, 'r1', 'uses')}	/* is_swiotlb_buffer(): dma_uses_io_tlb */
	if (r1) {{
		rcu_read_lock();		/* swiotlb_find_pool(): RCU walk */
		r2 = rcu_dereference(*pools);
		r3 = READ_ONCE(*r2);		/* is paddr in this pool? */
		rcu_read_unlock();
	}}
}}
"""
    init = ("{\n\tint *pools = dynpool;\n\tint dynpool = 1;\n}" if cpus == 2 else
            "{\n\tint *pools = defpool;\n\tint defpool = 0;\n\tint dynpool = 0;\n}")
    return body, init, c, "r3", f"{c}:r0=1 /\\ {c}:r3=0"


# ---- barriers described on their own CPU first (Catalin's rule) --------------------------------
_WRITER_TEXT = {
    "none": "nothing orders the publication before the driver's later store of paddr; the "
            "CPU may make paddr visible first",
    "smp_wmb": "smp_wmb() orders the mapping CPU's earlier stores (the publication) before its "
               "later stores (the driver's paddr); it says nothing about loads",
    "release": "the publishing store is a release: everything before it is ordered before it, "
               "but nothing after it, so the driver's later paddr store is free to pass it",
}
_READER_TEXT = {
    "none": "nothing orders the driver's load of paddr before the probe; the CPU may probe "
            "first and see stale state",
    "smp_rmb": "smp_rmb() orders the checking CPU's earlier loads (paddr) before its later "
               "loads (the probe); on arm64 it is dmb ishld, on x86 only a compiler barrier",
    "acquire": "the probe is an acquire load: later accesses are ordered after it, but the "
               "earlier load of paddr is not ordered before it",
    "smp_mb": "smp_mb() orders every earlier access of the checking CPU before every later one",
}
_HANDOFF_TEXT = {
    "plain": "the driver uses plain C accesses: a data race, which LKMM flags and the "
             "compiler may tear, fuse or reorder",
    "once": "the driver uses WRITE_ONCE()/READ_ONCE(): single accesses with no ordering",
    "release": "the driver itself uses smp_store_release()/smp_load_acquire(), which orders "
               "the mapping CPU's earlier accesses before paddr and the reader's later loads "
               "after it",
}


def _writer_text(writer: str, handoff: str, reads_pools: bool) -> str:
    """The mapping CPU's barrier on its own; ``reads_pools``: this CPU first read mem->pools."""
    if writer == "smp_mb":
        return ("smp_mb() orders every earlier access of the mapping CPU, loads included"
                + (" (the read of the pool list)" if reads_pools else "")
                + ", before every later one (the paddr store), and it is cumulative: stores "
                  "this CPU has read from others are ordered too")
    if handoff == "release":
        return {
            "none": "no barrier here, but the driver's smp_store_release() of paddr orders the "
                    "publication before paddr by itself",
            "smp_wmb": _WRITER_TEXT["smp_wmb"] + "; here the driver's release store of paddr "
                       "orders the publication (and all else before it) anyway",
            "release": "the publishing store is a release: everything before it is ordered "
                       "before it, but nothing after it; the driver's later paddr store is a "
                       "release of its own, which keeps it after the publication",
        }[writer]
    if writer == "smp_wmb" and reads_pools:
        return (_WRITER_TEXT["smp_wmb"] + ", and it is not cumulative: the pool pointer this "
                "CPU read from the worker is not ordered before paddr")
    return _WRITER_TEXT[writer]


def _reader_text(reader: str, handoff: str) -> str:
    """The checking CPU's barrier on its own, and what an acquiring hand-off adds to it."""
    if handoff == "release" and reader == "none":
        return ("no barrier here, but the driver's smp_load_acquire() of paddr orders the "
                "probe after it by itself")
    if handoff == "release" and reader == "acquire":
        return ("the probe is an acquire load: later accesses are ordered after it, but not "
                "the earlier load of paddr; here that load is an acquire of its own, which "
                "keeps the probe after it")
    return _READER_TEXT[reader]


@cache
def outcome(variant: str, writer: str, reader: str, handoff: str, cpus: int | None = None,
            question: str = "false-negative") -> tuple[str, bool]:
    """(LKMM verdict, data race?) of one scenario, cached: the dashboard asks for the same
    few neighbours of a choice over and over."""
    result = check(scenario(variant, writer, reader, handoff, cpus=cpus, question=question).test)
    return result.verdict, "data-race" in result.flags


def _options(names: list[str]) -> str:
    return " or ".join(names)


def _named(barrier: str) -> str:
    """A barrier option as code: smp_wmb(), or the release store / acquire load it makes."""
    return {"release": "release store", "acquire": "acquire load"}.get(barrier, f"{barrier}()")


def pairing(variant: str, writer: str, reader: str, handoff: str, cpus: int | None = None,
            question: str = "false-negative") -> str:
    """What the two barriers achieve together, read off the checker: this choice's verdict and
    those of the same test with one barrier removed or changed."""
    def verdict(w: str, r: str) -> tuple[str, bool]:
        return outcome(variant, w, r, handoff, cpus, question)

    never, race = verdict(writer, reader)
    if race:
        return ("pairing: beside the point: the plain accesses to paddr are a data race, so "
                "LKMM gives this test no defined outcome whatever the barriers (herd7 raises "
                "its data-race flag); a WRITE_ONCE()/READ_ONCE() hand-off is the least it needs.")
    if never == "Never":
        without_w = verdict("none", reader)[0] == "Never"
        without_r = verdict(writer, "none")[0] == "Never"
        if not without_w and not without_r:
            return ("pairing: a barrier on each side is needed, the writer's ordering the "
                    "publication before paddr, the reader's ordering paddr before the probe; "
                    "neither alone closes the window.")
        if without_w and without_r and verdict("none", "none")[0] == "Never":
            if variant == "a":
                why = ("both CPUs touch the list only under the same lock; a checker that "
                       "holds paddr cannot take the lock before the mapper did, so its walk "
                       "sees the entry, at the price of a lock on every call")
            elif question == "flag-without-entry":
                why = ("the flag is set in the same critical section as list_add(), so a "
                       "checker that saw it and then takes the lock finds the entry")
            elif handoff == "release":
                why = ("the driver's smp_store_release() of paddr orders the publication "
                       "before it and its smp_load_acquire() orders the probe after it")
            else:
                why = "the bad outcome is forbidden even with no barrier on either CPU"
            spare = [_named(b) for b in (writer, reader) if b != "none"]
            extra = (f"; the {' and '.join(spare)} here add{'s' if len(spare) == 1 else ''} "
                     "nothing to that") if spare else ""
            return f"pairing: no barrier is needed on either CPU (LKMM: Never): {why}{extra}."
        if without_w:
            return (f"pairing: only the checking CPU's {_named(reader)} is needed: without it "
                    f"LKMM allows the bad outcome, while the mapping CPU is ordered enough "
                    f"without its {_named(writer)}.")
        return (f"pairing: only the mapping CPU's {_named(writer)} is needed: without it LKMM "
                f"allows the bad outcome, while the checking CPU is ordered enough without its "
                f"{_named(reader)}.")
    fix_w = [w for w in WRITERS if verdict(w, reader)[0] == "Never"]
    fix_r = [r for r in READERS if verdict(writer, r)[0] == "Never"]
    if fix_w and fix_r:
        return (f"pairing: either side alone would close the window: LKMM says Never with "
                f"writer {_options(fix_w)} (this reader kept) or with reader {_options(fix_r)} "
                f"(this writer kept).")
    if fix_w:
        return (f"pairing: the mapping CPU's side is missing: with this reader, LKMM says "
                f"Never only with writer {_options(fix_w)}.")
    if fix_r:
        return (f"pairing: the checking CPU's side is missing: with this writer, LKMM says "
                f"Never only with reader {_options(fix_r)}.")
    pairs = [(w, r) for w in WRITERS for r in READERS if verdict(w, r)[0] == "Never"]
    if not pairs:
        return ("pairing: no barrier on these two CPUs closes the window with this hand-off "
                "(LKMM allows the bad outcome with every writer and reader).")
    ws = list(dict.fromkeys(w for w, _ in pairs))
    rs = list(dict.fromkeys(r for _, r in pairs))
    if len(pairs) == len(ws) * len(rs):
        need = f"writer {_options(ws)} together with reader {_options(rs)}"
    else:
        need = "; ".join(f"writer {w} with reader {r}" for w, r in pairs)
    return f"pairing: both sides are missing: LKMM says Never only with {need}."


def describe(variant: str, writer: str, reader: str, handoff: str, cpus: int = 2,
             question: str = "false-negative") -> list[str]:
    """One line per CPU saying what its barrier orders there, the hand-off, then the pairing
    as the checker decides it."""
    v = VARIANTS[variant]
    mapper = "mapping CPU" + (" (P1)" if cpus == 3 else " (P0)")
    checker = "checking CPU" + (" (P2)" if cpus == 3 else " (P1)")
    reads_pools = variant == "d" and cpus == 3  # swiotlb_find_slots() read mem->pools first
    lines = [f"{mapper}: publishes {v.publishes}; {_writer_text(writer, handoff, reads_pools)}.",
             f"{checker}: reads {v.probe}; {_reader_text(reader, handoff)}.",
             f"hand-off: {_HANDOFF_TEXT[handoff]}."]
    if cpus == 3:
        lines.insert(0, "worker CPU (P0): adds a new pool to mem->pools with "
                        "rcu_assign_pointer(), a release store.")
    lines.append(pairing(variant, writer, reader, handoff, cpus, question))
    return lines
