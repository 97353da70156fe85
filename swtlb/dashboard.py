"""The classroom dashboard: the thread's swiotlb designs and their barrier matrix, widgets only.

A teacher projects it with ``bash scripts/open-dashboard.sh``, which has Voila render
``dashboard/classroom.ipynb`` without its code. Each panel keeps what it shows in plain
attributes (status text, description, matrix, figure), so tests drive every control without a
browser; and no combination of control values raises: an impossible choice becomes a message.

Every word shown follows the checker: a data race is reported as undefined (never as Never),
the bullets come from ``Scenario.describe()``, which reads its pairing off the verdicts, and
"not seen" is said only of cells that were run.
"""

from __future__ import annotations

import html

import pandas as pd

from . import plots
from .course import BarrierExplorer, _box, _widgets
from .swiotlb import HANDOFFS, READERS, VARIANTS, WRITERS, barrier_matrix, scenario

SHORT_NAMES = {"a": "a · lock (v2)", "b": "b · flag", "c": "c · list_empty()",
               "d": "d · v6.6"}
CPU_CHOICES = ["2", "3"]
RUN_CHOICES = {"verdicts only": 0, "2,000 runs per cell": 2_000, "20,000 runs per cell": 20_000,
               "100,000 runs per cell": 100_000}
MAX_RUNS = 1_000_000  # per cell: 48 cells stay under a minute on one core


def _scenario_test(variant: str, writer: str, reader: str, handoff: str, cpus: str):
    return scenario(variant, writer, reader, handoff, cpus=int(cpus)).test


def _as_posted(variant: str) -> dict[str, str]:
    """The barrier choice the design was posted with, as control values."""
    return {"variant": variant, **VARIANTS[variant].as_proposed,
            "cpus": "3" if variant == "d" else "2"}


def verdict_words(verdict: str, race: bool) -> str:
    """LKMM's answer in words: a data race has no defined outcome, whatever herd7's verdict."""
    return "undefined (data race)" if race else verdict


def status_line(picked: str, verdict: str, race: bool, bad: int, runs: int,
                machine: str = "weak") -> str:
    """The scenario's status: the choice, LKMM's answer, and what the machine showed."""
    line = f"{picked}: LKMM says {verdict}"
    if race:
        line = (f"{picked}: LKMM says undefined (a data race: herd7 raises its data-race flag, "
                "and LKMM gives a test whose plain accesses race no defined outcome)")
    if not runs:
        return line + f"; not run on the {machine} machine (verdicts only)"
    return line + f"; the {machine} machine showed the bad outcome in {bad:,} of {runs:,} runs"


def _posted(variant: str) -> str:
    return ", ".join(f"{k}={x}" for k, x in VARIANTS[variant].as_proposed.items())


def scenario_words(variant: str, writer: str, reader: str, handoff: str,
                   cpus: str) -> tuple[str, list[str], str]:
    """(title, bullets, litmus text) for one choice of the controls; an impossible choice gets
    a message instead of bullets and no test."""
    v = VARIANTS.get(variant)
    try:
        sc = scenario(variant, writer, reader, handoff, cpus=int(cpus))
    except ValueError as exc:
        title = f"design {variant}" + (f": {v.design}" if v else "")
        return title, [f"This combination is not a scenario: {exc}."], ""
    v = sc.variant
    same = dict(writer=writer, reader=reader, handoff=handoff) == v.as_proposed
    lines = [f"how a mapping gets its bounce buffer: {v.maps}.",
             f"as posted: {_posted(v.key)}; "
             + ("these are the barriers shown." if same else "other barriers are shown here."),
             *sc.describe()]
    return f"design {v.key}: {v.design} ({v.source})", lines, sc.text


def _display(out, figure) -> None:
    from IPython.display import display

    out.clear_output(wait=True)
    with out:
        display(figure)


class ScenarioPanel:
    """One design, one barrier choice: what each CPU does, LKMM's verdict, the weak machine's
    frequencies and the execution behind the bad outcome."""

    def __init__(self, variant: str = "c", *, runs: int = 20_000, seed: int = 0,
                 machine: str = "weak") -> None:
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
        choices = {"variant": list(VARIANTS), "writer": list(WRITERS),
                   "reader": list(READERS), "handoff": list(HANDOFFS), "cpus": CPU_CHOICES}
        self.explorer = BarrierExplorer(_scenario_test, choices, machine=machine, runs=runs,
                                        seed=seed, initial=_as_posted(variant))
        self._describe()

    @property
    def current(self) -> dict[str, str]:
        return dict(self.explorer.current)

    @property
    def status(self) -> str:
        """The choice, LKMM's answer (a data race as undefined) and the machine's count."""
        ex = self.explorer
        if ex.result is None:  # not a test: the explorer's message says why
            return ex.verdict_text
        picked = ", ".join(f"{k}={v}" for k, v in ex.current.items())
        bad = int(ex.frequencies.loc[ex.frequencies["exists"], "count"].sum())
        return status_line(picked, ex.result.verdict, "data-race" in ex.result.flags, bad,
                           ex.runs, ex.machine)

    @property
    def figure(self):
        return self.explorer.figure

    def select(self, variant: str) -> str:
        """Switch to another design, with the barriers it was posted with."""
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
        return self.update(**_as_posted(variant))

    def update(self, **choice: str) -> str:
        """Set any controls (others keep their values) and recompute; returns the status."""
        self.explorer.update(**choice)
        self._describe()
        return self.status

    def _describe(self) -> None:
        c = self.current
        self.title, self.description, self.litmus_text = scenario_words(
            c["variant"], c["writer"], c["reader"], c["handoff"], c["cpus"])

    def widget(self):
        w = _widgets()
        controls = {}
        for name, options in self.explorer.choices.items():
            labels = [(SHORT_NAMES.get(o, o) if name == "variant" else o, o) for o in options]
            controls[name] = w.ToggleButtons(options=labels, value=self.current[name],
                                             description=name, style={"button_width": "auto"})
        posted = w.Button(description="barriers as posted", icon="undo")
        header, status = w.HTML(), w.HTML()
        out, text = w.Output(), w.HTML()
        litmus = w.Accordion(children=[text], titles=("the litmus test",))
        quiet = []

        def show() -> None:  # the plot first, so a changed status means a changed plot
            _display(out, self.figure)
            header.value = (f"<h3>{html.escape(self.title)}</h3><ul>"
                            + "".join(f"<li>{html.escape(line)}</li>"
                                      for line in self.description) + "</ul>")
            text.value = f"<pre>{html.escape(self.litmus_text)}</pre>"
            controls["cpus"].disabled = self.current["variant"] != "d"
            status.value = f"<b>{html.escape(self.status)}</b>"

        def set_controls(values: dict[str, str]) -> None:
            quiet.append(True)
            try:
                for k, v in values.items():
                    controls[k].value = v
            finally:
                quiet.pop()

        def on_change(change) -> None:
            if quiet:
                return
            name = change["owner"].description
            if name == "variant":
                self.select(change["new"])
                set_controls(self.current)
            else:
                self.update(**{name: change["new"]})
            show()

        def on_posted(_=None) -> None:
            self.select(self.current["variant"])
            set_controls(self.current)
            show()

        for c in controls.values():
            c.observe(on_change, names="value")
        posted.on_click(on_posted)
        show()
        box = _box([header, *controls.values(), posted, status, out, litmus],
                   f"[swiotlb scenario panel: run to toggle; first view: {self.status}]")
        box.panel, box.controls, box.posted, box.status, box.out = (self, controls, posted,
                                                                    status, out)
        return box


class MatrixPanel:
    """Every barrier choice of one design at once: LKMM's verdicts and the weak machine's counts,
    and a check that the machine never showed an outcome LKMM forbids."""

    def __init__(self, variant: str = "c", *, runs: int = 20_000, seed: int = 0,
                 cpus: str = "2") -> None:
        self.seed = seed
        self.choice = {"variant": variant, "runs": runs, "cpus": cpus}
        self.matrix: pd.DataFrame | None = None
        self.figure = None
        self.update()

    def update(self, progress=None, **choice) -> str:
        """Set any of variant, runs, cpus and recompute; returns the summary line."""
        import matplotlib.pyplot as plt

        self.choice.update(choice)
        variant, runs, cpus = self.choice["variant"], self.choice["runs"], self.choice["cpus"]
        try:
            if cpus not in CPU_CHOICES:
                raise ValueError(f"cpus must be one of {', '.join(CPU_CHOICES)}")
            if not isinstance(runs, int) or not 0 <= runs <= MAX_RUNS:
                raise ValueError(f"runs must be a whole number from 0 to {MAX_RUNS:,}")
            self.matrix = barrier_matrix(variant, runs=runs, seed=self.seed, cpus=int(cpus),
                                         progress=progress)
        except ValueError as exc:
            self.matrix, self.figure = None, None
            self.summary = f"design {variant} with {cpus} CPUs: nothing to show ({exc})"
            return self.summary
        self.summary = self._summary(variant, cpus, runs)
        self.figure = plots.matrix_plot(self.matrix, title=f"Design {variant} ({cpus} CPUs): "
                                        + ("LKMM verdicts" if not runs else
                                           f"LKMM verdicts and bad runs of {runs:,} per cell"))
        plt.close(self.figure)
        return self.summary

    def _summary(self, variant: str, cpus: str, runs: int) -> str:
        """Counts of the matrix, data races apart: LKMM says nothing about their outcome, so
        they are neither among the cells it forbids nor among those it allows."""
        m = self.matrix
        race = m["data race"].astype(bool)
        never, allowed = (m["LKMM"] == "Never") & ~race, (m["LKMM"] != "Never") & ~race
        parts = [f"design {variant}, {cpus} CPUs: {len(m)} barrier choices"]
        if race.any():
            handoffs = " and ".join(dict.fromkeys(m.loc[race, "handoff"]))
            parts.append(f"{int(race.sum())} are data races (hand-off {handoffs}), whose "
                         "outcome LKMM leaves undefined")
        parts.append(f"LKMM forbids the bad outcome in {int(never.sum())}"
                     + (f" of the other {int((~race).sum())}" if race.any() else "")
                     + f" and allows it in {int(allowed.sum())}")
        if not runs:
            parts.append("verdicts only, nothing run on the weak machine")
            return "; ".join(parts)
        bad = m["weak bad runs"].fillna(0) > 0
        parts.append(f"the weak machine showed it in {int((allowed & bad).sum())} of the "
                     f"{int(allowed.sum())} it allows, and in {self.unsound} it forbids "
                     f"({runs:,} runs each)")
        if race.any():
            parts.append(f"in the {int(race.sum())} data races it showed it in "
                         f"{int((race & bad).sum())}")
        return "; ".join(parts)

    @property
    def unsound(self) -> int:
        """Cells where LKMM says Never, with no data race, and the machine still showed the
        bad outcome (must be 0)."""
        if self.matrix is None:
            return 0
        m = self.matrix
        return int(((m["LKMM"] == "Never") & ~m["data race"].astype(bool)
                    & (m["weak bad runs"].fillna(0) > 0)).sum())

    def table(self) -> pd.DataFrame:
        """The matrix as verdicts with counts, writers down and readers across."""
        if self.matrix is None:
            return pd.DataFrame()
        m = self.matrix.copy()
        words = [verdict_words(v, bool(r)) for v, r in zip(m["LKMM"], m["data race"])]
        m["cell"] = words + m["weak bad runs"].map(lambda b: "" if pd.isna(b) else f" ({b:,})")
        order = {k: list(dict.fromkeys(m[k])) for k in ("writer", "handoff", "reader")}
        columns = pd.MultiIndex.from_product([order["handoff"], order["reader"]],
                                             names=["handoff", "reader"])
        return m.pivot(index="writer", columns=["handoff", "reader"], values="cell").reindex(
            index=order["writer"], columns=columns)

    def widget(self):
        w = _widgets()
        variant = w.Dropdown(options=[(f"{k} · {v.design}", k)
                                      for k, v in VARIANTS.items()],
                             value=self.choice["variant"], description="design",
                             layout={"width": "60em"})
        cpus = w.ToggleButtons(options=CPU_CHOICES, value=self.choice["cpus"],
                               description="cpus")
        run_options = dict(RUN_CHOICES)
        if self.choice["runs"] not in run_options.values():
            run_options[f"{self.choice['runs']:,} runs per cell"] = self.choice["runs"]
        runs = w.Dropdown(options=list(run_options.items()), value=self.choice["runs"],
                          description="runs")
        bar = w.IntProgress(min=0, max=1, value=1, description="progress")
        summary, out, table = w.HTML(), w.Output(), w.HTML()

        def progress(done: int, total: int) -> None:
            bar.max, bar.value = total, done

        def show() -> None:
            if self.figure is not None:
                _display(out, self.figure)
            else:
                out.clear_output()
            table.value = self.table().to_html() if self.matrix is not None else ""
            cpus.disabled = variant.value != "d"
            summary.value = f"<b>{html.escape(self.summary)}</b>"

        def on_change(change) -> None:
            wanted = "3" if variant.value == "d" else "2"  # design d's default is 3 CPUs
            if change["owner"] is variant and cpus.value != wanted:
                cpus.value = wanted  # re-enters on_change once with a valid choice
                return
            self.update(progress=progress, variant=variant.value, runs=runs.value,
                        cpus=cpus.value)
            show()

        for c in (variant, cpus, runs):
            c.observe(on_change, names="value")
        show()
        box = _box([variant, cpus, runs, bar, summary, out, table],
                   f"[barrier matrix panel: run to choose a design; first view: "
                   f"{self.summary}]")
        box.panel, box.variant, box.cpus, box.runs, box.summary, box.out = (
            self, variant, cpus, runs, summary, out)
        return box


ABOUT = """<p>The question of every panel is the thread's: can the CPU that holds a bounce
buffer's address (<code>paddr</code>, handed over through the driver's own memory) still be told
by <code>is_swiotlb_buffer()</code> that it is not a swiotlb buffer? If so, the unmap skips the
copy back and the driver reads stale bytes.</p>
<p><b>Scenario</b>: pick a design and toggle the barriers on each CPU. <b>Barrier matrix</b>:
every barrier choice of a design at once. <em>Never</em> is LKMM's verdict that the bad outcome
cannot happen; the weak machine (arm64-like) never shows it then. <em>Sometimes</em> means LKMM
allows it; the count says how often the machine showed it (with "verdicts only" nothing is run,
so there is no count). <em>Undefined (data race)</em>: the driver's plain accesses to
<code>paddr</code> race, and LKMM gives a racy test no defined outcome; herd7 still prints a
verdict but raises its data-race flag, so such a cell counts as neither Never nor Sometimes.</p>
<p>In v2 of Petr's series a mapping tried a dynamically allocated bounce buffer first and fell
back to the fixed pool (always for buffers smaller than a page); in v6.6 it searches the existing
pools first and adds a pool only when they are full.</p>
<p>The notebooks in <code>notebooks/</code> explain each design; start with 00.</p>"""


def classroom(*, runs: int = 20_000, seed: int = 0):
    """The dashboard as one tabbed widget (what ``dashboard/classroom.ipynb`` displays)."""
    w = _widgets()
    scenario_panel, matrix_panel = ScenarioPanel(runs=runs, seed=seed), MatrixPanel(
        runs=runs, seed=seed)
    tabs = w.Tab(children=[scenario_panel.widget(), matrix_panel.widget(), w.HTML(ABOUT)],
                 titles=("Scenario", "Barrier matrix", "How to read this"))
    box = _box([tabs], f"[classroom dashboard, run the notebook to use its controls. Scenario: "
                       f"{scenario_panel.status}. Barrier matrix: {matrix_panel.summary}.]")
    box.scenario, box.matrix, box.tabs = scenario_panel, matrix_panel, tabs
    return box
