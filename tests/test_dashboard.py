"""The classroom dashboard without a browser: every control, any sequence of clicks, and
arbitrary values given to the panels, never raise; the numbers agree with the checker."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("ipywidgets")

from swtlb.dashboard import (  # noqa: E402
    CPU_CHOICES,
    MAX_RUNS,
    RUN_CHOICES,
    MatrixPanel,
    ScenarioPanel,
    classroom,
)
from swtlb.swiotlb import HANDOFFS, READERS, VARIANTS, WRITERS, barrier_matrix  # noqa: E402

BAD = re.compile(r"LKMM says (Never|Sometimes|Always); the weak machine showed the bad "
                 r"outcome in ([\d,]+) of ([\d,]+) runs")


def _bad_runs(status: str) -> tuple[str, int]:
    m = BAD.search(status)
    assert m, status
    return m.group(1), int(m.group(2).replace(",", ""))


def test_scenario_panel_starts_with_design_c_as_posted():
    panel = ScenarioPanel(runs=2_000)
    assert panel.current == dict(variant="c", writer="smp_wmb", reader="smp_rmb",
                                 handoff="once", cpus="2")
    assert _bad_runs(panel.status) == ("Never", 0)
    assert panel.title.startswith("design c:")
    assert any("smp_rmb()" in line for line in panel.description)
    assert panel.litmus_text.startswith("C swiotlb-c-MP")


def test_select_switches_to_the_design_as_posted():
    panel = ScenarioPanel(runs=20_000)
    panel.select("b")
    assert panel.current["writer"] == "release" and panel.current["reader"] == "acquire"
    verdict, bad = _bad_runs(panel.status)
    assert verdict == "Sometimes" and bad > 0  # the flag of the first patch does not help
    panel.select("d")
    assert panel.current["cpus"] == "3" and _bad_runs(panel.status) == ("Never", 0)


@pytest.mark.parametrize("choice", [dict(variant="a", cpus="3"), dict(variant="zz"),
                                    dict(writer="smp_rmb"), dict(handoff="")])
def test_impossible_choices_become_messages(choice):
    panel = ScenarioPanel(runs=2_000)
    status = panel.update(**choice)
    assert "not a test this explorer can build" in status
    assert panel.description[0].startswith("This combination is not a scenario")
    assert panel.litmus_text == "" and panel.figure is not None
    assert _bad_runs(panel.update(**ScenarioPanel(runs=2_000).current))  # and it recovers


def test_scenario_widget_controls_redraw():
    panel = ScenarioPanel(runs=2_000)
    box = panel.widget()
    assert repr(box).startswith("[swiotlb scenario panel")
    before, figure = box.status.value, panel.figure
    box.controls["reader"].value = "none"
    assert box.status.value != before and "reader=none" in box.status.value
    assert "LKMM says Sometimes" in box.status.value
    assert panel.figure is not figure  # redrawn (the browser test sees it in the page)
    box.controls["variant"].value = "d"  # switches to d as posted: three CPUs, cpus enabled
    assert box.controls["cpus"].value == "3" and not box.controls["cpus"].disabled
    assert box.controls["writer"].value == "smp_mb"
    box.controls["writer"].value = "none"
    box.posted.click()
    assert box.controls["writer"].value == "smp_mb"
    assert _bad_runs(panel.status) == ("Never", 0)
    box.controls["variant"].value = "a"
    assert box.controls["cpus"].value == "2" and box.controls["cpus"].disabled


CONTROLS = {"variant": list(VARIANTS), "writer": list(WRITERS), "reader": list(READERS),
            "handoff": list(HANDOFFS), "cpus": CPU_CHOICES}
CLICKS = st.lists(st.sampled_from(list(CONTROLS)).flatmap(
    lambda name: st.tuples(st.just(name), st.sampled_from(CONTROLS[name]))), max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CLICKS)
def test_any_sequence_of_clicks_works(clicks):
    panel = ScenarioPanel(runs=500)
    box = panel.widget()
    for name, value in clicks:
        if not box.controls[name].disabled:
            box.controls[name].value = value
        status = box.status.value
        if "not a test" not in status:
            verdict, bad = _bad_runs(status)
            assert verdict != "Never" or bad == 0  # a plot never shows a forbidden outcome


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(list(CONTROLS)), st.text(max_size=8), max_size=5))
def test_any_values_given_to_the_scenario_panel_never_raise(choice):
    ScenarioPanel(runs=200).update(**choice)


@settings(max_examples=30, deadline=None)
@given(variant=st.one_of(st.sampled_from(list(VARIANTS)), st.text(max_size=3)),
       runs=st.one_of(st.sampled_from(list(RUN_CHOICES.values())), st.integers(-5, 10**9),
                      st.just("many")),
       cpus=st.one_of(st.sampled_from(CPU_CHOICES), st.text(max_size=2)))
def test_any_values_given_to_the_matrix_panel_never_raise(variant, runs, cpus):
    panel = MatrixPanel(runs=0)
    if isinstance(runs, int) and runs > 2_000:
        runs = runs if runs > MAX_RUNS else 2_000  # keep it quick; refusals stay refusals
    summary = panel.update(variant=variant, runs=runs, cpus=cpus)
    assert summary.startswith(f"design {variant}")
    assert (panel.matrix is None) == ("nothing to show" in summary)


@pytest.mark.parametrize("variant,cpus", [("a", "2"), ("b", "2"), ("c", "2"), ("d", "2"),
                                          ("d", "3")])
def test_matrix_never_shows_a_forbidden_outcome(variant, cpus):
    panel = MatrixPanel(variant, runs=2_000, cpus=cpus)
    m = panel.matrix
    assert len(m) == len(WRITERS) * len(READERS) * len(HANDOFFS) == 48
    assert panel.unsound == 0
    assert (m.loc[m["LKMM"] == "Never", "weak bad runs"] == 0).all()
    assert "and in 0 it forbids (2,000 runs each)" in panel.summary
    table = panel.table()
    assert table.shape == (4, 12) and list(table.index) == list(WRITERS)
    assert list(table.columns.get_level_values(0)[:4]) == [HANDOFFS[0]] * 4


def test_matrix_widget_switches_design_and_cpus():
    panel = MatrixPanel(runs=0)
    box = panel.widget()
    box.variant.value = "d"
    assert box.cpus.value == "3" and not box.cpus.disabled
    assert box.summary.value.startswith("<b>design d, 3 CPUs: 48 barrier choices")
    box.runs.value = 2_000
    assert "the weak machine showed it in" in box.summary.value
    box.variant.value = "a"
    assert box.cpus.value == "2" and box.cpus.disabled
    assert box.summary.value.startswith("<b>design a, 2 CPUs")


def test_barrier_matrix_reports_progress():
    calls = []
    barrier_matrix("c", runs=0, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(k, 48) for k in range(1, 49)]


def test_classroom_has_three_tabs_and_a_static_form():
    box = classroom(runs=500)
    assert [box.tabs.get_title(i) for i in range(3)] == ["Scenario", "Barrier matrix",
                                                         "How to read this"]
    assert repr(box).startswith("[classroom dashboard: variant=c")
