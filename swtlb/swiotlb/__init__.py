"""The swiotlb side of the course: executable structures, every design of the thread as a
barrier-configurable litmus scenario, and what a wrong ``is_swiotlb_buffer()`` answer costs."""

from .consequences import Replay, barrier_matrix, replay
from .scenarios import HANDOFFS, READERS, VARIANTS, WRITERS, Scenario, describe, scenario
from .structures import (
    IO_TLB_SEGSIZE,
    IO_TLB_SIZE,
    Device,
    Direction,
    NotInAnyPool,
    Pool,
    Swiotlb,
    SwiotlbFull,
)

__all__ = ["scenario", "Scenario", "VARIANTS", "WRITERS", "READERS", "HANDOFFS", "describe",
           "replay", "Replay", "barrier_matrix", "Swiotlb", "Device", "Direction", "Pool",
           "SwiotlbFull", "NotInAnyPool", "IO_TLB_SIZE", "IO_TLB_SEGSIZE"]
