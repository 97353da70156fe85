"""Learner workspaces (swtlb/workspace.py, ``swtlb start DIR``): what is copied, that a learner's
edits are never overwritten without force, that course updates still arrive, and that the
notebooks run top to bottom from a workspace outside the repository."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from swtlb import coursemap, workspace
from swtlb.workspace import MANIFEST, WorkspaceError, fingerprint, start


def _notebook(*sources: str, outputs: list | None = None) -> dict:
    return {"cells": [{"cell_type": "code", "source": s, "metadata": {}, "execution_count": None,
                       "outputs": outputs or []} for s in sources],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _write(path: Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))


@pytest.fixture
def course(tmp_path) -> Path:
    """A stand-in course: one small notebook per course-map entry, and a dashboard."""
    root = tmp_path / "course"
    for e in coursemap.load():
        _write(root / "notebooks" / e.file, _notebook(f"print({e.number!r})"))
    _write(root / "dashboard" / "classroom.ipynb", _notebook("classroom()"))
    return root


def _edit(path: Path, source: str) -> None:
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = source
    path.write_text(json.dumps(nb))


def test_fresh_folder_gets_every_notebook_and_the_dashboard(tmp_path):
    ws = tmp_path / "mine"
    result = start(ws)
    expected = {f"notebooks/{e.file}" for e in coursemap.load()} | {"dashboard/classroom.ipynb"}
    assert set(result.added) == expected and result.status == 0
    for rel in expected:
        assert (ws / rel).read_bytes() == (ROOT / rel).read_bytes()
    manifest = json.loads((ws / MANIFEST).read_text())["files"]
    assert set(manifest) == expected
    report = result.report()
    assert f"lab {ws.resolve()}" in report and "copied 11 files (" in report
    assert "dashboard/classroom.ipynb" in report
    again = start(ws)
    assert again.added == [] and sorted(again.unchanged) == sorted(expected)
    assert "up to date: 11 files" in again.report()


def test_edits_are_kept_and_running_is_not_editing(course, tmp_path):
    ws = tmp_path / "mine"
    start(ws, root=course)
    first = ws / "notebooks" / coursemap.load()[0].file
    second = ws / "notebooks" / coursemap.load()[1].file
    _edit(first, "print('my own experiment')")
    ran = json.loads(second.read_text())  # outputs and counts only: a run, not an edit
    ran["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "01\n"}]
    ran["cells"][0]["execution_count"] = 1
    second.write_text(json.dumps(ran))
    result = start(ws, root=course)
    assert result.edited == [f"notebooks/{first.name}"] and result.status == 0
    assert f"notebooks/{second.name}" in result.unchanged
    assert "my own experiment" in first.read_text()
    assert '"execution_count": 1' in second.read_text()
    assert "kept your edits in 1 file" in result.report()
    forced = start(ws, force=True, root=course)
    assert forced.overwritten == [f"notebooks/{first.name}"]
    assert "my own experiment" not in first.read_text()


def test_course_updates_arrive_but_never_over_edits(course, tmp_path):
    ws = tmp_path / "mine"
    start(ws, root=course)
    names = [e.file for e in coursemap.load()]
    edited, untouched = ws / "notebooks" / names[2], ws / "notebooks" / names[3]
    _edit(edited, "print('mine')")
    for name in names[2:4]:  # the course changes both notebooks
        _edit(course / "notebooks" / name, "print('course v2')")
    result = start(ws, root=course)
    assert result.kept == [f"notebooks/{names[2]}"] and result.status == 1
    assert result.updated == [f"notebooks/{names[3]}"]
    assert "print('mine')" in edited.read_text()
    assert "course v2" in untouched.read_text()
    assert "you edited, although the course has changed" in result.report()
    assert "--force" in result.report()
    # the manifest still remembers what was copied, so the edit is still recognised
    assert start(ws, root=course).kept == [f"notebooks/{names[2]}"]
    forced = start(ws, force=True, root=course)
    assert forced.overwritten == [f"notebooks/{names[2]}"] and forced.status == 0
    assert "course v2" in edited.read_text()
    assert start(ws, root=course).unchanged and start(ws, root=course).status == 0


def test_existing_files_without_a_manifest_are_not_overwritten(course, tmp_path):
    ws = tmp_path / "mine"
    name = coursemap.load()[0].file
    _write(ws / "notebooks" / name, _notebook("print('found here before swtlb start')"))
    result = start(ws, root=course)
    assert result.kept == [f"notebooks/{name}"] and result.status == 1
    assert "found here before" in (ws / "notebooks" / name).read_text()


def test_refuses_the_course_folder_itself_and_a_missing_course(course, tmp_path):
    with pytest.raises(WorkspaceError, match="course's own copy"):
        start(course / "notebooks", root=course)
    with pytest.raises(WorkspaceError, match="course's own copy"):
        start(course, root=course)
    shutil.rmtree(course / "dashboard")
    with pytest.raises(WorkspaceError, match="ship with the swtlb repository"):
        start(tmp_path / "mine", root=course)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(WorkspaceError):
        start(tmp_path / "a-file")


def test_run_prints_and_returns_the_exit_status(tmp_path, capsys):
    assert workspace.run(tmp_path / "mine") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"swtlb start: workspace {(tmp_path / 'mine').resolve()}")
    assert "Open the course:" in out and " lab " in out
    assert workspace.run(ROOT / "notebooks") == 4
    assert "course's own copy" in capsys.readouterr().err


def test_fingerprint_ignores_outputs_but_not_sources(tmp_path):
    a, b, c = tmp_path / "a.ipynb", tmp_path / "b.ipynb", tmp_path / "c.ipynb"
    _write(a, _notebook("x = 1"))
    _write(b, _notebook("x = 1", outputs=[{"output_type": "stream", "name": "stdout",
                                           "text": "1"}]))
    _write(c, _notebook("x = 2"))
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    assert len(fingerprint(broken)) == 64


def test_the_course_launcher_opens_a_workspace(tmp_path, capsys):
    """scripts/open-course.sh hands its folder to open_lab, which opens JupyterLab there."""
    launcher = (ROOT / "scripts" / "open-course.sh").read_text()
    assert "-m swtlb.workspace --open" in launcher and "SWTLB_WORKSPACE" in launcher
    calls = []
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (swtlb[course])")
    status = workspace.open_lab(tmp_path / "mine", ["--no-browser"],
                                call=lambda cmd: calls.append(cmd) or 0)
    assert status == 0 and (tmp_path / "mine" / "notebooks").is_dir()
    (command,) = calls
    assert command[1:4] == ["-m", "jupyterlab", str(tmp_path / "mine")]
    assert "--no-browser" in command
    assert "Open the course:" in capsys.readouterr().out


def test_cli_form_of_the_module(tmp_path, capsys):
    assert workspace.main([str(tmp_path / "mine")]) == 0
    assert workspace.main(["--force", str(tmp_path / "mine")]) == 0
    with pytest.raises(SystemExit):
        workspace.main([str(tmp_path / "mine"), "--port", "1"])  # only --open takes extras


@pytest.mark.parametrize("name", ["02-message-passing-and-barriers.ipynb", "04-the-flag.ipynb"])
def test_notebooks_run_top_to_bottom_in_a_workspace(tmp_path, name):
    """Run from a folder outside the repository (the kernel's working directory is the
    workspace): 02 reads the package's data file, 04 the shared/ reference folder if present."""
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (swtlb[test])")
    import nbformat

    ws = tmp_path / "ws"
    start(ws)
    path = ws / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    env_before = dict(os.environ)
    os.environ.pop("SWTLB_SHARED", None)  # find shared/ as a learner's kernel would
    os.environ["MPLBACKEND"] = "Agg"
    try:
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    problems = [o for o in outputs if o.output_type == "error"
                or (o.output_type == "stream" and o.name == "stderr")]
    assert problems == [], problems
    text = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    if name.startswith("04") and (ROOT.parent / "shared" / "litmus").is_dir():
        assert "herd7 (recorded):" in text, text[-2000:]  # found shared/ from the workspace


def test_swtlb_start_subcommand(tmp_path, capsys):
    """``swtlb start DIR`` once swtlb/cli.py has the subcommand (see swtlb/workspace.py)."""
    from swtlb import cli

    try:
        status = cli.main(["start", str(tmp_path / "mine")])
    except SystemExit as exc:
        if exc.code == 2 and "invalid choice: 'start'" in capsys.readouterr().err:
            pytest.skip("swtlb/cli.py has no 'start' subcommand yet: "
                        "python -m swtlb.workspace DIR does the same")
        raise
    assert status == 0 and (tmp_path / "mine" / "notebooks").is_dir()
    assert "Open the course:" in capsys.readouterr().out
