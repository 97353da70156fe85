"""An executable model of swiotlb: pools of 2 KiB slots, bounce buffers that really copy bytes,
and the per-device state that ``is_swiotlb_buffer()`` consults in each design of the thread.

It is a teaching model written from the facts in the course notes, not a port of kernel code:
one flat "physical memory", a default pool reserved at start, dynamic buffers or pools added on
demand, and counters for what the hot path costs (lock acquisitions, barriers).

Where a mapping goes depends on the design, as in the code of each era:

* designs a-c (PATCH v2 4/7 and 5/7 of 2023-04-19, resent 2023-05-09, and Catalin's variant of
  7/7): when dynamic buffers are allowed, ``swiotlb_tbl_map_single()`` tries
  ``swiotlb_dyn_map()`` *first* and falls back to the fixed pool only when that fails, which it
  always does for buffers smaller than a page or with an alignment constraint. So the fixed
  pool is what serves small buffers, and a full fixed pool refuses them.
* design d (v6.6): ``swiotlb_find_slots()`` searches the pools already there and only then, if
  the swiotlb may grow, allocates a new pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

IO_TLB_SHIFT = 11
IO_TLB_SIZE = 1 << IO_TLB_SHIFT  # 2 KiB per slot
IO_TLB_SEGSIZE = 128  # slots per segment: no mapping crosses one (256 KiB at most)
PAGE_SIZE = 4096  # v2's dynamic buffers come from the page allocator: whole pages


class Direction(Enum):
    TO_DEVICE = "DMA_TO_DEVICE"
    FROM_DEVICE = "DMA_FROM_DEVICE"
    BIDIRECTIONAL = "DMA_BIDIRECTIONAL"


class SwiotlbError(Exception):
    """Base of the model's errors, so a notebook can catch them all at once."""


class SwiotlbFull(SwiotlbError):
    """No slots left and the design may not grow (the kernel's "swiotlb buffer is full")."""


class OutsideMemory(SwiotlbError, ValueError):
    """An address range that is not in the simulated physical memory: a caller's mistake that
    would otherwise copy nothing (or grow the memory) without a word."""


class NotMapped(SwiotlbError, LookupError):
    """unmap or sync of an address that has no live mapping: unmapped already (a double unmap)
    or never returned by ``map()``. The kernel has no such check; the model refuses to guess."""


# What a false positive does in the kernel, per design. Read in PATCH v2 4/7
# (d0c6f2a489fc7dc0649a9cb21b7c6d4a1e97986d.1681898595.git.petr.tesarik.ext@huawei.com:
# lookup_dyn_slot() and swiotlb_dyn_unmap() use the lookup's result with no NULL check) and
# in v6.6's kernel/dma/swiotlb.c and include/linux/swiotlb.h (swiotlb_find_pool() returns NULL
# when CONFIG_SWIOTLB_DYNAMIC=y, &defpool when it is not; swiotlb_bounce(),
# swiotlb_release_slots() and swiotlb_del_transient() use the result at once).
FALSE_POSITIVE = {
    "abc": ("with dynamic buffers enabled (swiotlb=dynamic, v2 5/7), unmap takes the "
            "dynamic path, finds no slot on the device's list and uses the NULL result "
            "unchecked: list_move() in lookup_dyn_slot() on the copy-back, list_del() in "
            "swiotlb_dyn_unmap() (an oops)"),
    "d, CONFIG_SWIOTLB_DYNAMIC=y": (
        "swiotlb_find_pool() returns NULL and unmap dereferences it in swiotlb_bounce() or "
        "swiotlb_del_transient() (an oops)"),
    "d, CONFIG_SWIOTLB_DYNAMIC=n": (
        "swiotlb_find_pool() returns the default pool whatever the address, so the slot index "
        "computed from it lies outside that pool's slot array (an out-of-bounds access, or "
        "the BUG_ON in swiotlb_release_slots())"),
}


def false_positive_text(design: str) -> str:
    """What the kernel does on a false positive in ``design``, configuration by configuration."""
    if design in "abc":
        return FALSE_POSITIVE["abc"]
    return (f"with CONFIG_SWIOTLB_DYNAMIC=y {FALSE_POSITIVE['d, CONFIG_SWIOTLB_DYNAMIC=y']}; "
            f"with CONFIG_SWIOTLB_DYNAMIC=n (the default) "
            f"{FALSE_POSITIVE['d, CONFIG_SWIOTLB_DYNAMIC=n']}")


class NotInAnyPool(SwiotlbError):
    """Unmap believed an address was a bounce buffer, but no pool holds it: a false positive.

    What the kernel would do depends on the design and, in v6.6, on the configuration; the
    message says which (see ``FALSE_POSITIVE``). ``paddr``, ``device`` and ``design`` are kept
    as attributes.
    """

    def __init__(self, paddr: int, device: str = "", design: str = "d"):
        self.paddr, self.device, self.design = paddr, device, design
        who = f" for {device}" if device else ""
        era = "the May 2023 design" if design in "abc" else "v6.6"
        super().__init__(f"{paddr:#x} is not in any swiotlb pool{who}, yet "
                         f"is_swiotlb_buffer() said yes (a false positive). In {era}, "
                         f"{false_positive_text(design)}")


class Memory:
    """Physical memory as one bytearray; addresses are offsets."""

    def __init__(self, size: int):
        self.data = bytearray(size)
        self.top = 0

    def __len__(self) -> int:
        return len(self.data)

    def check(self, paddr: int, n: int, what: str = "access") -> None:
        """Refuse a range that is not inside the memory (slicing would silently truncate)."""
        if paddr < 0 or n < 0 or paddr + n > len(self.data):
            raise OutsideMemory(f"{what} of {n} byte(s) at {paddr:#x}: the simulated memory is "
                                f"0x0-{len(self.data):#x} ({len(self.data) >> 10} KiB)")

    def reserve(self, size: int, align: int = IO_TLB_SIZE) -> int:
        start = -(-self.top // align) * align
        if start + size > len(self.data):
            raise MemoryError(f"out of simulated memory reserving {size} bytes")
        self.top = start + size
        return start

    def read(self, paddr: int, n: int) -> bytes:
        self.check(paddr, n, "read")
        return bytes(self.data[paddr:paddr + n])

    def write(self, paddr: int, payload: bytes) -> None:
        self.check(paddr, len(payload), "write")
        self.data[paddr:paddr + len(payload)] = payload


@dataclass
class Slot:
    orig_addr: int | None = None  # where the bounced data lives in the caller's memory
    alloc_size: int = 0


@dataclass
class Pool:
    """A contiguous run of slots: the default pool, or one added at run time."""

    start: int
    nslabs: int
    transient: bool = False
    used: list[bool] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.used = [False] * self.nslabs
        self.slots = [Slot() for _ in range(self.nslabs)]

    @property
    def end(self) -> int:
        return self.start + self.nslabs * IO_TLB_SIZE

    def contains(self, paddr: int) -> bool:
        return self.start <= paddr < self.end

    @property
    def free(self) -> int:
        return self.used.count(False)

    def find_slots(self, nslots: int, align_slots: int = 1) -> int | None:
        """First fit: ``nslots`` free slots, aligned, inside one segment."""
        if nslots > IO_TLB_SEGSIZE:
            return None
        for index in range(0, self.nslabs - nslots + 1, align_slots):
            if index // IO_TLB_SEGSIZE != (index + nslots - 1) // IO_TLB_SEGSIZE:
                continue
            if not any(self.used[index:index + nslots]):
                return index
        return None

    def slot_addr(self, index: int) -> int:
        return self.start + index * IO_TLB_SIZE

    def index_of(self, paddr: int) -> int:
        return (paddr - self.start) >> IO_TLB_SHIFT

    def describe(self, default: bool = False) -> str:
        kind = "default pool" if default else (
            "dynamic buffer" if self.transient else "dynamic pool")
        return f"{kind} {self.start:#x}-{self.end:#x}"


@dataclass
class Device:
    """A DMA master and its per-device swiotlb state (the fields the thread adds)."""

    name: str
    dma_mask: int  # highest address the device can reach
    force_bounce: bool = False  # confidential-computing guests bounce everything
    dyn_pools: list[Pool] = field(default_factory=list)  # dma_io_tlb_dyn_slots / _pools
    have_dyn: bool = False  # design (b): dma_io_tlb_have_dyn
    uses_io_tlb: bool = False  # design (d): dma_uses_io_tlb

    def can_reach(self, paddr: int, size: int) -> bool:
        return not self.force_bounce and paddr + size - 1 <= self.dma_mask


@dataclass
class Counters:
    slots_used: int = 0
    dynamic_allocations: int = 0
    lock_acquisitions: int = 0  # on the is_swiotlb_buffer() hot path
    barriers: int = 0  # on the is_swiotlb_buffer() hot path
    lookups: int = 0
    leaked_slots: int = 0
    copies: int = 0


@dataclass
class Mapping:
    device: Device
    orig: int
    bounce: int
    size: int
    direction: Direction
    pool: Pool | None  # None when the device reached the memory directly


class Swiotlb:
    """The DMA API over our model: map, device DMA, sync, unmap, ``is_swiotlb_buffer()``.

    ``design`` picks which ``is_swiotlb_buffer()`` runs: "a" (list under the spinlock on every
    call), "b" (the v2 flag, acquire/release), "c" (lockless list_empty() probe), "d" (v6.6:
    per-device dma_uses_io_tlb flag and a list of pools). It also picks where a mapping goes
    (see the module docstring): a-c try a buffer of its own first, d the existing pools first.
    ``can_grow=False`` is swiotlb without dynamic buffers (v2 without ``swiotlb=dynamic``).
    """

    def __init__(self, memory_size: int = 8 << 20, default_slots: int = 256,
                 design: str = "d", can_grow: bool = True, low_limit: int | None = None):
        if design not in "abcd" or len(design) != 1:
            raise ValueError("design must be 'a', 'b', 'c' or 'd'")
        self.memory = Memory(memory_size)
        self.design = design
        self.can_grow = can_grow
        self.low_limit = low_limit if low_limit is not None else memory_size // 4
        self.defpool = Pool(self.memory.reserve(default_slots * IO_TLB_SIZE), default_slots)
        self.pools: list[Pool] = [self.defpool]  # mem->pools (design d)
        self.counters = Counters()
        self.mappings: dict[int, Mapping] = {}
        self.unmapped: dict[int, Mapping] = {}  # last mapping freed at each address

    # -- allocation -----------------------------------------------------------------------------
    def _grow(self, device: Device, nslots: int) -> Pool | None:
        """A new pool: one buffer of whole pages in the May 2023 design, a bigger shared pool in
        v6.6. None when the memory has no room (the kernel's allocation failing)."""
        if self.design in "abc":
            size = -(-nslots * IO_TLB_SIZE // PAGE_SIZE) * PAGE_SIZE // IO_TLB_SIZE
            align = PAGE_SIZE
        else:
            size, align = max(nslots, IO_TLB_SEGSIZE), IO_TLB_SIZE
        try:
            start = self.memory.reserve(size * IO_TLB_SIZE, align)
        except MemoryError:
            return None
        self.counters.dynamic_allocations += 1
        pool = Pool(start, size, transient=self.design in "abc")
        if self.design in "abc":
            device.dyn_pools.insert(0, pool)  # list_add(): newest first
            if self.design == "b":
                device.have_dyn = True  # smp_store_release() after list_add()
        else:
            self.pools.append(pool)  # add_mem_pool(): list_add_rcu()
        return pool

    def _dynamic_first(self, size: int, align: int) -> bool:
        """v2's swiotlb_dyn_map() gives up on buffers below a page and on alignment demands."""
        return (self.design in "abc" and self.can_grow and size >= PAGE_SIZE
                and align <= IO_TLB_SIZE)

    def map(self, device: Device, orig: int, size: int, direction: Direction,
            align: int = IO_TLB_SIZE) -> int:
        """dma_map_single(): the address the device will use (a bounce buffer if needed)."""
        if size <= 0:
            raise ValueError(f"cannot map {size} bytes for {device.name}")
        self.memory.check(orig, size, f"map for {device.name}")
        if device.can_reach(orig, size):
            self.mappings[orig] = Mapping(device, orig, orig, size, direction, None)
            return orig
        nslots = -(-size // IO_TLB_SIZE)
        if nslots > IO_TLB_SEGSIZE:
            raise SwiotlbFull(f"{size} bytes is more than one segment "
                              f"({IO_TLB_SEGSIZE * IO_TLB_SIZE // 1024} KiB) for {device.name}")
        align_slots = max(1, align // IO_TLB_SIZE)
        pool, index = None, None
        if self._dynamic_first(size, align):  # v2: if (allow_dyn) swiotlb_dyn_map(); ...
            pool = self._grow(device, nslots)
            index = 0 if pool is not None else None
        if pool is None:  # ... then swiotlb_fixed_map(); in v6.6 every pool in mem->pools
            candidates = [self.defpool] + (self.pools[1:] if self.design == "d" else [])
            for p in candidates:
                index = p.find_slots(nslots, align_slots)
                if index is not None:
                    pool = p
                    break
        if pool is None and self.design == "d" and self.can_grow:
            pool = self._grow(device, nslots)
            index = pool.find_slots(nslots, align_slots) if pool is not None else None
        if pool is None or index is None:
            why = (" (v2 allocates only page-sized, unaligned buffers dynamically)"
                   if self.design in "abc" and self.can_grow else "")
            raise SwiotlbFull(f"no run of {nslots} free slot(s) for {device.name}{why}")
        for k in range(index, index + nslots):
            pool.used[k] = True
        pool.slots[index] = Slot(orig, size)
        self.counters.slots_used += nslots
        bounce = pool.slot_addr(index)
        if self.design == "d":
            device.uses_io_tlb = True  # WRITE_ONCE(dev->dma_uses_io_tlb, true); smp_mb();
        if direction in (Direction.TO_DEVICE, Direction.BIDIRECTIONAL):
            self._copy(orig, bounce, size)
        self.mappings[bounce] = Mapping(device, orig, bounce, size, direction, pool)
        self.unmapped.pop(bounce, None)
        return bounce

    def pool_of(self, device: Device, paddr: int) -> Pool | None:
        """The pool holding ``paddr`` for ``device``, whatever ``is_swiotlb_buffer()`` says."""
        pools = self.pools if self.design == "d" else [self.defpool, *device.dyn_pools]
        return next((p for p in pools if p.contains(paddr)), None)

    def _where(self, device: Device, paddr: int) -> str:
        pool = self.pool_of(device, paddr)
        if pool is None:
            return "in no swiotlb pool"
        return f"in the {pool.describe(pool is self.defpool)}"

    def _mapping(self, device: Device, dma_addr: int, operation: str) -> Mapping:
        """The live mapping at ``dma_addr``, or a NotMapped that says what went wrong."""
        m = self.mappings.get(dma_addr)
        if m is not None:
            return m
        old = self.unmapped.get(dma_addr)
        if old is not None:
            reason = (f"it was unmapped already (a second {operation} of the mapping of "
                      f"{old.size} bytes from {old.orig:#x})")
        else:
            reason = "map() never returned it"
        live = ", ".join(f"{a:#x}" for a in sorted(self.mappings)[:4]) or "none"
        more = ", ..." if len(self.mappings) > 4 else ""
        raise NotMapped(f"{operation} of {dma_addr:#x} for {device.name}: {reason}; the address "
                        f"is {self._where(device, dma_addr)}. Expected an address map() "
                        f"returned and not yet unmapped (live: {live}{more})")

    def _copy(self, src: int, dst: int, size: int) -> None:
        self.memory.write(dst, self.memory.read(src, size))
        self.counters.copies += 1

    # -- the question of the thread -------------------------------------------------------------
    def is_swiotlb_buffer(self, device: Device, paddr: int) -> bool:
        """Does ``paddr`` belong to swiotlb for this device? Counts the hot-path cost."""
        c = self.counters
        c.lookups += 1
        if self.defpool.contains(paddr):
            return True
        if self.design == "a":  # every call takes dma_io_tlb_dyn_lock and walks the list
            c.lock_acquisitions += 1
            return any(p.contains(paddr) for p in device.dyn_pools)
        if self.design == "b":  # smp_load_acquire(&dev->dma_io_tlb_have_dyn) && locked walk
            c.barriers += 1
            if not device.have_dyn:
                return False
            c.lock_acquisitions += 1
            return any(p.contains(paddr) for p in device.dyn_pools)
        if self.design == "c":  # smp_rmb(); lockless list_empty(); lock only if non-empty
            c.barriers += 1
            if not device.dyn_pools:
                return False
            c.lock_acquisitions += 1
            return any(p.contains(paddr) for p in device.dyn_pools)
        c.barriers += 1  # smp_rmb(); READ_ONCE(dev->dma_uses_io_tlb) && RCU walk of the pools
        return device.uses_io_tlb and any(p.contains(paddr) for p in self.pools)

    # -- the rest of the DMA API ----------------------------------------------------------------
    def device_write(self, dma_addr: int, payload: bytes) -> None:
        """The device DMAs ``payload`` into memory at ``dma_addr``."""
        self.memory.write(dma_addr, payload)

    def device_read(self, dma_addr: int, n: int) -> bytes:
        return self.memory.read(dma_addr, n)

    def sync_for_cpu(self, device: Device, dma_addr: int, answer: bool | None = None) -> None:
        m = self._mapping(device, dma_addr, "sync_for_cpu")
        bounced = self.is_swiotlb_buffer(device, dma_addr) if answer is None else answer
        if bounced and m.direction != Direction.TO_DEVICE:
            self._copy(m.bounce, m.orig, m.size)

    def sync_for_device(self, device: Device, dma_addr: int,
                        answer: bool | None = None) -> None:
        m = self._mapping(device, dma_addr, "sync_for_device")
        bounced = self.is_swiotlb_buffer(device, dma_addr) if answer is None else answer
        if bounced and m.direction != Direction.FROM_DEVICE:
            self._copy(m.orig, m.bounce, m.size)

    def unmap(self, device: Device, dma_addr: int, answer: bool | None = None) -> bool:
        """dma_unmap_single(): copy back and free the slots if ``is_swiotlb_buffer()`` says so.

        ``answer`` forces what ``is_swiotlb_buffer()`` returned (a replayed race). Returns it.
        """
        m = self._mapping(device, dma_addr, "unmap")
        del self.mappings[dma_addr]
        self.unmapped[dma_addr] = m
        bounced = self.is_swiotlb_buffer(device, dma_addr) if answer is None else answer
        if not bounced:
            if m.pool is not None:
                self.counters.leaked_slots += -(-m.size // IO_TLB_SIZE)
            return False
        if m.pool is None:
            raise NotInAnyPool(dma_addr, device.name, self.design)
        if m.direction in (Direction.FROM_DEVICE, Direction.BIDIRECTIONAL):
            self._copy(m.bounce, m.orig, m.size)
        pool = m.pool
        index = pool.index_of(dma_addr)
        nslots = -(-m.size // IO_TLB_SIZE)
        for k in range(index, index + nslots):
            pool.used[k] = False
        pool.slots[index] = Slot()
        self.counters.slots_used -= nslots
        if pool.transient and not any(pool.used):
            device.dyn_pools.remove(pool)  # list_del() under the lock
            if self.design == "b" and not device.dyn_pools:
                device.have_dyn = False
        return True
