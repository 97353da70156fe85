"""Pictures for the course: outcome frequencies, comparisons, and execution graphs.

Matplotlib only, in the Okabe-Ito palette (safe for the common colour-vision deficiencies), and
every bar or edge also carries a text label or hatch so that nothing relies on colour alone.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Patch

from .check import CheckResult, Explanation
from .executions import Execution

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
             "purple": "#CC79A7", "grey": "#999999"}
EDGE_COLOURS = {"po": OKABE_ITO["grey"], "rf": OKABE_ITO["blue"], "co": OKABE_ITO["green"],
                "fr": OKABE_ITO["orange"], "addr": OKABE_ITO["purple"],
                "data": OKABE_ITO["purple"], "ctrl": OKABE_ITO["purple"],
                "cycle": OKABE_ITO["vermillion"]}


def _bar_colours(frame: pd.DataFrame) -> list[str]:
    return [OKABE_ITO["vermillion"] if e else OKABE_ITO["blue"] for e in frame["exists"]]


def frequency_plot(freq: pd.DataFrame, *, log: bool = False, ax: Axes | None = None,
                   title: str | None = None) -> Axes:
    """One bar per final state: the ``exists`` outcome in vermillion, the rest in blue.

    A state the model allows but no run produced gets an empty outlined bar and the text
    "0 in N runs"; a state the model forbids would be hatched and labelled (it never should).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(freq) + 1.6))
    runs = freq.attrs.get("kept", int(freq["count"].sum()))
    y = np.arange(len(freq))
    values = freq["frequency"].to_numpy(float)
    floor = 0.5 / max(runs, 1) if log else 0.0
    shown = np.where(values > 0, values, floor)
    bars = ax.barh(y, shown, color=_bar_colours(freq), edgecolor="black", linewidth=0.6)
    err_low = np.clip(values - freq["ci_low"].to_numpy(float), 0, None)
    err_high = np.clip(freq["ci_high"].to_numpy(float) - values, 0, None)
    ax.errorbar(values[values > 0], y[values > 0], xerr=[err_low[values > 0],
                err_high[values > 0]], fmt="none", ecolor="black", capsize=3, linewidth=0.8)
    for bar, (_, row) in zip(bars, freq.iterrows()):
        if row["count"] == 0:
            bar.set_facecolor("white")
            bar.set_hatch("")
            label = f"allowed, 0 in {runs:,} runs"
        elif not row["allowed"]:
            bar.set_hatch("xx")
            label = f"{row['count']:,}  FORBIDDEN by {freq.attrs.get('model', 'the model')}"
        else:
            label = f"{row['count']:,} ({row['frequency']:.2%})"
        right = max(bar.get_width(), floor, float(row["ci_high"]) if row["count"] else 0.0)
        ax.text(right, bar.get_y() + bar.get_height() / 2, "  " + label, va="center",
                fontsize=8)
    ax.set_yticks(y, [s + ("  <- exists" if e else "") for s, e in zip(freq["state"],
                                                                        freq["exists"])],
                  fontsize=8, family="monospace")
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
        ax.set_xlim(floor / 2, 60)
    else:
        ax.set_xlim(0, max(1e-9, values.max()) * 1.35)
    ax.set_xlabel("fraction of runs (95 % Wilson interval)" + (", log scale" if log else ""))
    ax.set_ylabel("final state")
    name = freq.attrs.get("test", "")
    machine = freq.attrs.get("machine", "")
    ax.set_title(title or f"{name} on the {machine} machine: {runs:,} runs", fontsize=10)
    ax.legend(handles=[Patch(color=OKABE_ITO["vermillion"], label="exists clause holds"),
                       Patch(color=OKABE_ITO["blue"], label="other outcome"),
                       Patch(facecolor="white", edgecolor="black", label="allowed, never seen")],
              fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def compare_plot(frames: dict[str, pd.DataFrame], *, log: bool = False, ax: Axes | None = None,
                 title: str = "Outcome frequencies compared") -> Axes:
    """Grouped bars: one group per final state, one bar per machine or barrier choice."""
    states: list[str] = []
    for f in frames.values():
        states += [s for s in f["state"] if s not in states]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 * len(states) * max(1, len(frames) / 2) + 1.6))
    palette = [OKABE_ITO[c] for c in ("blue", "orange", "green", "purple", "sky", "yellow")]
    hatches = ["", "//", "..", "\\\\", "xx", "--"]
    height = 0.8 / max(1, len(frames))
    y = np.arange(len(states))
    for k, (label, f) in enumerate(frames.items()):
        lookup = dict(zip(f["state"], f["frequency"]))
        values = np.array([lookup.get(s, 0.0) for s in states])
        if log:
            values = np.where(values > 0, values, np.nan)
        ax.barh(y + k * height, values, height, label=label, color=palette[k % len(palette)],
                hatch=hatches[k % len(hatches)], edgecolor="black", linewidth=0.5)
    exists = set()
    for f in frames.values():
        exists |= set(f.loc[f["exists"], "state"])
    ax.set_yticks(y + height * (len(frames) - 1) / 2,
                  [s + ("  <- exists" if s in exists else "") for s in states], fontsize=8,
                  family="monospace")
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    ax.set_xlabel("fraction of runs" + (", log scale" if log else ""))
    ax.set_ylabel("final state")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def execution_graph(execution: Execution, explanation: Explanation | None = None, *,
                    ax: Axes | None = None, title: str | None = None) -> Axes:
    """Threads in columns, events top to bottom; po, rf, co, fr and dependency edges labelled;
    the cycle of a rejection ``explanation`` (from ``CheckResult.explain``) drawn thick in
    vermillion. An ``allowed`` explanation highlights nothing: its edges are the ones drawn."""
    x = execution
    threads = sorted({ev.thread for ev in x.events if ev.thread >= 0})
    pos: dict[int, tuple[float, float]] = {}
    depth = max((ev.index for ev in x.events if ev.thread >= 0), default=0) + 1
    inits = [i for i, ev in enumerate(x.events) if ev.thread < 0]
    for i, ev in enumerate(x.events):
        if ev.thread < 0:
            pos[i] = (inits.index(i) * 2.0 + 0.3 * (len(threads) - 1), 1.9)
        else:
            pos[i] = (threads.index(ev.thread) * 2.6, -ev.index * 1.2)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.9 * max(2, len(threads)), 1.25 * depth + 2))
    from .models.base import Verdict  # noqa: F401 - for readers of the signature

    rf, co, rmw = x.complete()
    fr = rf.inv @ co
    co_imm = co - (co @ co)
    edges: list[tuple[int, int, str]] = []
    for a, b in (x.po - (x.po @ x.po)).pairs():
        edges.append((a, b, "po"))
    for name, rel in (("rf", rf), ("co", co_imm), ("fr", fr), ("addr", x.addr),
                      ("data", x.data), ("ctrl", x.ctrl)):
        edges += [(a, b, name) for a, b in rel.pairs()]
    if explanation is not None and explanation.allowed:
        explanation = None  # an allowed execution has no cycle to highlight
    cycle = set()
    if explanation is not None:
        by_desc = {x.describe(i): i for i in range(x.n)}
        for step in explanation.steps:
            if step.source in by_desc and step.target in by_desc:
                cycle.add((by_desc[step.source], by_desc[step.target]))
    drawn = set()
    for a, b, name in edges:
        if (a, b, name) in drawn:
            continue
        drawn.add((a, b, name))
        _arrow(ax, pos[a], pos[b], EDGE_COLOURS[name], name, rad=0.0 if name == "po" else 0.25)
    for a, b in cycle:
        label = next((s.relation for s in explanation.steps
                      if s.source == x.describe(a) and s.target == x.describe(b)), "")
        _arrow(ax, pos[a], pos[b], EDGE_COLOURS["cycle"], label, rad=-0.35, width=2.6)
    for i, ev in enumerate(x.events):
        if ev.thread < 0 and not any(i in (a, b) for a, b, _ in edges):
            continue
        text = (f"init {ev.loc}={ev.value}" if ev.thread < 0 else
                f"{chr(ord('a') + sum(len(t.events) for t in x.traces[:ev.thread]) + ev.index)}"
                f": {ev.label()}")
        ax.text(*pos[i], text, ha="center", va="center", fontsize=8, family="monospace",
                bbox=dict(boxstyle="round,pad=0.3", facecolor="white",
                          edgecolor=OKABE_ITO["vermillion"] if any(i in p for p in cycle)
                          else "black"))
    for k, t in enumerate(threads):
        ax.text(k * 2.6, 0.75, f"P{t}", ha="center", fontsize=10, weight="bold")
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 1.4, max(xs) + 1.4)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.6)
    ax.axis("off")
    handles = [Patch(color=c, label=n) for n, c in EDGE_COLOURS.items()
               if n in {e[2] for e in edges} or (n == "cycle" and cycle)]
    ax.legend(handles=handles, fontsize=7, loc="lower center", ncol=len(handles),
              bbox_to_anchor=(0.5, -0.08))
    if title is None:
        title = (f"candidate execution rejected by {explanation.axiom}" if explanation
                 else "an execution the model allows")
    ax.set_title(title, fontsize=10)
    return ax


def _arrow(ax: Axes, a: tuple[float, float], b: tuple[float, float], colour: str, label: str,
           rad: float = 0.25, width: float = 1.2) -> None:
    if a == b:
        rad, b = 0.0, (b[0] + 0.01, b[1])
    arrow = FancyArrowPatch(a, b, connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                            mutation_scale=12, color=colour, linewidth=width, shrinkA=14,
                            shrinkB=14)
    ax.add_patch(arrow)
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    mx -= rad * dy * 0.5
    my += rad * dx * 0.5
    ax.text(mx, my, label, fontsize=7, color=colour, ha="center", va="center",
            bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))


def bad_execution(result: CheckResult) -> tuple[Execution, Explanation | None]:
    """The execution a learner wants to see, with the rejection to draw (None when allowed).

    The same choice as ``result.explain()``: an allowed execution reaching the test's outcome
    if there is one, else a rejected candidate reaching it, else any rejected one, else any
    allowed one.
    """
    why = result.explain()
    if why is None:
        return result.allowed[0], None
    assert why.execution is not None
    return why.execution, None if why.allowed else why


MATRIX_LEGEND = {  # cell kind -> (face colour, hatch, legend label)
    "never": (OKABE_ITO["blue"], "", "Never: LKMM forbids it"),
    "seen": (OKABE_ITO["vermillion"], "", "Sometimes, and seen"),
    "unseen": ("white", "//", "Sometimes, not seen in these runs"),
    "allowed": (OKABE_ITO["vermillion"], "", "Sometimes: LKMM allows it"),
    "race": (OKABE_ITO["grey"], "xx", "data race: the outcome is undefined"),
}


def matrix_cell_kind(verdict: str, race: bool, bad) -> str:
    """Which legend entry a barrier-matrix cell belongs to. A data race comes first: LKMM
    gives such a test no defined outcome, so its Never or Sometimes means nothing."""
    if race:
        return "race"
    if verdict == "Never":
        return "never"
    if bad is None or pd.isna(bad):
        return "allowed"  # verdicts only: nothing was run, so nothing was "not seen"
    return "seen" if bad > 0 else "unseen"


def matrix_plot(matrix: pd.DataFrame, *, title: str | None = None) -> plt.Figure:
    """The barrier matrix as a grid per hand-off: one cell per writer/reader pair, saying the
    LKMM verdict and how many weak-machine runs showed the bad outcome.

    Cells forbidden by LKMM are blue, allowed and seen vermillion, allowed but never seen white
    with a hatch, data races grey and cross-hatched ("undefined", never "Never"); without runs,
    allowed cells are vermillion. The text in each cell says the same, so colour is never the
    only cue, and the legend lists exactly the kinds of cell shown.
    """
    handoffs = list(dict.fromkeys(matrix["handoff"]))
    writers = list(dict.fromkeys(matrix["writer"]))
    readers = list(dict.fromkeys(matrix["reader"]))
    fig, axes = plt.subplots(1, len(handoffs), figsize=(5.6 * len(handoffs) + 0.6, 5.0),
                             squeeze=False)
    kinds: set[str] = set()
    for ax, handoff in zip(axes[0], handoffs):
        part = matrix[matrix["handoff"] == handoff].set_index(["writer", "reader"])
        for i, writer in enumerate(writers):
            for j, reader in enumerate(readers):
                row = part.loc[(writer, reader)]
                bad = row["weak bad runs"]
                kind = matrix_cell_kind(row["LKMM"], bool(row["data race"]), bad)
                kinds.add(kind)
                colour, hatch, _ = MATRIX_LEGEND[kind]
                ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colour, hatch=hatch,
                                           edgecolor="black", linewidth=0.8))
                text = "undefined\ndata race" if kind == "race" else row["LKMM"]
                if bad is not None and not pd.isna(bad):
                    text += f"\n{int(bad):,} bad"
                ink = "white" if colour == OKABE_ITO["blue"] else "black"
                backing = dict(boxstyle="round,pad=0.1", facecolor="white",
                               edgecolor="none") if hatch else None
                ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=7.5,
                        color=ink, bbox=backing)
        ax.set_xlim(0, len(readers))
        ax.set_ylim(len(writers), 0)
        ax.set_xticks(np.arange(len(readers)) + 0.5, readers, fontsize=8)
        ax.set_yticks(np.arange(len(writers)) + 0.5, writers, fontsize=8)
        ax.set_xlabel("checking CPU's barrier (reader)")
        ax.set_ylabel("mapping CPU's barrier (writer)")
        ax.set_title(f"hand-off of paddr: {handoff}", fontsize=10)
        ax.set_aspect("equal")
    runs = matrix.attrs.get("runs")
    fig.suptitle(title or "LKMM verdict and bad runs on the weak machine"
                 + (f" ({runs:,} runs per cell)" if runs else " (verdicts only)"), fontsize=11)
    shown = [k for k in MATRIX_LEGEND if k in kinds]
    fig.legend(handles=[Patch(facecolor=MATRIX_LEGEND[k][0], hatch=MATRIX_LEGEND[k][1],
                              edgecolor="black", label=MATRIX_LEGEND[k][2]) for k in shown],
               loc="lower center", ncol=len(shown), fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    return fig
