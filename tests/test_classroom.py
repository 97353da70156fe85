"""Serving the dashboard to a room (scripts/serve-dashboard.py, what scripts/open-dashboard.sh
runs): the address to give students, and a loud warning when Voila took another port.

The live test binds only to 127.0.0.1: it holds a port, starts the dashboard on it, and checks
that the announcement names the port Voila took instead."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location("serve_dashboard",
                                              ROOT / "scripts" / "serve-dashboard.py")
serve = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve)


def test_room_flag_binds_all_interfaces_on_the_default_port():
    args, port, ip = serve.voila_args(["--room"])
    assert "--Voila.ip=0.0.0.0" in args and "--no-browser" in args and port == 8866
    assert ip == "0.0.0.0" and "--room" not in args
    args, port, ip = serve.voila_args(["--room", "--port", "9000", "--Voila.ip=10.1.2.3"])
    assert (port, ip) == (9000, "10.1.2.3") and "--Voila.ip=0.0.0.0" not in args
    assert serve.voila_args(["--Voila.port=8900"])[1:] == (8900, "localhost")


def test_announcement_for_a_room_names_the_students_url():
    lines = "\n".join(serve.announce("http://laptop:8866/", 8866, "0.0.0.0",
                                     addresses=["192.0.2.7", "198.51.100.4"]))
    assert "Give students this address: http://192.0.2.7:8866/" in lines
    assert "http://198.51.100.4:8866/" in lines and "WARNING" not in lines
    assert "TCP port 8866" in lines
    moved = "\n".join(serve.announce("http://laptop:8869/", 8866, "0.0.0.0",
                                     addresses=["192.0.2.7"]))
    assert "Give students this address: http://192.0.2.7:8869/" in moved
    assert "WARNING: port 8866 was in use, so Voila took port 8869" in moved
    none = "\n".join(serve.announce("http://laptop:8866/", 8866, "0.0.0.0", addresses=[]))
    assert "THIS-MACHINE'S-ADDRESS:8866" in none


def test_local_announcement_says_how_to_serve_a_room():
    lines = "\n".join(serve.announce("http://localhost:8866/", 8866, "localhost"))
    assert "http://localhost:8866/" in lines and "--room" in lines
    assert "Give students" not in lines


def test_lan_addresses_are_not_loopback():
    for address in serve.lan_addresses():  # read from this machine's interfaces, no traffic
        assert not address.startswith("127.") and re.fullmatch(r"[\d.]+", address)


def test_busy_port_warns_and_names_the_port_voila_took(tmp_path):
    pytest.importorskip("voila", reason="Voila is not installed (swtlb[course])")
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    asked = holder.getsockname()[1]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve-dashboard.py"),
                             "--no-browser", "--Voila.ip=127.0.0.1", f"--port={asked}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=tmp_path, env=env, start_new_session=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C stops") or time.monotonic() > deadline:
                break
        out = "".join(lines)
        took = re.search(r"Voila took port (\d+)", out)
        assert took, out
        port = int(took.group(1))
        assert port != asked and f"Dashboard: http://localhost:{port}/" in out
        assert f"not :{asked}" in out
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        holder.close()
    with socket.socket() as probe:  # Voila stopped with the launcher
        assert probe.connect_ex(("127.0.0.1", port)) != 0
