"""Pictures for the course: outcome frequencies, comparisons, and execution graphs.

Matplotlib only, in the Okabe-Ito palette (safe for the common colour-vision deficiencies), and
every bar carries a text label or hatch, every edge a line style of its own, so that nothing
relies on colour alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from .check import CheckResult, Explanation, explain_allowed
from .executions import Execution

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
             "purple": "#CC79A7", "grey": "#999999"}
EDGE_STYLES: dict[str, tuple[str, str | tuple]] = {  # relation -> (colour, line style)
    "po": (OKABE_ITO["grey"], "-"),
    "rf": (OKABE_ITO["blue"], "-"),
    "co": (OKABE_ITO["green"], (0, (5, 2.5))),
    "fr": (OKABE_ITO["orange"], (0, (1, 1.5))),
    "addr": (OKABE_ITO["purple"], "-."),
    "data": (OKABE_ITO["sky"], (0, (4, 1.5, 1, 1.5, 1, 1.5))),
    "ctrl": (OKABE_ITO["vermillion"], (0, (8, 2, 2, 2))),
    "other": (OKABE_ITO["black"], "-"),  # compound steps of a cycle: ppo, hb, prop...
}


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


@dataclass
class _Node:
    text: Text
    col: int
    row: int
    side: int = 0  # 0: an event in its thread's column; -1/+1: an init write beside its reader


@dataclass
class _Edge:
    u: int  # node numbers
    v: int
    family: str
    label: str
    bold: bool
    arrow: FancyArrowPatch | None = None
    text: Text | None = None
    curve: tuple = ()  # start, control and end points of the drawn curve, in pixels


def _family(relation: str) -> str:
    """The style an edge is drawn in: rfe and rfi are rf, and so on; ppo, hb, prop... are
    compound relations, drawn black."""
    base = relation[:-1] if relation[-1:] in ("e", "i") and relation[:-1] in (
        "rf", "co", "fr") else relation
    base = "po" if base == "po-loc" else base
    return base if base in EDGE_STYLES else "other"


def _story(x: Execution, explanation: Explanation | None, full: bool
           ) -> list[tuple[int, int, str, str, bool]]:
    """(source, target, family, label, bold) for each edge to draw: po, then the cycle of a
    rejection in bold, or for an allowed execution the rf/co/fr edges of its outcome (also
    drawn beside the one-pair witness of an empty or irreflexive axiom, which alone says
    little); ``full`` adds every rf, co, fr and dependency edge."""
    po = [(a, b, "po", "", False) for a, b in (x.po - (x.po @ x.po)).pairs()]
    index = {x.describe(i): i for i in range(x.n)}
    rejected = explanation is not None and not explanation.allowed
    steps = explanation.steps if explanation is not None else []
    if not rejected or explanation.kind != "acyclic":  # an empty or irreflexive axiom's witness
        steps = steps + explain_allowed(x).steps  # needs the rf/co/fr edges around it
    story: list[tuple[int, int, str, str, bool]] = []
    for k, s in enumerate(steps):
        if s.source not in index or s.target not in index:
            continue  # an explanation of another execution: nothing here to draw
        edge = (index[s.source], index[s.target], _family(s.relation))
        if not any(e[:3] == edge for e in story):
            story.append((*edge, s.relation, rejected and k < len(explanation.steps)))
    if full:
        rf, co, _ = x.complete()
        for name, rel in (("rf", rf), ("co", co - (co @ co)), ("fr", rf.inv @ co),
                          ("addr", x.addr), ("data", x.data), ("ctrl", x.ctrl)):
            story += [(a, b, name, name, False) for a, b in rel.pairs()
                      if not any(e[:3] == (a, b, name) for e in story)]
    bold = {e[:3] for e in story if e[4]}
    return [e for e in po if e[:3] not in bold] + story


def execution_graph(execution: Execution, explanation: Explanation | None = None, *,
                    ax: Axes | None = None, title: str | None = None,
                    full: bool = False) -> Axes:
    """Threads in columns, events top to bottom, named as ``explain()`` names them.

    A rejection ``explanation`` (from ``CheckResult.explain``) has its cycle drawn bold; for an
    allowed execution (an allowed explanation, or none) the rf/co/fr edges that make its
    outcome are drawn. Either way po runs down each column, and an initial write appears only
    beside an event that reads it or follows it in co. ``full`` draws every rf, co, fr and
    dependency edge as well. Each relation has its own colour and line style.
    """
    x = execution
    threads = sorted({ev.thread for ev in x.events if ev.thread >= 0})
    depth = max((ev.index for ev in x.events if ev.thread >= 0), default=0) + 1
    edges = _story(x, explanation, full)
    if ax is None:
        chars = [max((len(x.describe(i)) for i, ev in enumerate(x.events) if ev.thread == t),
                     default=4) for t in threads]
        _, ax = plt.subplots(figsize=(sum(chars) * 0.08 + 1.6 * len(threads) + 1.0,
                                      0.6 * depth + 1.6))
    cycle = {i for a, b, _, _, bold in edges if bold for i in (a, b)}
    style = dict(ha="center", va="center", family="monospace", zorder=4)
    nodes: list[_Node] = []
    number: dict[tuple[int, int], int] = {}  # (event, 0) or (init write, its reader) -> node
    for i, ev in enumerate(x.events):
        if ev.thread >= 0:
            bold = i in cycle
            box = dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor="black",
                       linewidth=2.0 if bold else 0.8)
            text = ax.text(0.5, 0.5, x.describe(i), bbox=box, weight="bold" if bold else None,
                           gid="event", **style)
            number[i, 0] = len(nodes)
            nodes.append(_Node(text, threads.index(ev.thread), ev.index))
    drawn: list[_Edge] = []
    for a, b, family, label, bold in edges:
        if x.events[a].thread < 0:  # an initial write, drawn next to the event that needs it
            if (a, b) not in number:
                reader = nodes[number[b, 0]]
                box = dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor="black",
                           linestyle=(0, (2, 1.5)), linewidth=0.8)
                text = ax.text(0.5, 0.5, f"{x.name(a)}={x.events[a].value}", bbox=box,
                               color="#444444", gid="event", **style)
                number[a, b] = len(nodes)
                side = 1 if reader.col == len(threads) - 1 > 0 else -1  # away from loops
                nodes.append(_Node(text, reader.col, reader.row, side))
            u = number[a, b]
        else:
            u = number[a, 0]
        colour, dashes = EDGE_STYLES[family]
        arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=11,
                                color=colour, linestyle=dashes, linewidth=2.6 if bold else
                                (1.0 if family == "po" and not label else 1.5),
                                shrinkA=1.5, shrinkB=1.5, zorder=3 if bold else 2)
        ax.add_patch(arrow)
        text = None
        if label:
            text = ax.text(0.5, 0.5, label, color=colour, weight="bold" if bold else None,
                           gid="edge-label", bbox=dict(boxstyle="round,pad=0.15",
                                                       facecolor="white", edgecolor="none"),
                           **{**style, "zorder": 5})
        drawn.append(_Edge(u, number[b, 0], family, label, bold, arrow, text))
    headers = [ax.text(0.5, 0.5, f"P{t}", weight="bold", gid="thread", **style)
               for t in threads]
    for t in [n.text for n in nodes] + [e.text for e in drawn if e.text] + headers:
        t.set_in_layout(False)  # always inside the axes: _Layout keeps them there
    ax.add_artist(_Layout(nodes, drawn, headers, len(threads), depth))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    shown = list(dict.fromkeys(e.family for e in drawn))
    handles = [Line2D([], [], color=EDGE_STYLES[f][0], linestyle=EDGE_STYLES[f][1], lw=1.5,
                      label=", ".join(dict.fromkeys(e.label for e in drawn if e.family == f))
                      if f == "other" else f) for f in EDGE_STYLES if f in shown]
    rejected = explanation is not None and not explanation.allowed
    if rejected:
        what = "the cycle" if explanation.kind == "acyclic" else f"the {explanation.kind} witness"
        handles.append(Line2D([], [], color=OKABE_ITO["grey"], lw=3.2,  # not black: that is ppo
                              label=f"thick, in any colour: {what}"))
    ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 0.0),
              ncol=min(len(handles), 5), frameon=False, handlelength=3)
    if title is None:
        title = (f"candidate execution rejected by {explanation.axiom}" if rejected
                 else "an execution the model allows")
    ax.set_title(title, fontsize=10)
    return ax


class _Layout(Artist):
    """Places boxes, arrows and labels in pixels each time the axes are drawn, so the picture
    fits whatever size the axes end up (subplots, tight_layout, dpi): fonts shrink when the
    boxes do not fit, and each edge label goes at the first point along its curve that covers
    no event box and no other label."""

    def __init__(self, nodes: list[_Node], edges: list[_Edge], headers: list[Text],
                 columns: int, depth: int):
        super().__init__()
        self.nodes, self.edges, self.headers = nodes, edges, headers
        self.columns, self.depth = columns, depth
        self.set_zorder(-10)  # before the arrows and texts it moves
        self.set_in_layout(False)

    def draw(self, renderer) -> None:
        self.place(renderer)

    def _fit(self, renderer, size: float) -> tuple[float, dict]:
        """Measure everything at font ``size``; the scale that would make it fit, and sizes."""
        for n in self.nodes:
            n.text.set_fontsize(size * (0.85 if n.side else 1.0))
        for e in self.edges:
            if e.text:
                e.text.set_fontsize(size * 0.9)
        for h in self.headers:
            h.set_fontsize(size * 1.25)
        px = renderer.points_to_pixels(size)
        boxes = [_extent(n.text, renderer) for n in self.nodes]
        colw = [max([b.width for n, b in zip(self.nodes, boxes) if n.col == c and not n.side],
                    default=px) for c in range(self.columns)]
        loops = [any(self._loop(e) and self.nodes[e.u].col == c for e in self.edges)
                 for c in range(self.columns)]

        def room(c: int, side: int) -> float:  # init writes and loops beside column c
            w = max([b.width for n, b in zip(self.nodes, boxes) if n.col == c and n.side == side],
                    default=0.0)
            return (w + 4 * px if w else 0.0) + (4 * px if loops[c] and _outward(c) == side
                                                  else 0.0)

        last = self.columns - 1
        gaps = ([room(0, -1) + px / 2] + [6 * px + room(c, 1) + room(c + 1, -1)
                                          for c in range(last)] + [room(last, 1) + px / 2])
        rowh = max(b.height for b in boxes) if boxes else px
        headh = _extent(self.headers[0], renderer).height if self.headers else px
        need_w = sum(colw) + sum(gaps)
        need_h = headh + 1.5 * px + self.depth * (rowh + 2.4 * px)
        bbox = self.axes.bbox
        scale = min(1.0, bbox.width / need_w, bbox.height / need_h)
        return scale, dict(px=px, boxes=boxes, colw=colw, gaps=gaps, loops=loops, rowh=rowh,
                           headh=headh, need_w=need_w, need_h=need_h)

    def _loop(self, e: _Edge) -> bool:
        """An edge that leaves a column and comes back to it, beside the boxes."""
        a, b = self.nodes[e.u], self.nodes[e.v]
        return (a.col == b.col and not a.side and not b.side
                and not (e.family == "po" and b.row == a.row + 1))

    def place(self, renderer) -> None:
        size = 8.0
        for _ in range(4):
            scale, m = self._fit(renderer, size)
            if scale > 0.98 or size <= 4.5:
                break
            size = max(4.5, size * scale * 0.97)
        bbox, px, boxes, colw = self.axes.bbox, m["px"], m["boxes"], m["colw"]
        gaps = list(m["gaps"])
        spare = max(0.0, bbox.width - m["need_w"])
        inner = min(spare / self.columns, 12 * px) if self.columns > 1 else 0.0
        for c in range(1, self.columns):
            gaps[c] += inner
        left = bbox.x0 + (spare - inner * (self.columns - 1)) / 2 + gaps[0]
        cx = []
        for c in range(self.columns):
            cx.append(left + colw[c] / 2)
            left += colw[c] + gaps[c + 1]
        pitch = min(m["rowh"] * 4, (bbox.height - m["headh"] - 1.5 * px) / max(self.depth, 1))
        top = bbox.y1 - px / 2 - max(0.0, bbox.height - m["headh"] - 1.5 * px
                                     - self.depth * pitch) / 2
        to_data = self.axes.transData.inverted().transform
        for c, h in enumerate(self.headers):
            h.set_position(to_data((cx[c], top - m["headh"] / 2)))
        centres = []
        for n, b in zip(self.nodes, boxes):
            y = top - m["headh"] - px - pitch * (n.row + 0.5)
            x = cx[n.col]
            if n.side:
                loop = m["loops"][n.col] and _outward(n.col) == n.side
                x += n.side * (colw[n.col] / 2 + (4 * px if loop else 0.0) + 4 * px + b.width / 2)
            centres.append((x, y))
            n.text.set_position(to_data((x, y)))
        for k, e in enumerate(self.edges):
            e.curve = self._curve(e, k, centres, boxes, colw, px)
            (x0, y0), (cxx, cyy), (x1, y1) = e.curve
            dx, dy, mx, my = x1 - x0, y1 - y0, (x0 + x1) / 2, (y0 + y1) / 2
            # arc3's control point is midpoint + rad * (dy, -dx): the nearest such to ours
            rad = ((cxx - mx) * dy - (cyy - my) * dx) / (dx * dx + dy * dy or 1.0)
            e.curve = ((x0, y0), (mx + rad * dy, my - rad * dx), (x1, y1))
            e.arrow.set_positions(to_data((x0, y0)), to_data((x1, y1)))
            e.arrow.set_connectionstyle("arc3", rad=rad)
        self._labels(renderer, [_extent(n.text, renderer) for n in self.nodes])  # as moved

    def _curve(self, e: _Edge, k: int, centres, boxes, colw, px) -> tuple:
        """Start, control and end point (pixels) of a quadratic curve for edge ``e``."""
        a, b = self.nodes[e.u], self.nodes[e.v]
        (xa, ya), (xb, yb) = centres[e.u], centres[e.v]
        wa, wb, ha, hb = boxes[e.u].width, boxes[e.v].width, boxes[e.u].height, boxes[e.v].height
        twins = sum(1 for f in self.edges[:k] if {f.u, f.v} == {e.u, e.v})
        if a.side:  # init write -> its reader, straight across
            p, q = (xa - a.side * wa / 2, ya), (xb + a.side * wb / 2, yb)
            return p, ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2 + twins * px), q
        if a.col == b.col and not self._loop(e):  # po: straight down the column
            p, q = (xa, ya - ha / 2), (xb, yb + hb / 2)
            return p, ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2), q
        if a.col == b.col:  # out of the column's side and back, bulging outwards
            s = _outward(a.col)
            p, q = (xa + s * wa / 2, ya), (xb + s * wb / 2, yb)
            rows = min(abs(a.row - b.row), 4)
            bulge = (colw[a.col] - min(wa, wb)) / 2 + px * min(1.2 + 0.4 * rows + 0.6 * twins,
                                                               3.6)
            if e.u == e.v:  # a loop on one event: out of its side and back in
                p, q = (p[0], ya + ha / 3), (q[0], yb - ha / 3)
                bulge = 2.4 * px
            return p, (max(p[0], q[0]) + 2 * bulge if s > 0 else min(p[0], q[0]) - 2 * bulge,
                       (p[1] + q[1]) / 2), q
        s = 1 if b.col > a.col else -1
        p, q = (xa + s * wa / 2, ya), (xb - s * wb / 2, yb)
        dx, dy, mx, my = q[0] - p[0], q[1] - p[1], (p[0] + q[0]) / 2, (p[1] + q[1]) / 2
        others = [(c, bx) for c, bx in zip(centres, boxes) if c not in (centres[e.u],
                                                                           centres[e.v])]
        steps = np.linspace(0.05, 0.95, 40)

        def hidden(rad: float) -> int:  # curve points under other events' boxes
            xs, ys = _bezier((p, (mx + rad * dy, my - rad * dx), q), steps)
            return sum(int(np.count_nonzero((abs(xs - c[0]) < bx.width / 2 + 2)
                                            & (abs(ys - c[1]) < bx.height / 2 + 2)))
                       for c, bx in others)

        rad = 0.12 + 0.12 * (abs(b.col - a.col) - 1) + 0.15 * twins
        rad = min((rad, -rad, 2 * rad, -2 * rad, 3 * rad, -3 * rad, 0.0), key=hidden)
        return p, (mx + rad * dy, my - rad * dx), q

    def _labels(self, renderer, boxes) -> None:
        """Each label on its own curve, where it covers no box and no label placed before it,
        and as few other curves as can be: the cycle's first, then short edges (they have the
        least room)."""
        to_data = self.axes.transData.inverted().transform
        taken = [b.padded(1) for b in boxes] + [_extent(h, renderer) for h in self.headers]
        steps = np.linspace(0.04, 0.96, 48)
        dots = [np.array(_bezier(e.curve, steps)).T for e in self.edges]
        labelled = sorted((e for e in self.edges if e.text),
                          key=lambda e: (not e.bold, math.dist(e.curve[0], e.curve[2])))
        for e in labelled:
            size = _extent(e.text, renderer)
            w, h = size.width, size.height
            others = np.concatenate([d for f, d in zip(self.edges, dots) if f is not e]
                                    or [np.empty((0, 2))])
            best, cost = None, math.inf
            for shift in (0.0, 1.0, -1.0):
                for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85):
                    x, y = _bezier(e.curve, t)
                    here = Bbox.from_bounds(x - w / 2, y + shift * h - h / 2, w, h)
                    c = sum(1000 + _overlap(here, o) for o in taken if _overlap(here, o))
                    c += 20 * np.count_nonzero(  # other curves under (or next to) it
                        (abs(others[:, 0] - x) < w / 2 + h / 2)
                        & (abs(others[:, 1] - y - shift * h) < h))
                    c += 8 * abs(t - 0.5) + 10 * abs(shift)
                    if c < cost:
                        best, cost = here, c
            e.text.set_position(to_data(((best.x0 + best.x1) / 2, (best.y0 + best.y1) / 2)))
            taken.append(best)


def _outward(col: int) -> int:
    """The side of a column its loops go: left of the first, right of the others."""
    return -1 if col == 0 else 1


def _bezier(curve: tuple, t):
    (x0, y0), (x1, y1), (x2, y2) = curve
    return ((1 - t) ** 2 * x0 + 2 * (1 - t) * t * x1 + t * t * x2,
            (1 - t) ** 2 * y0 + 2 * (1 - t) * t * y1 + t * t * y2)


def _extent(text: Text, renderer) -> Bbox:
    """A text's extent with its box, in pixels."""
    own = text.get_window_extent(renderer)
    if text.get_bbox_patch() is None:
        return own
    text.update_bbox_position_size(renderer)
    return Bbox.union([own, text.get_bbox_patch().get_window_extent(renderer)])


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


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
