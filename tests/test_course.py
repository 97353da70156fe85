"""The course: every widget callback driven, every notebook well formed, every citation real."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest
from conftest import ROOT

from swtlb.course import BarrierExplorer, Quiz
from swtlb.swiotlb import scenario

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _text(path) -> str:
    return "\n".join("".join(c["source"]) for c in _cells(path))


# ---- widgets -----------------------------------------------------------------------------------
def _explorer(**kw) -> BarrierExplorer:
    return BarrierExplorer(lambda writer, reader: scenario("c", writer, reader).test,
                           {"writer": ["none", "smp_wmb"], "reader": ["none", "smp_rmb"]},
                           runs=5_000, **kw)


def test_barrier_explorer_toggles_change_verdict_and_plotted_data():
    explorer = _explorer()
    box = explorer.widget()
    before_text, before_bars = box.label.value, list(explorer.bar_widths)
    assert "LKMM says Sometimes" in before_text
    box.controls["writer"].value = "smp_wmb"
    assert "LKMM says Sometimes" in box.label.value and explorer.bar_widths != before_bars
    box.controls["reader"].value = "smp_rmb"
    assert "LKMM says Never" in box.label.value
    assert "bad outcome in 0 of 5,000 runs" in box.label.value
    bad = explorer.frequencies[explorer.frequencies["exists"]]
    assert (bad["count"] == 0).all()
    assert len(explorer.bar_widths) == len(explorer.frequencies)


@pytest.mark.parametrize("writer", ["none", "smp_wmb"])
@pytest.mark.parametrize("reader", ["none", "smp_rmb"])
def test_explorer_any_combination_never_raises(writer, reader):
    explorer = _explorer(graph=False)
    box = explorer.widget()
    box.controls["writer"].value = writer
    box.controls["reader"].value = reader
    assert box.label.value.startswith(f"<b>writer={writer}, reader={reader}: LKMM says ")


def test_explorer_static_table_and_text():
    explorer = _explorer(graph=False)
    table = explorer.table()
    assert table.set_index(["writer", "reader"])["LKMM"].to_dict() == {
        ("none", "none"): "Sometimes", ("none", "smp_rmb"): "Sometimes",
        ("smp_wmb", "none"): "Sometimes", ("smp_wmb", "smp_rmb"): "Never"}
    assert repr(explorer.widget()).startswith("[barrier explorer: run the notebook")


def _quiz() -> Quiz:
    return Quiz("2+2?", ["3", "4", "5"], answer=2, why="arithmetic",
                hint="count on your fingers")


def test_quiz_numbers_options_from_one_everywhere():
    quiz = _quiz()
    assert not quiz.check(1) and "Not quite: 1" in quiz.feedback
    assert quiz.check(2) and quiz.feedback == "Right: 2. arithmetic"
    for bad in (0, 4, -1, "2", True, 2.0):
        assert not quiz.check(bad) and "1 to 3" in quiz.feedback
    assert "<li>3</li><li>4</li>" in quiz._static_html()


def test_quiz_refuses_an_answer_outside_its_options_and_an_empty_hint():
    with pytest.raises(ValueError, match="from 1 to 2"):
        Quiz("q", ["a", "b"], answer=0, why="w", hint="h")
    with pytest.raises(ValueError, match="hint"):
        Quiz("q", ["a", "b"], answer=1, why="w", hint=" ")


def test_quiz_widget_retries_and_gives_its_own_hint():
    quiz = _quiz()
    box = quiz.widget()
    box.button.click()
    assert "Pick an answer" in box.result.value
    assert [label for label, _ in box.choice.options] == ["1. 3", "2. 4", "3. 5"]
    box.choice.value = 1
    box.button.click()
    assert "Not quite" in box.result.value
    box.hint_button.click()
    assert box.result.value == "<i>Hint: count on your fingers</i>"
    box.choice.value = 2
    box.button.click()
    assert box.result.value == "<b>Right: 2. arithmetic</b>"
    assert quiz.tries == 2


def test_quiz_renders_once_with_a_static_form_that_can_reveal_the_answer():
    quiz = _quiz()
    bundle = quiz.widget()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    html = bundle["text/html"]
    assert html.count("<details>") == 2 and "<summary>Answer</summary>" in html
    assert "<b>2. 4</b>" in html and "arithmetic" in html and "count on your fingers" in html
    assert bundle["text/plain"].startswith("Quiz. 2+2?\n1. 3\n2. 4\n3. 5")


# ---- notebooks ---------------------------------------------------------------------------------
def test_ten_numbered_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{k:02d}" for k in range(10)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_structure(path):
    cells = _cells(path)
    head = "".join(cells[0]["source"])
    assert head.startswith(f"# {path.name[:2]} · ")
    for word in ("Objectives", "Prerequisites", "Time"):
        assert word in head, f"{path.name}: the first cell needs {word}"
    text = _text(path)
    assert "## Summary" in text and "## References" in text
    assert "Quiz(" in text or "exercise(" in text, f"{path.name} has no self-check"
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(c.get("outputs") for c in code if "".join(c["source"]).strip()), \
        f"{path.name} is not stored executed"
    assert any("".join(c["source"]).startswith("# NBVAL_CHECK_OUTPUT") for c in code)
    meta = json.loads(path.read_text())["metadata"]
    assert "widgets" not in meta, f"{path.name} stores widget state; strip it"


@pytest.mark.parametrize("path", [*NOTEBOOKS, ROOT / "dashboard" / "classroom.ipynb"],
                         ids=lambda p: p.stem)
def test_notebooks_are_stored_as_the_execute_script_writes_them(path):
    """Re-running a notebook must not produce a diff: widget ids and stream splits are fixed."""
    nbformat = pytest.importorskip("nbformat")
    spec = importlib.util.spec_from_file_location("execute_notebooks",
                                                  ROOT / "scripts" / "execute-notebooks.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    nb = nbformat.read(path, as_version=4)
    stored = nbformat.writes(nb)
    script._make_stable(nb, path.name)
    assert nbformat.writes(nb) == stored, f"run: python scripts/execute-notebooks.py {path}"


CITING = [*NOTEBOOKS, ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
          ROOT / "dashboard" / "classroom.ipynb"]
MESSAGE_ID = re.compile(r"<([^<>\s/]+@[^<>\s/]+\.[a-z]{2,})>")
COMMIT = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{12,40}\b")


def _citations(path) -> set[str]:
    text = _text(path) if path.suffix == ".ipynb" else path.read_text()
    return set(MESSAGE_ID.findall(text)) | set(COMMIT.findall(text))


def _sources() -> str:
    return (ROOT / "docs" / "sources.md").read_text()


@pytest.mark.parametrize("path", [p for p in CITING if p.name != "sources.md"],
                         ids=lambda p: p.stem)
def test_every_citation_is_in_the_sources_table(path):
    sources = _sources()
    missing = sorted(c for c in _citations(path) if c not in sources)
    assert not missing, f"{path.name} cites what docs/sources.md does not list: {missing}"


def test_every_sources_row_names_its_source_and_status():
    rows = [line for line in _sources().splitlines()
            if line.startswith("|") and not set(line) <= set("|-: ")]
    body = [r for r in rows if not r.startswith("| claim")]
    assert len(body) >= 40
    for row in body:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
        assert len(cells) == 4, f"a row needs claim | where | source | status: {row}"
        assert all(cells[:3]), f"a row needs a claim, a place and a source: {row}"
        assert cells[3] in ("verified", "we think", "not claimed"), f"unknown status: {row}"
        assert cells[2] != "—" or cells[3] == "we think", f"verified from nothing: {row}"


def test_readme_course_map_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"README course map lacks {path.name}"
    assert (ROOT / "docs" / "instructor-guide.md").exists()


def _quizzes_in(path) -> list[tuple[int, Quiz]]:
    """Every Quiz a notebook builds, found by running its quiz cells with Quiz recorded."""
    import swtlb.course as course

    made: list[Quiz] = []

    class Recorded(Quiz):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    found = []
    namespace = {"Quiz": Recorded}  # a later quiz cell may rely on an earlier import
    saved, course.Quiz = course.Quiz, Recorded
    try:
        for k, cell in enumerate(_cells(path)):
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "Quiz(" in source:
                before = len(made)
                exec(compile(source, f"{path.name}[{k}]", "exec"), namespace)  # noqa: S102
                found += [(k, q) for q in made[before:]]
    finally:
        course.Quiz = saved
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_quiz_has_its_own_hint_and_renders_once(path):
    quizzes = _quizzes_in(path)
    cells = _cells(path)
    for k, quiz in quizzes:
        hint = quiz.hint()
        assert "barrier on its own CPU first" not in hint, f"{path.name}[{k}]: generic hint"
        outputs = cells[k]["outputs"]
        shown = [o for o in outputs if o["output_type"] in ("display_data", "execute_result")]
        assert len(shown) == 1, f"{path.name}[{k}]: the quiz is displayed {len(shown)} times"
        html = "".join(shown[0]["data"].get("text/html", ""))
        assert "<summary>Answer</summary>" in html, f"{path.name}[{k}]: no static answer"


def test_no_two_quizzes_share_a_hint():
    hints = [q.hint() for path in NOTEBOOKS for _, q in _quizzes_in(path)]
    assert len(hints) >= 10
    assert len(set(hints)) == len(hints)


def test_course_map_times_readme_and_notebooks_agree():
    """One source for the times: the README table, each notebook's Time line and the estimate
    from the notebook's content (scripts/course-map.py --write brings them back in line)."""
    spec = importlib.util.spec_from_file_location("course_map_script",
                                                  ROOT / "scripts" / "course-map.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.problems(write=False) == []


def test_course_map_estimate_counts_what_a_notebook_asks(tmp_path):
    from swtlb.coursemap import estimate

    def notebook(markdown_words: int, code: list[str]) -> str:
        cells = [{"cell_type": "markdown", "source": ["word " * markdown_words]}]
        cells += [{"cell_type": "code", "source": [c]} for c in code]
        path = tmp_path / "nb.ipynb"
        path.write_text(json.dumps({"cells": cells}))
        return str(path)

    assert estimate(notebook(0, [])) == 5
    assert estimate(notebook(1300, [])) == 10  # 10 minutes of prose
    assert estimate(notebook(1300, ["x = 1"] * 5)) == 15
    checks = ['ex = exercise("sb-needs-mb")', "Quiz('q', [], 1, '', 'h')"]
    assert estimate(notebook(0, checks)) == 10  # 2 cells + an exercise + a quiz
