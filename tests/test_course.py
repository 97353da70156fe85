"""The course: every widget callback driven, every notebook well formed, every citation real."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest
from conftest import ROOT, shared_path

from swtlb.course import EXERCISES, BarrierExplorer, Quiz, exercise
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


def test_quiz_widget_feedback():
    quiz = Quiz("2+2?", ["3", "4"], 1, "arithmetic")
    box = quiz.widget()
    box.button.click()
    assert "Pick an answer" in box.result.value
    box.choice.value = 0
    box.button.click()
    assert "Not quite" in box.result.value
    box.choice.value = 1
    box.button.click()
    assert box.result.value == "<b>Right. arithmetic</b>"
    assert "**Quiz.** 2+2?" in quiz._repr_markdown_() and "4" in quiz._repr_markdown_()
    assert repr(box) == "[quiz: run the notebook to answer it]"


@pytest.mark.parametrize("key", list(EXERCISES))
def test_exercises_accept_their_solution_and_refuse_a_wrong_answer(key, capsys):
    ex = exercise(key)
    assert ex.check(ex.solution())
    wrong = ex.solution().replace("smp_mb();", "").replace("smp_rmb();", "").replace(
        "smp_store_release(y, 1)", "WRITE_ONCE(*y, 1)")
    assert not ex.check(wrong)
    assert not ex.check("C broken\n{ x = }")
    assert "cannot read it" in capsys.readouterr().out
    hints = [ex.hint() for _ in range(len(ex.hints) + 1)]
    assert hints[0].startswith("Hint 1/") and hints[-1] == hints[-2]


def test_unknown_exercise():
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        exercise("nope")


# ---- notebooks ---------------------------------------------------------------------------------
def test_nine_numbered_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{k:02d}" for k in range(9)]


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_citation_is_in_the_thread_notes(path):
    notes = shared_path("course", "swiotlb-thread.md").read_text()
    text = _text(path)
    ids = set(re.findall(r"<([^<>\s]+@[^<>\s]+)>", text))
    commits = set(re.findall(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{12}\b", text))
    missing = sorted(i for i in ids if i not in notes) + sorted(
        c for c in commits if c not in notes)
    assert not missing, f"{path.name} cites what the notes do not have: {missing}"


def test_readme_course_map_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"README course map lacks {path.name}"
    assert (ROOT / "docs" / "instructor-guide.md").exists()
