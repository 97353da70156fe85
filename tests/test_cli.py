"""``swtlb check`` prints herd7's layout and signals trouble through its exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def _dies_on_b(job):
    """A stand-in for cli._decide whose process is killed on the test named b (a worker OOM)."""
    import os
    import signal

    if job[0].endswith("b.litmus"):
        os.kill(os.getpid(), signal.SIGKILL)
    return f"decided {job[0]}\n", 0


def test_a_killed_worker_fails_its_test_and_the_others_are_still_decided():
    from swtlb import cli

    jobs = [(f"{name}.litmus",) for name in "abcde"]
    out = list(cli._in_workers(jobs, 2, decide=_dies_on_b))
    assert [status for _, status in out] == [0, cli.EXIT_CRASH, 0, 0, 0]
    assert "b.litmus:0:0: the worker deciding this test died" in out[1][0]
    assert [text for text, _ in out if _ == 0] == [f"decided {n}.litmus\n" for n in "acde"]


def test_one_crashing_test_does_not_stop_the_run(tmp_path, monkeypatch, capsys):
    import importlib

    checking = importlib.import_module("swtlb.check")  # swtlb.check itself is the function
    good = tmp_path / "a.litmus"
    good.write_text(IRIW % dict(f=""))
    bad = tmp_path / "b.litmus"
    bad.write_text(IRIW % dict(f="smp_mb();"))
    real = checking.check

    def flaky(path, *args, **kw):
        if Path(path).name == "a.litmus":
            raise RuntimeError("a bug")
        return real(path, *args, **kw)

    monkeypatch.setattr(checking, "check", flaky)
    assert main(["check", str(tmp_path)]) == 5
    captured = capsys.readouterr()
    assert "a.litmus:0:0: swtlb failed (RuntimeError: a bug); please report it" in captured.err
    assert "Observation" in captured.out  # b was decided


def test_files_that_are_not_regular_are_refused_unread(tmp_path):
    import os

    fifo = tmp_path / "fifo.litmus"
    os.mkfifo(fifo)
    (tmp_path / "zero.litmus").symlink_to("/dev/zero")
    proc = run_cli("check", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.count("not a regular file") == 2, proc.stderr


@pytest.mark.parametrize("option,value", [("--jobs", "0"), ("--jobs", "-5"), ("--timeout", "0"),
                                          ("--timeout", "-1"), ("--timeout", "nan"),
                                          ("--max-candidates", "-1"), ("--max-memory", "0")])
def test_bad_option_values_get_a_usage_line(option, value, tmp_path):
    proc = run_cli("check", option, value, str(tmp_path))
    assert proc.returncode == 2 and f"argument {option}:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_ctrl_c_stops_cleanly_with_one_line():
    import signal
    import time

    path = shared_path("litmus", "library", "manual", "kernel", "C-ManfredSpraul-L1G2lock.litmus")
    for jobs in ("1", "2"):
        proc = subprocess.Popen([sys.executable, "-m", "swtlb", "check", "--jobs", jobs,
                                 str(path), str(path)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert err.strip().splitlines() == ["swtlb: interrupted"], err


def _writers(n: int) -> str:
    procs = "\n".join(f"P{i}(int *x) {{ WRITE_ONCE(*x, 1); }}" for i in range(n))
    return f"C writers{n}\n{{}}\n{procs}\nexists (x=1)\n"


def _lockers(n: int) -> str:
    body = "spin_lock(l); spin_unlock(l); spin_lock(l); spin_unlock(l);"
    procs = "\n".join(f"P{i}(spinlock_t *l) {{ {body} }}" for i in range(n))
    return f"C lockers{n}\n{{}}\n{procs}\nexists (l=0)\n"


@pytest.mark.parametrize("text,bounds,message", [
    (_writers(10), ["--max-candidates", "100"], "more than 100 candidate executions"),
    (_writers(200), ["--max-candidates", "100"], "more than 100 candidate executions"),
    (_lockers(8), ["--max-candidates", "100"], "more than 100 candidate executions"),
    (_writers(10), ["--timeout", "2"], "timeout after 2 s"),
    (_lockers(8), ["--timeout", "2"], "timeout after 2 s"),
])
def test_factorial_coherence_orders_stop_at_the_bound_in_bounded_memory(text, bounds, message,
                                                                         tmp_path):
    """Ten writers of one location have 10! coherence orders: once they were all built before
    any bound was looked at (past 4 GiB in 43 s); now the bound stops the walk through them."""
    path = tmp_path / "t.litmus"
    path.write_text(text)
    proc = run_cli("check", "--max-memory", "512", *bounds, str(path))
    assert proc.returncode == 3, proc.stderr
    (line,) = proc.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith(f"{path}:1:1: {message}"), line


def test_the_timeout_holds_in_every_phase(tmp_path):
    """One process writing 8,000 locations once took 58 s under --timeout 5, most of it
    before the search looked at the clock."""
    params = ", ".join(f"int *x{i}" for i in range(8000))
    writes = " ".join(f"WRITE_ONCE(*x{i}, 1);" for i in range(8000))
    path = tmp_path / "w8000.litmus"
    path.write_text(f"C w8000\n{{}}\nP0({params}) {{ {writes} }}\nexists (x0=1)\n")
    proc = run_cli("check", "--timeout", "2", str(path))  # its time: benchmarks, not here
    assert proc.returncode == 3 and "timeout after 2 s" in proc.stderr, proc.stderr
