"""Plots draw what the data says; the PNGs land in test-output/ for a person to look at."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from conftest import ROOT  # noqa: E402
from litmus_text import MP  # noqa: E402

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


def test_execution_graph_highlights_the_rejected_cycle():
    result = swtlb.check(FENCED)
    execution, why = plots.bad_execution(result)
    assert why is not None and why.axiom == "happens-before"
    ax = plots.execution_graph(execution, why)
    labels = {t.get_text() for t in ax.texts}
    assert {"P0", "P1"} <= labels and {"fre", "rfe", "rf", "po"} <= labels
    cycle_arrows = [p for p in ax.patches if p.get_linewidth() > 2]
    assert len(cycle_arrows) == len(why.steps)
    _save(ax.figure, "graph-mp-wmb-rmb-rejected.png")


def test_allowed_outcome_is_drawn_without_a_cycle():
    result = swtlb.check(PLAIN)
    execution, why = plots.bad_execution(result)
    assert why is None and execution in result.allowed and result.reaches(execution)
    allowed = result.explain()
    assert allowed.allowed and allowed.execution is execution
    ax = plots.execution_graph(execution, allowed)  # an allowed explanation highlights nothing
    assert not [p for p in ax.patches if p.get_linewidth() > 2]
    assert ax.get_title() == "an execution the model allows"
    _save(ax.figure, "graph-mp-plain-allowed.png")
