"""What a wrong ``is_swiotlb_buffer()`` answer costs, and what each barrier choice costs.

``replay()`` takes one outcome of a scenario (an execution from the checker, or a state row
from the simulator) and drives the swiotlb model through it: the device DMAs fresh bytes into a
dynamically allocated bounce buffer, the other CPU unmaps with the answer the outcome gave, and
the driver reads its buffer. ``barrier_matrix()`` tabulates every barrier choice of a design.
``consequences()`` lists what each wrong answer costs and which configuration it needs: in v6.6
none of it can happen without ``CONFIG_SWIOTLB_DYNAMIC=y`` (default n), and the false positive
does different damage with and without it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..check import check, final_value
from ..executions import Execution
from ..litmus.ast import Loc
from .scenarios import HANDOFFS, READERS, WRITERS, Scenario, scenario
from .structures import FALSE_POSITIVE, IO_TLB_SIZE, PAGE_SIZE, Device, Direction, Swiotlb

DEVICE_BYTES = b"fresh packet from the NIC, 42 bytes long.."
STALE_BYTES = b"stale bytes left over in the driver buffer"


@dataclass
class Replay:
    holds_paddr: bool
    answer: bool  # what is_swiotlb_buffer() returned on the checking CPU
    device_wrote: bytes
    driver_got: bytes
    leaked_slots: int
    log: list[str]
    needs: str = ""  # the configuration under which the kernel can reach this outcome

    @property
    def data_lost(self) -> bool:
        return self.holds_paddr and self.driver_got != self.device_wrote

    def __str__(self) -> str:
        return "\n".join(self.log)


# ---- which configuration each consequence needs ------------------------------------------------
# Read in PATCH v2 4/7 and 5/7 (Message-IDs d0c6f2a489fc...1681898595 and 05e2e9f6bcde...1681898595,
# @huawei.com) and in v6.6's kernel/dma/swiotlb.c and include/linux/swiotlb.h: with
# CONFIG_SWIOTLB_DYNAMIC=n is_swiotlb_buffer() is a range check of the default pool, fixed at
# boot, so no ordering race exists, and swiotlb_find_pool() returns &defpool unconditionally.
NEEDS = {
    "abc": "dynamic buffers enabled: swiotlb=dynamic on the command line (v2 5/7); without it "
           "is_swiotlb_buffer() checks only the fixed pool and nothing is allocated at run time",
    "d": "CONFIG_SWIOTLB_DYNAMIC=y (default n); without it is_swiotlb_buffer() is a range check "
         "of the default pool, which never changes after boot, so there is no race",
}


def _era(variant: str) -> str:
    return "abc" if variant in "abc" else "d"


@dataclass(frozen=True)
class Consequence:
    wrong_answer: str  # "false negative" or "false positive"
    path: str  # where in the DMA API the answer is used
    effect: str
    needs: str  # the configuration under which it can happen
    designs: str  # which of the model's designs it applies to


CONSEQUENCES = (
    *(Consequence("false negative", path, effect, NEEDS[era], era)
      for era in ("abc", "d")
      for path, effect in (
          ("unmap (DMA_FROM_DEVICE / BIDIRECTIONAL)", "no copy-back: the driver reads stale "
           "bytes"),
          ("unmap", "the bounce buffer (v2) or the slots or transient pool (v6.6) are never "
           "freed: they leak"),
          ("sync_for_cpu / sync_for_device", "the copy is skipped: CPU or device sees stale "
           "data"))),
    Consequence("false positive", "unmap", FALSE_POSITIVE["abc"], NEEDS["abc"], "abc"),
    Consequence("false positive", "unmap, sync",
                FALSE_POSITIVE["d, CONFIG_SWIOTLB_DYNAMIC=y"], "CONFIG_SWIOTLB_DYNAMIC=y", "d"),
    Consequence("false positive", "unmap, sync",
                FALSE_POSITIVE["d, CONFIG_SWIOTLB_DYNAMIC=n"],
                "CONFIG_SWIOTLB_DYNAMIC=n (the default); only an answer forced from outside gets "
                "here, since the range check itself cannot race", "d"),
)


def consequences(design: str | None = None) -> pd.DataFrame:
    """What each wrong ``is_swiotlb_buffer()`` answer costs, and the configuration it needs
    (all designs, or those that apply to ``design``)."""
    rows = [c for c in CONSEQUENCES if design is None or design in c.designs]
    return pd.DataFrame([{"wrong answer": c.wrong_answer, "path": c.path, "effect": c.effect,
                          "needs": c.needs, "designs": c.designs} for c in rows])


def _registers(sc: Scenario, source) -> dict[str, int]:
    """The checking CPU's registers from an Execution, a simulate() row, or a plain dict."""
    names = [sc.paddr_reg, sc.answer_reg]
    if isinstance(source, Execution):
        values = {}
        for name in names:
            thread, reg = name.split(":")
            value = final_value(sc.test, source, Loc(reg, int(thread)))
            values[name] = value if isinstance(value, int) else 1
        return values
    if isinstance(source, pd.Series) or (isinstance(source, dict) and "state" in source):
        state = source["state"]
        parsed = dict(part.strip().split("=") for part in state.split(";") if "=" in part)
        return {name: int(parsed.get(name, 0)) for name in names}
    return {name: int(source.get(name, 0)) for name in names}


def replay(sc: Scenario, source) -> Replay:
    """Drive the swiotlb model through one outcome of ``sc`` and report the bytes."""
    regs = _registers(sc, source)
    holds, answer = sc.outcome(regs)
    mem = Swiotlb(design=sc.variant.key, default_slots=2, memory_size=1 << 20,
                  low_limit=1 << 18)
    dev = Device("nic0", dma_mask=(1 << 18) - 1)
    for _ in range(2):  # the default pool is busy, so v6.6 needs a new pool for this mapping
        mem.map(Device("disk0", dma_mask=(1 << 18) - 1), 1 << 19, IO_TLB_SIZE,
                Direction.TO_DEVICE)
    orig = 3 << 18
    mem.memory.write(orig, STALE_BYTES)
    log = [f"{sc.name}", f"driver buffer at {orig:#x} holds {STALE_BYTES!r}"]
    # a page-sized receive buffer: the May 2023 designs allocate those dynamically (smaller
    # ones always go to the fixed pool), v6.6 once its pools are full
    bounce = mem.map(dev, orig, PAGE_SIZE, Direction.FROM_DEVICE)
    log.append(f"CPU {sc.checker - 1 if sc.cpus == 3 else 0} maps it for DMA_FROM_DEVICE: "
               f"bounce buffer {bounce:#x} (dynamic allocations: "
               f"{mem.counters.dynamic_allocations})")
    mem.device_write(bounce, DEVICE_BYTES)
    log.append(f"the device writes {DEVICE_BYTES!r} into the bounce buffer")
    if not holds:
        log.append(f"CPU {sc.checker} has not received paddr in this outcome: it does not "
                   "unmap yet, nothing can go wrong")
        return Replay(False, answer, DEVICE_BYTES, mem.memory.read(orig, len(DEVICE_BYTES)),
                      0, log, needs=NEEDS[_era(sc.variant.key)])
    mem.unmap(dev, bounce, answer=answer)
    got = mem.memory.read(orig, len(DEVICE_BYTES))
    log.append(f"CPU {sc.checker} unmaps; is_swiotlb_buffer() answers "
               f"{'true' if answer else 'FALSE'}")
    if answer:
        log.append(f"copy-back done, slots freed: the driver reads {got!r}")
    else:
        log.append(f"no copy-back and its slots are never freed (leaked slots: "
                   f"{mem.counters.leaked_slots}): the driver reads {got!r}")
    return Replay(True, answer, DEVICE_BYTES, got, mem.counters.leaked_slots, log,
                  needs=NEEDS[_era(sc.variant.key)])


# ---- the cost and the safety of every barrier choice -------------------------------------------
_READER_COST = {  # the hot path of a device that never bounces: instructions on arm64 / x86
    "none": ("", ""), "smp_rmb": ("dmb ishld", "(compiler barrier)"),
    "acquire": ("ldar instead of ldr", "(compiler barrier)"),
    "smp_mb": ("dmb ish", "lock addl"),
}


def hot_path_locks(variant: str) -> int:
    """Spinlock acquisitions by is_swiotlb_buffer() for a device with no dynamic buffer."""
    return 1 if variant == "a" else 0


def barrier_matrix(variant: str, *, runs: int = 100_000, seed: int = 0, cpus: int | None = None,
                   writers=WRITERS, readers=READERS, handoffs=HANDOFFS,
                   progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Every combination of the design's toggles: LKMM verdict, how often the weak machine
    shows the bad outcome, and what the choice costs on the hot path. ``progress(done, total)``
    is called after each combination (a dashboard's progress bar)."""
    from ..machines import simulate

    rows = []
    combos = list(itertools.product(writers, readers, handoffs))
    for writer, reader, handoff in combos:
        sc = scenario(variant, writer, reader, handoff, cpus=cpus)
        result = check(sc.test)
        freq = simulate(sc.test, "weak", runs=runs, seed=seed, reference=result,
                        progress=False) if runs else None
        bad = int(freq.loc[freq["exists"], "count"].sum()) if freq is not None else None
        arm, x86 = _READER_COST[reader]
        rows.append({
            "writer": writer, "reader": reader, "handoff": handoff,
            "LKMM": result.verdict, "data race": "data-race" in result.flags,
            "weak bad runs": bad, "weak bad frequency": bad / runs if runs else None,
            "hot-path locks": hot_path_locks(variant),
            "hot-path barriers": int(reader in ("smp_rmb", "smp_mb")),
            "arm64 reader cost": arm or "-", "x86 reader cost": x86 or "-",
            "test": sc.name,
        })
        if progress is not None:
            progress(len(rows), len(combos))
    frame = pd.DataFrame(rows)
    frame.attrs.update(variant=variant, runs=runs)
    return frame
