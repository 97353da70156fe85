"""The classroom dashboard without a browser: every control, any sequence of clicks, and
arbitrary values given to the panels, never raise; the numbers agree with the checker; and
every word shown (status, bullets, header comment, matrix summary, legend) agrees with the
verdict and flags of the test shown, for every combination of the controls."""

from __future__ import annotations

import itertools
import re
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("ipywidgets")

import swtlb  # noqa: E402
from swtlb.dashboard import (  # noqa: E402
    CPU_CHOICES,
    MAX_RUNS,
    RUN_CHOICES,
    MatrixPanel,
    ScenarioPanel,
    classroom,
    scenario_words,
    status_line,
)
from swtlb.swiotlb import (  # noqa: E402
    HANDOFFS,
    READERS,
    VARIANTS,
    WRITERS,
    barrier_matrix,
    scenario,
)

BAD = re.compile(r"LKMM says (Never|Sometimes|Always|undefined)(?: \([^)]*\))?; the weak "
                 r"machine showed the bad outcome in ([\d,]+) of ([\d,]+) runs")


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


@pytest.mark.parametrize("choice", [dict(variant="zz"), dict(writer="smp_rmb"),
                                    dict(handoff="")])
def test_values_no_control_offers_are_refused(choice):
    panel = ScenarioPanel(runs=2_000)
    with pytest.raises(ValueError, match="must be one of"):
        panel.update(**choice)


@pytest.mark.parametrize("choice", [dict(variant="a", cpus="3")])
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
        assert_words_follow_verdict(panel.current, panel.title, panel.description,
                                    panel.litmus_text, panel.status)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(list(CONTROLS)), st.text(max_size=8), max_size=5))
def test_any_values_given_to_the_scenario_panel_are_taken_or_refused_cleanly(choice):
    panel = ScenarioPanel(runs=200)
    before = panel.current
    try:
        panel.update(**choice)
    except ValueError as exc:
        assert "must be one of" in str(exc)
        assert panel.current == before  # a refused call changes nothing


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
    legend = [t.get_text() for t in panel.figure.legends[0].get_texts()]
    allowed = m[(m["LKMM"] != "Never") & ~m["data race"]]
    assert any("not seen in these runs" in label for label in legend) == bool(
        (allowed["weak bad runs"] == 0).any())
    assert not any("LKMM allows it" in label for label in legend)  # runs were made
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
    static = repr(box)
    assert static.startswith("[classroom dashboard") and "variant=c" in static
    # the text form a notebook keeps is the whole of it, not cut at 110 characters mid-word
    assert box._repr_mimebundle_()["text/plain"] == static and "\u2026" not in static
    assert box.scenario.status in static and box.matrix.summary in static
    for panel in (box.scenario.widget(), box.matrix.widget()):
        assert panel._repr_mimebundle_()["text/plain"] == repr(panel)


# ---- the words follow the verdict: every combination the controls offer ------------------------
# Expectations come from swtlb.check on the test the panel shows (and on the same test with one
# barrier removed or changed), never from the texts themselves.
COMBOS = list(itertools.product(VARIANTS, WRITERS, READERS, HANDOFFS, CPU_CHOICES))
FENCE = re.compile(r"smp_(?:wmb|rmb|mb)\(\)")
PRIMITIVE = re.compile(r"smp_(?:wmb|rmb|mb|store_release|load_acquire)\(\)")


@cache
def lkmm(variant: str, writer: str, reader: str, handoff: str, cpus: str) -> tuple[str, bool]:
    """(verdict, data race?) of the scenario, straight from the checker."""
    result = swtlb.check(scenario(variant, writer, reader, handoff, cpus=int(cpus)).test)
    return result.verdict, "data-race" in result.flags


def _threads(text: str) -> dict[str, str]:
    """The mapping CPU's and the checking CPU's code in a generated test."""
    bodies = re.split(r"\n(?=P\d+\()", text.split("*)", 1)[1].split("\nexists")[0])
    mapper = next(b for b in bodies if "hands out paddr" in b)
    checker = next(b for b in bodies if "picks up paddr" in b)
    return {"mapper": mapper, "checker": checker}


def _fences(code: str) -> set[str]:
    return {f"{m}()" for m in re.findall(r"(smp_(?:wmb|rmb|mb))\(\);", code)}


def _writers_named(words: str) -> set[str]:
    return set(words.split(" or "))


def assert_words_follow_verdict(choice: dict[str, str], title: str, lines: list[str], text: str,
                                status: str) -> None:
    variant, writer, reader, handoff, cpus = (choice[k] for k in CONTROLS)
    if variant not in VARIANTS or (cpus == "3" and variant != "d"):
        assert len(lines) == 1 and lines[0].startswith("This combination is not a scenario")
        assert text == "" and not re.search(r"Never|Sometimes|undefined", " ".join(lines))
        return
    verdict, race = lkmm(variant, writer, reader, handoff, cpus)
    assert text == scenario(variant, writer, reader, handoff, cpus=int(cpus)).text
    # the status line: a data race is undefined, never Never (nor Sometimes)
    if race:
        assert "undefined" in status and "data race" in status
        assert not re.search(r"Never|Sometimes", status)
    else:
        assert f"LKMM says {verdict};" in status and "undefined" not in status

    # the pairing line, claim by claim, against the checker
    def v(w, r):
        return lkmm(variant, w, r, handoff, cpus)[0]

    pairing = lines[-1]
    assert pairing.startswith("pairing:")
    assert ("no defined outcome" in pairing) == race
    if race:  # "whatever the barriers": every cell of this hand-off races
        assert all(lkmm(variant, w, r, handoff, cpus)[1] for w in WRITERS for r in READERS)
    each_side = (not race and verdict == "Never" and v("none", reader) != "Never"
                 and v(writer, "none") != "Never")
    assert ("a barrier on each side is needed" in pairing) == each_side
    assert ("neither alone closes the window" in pairing) == each_side
    no_barrier = not race and verdict == "Never" and v("none", "none") == "Never"
    assert ("no barrier is needed" in pairing) == no_barrier
    assert ("(LKMM: Never)" in pairing) <= (verdict == "Never" and not race)
    if m := re.search(r"only the (mapping|checking) CPU's .+? is needed: without it LKMM "
                      r"allows the bad outcome", pairing):
        assert verdict == "Never" and not race and not each_side and not no_barrier
        assert (writer if m.group(1) == "mapping" else reader) != "none"
        without = v("none", reader) if m.group(1) == "mapping" else v(writer, "none")
        assert without != "Never"
    fix_w = {w for w in WRITERS if v(w, reader) == "Never"}
    fix_r = {r for r in READERS if v(writer, r) == "Never"}
    claims = 0
    if m := re.search(r"with this reader, LKMM says Never only with writer (.+?)\.", pairing):
        assert _writers_named(m.group(1)) == fix_w and not fix_r
        claims += 1
    if m := re.search(r"with this writer, LKMM says Never only with reader (.+?)\.", pairing):
        assert _writers_named(m.group(1)) == fix_r and not fix_w
        claims += 1
    if m := re.search(r"Never only with writer (.+?) together with reader (.+?)\.", pairing):
        pairs = {(w, r) for w in WRITERS for r in READERS if v(w, r) == "Never"}
        assert set(itertools.product(_writers_named(m.group(1)),
                                     _writers_named(m.group(2)))) == pairs
        assert not fix_w and not fix_r
        claims += 1
    if "either side alone" in pairing:
        assert fix_w and fix_r
        claims += 1
    if "no barrier on these two CPUs closes the window" in pairing:
        assert not any(v(w, r) == "Never" for w in WRITERS for r in READERS)
        claims += 1
    assert claims == (0 if race or verdict == "Never" else 1), pairing

    # each CPU's line against that CPU's code in the test shown
    code = _threads(text)
    mapper = next(line for line in lines if line.startswith("mapping CPU"))
    checker = next(line for line in lines if line.startswith("checking CPU"))
    assert set(FENCE.findall(mapper)) == _fences(code["mapper"])
    assert set(FENCE.findall(checker)) == _fences(code["checker"])
    paddr_release = "smp_store_release(blah" in code["mapper"]
    paddr_acquire = "smp_load_acquire(blah" in code["checker"]
    publish_release = re.search(r"smp_store_release\((?!blah)", code["mapper"]) is not None
    probe_acquire = re.search(r"smp_load_acquire\((?!blah)", code["checker"]) is not None
    assert ("the publishing store is a release" in mapper) == publish_release
    assert ("the probe is an acquire load" in checker) == probe_acquire
    if "free to pass it" in mapper:
        assert not paddr_release
    if "the earlier load of paddr is not ordered before it" in checker:
        assert not paddr_acquire
    if "nothing orders the publication" in mapper:
        assert not _fences(code["mapper"]) and not paddr_release
    if "nothing orders the driver's load of paddr" in checker:
        assert not _fences(code["checker"]) and not paddr_acquire
    assert ("pool" in mapper.split(";", 1)[1]) <= ("rcu_dereference" in code["mapper"])
    hand_off = next(line for line in lines if line.startswith("hand-off:"))
    assert ("plain C accesses" in hand_off) == ("*blah = 1;" in code["mapper"])
    assert ("smp_store_release()/smp_load_acquire()" in hand_off) == paddr_release

    # the header comment and the title name no barrier the test lacks, and say its options
    header = text.split("(*", 1)[1].split("*)", 1)[0]
    body = text.split("*)", 1)[1]
    assert f"writer={writer} reader={reader} handoff={handoff}" in header
    for named in PRIMITIVE.findall(header) + PRIMITIVE.findall(title):
        assert named.rstrip("()") + "(" in body, (named, header)
    posted = VARIANTS[variant].as_proposed == dict(writer=writer, reader=reader, handoff=handoff)
    assert ("as posted:" not in header) == posted


def test_every_combination_says_what_its_verdict_says():
    shown = 0
    for combo in COMBOS:
        choice = dict(zip(CONTROLS, combo))
        title, lines, text = scenario_words(*combo)
        if text:
            verdict, race = lkmm(*combo)
            status = status_line("...", verdict, race, 0, 1_000)
            shown += 1
        else:
            status = ""
        assert_words_follow_verdict(choice, title, lines, text, status)
    assert len(COMBOS) == 384 and shown == 3 * 48 + 2 * 48  # a, b, c: 2 CPUs; d: 2 and 3


def test_verdicts_only_status_claims_no_runs():
    assert "not run" in status_line("x", "Sometimes", False, 0, 0)
    assert "showed" not in status_line("x", "Sometimes", False, 0, 0)


@pytest.mark.parametrize("variant,cpus", [("a", "2"), ("b", "2"), ("c", "2"), ("d", "2"),
                                          ("d", "3")])
def test_matrix_words_follow_the_verdicts(variant, cpus):
    panel = MatrixPanel(variant, runs=0, cpus=cpus)
    cells = {(w, r, h): lkmm(variant, w, r, h, cpus)
             for w, r, h in itertools.product(WRITERS, READERS, HANDOFFS)}
    races = sum(race for _, race in cells.values())
    never = sum(v == "Never" and not race for v, race in cells.values())
    allowed = len(cells) - races - never
    summary = panel.summary

    def number(pattern: str) -> int | None:
        m = re.search(pattern, summary)
        return int(m.group(1)) if m else None

    assert number(r"forbids the bad outcome in (\d+)\b") == never
    assert number(r"allows it in (\d+)\b") == allowed
    assert number(r"(\d+) are data races") == (races or None)
    assert "showed" not in summary and "verdicts only" in summary
    legend = [t.get_text() for t in panel.figure.legends[0].get_texts()]
    assert not any("not seen" in label for label in legend)  # nothing was run
    assert any("data race" in label for label in legend) == bool(races)
    assert any(label.startswith("Never") for label in legend) == bool(never)
    assert any(label.startswith("Sometimes") for label in legend) == bool(allowed)
    texts = [t.get_text() for ax in panel.figure.axes for t in ax.texts]
    assert sum(t.startswith("Never") for t in texts) == never
    assert sum(t.startswith("undefined") for t in texts) == races
    table = panel.table()
    for (w, r, h), (verdict, race) in cells.items():
        cell = table.loc[w, (h, r)]
        assert cell == ("undefined (data race)" if race else verdict)


def test_v2_maps_with_a_dynamic_buffer_first():
    """PATCH v2 4/7 (d0c6f2a489fc7dc0649a9cb21b7c6d4a1e97986d.1681898595.git.petr.tesarik.ext@
    huawei.com) calls swiotlb_dyn_map() and falls back to swiotlb_fixed_map() on failure; 5/7
    guards the first call with mem->allow_dyn. v6.6 searches the existing pools first."""
    for key in "abc":
        maps = VARIANTS[key].maps
        assert maps.index("swiotlb_dyn_map() first") < maps.index("fall back to the fixed pool")
        assert "smaller than a page" in maps
    assert VARIANTS["d"].maps.index("pools already on mem->pools") < VARIANTS["d"].maps.index(
        "transient pool")
    _, lines, _ = scenario_words("c", "smp_wmb", "smp_rmb", "once", "2")
    assert lines[0].startswith("how a mapping gets its bounce buffer: with swiotlb=dynamic")
