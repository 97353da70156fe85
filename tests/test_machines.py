"""The machines never leave their models, reach what hardware reaches, and are reproducible."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litmus_text import MP, SB

import swtlb
from swtlb.machines import MODEL_OF, simulate, wilson
from swtlb.machines.program import compile_test

CORPUS = sorted((SHARED / "litmus").rglob("*.litmus")) + sorted(
    (SHARED / "course" / "litmus").glob("*.litmus"))


def _forbidden(freq) -> list:
    return freq[(freq["count"] > 0) & ~freq["allowed"]][["state", "count"]].values.tolist()


@pytest.mark.parametrize("path", CORPUS, ids=[str(p.relative_to(SHARED)) for p in CORPUS])
def test_no_machine_leaves_its_model_on_the_corpus(path):
    test = swtlb.parse(path)
    try:
        compile_test(test)
    except swtlb.UnsupportedError as exc:
        pytest.skip(exc.message)
    for machine, model in MODEL_OF.items():
        try:
            reference = swtlb.check(test, model, timeout=30)
        except swtlb.BoundError:
            pytest.skip(f"the {model} checker needs more than 30 s here")
        try:
            freq = simulate(test, machine, runs=100_000, reference=reference, progress=False)
        except swtlb.UnsupportedError as exc:  # e.g. a lock never released: a deadlock
            pytest.skip(exc.message)
        assert _forbidden(freq) == [], f"{machine} produced states {model} forbids"


# ---- random programs -------------------------------------------------------------------------
LOCS = ["x", "y", "z"]


@st.composite
def statements(draw, regs: list[str]):
    kind = draw(st.sampled_from(["store", "release", "load", "acquire", "fence", "data", "ctrl",
                                 "addr"]))
    loc = draw(st.sampled_from(LOCS))
    value = draw(st.integers(1, 2))
    if kind == "store":
        return f"WRITE_ONCE(*{loc}, {value});"
    if kind == "release":
        return f"smp_store_release({loc}, {value});"
    if kind == "fence":
        return draw(st.sampled_from(["smp_mb();", "smp_rmb();", "smp_wmb();"]))
    reg = f"r{len(regs)}"
    if kind in ("data", "ctrl", "addr") and regs:
        src = draw(st.sampled_from(regs))
        if kind == "data":
            return f"WRITE_ONCE(*{loc}, {src} + 1);"
        if kind == "ctrl":
            return f"if ({src} == {value}) WRITE_ONCE(*{loc}, {value});"
        regs.append(reg)
        return f"{reg} = READ_ONCE(*({loc} + ({src} - {src})));"
    regs.append(reg)
    if kind == "acquire":
        return f"{reg} = smp_load_acquire({loc});"
    return f"{reg} = READ_ONCE(*{loc});"


@st.composite
def programs(draw):
    threads = []
    registers = []
    for t in range(draw(st.integers(2, 3))):
        regs: list[str] = []
        body = [draw(statements(regs)) for _ in range(draw(st.integers(1, 4)))]
        decls = "".join(f"int {r}; " for r in regs)
        threads.append(f"P{t}(int *x, int *y, int *z) {{ {decls}{' '.join(body)} }}")
        registers += [f"{t}:{r}" for r in regs]
    locations = "; ".join(registers + LOCS)
    return ("C random\n{}\n" + "\n".join(threads) + f"\nlocations [{locations}]\n"
            "exists (x=0)\n")


@settings(max_examples=int(os.environ.get("SWTLB_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.integers(0, 2**16))
def test_random_programs_stay_inside_their_models(text, seed):
    test = swtlb.parse(text)
    for machine, model in MODEL_OF.items():
        freq = simulate(test, machine, runs=20_000, seed=seed, progress=False,
                        reference=swtlb.check(test, model))
        assert _forbidden(freq) == [], f"{machine}:\n{text}"


# ---- the textbook claims -----------------------------------------------------------------------
def _count(freq, exists=True) -> int:
    return int(freq.loc[freq["exists"] == exists, "count"].sum())


def test_tso_shows_store_buffering_but_never_message_passing():
    assert _count(simulate(swtlb.parse(SB % dict(f0="", f1="")), "tso", runs=200_000)) > 0
    assert _count(simulate(swtlb.parse(MP % dict(w="", r="")), "tso", runs=200_000)) == 0


def test_weak_shows_message_passing_unless_both_barriers():
    plain = simulate(swtlb.parse(MP % dict(w="", r="")), "weak", runs=200_000)
    fenced = simulate(swtlb.parse(MP % dict(w="smp_wmb();", r="smp_rmb();")), "weak",
                      runs=200_000)
    assert _count(plain) > 0
    assert _count(fenced) == 0
    bad = fenced[fenced["exists"]]
    assert len(bad) == 0 or (bad["count"] == 0).all()


def test_same_seed_same_counts_other_seed_other_counts():
    test = swtlb.parse(SB % dict(f0="", f1=""))
    a = simulate(test, "weak", runs=50_000, seed=7)
    b = simulate(test, "weak", runs=50_000, seed=7)
    c = simulate(test, "weak", runs=50_000, seed=8)
    assert a["count"].tolist() == b["count"].tolist()
    assert a["count"].tolist() != c["count"].tolist()
    assert a["count"].sum() == 50_000


def test_frame_columns_and_model_only_states():
    freq = simulate(swtlb.parse(MP % dict(w="", r="")), "sc", runs=1_000)
    assert list(freq.columns) == ["state", "count", "frequency", "ci_low", "ci_high", "exists",
                                  "allowed"]
    assert freq["allowed"].all() and abs(freq["frequency"].sum() - 1) < 1e-9
    assert freq.attrs["runs"] == 1_000 and freq.attrs["model"] == "sc"


def test_wilson_interval():
    low, high = wilson(np.array([0.0, 50.0, 100.0]), 100)
    assert low[0] == 0 and 0 < high[0] < 0.04
    assert low[1] < 0.5 < high[1]
    assert 0.96 < low[2] < 1 and high[2] == 1


def test_unsupported_construct_is_refused_clearly():
    test = swtlb.parse("C t\n{}\nP0(int *x) { int r; r = srcu_read_lock(x); }\nexists (x=0)\n")
    with pytest.raises(swtlb.UnsupportedError, match="not modelled by the machines"):
        simulate(test, "weak", runs=10)


# ---- reach: every state the model allows shows up, bar what hardware cannot do ------------------
def _shapes() -> dict[str, str]:
    from litmus_text import TWO_PLUS_TWO_W

    shapes = {}
    folder = SHARED / "litmus" / "kernel" / "memory-model"
    for name in ["MP+poonceonces", "MP+fencewmbonceonce+fencermbonceonce",
                 "MP+pooncerelease+poacquireonce", "SB+poonceonces", "SB+fencembonceonces",
                 "LB+poonceonces", "LB+fencembonceonce+ctrlonceonce",
                 "LB+poacquireonce+pooncerelease", "WRC+poonceonces+Once",
                 "WRC+pooncerelease+fencermbonceonce+Once", "IRIW+poonceonces+OnceOnce",
                 "IRIW+fencembonceonces+OnceOnce"]:
        if (folder / f"{name}.litmus").exists():
            shapes[name] = (folder / f"{name}.litmus").read_text()
    for name, f in (("2+2W", ""), ("2+2W+wmbs", "smp_wmb();"), ("2+2W+mbs", "smp_mb();")):
        shapes[name] = TWO_PLUS_TWO_W % dict(f0=f, f1=f)
    return shapes


# States LKMM allows that no arm64 machine can produce (docs/machines.md says why).
HARDWARE_CANNOT = {("2+2W+wmbs", "weak"): {"[x]=1; [y]=1;"}}
SHAPES = _shapes()


@pytest.mark.parametrize("machine", list(MODEL_OF))
@pytest.mark.parametrize("name", list(SHAPES))
def test_every_allowed_state_is_reached_in_a_million_runs(name, machine):
    freq = simulate(swtlb.parse(SHAPES[name]), machine, runs=1_000_000, progress=False)
    missing = set(freq.loc[(freq["count"] == 0) & freq["allowed"], "state"])
    assert missing == HARDWARE_CANNOT.get((name, machine), set())
