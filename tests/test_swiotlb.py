"""The swiotlb model: structures, the designs as scenarios, the reference verdicts, replay."""

from __future__ import annotations

import pytest
from conftest import shared_path

import swtlb
from swtlb.check import holds
from swtlb.swiotlb import (
    IO_TLB_SEGSIZE,
    IO_TLB_SIZE,
    Device,
    Direction,
    NotInAnyPool,
    Swiotlb,
    SwiotlbFull,
    barrier_matrix,
    replay,
    scenario,
)
from swtlb.swiotlb.consequences import consequences
from swtlb.swiotlb.scenarios import HANDOFFS, READERS, WRITERS
from swtlb.swiotlb.structures import PAGE_SIZE, NotMapped, OutsideMemory, SwiotlbError

LOW = (1 << 20) - 1  # a device that reaches only the first MiB


def _system(**kw) -> tuple[Swiotlb, Device]:
    kw.setdefault("memory_size", 8 << 20)
    return Swiotlb(**kw), Device("nic", dma_mask=LOW)


# ---- structures --------------------------------------------------------------------------------
def test_slot_allocation_and_freeing():
    mem, dev = _system(default_slots=8, can_grow=False)
    a = mem.map(dev, 4 << 20, 3 * IO_TLB_SIZE, Direction.TO_DEVICE)
    b = mem.map(dev, 5 << 20, 100, Direction.TO_DEVICE)
    assert (a, b) == (mem.defpool.start, mem.defpool.start + 3 * IO_TLB_SIZE)
    assert mem.counters.slots_used == 4 and mem.defpool.free == 4
    mem.unmap(dev, a)
    assert mem.counters.slots_used == 1 and mem.defpool.free == 7
    c = mem.map(dev, 6 << 20, 2 * IO_TLB_SIZE, Direction.TO_DEVICE)
    assert c == a  # first fit reuses the freed run


def test_alignment_and_segments():
    mem, dev = _system(default_slots=2 * IO_TLB_SEGSIZE, can_grow=False)
    mem.map(dev, 4 << 20, IO_TLB_SIZE, Direction.TO_DEVICE)
    aligned = mem.map(dev, 5 << 20, IO_TLB_SIZE, Direction.TO_DEVICE, align=8 * IO_TLB_SIZE)
    assert (aligned - mem.defpool.start) % (8 * IO_TLB_SIZE) == 0 and aligned != mem.defpool.start
    # a mapping never crosses a segment: fill all but the last 2 slots of segment 0
    mem2, dev2 = _system(default_slots=2 * IO_TLB_SEGSIZE, can_grow=False)
    mem2.map(dev2, 4 << 20, (IO_TLB_SEGSIZE - 2) * IO_TLB_SIZE, Direction.TO_DEVICE)
    big = mem2.map(dev2, 5 << 20, 4 * IO_TLB_SIZE, Direction.TO_DEVICE)
    assert mem2.defpool.index_of(big) == IO_TLB_SEGSIZE
    with pytest.raises(SwiotlbFull):
        mem2.map(dev2, 6 << 20, (IO_TLB_SEGSIZE + 1) * IO_TLB_SIZE, Direction.TO_DEVICE)


def test_v6_6_searches_the_pools_first_and_grows_only_when_they_are_full():
    mem, dev = _system(default_slots=2, design="d")
    first = mem.map(dev, 4 << 20, PAGE_SIZE, Direction.TO_DEVICE)  # fits the default pool
    assert mem.defpool.contains(first) and mem.counters.dynamic_allocations == 0
    dyn = mem.map(dev, 5 << 20, IO_TLB_SIZE, Direction.TO_DEVICE)  # default pool full
    assert not mem.defpool.contains(dyn) and mem.counters.dynamic_allocations == 1
    assert mem.is_swiotlb_buffer(dev, dyn)
    assert not mem.is_swiotlb_buffer(dev, 5 << 20)
    with pytest.raises(SwiotlbFull):
        Swiotlb(default_slots=1, can_grow=False).map(dev, 4 << 20, 2 * IO_TLB_SIZE,
                                                     Direction.TO_DEVICE)


@pytest.mark.parametrize("design", list("abc"))
def test_v2_tries_a_dynamic_buffer_first_and_keeps_the_fixed_pool_for_small_ones(design):
    # PATCH v2 4/7 and 5/7: if (mem->allow_dyn) swiotlb_dyn_map(); on failure swiotlb_fixed_map()
    mem, dev = _system(default_slots=4, design=design)
    page = mem.map(dev, 4 << 20, PAGE_SIZE, Direction.TO_DEVICE)
    assert not mem.defpool.contains(page) and mem.counters.dynamic_allocations == 1
    assert mem.defpool.free == 4  # the fixed pool was not even tried
    assert page % PAGE_SIZE == 0 and mem.is_swiotlb_buffer(dev, page)
    small = mem.map(dev, 5 << 20, PAGE_SIZE - 1, Direction.TO_DEVICE)  # below a page
    aligned = mem.map(dev, 6 << 20, PAGE_SIZE, Direction.TO_DEVICE, align=PAGE_SIZE)
    assert mem.defpool.contains(small) and mem.defpool.contains(aligned)
    assert mem.counters.dynamic_allocations == 1  # neither went to the page allocator
    with pytest.raises(SwiotlbFull, match="only page-sized"):  # fixed pool full: refused
        mem.map(dev, 7 << 20, 64, Direction.TO_DEVICE)
    mem.unmap(dev, page)  # the buffer's own pool goes away with it
    assert dev.dyn_pools == [] and mem.counters.slots_used == 4


def test_v2_without_dynamic_buffers_uses_only_the_fixed_pool():
    mem, dev = _system(default_slots=4, design="b", can_grow=False)
    assert mem.defpool.contains(mem.map(dev, 4 << 20, PAGE_SIZE, Direction.TO_DEVICE))
    assert mem.counters.dynamic_allocations == 0 and not dev.have_dyn


def test_mapping_outside_the_memory_is_refused():
    mem, dev = _system(memory_size=8 << 20)
    for orig, size in ((8 << 20, 16), ((8 << 20) - 8, 16), (-4, 16)):
        with pytest.raises(OutsideMemory, match="simulated memory is 0x0-0x800000") as err:
            mem.map(dev, orig, size, Direction.TO_DEVICE)
        assert f"at {orig:#x}" in str(err.value) and "nic" in str(err.value)
    with pytest.raises(OutsideMemory):
        mem.memory.write((8 << 20) - 2, b"abc")  # used to grow the bytearray silently
    with pytest.raises(OutsideMemory):
        mem.memory.read(8 << 20, 1)  # used to return b"" silently
    assert len(mem.memory) == 8 << 20 and mem.counters.slots_used == 0
    with pytest.raises(ValueError, match="cannot map 0 bytes"):
        mem.map(dev, 4 << 20, 0, Direction.TO_DEVICE)


def test_a_second_unmap_names_the_address_the_pool_and_what_was_expected():
    mem, dev = _system(default_slots=8)
    bounce = mem.map(dev, 4 << 20, 100, Direction.FROM_DEVICE)
    other = mem.map(dev, 5 << 20, 100, Direction.FROM_DEVICE)
    mem.unmap(dev, bounce)
    with pytest.raises(NotMapped) as err:
        mem.unmap(dev, bounce)
    text = str(err.value)
    assert text.startswith(f"unmap of {bounce:#x} for nic: it was unmapped already")
    assert f"mapping of 100 bytes from {4 << 20:#x}" in text
    assert f"in the default pool {mem.defpool.start:#x}-{mem.defpool.end:#x}" in text
    assert f"live: {other:#x}" in text and "Expected an address map() returned" in text
    assert mem.counters.slots_used == 1  # nothing freed twice
    with pytest.raises(NotMapped, match="map\\(\\) never returned it; the address is in no "):
        mem.sync_for_cpu(dev, 7 << 20)
    assert isinstance(err.value, LookupError) and isinstance(err.value, SwiotlbError)
    again = mem.map(dev, 6 << 20, 100, Direction.FROM_DEVICE)
    assert again == bounce and mem.unmap(dev, again)  # a reused address unmaps normally


@pytest.mark.parametrize("design,says", [
    ("d", ["CONFIG_SWIOTLB_DYNAMIC=y swiotlb_find_pool() returns NULL",
           "CONFIG_SWIOTLB_DYNAMIC=n (the default) swiotlb_find_pool() returns the default pool",
           "outside that pool's slot array"]),
    ("b", ["swiotlb=dynamic", "NULL result", "swiotlb_dyn_unmap()"]),
])
def test_a_false_positive_says_what_the_kernel_would_do_in_which_configuration(design, says):
    mem = Swiotlb(design=design)
    nvme = Device("nvme0", dma_mask=(1 << 64) - 1)
    direct = mem.map(nvme, 6 << 20, 32, Direction.FROM_DEVICE)
    with pytest.raises(NotInAnyPool) as err:
        mem.unmap(nvme, direct, answer=True)
    assert (err.value.paddr, err.value.device, err.value.design) == (direct, "nvme0", design)
    assert str(err.value).startswith(f"{direct:#x} is not in any swiotlb pool for nvme0")
    assert all(part in str(err.value) for part in says)


def test_consequences_table_names_the_configuration_of_each_row():
    table = consequences()
    assert set(table["wrong answer"]) == {"false negative", "false positive"}
    assert table["needs"].str.len().min() > 0
    v66 = consequences("d")
    assert v66["needs"].str.contains("CONFIG_SWIOTLB_DYNAMIC=y").sum() >= 4
    positives = v66[v66["wrong answer"] == "false positive"]
    assert sorted(positives["needs"].str[:24]) == ["CONFIG_SWIOTLB_DYNAMIC=n",
                                                   "CONFIG_SWIOTLB_DYNAMIC=y"]
    assert consequences("b")["needs"].str.contains("swiotlb=dynamic").all()


@pytest.mark.parametrize("direction", list(Direction))
def test_bounce_copies_are_byte_exact(direction):
    mem, dev = _system()
    orig = 4 << 20
    mem.memory.write(orig, b"CPU data")
    bounce = mem.map(dev, orig, 8, direction)
    to_device = direction in (Direction.TO_DEVICE, Direction.BIDIRECTIONAL)
    assert mem.device_read(bounce, 8) == (b"CPU data" if to_device else bytes(8))
    mem.device_write(bounce, b"DEV data")
    mem.unmap(dev, bounce)
    from_device = direction in (Direction.FROM_DEVICE, Direction.BIDIRECTIONAL)
    assert mem.memory.read(orig, 8) == (b"DEV data" if from_device else b"CPU data")


def test_reachable_memory_is_not_bounced_and_cc_guests_bounce_everything():
    mem, dev = _system()
    assert mem.map(dev, 1000, 16, Direction.TO_DEVICE) == 1000
    guest = Device("virtio", dma_mask=LOW, force_bounce=True)
    assert mem.map(guest, 1000, 16, Direction.TO_DEVICE) != 1000


def test_hot_path_cost_per_design():
    costs = {}
    for design in "abcd":
        mem, dev = _system(design=design)
        for _ in range(10):
            mem.is_swiotlb_buffer(dev, 6 << 20)  # a device that never bounced
        costs[design] = (mem.counters.lock_acquisitions, mem.counters.barriers)
    assert costs == {"a": (10, 0), "b": (0, 10), "c": (0, 10), "d": (0, 10)}


# ---- scenarios ---------------------------------------------------------------------------------
REFERENCES = {
    "swiotlb-v2-flag-false-negative": dict(variant="b"),
    "swiotlb-v2-flag-implies-list": dict(variant="b", question="flag-without-entry"),
    "swiotlb-catalin-list-empty-wmb-rmb": dict(variant="c"),
    "swiotlb-catalin-list-empty-no-rmb": dict(variant="c", reader="none"),
    "swiotlb-mainline-v6.6-final": dict(variant="d"),
    "swiotlb-mainline-v6.6-rc1-wmb": dict(variant="d", writer="smp_wmb"),
    "swiotlb-mainline-v6.6-final-no-rmb": dict(variant="d", reader="none"),
    "swiotlb-mainline-v6.6-final-plain-driver": dict(variant="d", handoff="plain"),
}


@pytest.mark.parametrize("name", list(REFERENCES))
def test_generated_scenarios_reproduce_the_reference_verdicts(name):
    path = shared_path("course", "litmus", f"{name}.litmus")
    reference = swtlb.check(path)
    kwargs = dict(REFERENCES[name])
    ours = swtlb.check(scenario(kwargs.pop("variant"), **kwargs).test)
    assert ours.verdict == reference.verdict
    assert ours.flags == reference.flags


@pytest.mark.parametrize("kwargs,verdict", [
    (dict(variant="a"), "Never"),
    (dict(variant="b"), "Sometimes"),  # Catalin's counterexample
    (dict(variant="c"), "Never"),
    (dict(variant="c", writer="none"), "Sometimes"),
    (dict(variant="c", reader="none"), "Sometimes"),
    (dict(variant="d"), "Never"),
    (dict(variant="d", writer="smp_wmb"), "Sometimes"),  # the three-CPU case
    (dict(variant="d", writer="release"), "Sometimes"),
    (dict(variant="d", writer="smp_wmb", cpus=2), "Never"),
])
def test_design_verdicts(kwargs, verdict):
    kwargs = dict(kwargs)
    assert swtlb.check(scenario(kwargs.pop("variant"), **kwargs).test).verdict == verdict


def test_every_generated_test_is_decided_by_swtlb_check(tmp_path, capsys):
    from swtlb.cli import main

    count = 0
    for variant in "abcd":
        for w in WRITERS:
            for r in READERS:
                for h in HANDOFFS:
                    sc = scenario(variant, w, r, h)
                    (tmp_path / f"{sc.name}.litmus").write_text(sc.text)
                    count += 1
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("Observation swiotlb-") == len(list(tmp_path.glob("*.litmus")))
    assert count == 4 * 48


def test_names_follow_the_kernel_style_and_descriptions_go_cpu_by_cpu():
    sc = scenario("c")
    assert sc.name == "swiotlb-c-MP+fencewmbonceonce+fencermbonceonce"
    lines = sc.describe()
    assert lines[0].startswith("mapping CPU (P0)") and "smp_wmb()" in lines[0]
    assert lines[1].startswith("checking CPU (P1)") and "smp_rmb()" in lines[1]
    assert lines[-1].startswith("pairing:")
    with pytest.raises(ValueError, match="writer must be one of"):
        scenario("c", writer="mb")


# ---- consequences ------------------------------------------------------------------------------
def test_replay_of_the_bad_execution_loses_data_and_leaks_a_slot():
    sc = scenario("b")
    result = swtlb.check(sc.test)
    bad = next(x for x in result.allowed if holds(sc.test, sc.test.condition.prop, x))
    report = replay(sc, bad)
    assert report.holds_paddr and not report.answer
    assert report.driver_got.startswith(b"stale bytes") and report.data_lost
    assert report.leaked_slots == PAGE_SIZE // IO_TLB_SIZE  # a page-sized dynamic buffer
    assert "swiotlb=dynamic" in report.needs  # the v2 design: only with dynamic buffers on
    assert "CONFIG_SWIOTLB_DYNAMIC=y" in replay(scenario("d"), bad_d()).needs


def bad_d():
    sc = scenario("d", writer="smp_wmb")
    result = swtlb.check(sc.test)
    return next(x for x in result.allowed if holds(sc.test, sc.test.condition.prop, x))


def test_replay_of_a_good_execution_delivers_the_data():
    sc = scenario("c")
    result = swtlb.check(sc.test)
    for x in result.allowed:
        report = replay(sc, x)
        assert not report.data_lost
        if report.holds_paddr:
            assert report.driver_got == report.device_wrote and report.leaked_slots == 0


def test_replay_accepts_a_simulator_row():
    from swtlb.machines import simulate

    sc = scenario("b")
    freq = simulate(sc.test, "weak", runs=50_000)
    row = freq[freq["exists"] & (freq["count"] > 0)].iloc[0]
    assert replay(sc, row).data_lost


def test_barrier_matrix_design_c():
    m = barrier_matrix("c", runs=20_000, handoffs=("once",))
    never = m[m["LKMM"] == "Never"]
    assert set(zip(never["writer"], never["reader"])) == {
        (w, r) for w in ("smp_wmb", "smp_mb") for r in ("smp_rmb", "smp_mb")}
    assert (m.loc[m["LKMM"] == "Never", "weak bad runs"] == 0).all()
    assert (m.loc[m["LKMM"] == "Sometimes", "weak bad runs"] > 0).all()
    assert (m["hot-path locks"] == 0).all()


# On arm64 (other-multi-copy-atomic) the v6.6-rc1 three-CPU race cannot happen: LKMM allows it
# for non-multicopy-atomic machines such as Power. docs/swiotlb.md explains.
HARDWARE_CANNOT = {("d", "smp_wmb", 3)}


@pytest.mark.parametrize("kwargs", [
    dict(variant="a"), dict(variant="b"), dict(variant="c"), dict(variant="c", writer="none"),
    dict(variant="c", reader="none"), dict(variant="d"), dict(variant="d", writer="smp_wmb"),
    dict(variant="d", writer="release"), dict(variant="d", reader="none"),
], ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_weak_machine_shows_the_bad_outcome_exactly_where_lkmm_allows_it(kwargs):
    from swtlb.machines import simulate

    kwargs = dict(kwargs)
    variant = kwargs.pop("variant")
    sc = scenario(variant, **kwargs)
    verdict = swtlb.check(sc.test).verdict
    freq = simulate(sc.test, "weak", runs=1_000_000, progress=False)
    bad = int(freq.loc[freq["exists"], "count"].sum())
    if verdict == "Never" or (variant, sc.writer, sc.cpus) in HARDWARE_CANNOT:
        assert bad == 0
    else:
        assert bad > 0
