"""Plots draw what the data says; the PNGs land in test-output/ for a person to look at."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from conftest import ROOT  # noqa: E402
from litmus_text import MP  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

import swtlb  # noqa: E402
from swtlb import plots  # noqa: E402
from swtlb.machines import simulate  # noqa: E402

OUT = ROOT / "test-output"
PLAIN = swtlb.parse(MP % dict(w="", r=""))
FENCED = swtlb.parse(MP % dict(w="smp_wmb();", r="smp_rmb();"))


def _save(fig, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    fig.savefig(OUT / name, dpi=80, bbox_inches="tight")
    plt.close(fig)


def test_frequency_plot_bars_labels_and_highlight():
    freq = simulate(PLAIN, "weak", runs=50_000)
    ax = plots.frequency_plot(freq)
    bars = ax.patches[: len(freq)]
    assert [round(b.get_width(), 6) for b in bars] == [round(v, 6) for v in freq["frequency"]]
    bad = freq.index[freq["exists"]][0]
    assert bars[bad].get_facecolor()[:3] == matplotlib.colors.to_rgb(plots.OKABE_ITO["vermillion"])
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    _save(ax.figure, "frequency-mp-weak.png")


def test_allowed_but_unseen_state_is_shown_as_such():
    freq = simulate(PLAIN, "weak", runs=3)  # 3 runs cannot show all 4 allowed states
    unseen = freq[freq["count"] == 0]
    assert len(unseen) >= 1
    ax = plots.frequency_plot(freq, log=True)
    texts = [t.get_text() for t in ax.texts]
    assert sum("allowed, 0 in 3 runs" in t for t in texts) == len(unseen)
    assert ax.get_xscale() == "log"
    _save(ax.figure, "frequency-mp-weak-3-runs-log.png")


def test_compare_plot_has_one_series_per_choice():
    frames = {m: simulate(PLAIN, m, runs=20_000) for m in ("sc", "tso", "weak")}
    ax = plots.compare_plot(frames, title="MP on three machines")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sc", "tso", "weak"]
    _save(ax.figure, "compare-mp-machines.png")


def _drawn(ax):
    """Draw the axes' figure (the graph lays itself out at draw time) and return it."""
    FigureCanvasAgg(ax.figure).draw()
    return ax


def _texts(ax, gid: str) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def test_execution_graph_highlights_the_rejected_cycle():
    result = swtlb.check(FENCED)
    execution, why = plots.bad_execution(result)
    assert why is not None and why.axiom == "happens-before"
    ax = _drawn(plots.execution_graph(execution, why))
    labels = {t.get_text() for t in ax.texts}
    assert {"P0", "P1"} <= labels and {"fre", "rfe", "po"} <= labels
    # by default the cycle's steps are the only labelled edges, one bold arrow each
    assert sorted(_texts(ax, "edge-label")) == sorted(s.relation for s in why.steps)
    cycle_arrows = [p for p in ax.patches if p.get_linewidth() > 2]
    assert len(cycle_arrows) == len(why.steps)
    assert not [t for t in _texts(ax, "event") if t.startswith("init")]  # none in the cycle
    _save(ax.figure, "graph-mp-wmb-rmb-rejected.png")


def test_full_graph_draws_every_edge_and_the_cycle_bold():
    execution, why = plots.bad_execution(swtlb.check(FENCED))
    ax = _drawn(plots.execution_graph(execution, why, full=True))
    labels = set(_texts(ax, "edge-label"))
    assert {"fre", "rfe", "rf", "co", "po"} <= labels
    assert len([p for p in ax.patches if p.get_linewidth() > 2]) == len(why.steps)
    assert {"init:x=0", "init:y=0"} <= set(_texts(ax, "event"))
    _save(ax.figure, "graph-mp-wmb-rmb-rejected-full.png")


def test_graph_names_events_as_explain_does():
    execution, why = plots.bad_execution(swtlb.check(FENCED))
    ax = _drawn(plots.execution_graph(execution, why))
    events = set(_texts(ax, "event"))
    assert events == {execution.describe(i) for i, ev in enumerate(execution.events)
                      if ev.thread >= 0}
    assert {s.source for s in why.steps} | {s.target for s in why.steps} <= events
    assert all(f"{s.source} --{s.relation}-->" in str(why) for s in why.steps)


def test_each_relation_has_its_own_colour_and_line_style():
    colours = [c for c, _ in plots.EDGE_STYLES.values()]
    styles = [str(d) for _, d in plots.EDGE_STYLES.values() if d != "-"]
    assert len(set(colours)) == len(colours) and len(set(styles)) == len(styles)
    assert set(colours) <= set(plots.OKABE_ITO.values())
    execution, why = plots.bad_execution(swtlb.check(FENCED))
    ax = _drawn(plots.execution_graph(execution, why))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["po", "rf", "fr", "ppo", "thick, in any colour: the cycle"]  # only drawn


def test_po_runs_straight_down_each_column():
    execution, why = plots.bad_execution(swtlb.check(PLAIN))
    ax = _drawn(plots.execution_graph(execution, why))
    grey = matplotlib.colors.to_rgba(plots.EDGE_STYLES["po"][0])
    po = [p for p in ax.patches if tuple(p.get_edgecolor()) == grey]
    assert len(po) == 2
    for arrow in po:
        path = arrow.get_path()
        xs, ys = path.vertices[path.codes != path.CLOSEPOLY].T
        assert np.ptp(xs) < 0.1 * np.ptp(ys)


def test_allowed_outcome_is_drawn_without_a_cycle():
    result = swtlb.check(PLAIN)
    execution, why = plots.bad_execution(result)
    assert why is None and execution in result.allowed and result.reaches(execution)
    allowed = result.explain()
    assert allowed.allowed and allowed.execution is execution
    ax = _drawn(plots.execution_graph(execution, allowed))  # an allowed one highlights nothing
    assert not [p for p in ax.patches if p.get_linewidth() > 2]
    assert ax.get_title() == "an execution the model allows"
    # the edges that make the outcome, and the one initial write they start from
    assert sorted(_texts(ax, "edge-label")) == sorted(s.relation for s in allowed.steps)
    assert [t for t in _texts(ax, "event") if t.startswith("init")] == ["init:x=0"]
    plain = _drawn(plots.execution_graph(execution))  # no explanation: the same story
    assert sorted(_texts(plain, "edge-label")) == sorted(_texts(ax, "edge-label"))
    _save(ax.figure, "graph-mp-plain-allowed.png")
