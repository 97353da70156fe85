"""``swtlb check`` prints herd7's layout and signals trouble through its exit status."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import shared_path
from litmus_text import IRIW

from swtlb.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "swtlb", *args], capture_output=True, text=True,
                          timeout=300)


def test_output_is_herd7s_line_for_line():
    path = shared_path("litmus", "kernel", "memory-model", "MP+pooncerelease+poacquireonce.litmus")
    proc = run_cli("check", str(path))
    assert proc.returncode == 0, proc.stderr
    ours = [line for line in proc.stdout.strip().splitlines() if not line.startswith("Time ")]
    expected = [line for line in path.with_name(path.name + ".expected").read_text()
                .strip().splitlines() if not line.startswith("Hash=")]
    assert ours == expected
    assert proc.stdout.strip().splitlines()[-1].startswith("Time MP+pooncerelease+poacquireonce ")


def test_directory_with_jobs_keeps_file_order(capsys):
    folder = shared_path("litmus", "herdtools7")
    assert main(["check", "--jobs", "2", str(folder)]) == 0
    out = capsys.readouterr().out
    names = [line.split()[1] for line in out.splitlines() if line.startswith("Test ")]
    assert names == sorted(p.stem for p in folder.glob("*.litmus"))


@pytest.mark.parametrize("model,verdict", [("sc", "Never"), ("tso", "Never"),
                                           ("lkmm", "Sometimes")])
def test_model_option(tmp_path, capsys, model, verdict):
    f = tmp_path / "IRIW.litmus"
    f.write_text(IRIW % dict(f=""))
    assert main(["check", "--model", model, str(f)]) == 0
    assert f"Observation IRIW {verdict}" in capsys.readouterr().out


def test_parse_error_exit_status_and_one_line(tmp_path):
    f = tmp_path / "broken.litmus"
    f.write_text("C broken\n{}\nP0(int *x) { WRITE_ONCE(*x 1); }\nexists (x=1)\n")
    proc = run_cli("check", str(f))
    assert proc.returncode == 2
    assert proc.stderr == f"{f}:3:28: expected ',' or ')' in the argument list, found '1'\n"
    assert "Traceback" not in proc.stderr


def test_bound_exit_status(tmp_path, capsys):
    f = tmp_path / "IRIW.litmus"
    f.write_text(IRIW % dict(f=""))
    assert main(["check", "--max-candidates", "5", str(f)]) == 3
    err = capsys.readouterr().err
    assert "more than 5 candidate executions" in err and err.startswith(str(f))


def test_no_files(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "no .litmus files" in capsys.readouterr().err


def test_help_has_examples():
    proc = run_cli("check", "--help")
    assert proc.returncode == 0 and "examples:" in proc.stdout and "exit status:" in proc.stdout


@pytest.mark.parametrize("what,module,target", [("course", "jupyterlab", "notebooks"),
                                                ("dashboard", "voila", "classroom.ipynb")])
def test_launchers_start_jupyter_with_extra_arguments(what, module, target):
    from swtlb.cli import ROOT, launch_app

    pytest.importorskip(module)
    seen = []
    assert launch_app(what, ["--no-browser", "--port=1"], run=lambda cmd: seen.append(cmd)
                      or 0) == 0
    command = seen[0]
    assert command[:3] == [sys.executable, "-m", module]
    assert command[3].endswith(target) and command[3].startswith(str(ROOT))
    assert command[4:6] == ["--no-browser", "--port=1"]


@pytest.mark.parametrize("what,missing", [("course", "jupyterlab"), ("dashboard", "voila"),
                                          ("dashboard", "ipywidgets")])
def test_launchers_say_what_is_missing(monkeypatch, capsys, what, missing):
    import importlib.util

    from swtlb import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == missing else real(name, *a))
    assert cli.main([what, "--no-browser"]) == cli.EXIT_SETUP
    err = capsys.readouterr().err
    assert f"swtlb {what}: {missing} not installed" in err
    assert f"bash scripts/open-{what}.sh" in err and "pip install 'swtlb[course]'" in err


def test_launcher_without_the_notebooks_says_so(monkeypatch, tmp_path, capsys):
    from swtlb import cli

    pytest.importorskip("voila")
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    assert cli.main(["dashboard"]) == cli.EXIT_SETUP
    assert "ship with the swtlb repository" in capsys.readouterr().err


def test_launcher_help_is_ours():
    proc = run_cli("dashboard", "--help")
    assert proc.returncode == 0 and "classroom dashboard" in proc.stdout
    assert "Exit status 4" in proc.stdout
