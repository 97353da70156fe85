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
