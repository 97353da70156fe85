"""An executable model of swiotlb: pools of 2 KiB slots, bounce buffers that really copy bytes,
and the per-device state that ``is_swiotlb_buffer()`` consults in each design of the thread.

It is a teaching model written from the facts in the course notes, not a port of kernel code:
one flat "physical memory", a default pool reserved at start, dynamic pools added on demand,
and counters for what the hot path costs (lock acquisitions, barriers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

IO_TLB_SHIFT = 11
IO_TLB_SIZE = 1 << IO_TLB_SHIFT  # 2 KiB per slot
IO_TLB_SEGSIZE = 128  # slots per segment: no mapping crosses one (256 KiB at most)


class Direction(Enum):
    TO_DEVICE = "DMA_TO_DEVICE"
    FROM_DEVICE = "DMA_FROM_DEVICE"
    BIDIRECTIONAL = "DMA_BIDIRECTIONAL"


class SwiotlbFull(Exception):
    """No slots left and the design may not grow (the kernel's "swiotlb buffer is full")."""


class NotInAnyPool(Exception):
    """Unmap believed an address was a bounce buffer, but no pool holds it (a false positive;
    in v6.6 the pool lookup would return NULL and be dereferenced)."""


class Memory:
    """Physical memory as one bytearray; addresses are offsets."""

    def __init__(self, size: int):
        self.data = bytearray(size)
        self.top = 0

    def reserve(self, size: int, align: int = IO_TLB_SIZE) -> int:
        start = -(-self.top // align) * align
        if start + size > len(self.data):
            raise MemoryError(f"out of simulated memory reserving {size} bytes")
        self.top = start + size
        return start

    def read(self, paddr: int, n: int) -> bytes:
        return bytes(self.data[paddr:paddr + n])

    def write(self, paddr: int, payload: bytes) -> None:
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
    per-device dma_uses_io_tlb flag and a list of pools).
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

    # -- allocation -----------------------------------------------------------------------------
    def _grow(self, device: Device, nslots: int) -> Pool:
        """A new pool: per-buffer in the May 2023 design, a bigger shared pool in v6.6."""
        self.counters.dynamic_allocations += 1
        size = nslots if self.design in "abc" else max(nslots, IO_TLB_SEGSIZE)
        pool = Pool(self.memory.reserve(size * IO_TLB_SIZE), size,
                    transient=self.design in "abc")
        if self.design in "abc":
            device.dyn_pools.insert(0, pool)  # list_add(): newest first
            if self.design == "b":
                device.have_dyn = True  # smp_store_release() after list_add()
        else:
            self.pools.append(pool)  # add_mem_pool(): list_add_rcu()
        return pool

    def map(self, device: Device, orig: int, size: int, direction: Direction,
            align: int = IO_TLB_SIZE) -> int:
        """dma_map_single(): the address the device will use (a bounce buffer if needed)."""
        if device.can_reach(orig, size):
            self.mappings[orig] = Mapping(device, orig, orig, size, direction, None)
            return orig
        nslots = -(-size // IO_TLB_SIZE)
        if nslots > IO_TLB_SEGSIZE:
            raise SwiotlbFull(f"{size} bytes is more than one segment "
                              f"({IO_TLB_SEGSIZE * IO_TLB_SIZE // 1024} KiB) for {device.name}")
        align_slots = max(1, align // IO_TLB_SIZE)
        pool, index = None, None
        candidates = [self.defpool] + (self.pools[1:] if self.design == "d" else [])
        for p in candidates:
            index = p.find_slots(nslots, align_slots)
            if index is not None:
                pool = p
                break
        if pool is None:
            if not self.can_grow:
                raise SwiotlbFull(f"no run of {nslots} free slot(s) for {device.name}")
            pool = self._grow(device, nslots)
            index = pool.find_slots(nslots, align_slots)
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
        return bounce

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
        m = self.mappings[dma_addr]
        bounced = self.is_swiotlb_buffer(device, dma_addr) if answer is None else answer
        if bounced and m.direction != Direction.TO_DEVICE:
            self._copy(m.bounce, m.orig, m.size)

    def sync_for_device(self, device: Device, dma_addr: int, answer: bool | None = None) -> None:
        m = self.mappings[dma_addr]
        bounced = self.is_swiotlb_buffer(device, dma_addr) if answer is None else answer
        if bounced and m.direction != Direction.FROM_DEVICE:
            self._copy(m.orig, m.bounce, m.size)

    def unmap(self, device: Device, dma_addr: int, answer: bool | None = None) -> bool:
        """dma_unmap_single(): copy back and free the slots if ``is_swiotlb_buffer()`` says so.

        ``answer`` forces what ``is_swiotlb_buffer()`` returned (a replayed race). Returns it.
        """
        m = self.mappings.pop(dma_addr)
        bounced = self.is_swiotlb_buffer(device, dma_addr) if answer is None else answer
        if not bounced:
            if m.pool is not None:
                self.counters.leaked_slots += -(-m.size // IO_TLB_SIZE)
            return False
        if m.pool is None:
            raise NotInAnyPool(f"{dma_addr:#x} is not in any swiotlb pool: a false positive")
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
