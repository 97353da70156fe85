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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..litmus.ast import LitmusTest
from ..litmus.parser import parse

WRITERS = ("none", "smp_wmb", "smp_mb", "release")
READERS = ("none", "smp_rmb", "acquire", "smp_mb")
HANDOFFS = ("plain", "once", "release")


@dataclass(frozen=True)
class Variant:
    key: str
    title: str
    source: str  # where the design comes from (Message-ID or commit)
    as_proposed: dict[str, str]  # the barrier choice of the design as posted
    publishes: str  # what the mapping CPU publishes before handing out paddr
    probe: str  # what is_swiotlb_buffer() reads first


VARIANTS: dict[str, Variant] = {
    "a": Variant("a", "per-device list searched under dma_io_tlb_dyn_lock on every call",
                 "PATCH v2 4/7, 2023-04-19", dict(writer="none", reader="none", handoff="once"),
                 "list_add() of the new slot, under the lock", "the list, under the lock"),
    "b": Variant("b", "flag dma_io_tlb_have_dyn: smp_store_release() after list_add(), "
                 "smp_load_acquire() in is_swiotlb_buffer()",
                 "PATCH v2 RESEND 7/7, 2023-05-09 (reviewed in ZGEuYxR2PM6wHeDh@arm.com)",
                 dict(writer="release", reader="acquire", handoff="once"),
                 "the flag, stored after list_add() inside the critical section",
                 "the flag, then the list under the lock"),
    "c": Variant("c", "no flag: lockless list_empty() probe, the lock only when non-empty",
                 "Catalin Marinas, ZGEuYxR2PM6wHeDh@arm.com and ZGJdtmP13pv06xDH@arm.com",
                 dict(writer="smp_wmb", reader="smp_rmb", handoff="once"),
                 "list_add() (a WRITE_ONCE of head->next), under the lock",
                 "list_empty() (a READ_ONCE of head->next), then the list under the lock"),
    "d": Variant("d", "v6.6: RCU list of pools, per-device dma_uses_io_tlb, smp_mb() when "
                 "mapping, smp_rmb() in is_swiotlb_buffer()",
                 "commits 1395706a1490 and 2d5780bbef8d (v6.6)",
                 dict(writer="smp_mb", reader="smp_rmb", handoff="once"),
                 "dev->dma_uses_io_tlb, after finding a slot in a pool read from mem->pools",
                 "dma_uses_io_tlb, then the RCU list of pools"),
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
        return describe(self.variant.key, self.writer, self.reader, self.handoff, self.cpus)


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
    text = f"C {name}\n\n(*\n * {v.title}\n * from: {v.source}\n" \
           f" * writer={writer} reader={reader} handoff={handoff}\n *)\n\n{init}\n\n{body}\n" \
           f"exists ({exists})\n"
    sc = Scenario(v, writer, reader, handoff, cpus, question, name, text, checker,
                  f"{checker}:r0", f"{checker}:{answer}")
    sc.test = parse(text, file=f"<scenario {name}>")
    return sc


def _mapper(writer: str, handoff: str, publish: str) -> str:
    fence = f"\n\t{_FENCE[writer]}" if writer in _FENCE else ""
    return f"{publish}{fence}\n\t{_store(handoff, 'blah', '1')}\t/* driver hands out paddr */"


def _unlocking(store: str, comment: str) -> str:
    """A publishing store at the end of a critical section, then the unlock."""
    return f"{store}\t/* {comment} */\n\tspin_unlock(lock);"


def _checker_head(reader: str, handoff: str) -> str:
    fence = f"\n\t{_FENCE[reader]}" if reader in _FENCE else ""
    return f"\t{_load(handoff, 'r0', 'blah')}\t/* driver picks up paddr */{fence}"


def _list_adder(writer: str, handoff: str) -> str:
    """Designs a and c map alike: list_add() under the lock, then the driver's hand-off."""
    pub = "release" if writer == "release" else "once"
    publish = _mapper(writer, handoff, _unlocking(_store(pub, "list", "1"), "list_add()"))
    return f"""P0(int *list, int *blah, spinlock_t *lock)
{{
	spin_lock(lock);
	{publish}
}}
"""


def _design_a(writer, reader, handoff, cpus, question):
    probe = "acquire" if reader == "acquire" else "once"
    body = f"""{_list_adder(writer, handoff)}
P1(int *list, int *blah, spinlock_t *lock)
{{
	int r0;
	int r1;

{_checker_head(reader, handoff)}
	spin_lock(lock);		/* is_swiotlb_buffer(): lock, walk */
	{_load(probe, 'r1', 'list')}
	spin_unlock(lock);
}}
"""
    return body, "{}", 1, "r1", "1:r0=1 /\\ 1:r1=0"


def _design_b(writer, reader, handoff, cpus, question):
    pub = "release" if writer == "release" else "once"
    probe = "acquire" if reader == "acquire" else "once"
    publish = _mapper(writer, handoff,
                      _unlocking(_store(pub, "flag", "1"), "dma_io_tlb_have_dyn = true"))
    body = f"""P0(int *list, int *flag, int *blah, spinlock_t *lock)
{{
	spin_lock(lock);
	WRITE_ONCE(*list, 1);		/* list_add() */
	{publish}
}}

P1(int *list, int *flag, int *blah, spinlock_t *lock)
{{
	int r0;
	int r1;
	int r2 = 0;

{_checker_head(reader, handoff)}
	{_load(probe, 'r1', 'flag')}	/* is_swiotlb_buffer(): the flag */
	if (r1) {{
		spin_lock(lock);
		r2 = READ_ONCE(*list);	/* locked list walk */
		spin_unlock(lock);
	}}
}}
"""
    exists = "1:r1=1 /\\ 1:r2=0" if question == "flag-without-entry" else "1:r0=1 /\\ 1:r2=0"
    return body, "{}", 1, "r2", exists


def _design_c(writer, reader, handoff, cpus, question):
    probe = "acquire" if reader == "acquire" else "once"
    body = f"""{_list_adder(writer, handoff)}
P1(int *list, int *blah, spinlock_t *lock)
{{
	int r0;
	int r1;
	int r2 = 0;

{_checker_head(reader, handoff)}
	{_load(probe, 'r1', 'list')}	/* lockless !list_empty() */
	if (r1) {{
		spin_lock(lock);
		r2 = READ_ONCE(*list);	/* locked search */
		spin_unlock(lock);
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
    "smp_mb": "smp_mb() orders every earlier access of the mapping CPU, loads included (the "
              "read of the pool list), before every later one (the paddr store), and it is "
              "cumulative: stores this CPU has read from others are ordered too",
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


def describe(variant: str, writer: str, reader: str, handoff: str, cpus: int = 2) -> list[str]:
    v = VARIANTS[variant]
    mapper = "mapping CPU" + (" (P1)" if cpus == 3 else " (P0)")
    checker = "checking CPU" + (" (P2)" if cpus == 3 else " (P1)")
    lines = [f"{mapper}: publishes {v.publishes}; {_WRITER_TEXT[writer]}.",
             f"{checker}: reads {v.probe}; {_READER_TEXT[reader]}.",
             f"hand-off: {_HANDOFF_TEXT[handoff]}."]
    if cpus == 3:
        lines.insert(0, "worker CPU (P0): adds a new pool to mem->pools with "
                        "rcu_assign_pointer(), a release store.")
    if variant == "a":
        lines.append("pairing: both CPUs touch the list only under the same lock; a checker "
                     "that holds paddr cannot take the lock before the mapper did, so its walk "
                     "sees the entry (LKMM: Never), at the price of a lock on every call.")
    else:
        lines.append("pairing: a barrier on each side is needed, the writer's ordering the "
                     "publication before paddr, the reader's ordering paddr before the probe; "
                     "neither alone closes the window.")
    return lines
