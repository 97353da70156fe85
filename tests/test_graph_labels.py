"""Every execution graph the notebooks draw can be read: no edge label lies on another label or
on an event box, and no two event boxes touch. Measured by matplotlib itself, after a draw.

The cases repeat the notebooks' calls (same test, same execution, same figure size), and the
explorers' graphs for every toggle a learner can press; notebooks in EXECUTED (small tests, a
``draw()`` helper) have their code run with ``execution_graph`` recorded instead.
``test_every_notebook_graph_is_a_case`` fails when a notebook gains a graph this file does not
draw, so new ones get checked too.
"""

from __future__ import annotations

import functools
import itertools
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from conftest import ROOT  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

import swtlb  # noqa: E402
from swtlb import plots  # noqa: E402
from swtlb.check import holds  # noqa: E402
from swtlb.course import BarrierExplorer  # noqa: E402
from swtlb.dashboard import _as_posted, _scenario_test  # noqa: E402
from swtlb.swiotlb import scenario  # noqa: E402
from swtlb.swiotlb.scenarios import HANDOFFS, READERS, VARIANTS, WRITERS  # noqa: E402

MP = """C MP+poonceonces
{}
P0(int *x, int *y)
{
\tWRITE_ONCE(*x, 1);
\tWRITE_ONCE(*y, 1);
}
P1(int *x, int *y)
{
\tint r0;
\tint r1;

\tr0 = READ_ONCE(*y);
\tr1 = READ_ONCE(*x);
}
exists (1:r0=1 /\\ 1:r1=0)
"""


def mp_with(writer="none", reader="none"):
    """Notebook 02's MP with a barrier choice on each CPU."""
    text = MP.replace("C MP+poonceonces", f"C MP+{writer}+{reader}")
    if writer == "release":
        text = text.replace("WRITE_ONCE(*y, 1);", "smp_store_release(y, 1);")
    elif writer != "none":
        text = text.replace("WRITE_ONCE(*x, 1);", f"WRITE_ONCE(*x, 1);\n\t{writer}();")
    if reader == "acquire":
        text = text.replace("r0 = READ_ONCE(*y);", "r0 = smp_load_acquire(y);")
    elif reader != "none":
        text = text.replace("r0 = READ_ONCE(*y);", f"r0 = READ_ONCE(*y);\n\t{reader}();")
    return swtlb.parse(text)


def _one(figsize, test, title=None, full=False):
    fig, ax = plt.subplots(figsize=figsize)
    plots.execution_graph(*plots.bad_execution(swtlb.check(test)), ax=ax, title=title, full=full)
    return fig


def nb02_fenced(full=False):
    execution, why = plots.bad_execution(swtlb.check(mp_with("smp_wmb", "smp_rmb"), "lkmm"))
    ax = plots.execution_graph(execution, why, title="MP with smp_wmb() and smp_rmb(): rejected",
                               full=full)
    return ax.figure


def nb03_two_cycles(full=False):
    design_a = scenario("a")
    result = swtlb.check(design_a.test)
    bad = [x for x, _ in result.rejected if holds(design_a.test, design_a.test.condition.prop, x)]
    assert len(bad) == 2
    fig, axes = plt.subplots(2, 1, figsize=(9, 12))
    titles = ["case 1: P0's critical section first", "case 2: P1's critical section first"]
    for ax, x, title in zip(axes, bad, titles):
        plots.execution_graph(x, result.explain(x), ax=ax, title=title, full=full)
    fig.tight_layout()
    return fig


def nb06_unlock_only(full=False):
    bad, _ = plots.bad_execution(swtlb.check(scenario("c", writer="none").test))
    fig, ax = plt.subplots(figsize=(7, 8))
    plots.execution_graph(bad, ax=ax, title="Relying on spin_unlock(): an execution LKMM allows",
                          full=full)
    return fig


def nb07_rc1(full=False):
    rc1 = swtlb.check(scenario("d", writer="smp_wmb", cpus=3).test)
    allowed_bad, _ = plots.bad_execution(rc1)
    fig, ax = plt.subplots(figsize=(11, 9))
    plots.execution_graph(allowed_bad, ax=ax, full=full,
                          title="smp_wmb(), as in v6.6-rc1 (flag test restored): "
                                "an execution LKMM allows")
    return fig


STATIC = {
    "02 MP+wmb+rmb rejected": nb02_fenced,
    "03 design a, both cycles": nb03_two_cycles,
    "04 flag-without-entry": lambda full=False: _one(
        (8, 9), scenario("b", question="flag-without-entry").test, full=full),
    "05 design b allowed": lambda full=False: _one(
        (8, 8), scenario("b").test, "allowed: P1 holds the address, the flag still reads 0", full),
    "06 unlock only": nb06_unlock_only,
    "07 v6.6-rc1 smp_wmb": nb07_rc1,
}
EXPLORERS = {  # name -> (make_test, choices), as each notebook builds its BarrierExplorer
    "02 MP": (mp_with, {"writer": ["none", "smp_wmb", "smp_mb", "release"],
                        "reader": ["none", "smp_rmb", "smp_mb", "acquire"]}),
    "05 design b": (lambda writer, reader: scenario("b", writer, reader).test,
                    {"writer": ["release", "smp_wmb", "smp_mb"],
                     "reader": ["acquire", "smp_rmb", "smp_mb"]}),
    "06 design c": (lambda writer, reader: scenario("c", writer=writer, reader=reader).test,
                    {"writer": ["none", "smp_wmb", "smp_mb", "release"],
                     "reader": ["none", "smp_rmb", "acquire", "smp_mb"]}),
}
DASHBOARD = {"variant": list(VARIANTS), "writer": list(WRITERS), "reader": list(READERS),
             "handoff": list(HANDOFFS), "cpus": ["2", "3"]}
EXECUTED = ["09-the-model-axiom-by-axiom.ipynb"]  # fast to run: every graph is recorded
# the call sites the cases above stand for, per notebook (a widget counts once)
SITES = {"02-message-passing-and-barriers.ipynb": 2, "03-the-first-design.ipynb": 1,
         "04-the-flag.ipynb": 1, "05-the-third-location.ipynb": 2,
         "06-list-empty-and-smp-rmb.ipynb": 2, "07-what-landed.ipynb": 1, "classroom.ipynb": 1}
DRAWS_GRAPH = re.compile(r"\bexecution_graph\(|\bBarrierExplorer\(|\bScenarioPanel\(|"
                         r"\bclassroom\(")


def _box(text, renderer) -> Bbox:
    own = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    return own if patch is None else Bbox.union([own, patch.get_window_extent(renderer)])


def _meet(a: Bbox, b: Bbox) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5


def clashes(fig) -> tuple[int, list[str]]:
    """How many edge labels the figure has, and each pair of boxes that overlap."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.canvas.draw()
    found, count = [], 0
    for ax in fig.axes:
        labels = [(t.get_text(), _box(t, renderer)) for t in ax.texts
                  if t.get_gid() == "edge-label"]
        events = [(t.get_text(), _box(t, renderer)) for t in ax.texts if t.get_gid() == "event"]
        count += len(labels)
        for (a, box_a), (b, box_b) in itertools.combinations(labels, 2):
            if _meet(box_a, box_b):
                found.append(f"label {a!r} on label {b!r}")
        for (a, box_a), (b, box_b) in itertools.product(labels, events):
            if _meet(box_a, box_b):
                found.append(f"label {a!r} on event {b!r}")
        for (a, box_a), (b, box_b) in itertools.combinations(events, 2):
            if _meet(box_a, box_b):
                found.append(f"event {a!r} on event {b!r}")
    plt.close(fig)
    return count, found


@pytest.mark.parametrize("name", STATIC)
def test_notebook_graph_labels_stay_clear(name):
    count, found = clashes(STATIC[name]())
    assert count > 0 and not found, found


@pytest.mark.parametrize("name", STATIC)
def test_full_graph_labels_stay_off_the_events(name):
    count, found = clashes(STATIC[name](full=True))
    assert count > 0 and not [f for f in found if "on event" in f], found


@functools.cache
def _explorer(name: str) -> BarrierExplorer:
    make_test, choices = EXPLORERS[name]
    return BarrierExplorer(make_test, choices, runs=200, seed=0)


@pytest.mark.parametrize("name,choice", [
    (name, dict(zip(choices, combo))) for name, (_, choices) in EXPLORERS.items()
    for combo in itertools.product(*choices.values())])
def test_explorer_graph_labels_stay_clear(name, choice):
    explorer = _explorer(name)
    explorer.update(**choice)
    count, found = clashes(explorer.figure)
    assert not found, found


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_dashboard_first_views_stay_clear(variant):
    explorer = BarrierExplorer(_scenario_test, DASHBOARD, runs=200, initial=_as_posted(variant))
    count, found = clashes(explorer.figure)
    assert count > 0 and not found, found


@pytest.mark.slow
def test_every_dashboard_choice_stays_clear():
    explorer = BarrierExplorer(_scenario_test, DASHBOARD, runs=50)
    bad = {}
    for combo in itertools.product(*DASHBOARD.values()):
        choice = dict(zip(DASHBOARD, combo))
        explorer.update(**choice)
        if explorer.result is not None:
            found = clashes(explorer.figure)[1]
            if found:
                bad[str(choice)] = found
    assert not bad, bad


def _code(path) -> list[str]:
    """A notebook's code cells as plain Python (comments and IPython magics dropped)."""
    return ["\n".join(line for line in c.source.splitlines() if not line.lstrip().startswith("%"))
            for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", EXECUTED)
def test_graphs_of_executed_notebooks_stay_clear(name, monkeypatch):
    drawn = []
    real = plots.execution_graph

    def recorded(*args, **kwargs):
        drawn.append(real(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(plots, "execution_graph", recorded)
    namespace = {"display": lambda *a, **k: None, "__name__": "__notebook__"}
    for source in _code(ROOT / "notebooks" / name):
        exec(compile(source, name, "exec"), namespace)
    assert drawn
    bad = {}
    for k, ax in enumerate(drawn):
        count, found = clashes(ax.figure)
        if found or not count:
            bad[f"graph {k} ({ax.get_title()})"] = found or "no labels"
    assert not bad, bad


def test_every_notebook_graph_is_a_case():
    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) + [ROOT / "dashboard/classroom.ipynb"]
    sites = {}
    for path in paths:
        n = sum(len(DRAWS_GRAPH.findall("\n".join(line.split("#", 1)[0]
                                                   for line in src.splitlines())))
                for src in _code(path))
        if n and path.name not in EXECUTED:
            sites[path.name] = n
    assert sites == SITES, ("a notebook's execution graphs changed: add each new call to "
                            "STATIC or EXPLORERS here (same test, execution and figure size) "
                            "and update SITES")
