"""Notebook helpers: self-check quizzes, exercises with hints, and the barrier-toggle widget.

Widgets are thin: each holds a plain object whose state (verdict text, last frequencies, plotted
bars) tests read after setting a control's ``.value``, so every callback runs under pytest
without a browser. Each helper also renders as text, so a notebook read without running it
still shows the question, the choices and the data.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .check import check
from .exercises import EXERCISES, Exercise, exercise
from .litmus.ast import LitmusTest

__all__ = ["EXERCISES", "BarrierExplorer", "Exercise", "Quiz", "exercise"]


def _widgets():
    try:
        import ipywidgets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the interactive parts need ipywidgets: run "
                          "'bash scripts/open-course.sh' or 'pip install ipywidgets'") from exc
    return ipywidgets


def _box(children: list, static: str, html: str | None = None):
    """A VBox whose text form (what a notebook shows when read without running) says what the
    widget is, instead of a repr of its children; ``html``, if given, is the static form a
    renderer without a widget manager shows. The text form is never cut short."""
    w = _widgets()

    class Box(w.VBox):
        def __repr__(self) -> str:
            return static

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs) or {}
            data["text/plain"] = static
            if html is not None:
                data["text/html"] = html
            return data

    return Box(children)


# ---- quizzes -----------------------------------------------------------------------------------
class Quiz:
    """A multiple-choice question. Options are numbered from 1 as displayed, and ``answer`` and
    ``check(k)`` use the same numbers, so what a learner reads is what a learner types."""

    def __init__(self, question: str, options: list[str], answer: int, why: str,
                 hint: str) -> None:
        if not 1 <= answer <= len(options):
            raise ValueError(f"answer must be an option number from 1 to {len(options)}, "
                             f"not {answer}")
        if not hint.strip():
            raise ValueError("every quiz needs a hint written for its own question")
        self.question, self.options, self.answer = question, list(options), answer
        self.why, self._hint = why, hint
        self.feedback = ""
        self.tries = 0

    def check(self, choice: int) -> bool:
        """Judge option number ``choice`` (1-based); a wrong answer may be retried."""
        n = len(self.options)
        if isinstance(choice, bool) or not isinstance(choice, int) or not 1 <= choice <= n:
            self.feedback = f"Choose an option by its number, 1 to {n} (got {choice!r})."
            return False
        self.tries += 1
        if choice == self.answer:
            self.feedback = f"Right: {choice}. {self.why}"
            return True
        self.feedback = (f"Not quite: {choice} is not the answer. Pick another and check "
                         f"again, or ask for the hint.")
        return False

    def hint(self) -> str:
        return f"Hint: {self._hint}"

    def _options_text(self) -> str:
        return "\n".join(f"{k}. {o}" for k, o in enumerate(self.options, start=1))

    def _static_html(self) -> str:
        """What a reader without a kernel sees: the question, the options, and the hint and the
        answer folded away so that they can be revealed on purpose."""
        items = "".join(f"<li>{_esc(o)}</li>" for o in self.options)
        right = _esc(self.options[self.answer - 1])
        return (f"<div class='swtlb-quiz'><p><b>Quiz.</b> {_esc(self.question)}</p><ol>{items}"
                f"</ol><details><summary>Hint</summary><p>{_esc(self._hint)}</p></details>"
                f"<details><summary>Answer</summary><p><b>{self.answer}. {right}</b></p>"
                f"<p>{_esc(self.why)}</p></details></div>")

    def _repr_markdown_(self) -> str:
        return self._static_html()

    def widget(self):
        w = _widgets()
        choice = w.RadioButtons(
            options=[(f"{k}. {o}", k) for k, o in enumerate(self.options, start=1)],
            value=None, layout=w.Layout(width="auto"))
        button = w.Button(description="Check", button_style="info")
        hint_button = w.Button(description="Hint")
        result = w.HTML()

        def on_check(_=None):
            if choice.value is None:
                result.value = "<i>Pick an answer first.</i>"
                return
            self.check(choice.value)
            result.value = f"<b>{_esc(self.feedback)}</b>"

        def on_hint(_=None):
            result.value = f"<i>{_esc(self.hint())}</i>"

        button.on_click(on_check)
        hint_button.on_click(on_hint)
        static = f"Quiz. {self.question}\n{self._options_text()}\n(run the notebook to answer)"
        box = _box([w.HTML(f"<b>Quiz.</b> {_esc(self.question)}"), choice,
                    w.HBox([button, hint_button]), result], static, self._static_html())
        box.quiz, box.choice, box.button, box.hint_button, box.result = (
            self, choice, button, hint_button, result)
        return box

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        try:
            widget = self.widget()
        except ImportError:
            display(HTML(self._static_html()))
            return
        display(widget)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


# ---- the barrier-toggle widget -----------------------------------------------------------------
@dataclass
class BarrierExplorer:
    """Toggle barriers; see the LKMM verdict, how often a machine shows each outcome, and the
    execution behind the bad one.

    ``make_test(**choice)`` builds the litmus test for one choice; ``choices`` maps each toggle
    to its options (the first is the default unless ``initial`` names another). A choice that
    ``make_test`` refuses with ``ValueError`` becomes a message, never an exception.
    """

    make_test: Callable[..., LitmusTest]
    choices: dict[str, list[str]]
    machine: str = "weak"
    runs: int = 20_000
    seed: int = 0
    graph: bool = True
    verdict_text: str = ""
    frequencies: pd.DataFrame | None = None
    bar_widths: list[float] = field(default_factory=list)
    current: dict[str, str] = field(default_factory=dict)
    initial: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.current = {name: options[0] for name, options in self.choices.items()}
        self.current.update(self.initial)
        self.update()

    def update(self, **choice: str) -> str:
        """Recompute for the current (or given) choice; returns the verdict text."""
        import matplotlib.pyplot as plt

        from . import plots
        from .machines import simulate

        for name, value in choice.items():  # a widget can only offer these, so must a call
            if name not in self.choices:
                raise ValueError(f"no control {name!r}; the controls: {', '.join(self.choices)}")
            if value not in self.choices[name]:
                raise ValueError(f"{name} must be one of {', '.join(self.choices[name])}, "
                                 f"not {value!r}")
        self.current.update(choice)
        picked = ", ".join(f"{k}={v}" for k, v in self.current.items())
        try:
            test = self.make_test(**self.current)
        except ValueError as exc:
            self.result, self.frequencies, self.bar_widths = None, None, []
            self.verdict_text = f"{picked}: not a test this explorer can build ({exc})"
            self.figure = plt.figure(figsize=(8, 1))
            self.figure.text(0.5, 0.5, f"nothing to show: {exc}", ha="center", va="center")
            plt.close(self.figure)
            return self.verdict_text
        result = check(test)
        self.result = result
        self.frequencies = simulate(test, self.machine, runs=self.runs, seed=self.seed,
                                    reference=result, progress=False)
        bad = int(self.frequencies.loc[self.frequencies["exists"], "count"].sum())
        self.verdict_text = (f"{picked}: LKMM says {result.verdict}; the {self.machine} machine "
                             f"showed the bad outcome in {bad:,} of {self.runs:,} runs")
        if "data-race" in result.flags:
            self.verdict_text += " (data race: the outcome is undefined)"
        if self.graph:
            fig, axes = plt.subplots(1, 2, figsize=(15, 5.2),
                                     gridspec_kw={"width_ratios": [1, 1.1]})
            axes = list(axes)
        else:
            fig, ax = plt.subplots(figsize=(8, 3.6))
            axes = [ax]
        plots.frequency_plot(self.frequencies, ax=axes[0], title=f"{test.name}: "
                             f"{self.runs:,} runs on {self.machine}")
        self.bar_widths = [round(float(p.get_width()), 6) for p in axes[0].patches[:len(
            self.frequencies)]]
        if self.graph:
            execution, why = plots.bad_execution(result)
            plots.execution_graph(execution, why, ax=axes[1])
        fig.tight_layout()
        self.figure = fig
        plt.close(fig)
        return self.verdict_text

    def table(self) -> pd.DataFrame:
        """Every combination's LKMM verdict: what a reader sees without running anything."""
        rows = []
        for combo in itertools.product(*self.choices.values()):
            choice = dict(zip(self.choices, combo))
            rows.append({**choice, "LKMM": check(self.make_test(**choice)).verdict})
        return pd.DataFrame(rows)

    def widget(self):
        w = _widgets()
        from IPython.display import display

        out = w.Output()
        label = w.HTML()
        controls = {}

        def redraw(_=None):
            self.update(**{k: c.value for k, c in controls.items()})
            out.clear_output(wait=True)
            with out:
                display(self.figure)
            label.value = f"<b>{self.verdict_text}</b>"  # after the plot: text changed => plot did

        for name, options in self.choices.items():
            controls[name] = w.ToggleButtons(options=options, value=self.current[name],
                                             description=name)
            controls[name].observe(redraw, names="value")
        redraw()
        box = _box([*controls.values(), label, out],
                   f"[barrier explorer: run the notebook to toggle; first view: "
                   f"{self.verdict_text}]")
        box.explorer, box.controls, box.label, box.out = self, controls, label, out
        return box

    def _ipython_display_(self) -> None:
        from IPython.display import display

        try:
            display(self.widget())
        except ImportError:
            display(self.figure)
            print(self.verdict_text)
