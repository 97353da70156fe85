"""Real servers and a real browser for the browser tests: JupyterLab or Voila on a free
localhost port with throwaway settings, and Debian's Chromium driven by Playwright.

Nothing is downloaded: Playwright launches the system Chromium through ``executable_path``.
Every wait has a bound, and a server that dies or never answers fails with its log.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

SCREENSHOTS = ROOT / "test-output" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
# Throwaway JupyterLab user settings: every cell in the DOM (so the test can read all
# outputs), and no news prompt covering the page.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": '{"windowingMode": "none"}',
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false"}',
}


def chromium() -> str:
    """The system Chromium, or a skip that says how to get one."""
    pytest.importorskip("playwright", reason="the playwright package is not installed "
                        "(pip install 'swtlb[test]')")
    for candidate in (os.environ.get("SWTLB_CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("no Chromium on this machine: 'apt-get install -y chromium' (what .ci/run does) "
                "or point SWTLB_CHROMIUM at a Chromium binary")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(kind: str, target: Path, home: Path, *, start_timeout: float = 90.0):
    """Start JupyterLab (kind="lab", serving the folder ``target``) or Voila (kind="voila",
    serving the notebook ``target``); yield the URL to open."""
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels draw inline
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "rt"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               SWTLB_SHARED=str(SHARED.resolve()), PYTHONUNBUFFERED="1")
    for name, text in LAB_SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if kind == "lab":
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
                   "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
                   f"--ServerApp.root_dir={target}", "--LabApp.extension_manager=readonly"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        url = f"http://127.0.0.1:{port}/lab?token={token}"
        probe = f"http://127.0.0.1:{port}/api/status?token={token}"
    else:
        command = [sys.executable, "-m", "voila", str(target), "--no-browser", f"--port={port}",
                   "--Voila.ip=127.0.0.1"]
        url = probe = f"http://127.0.0.1:{port}/"
    log_path = home / f"{kind}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                cwd=home, start_new_session=True)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} exited with {proc.returncode}:\n"
                                   + log_path.read_text()[-3000:])
            try:
                urllib.request.urlopen(probe, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{kind} did not answer within {start_timeout:.0f} s:\n"
                                       + log_path.read_text()[-3000:]) from None
                time.sleep(0.3)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def browser_page(executable: str, *, height: int = 1000):
    """A fresh headless Chromium page (a new empty profile each time); a tall ``height`` lets
    one screenshot hold a whole dashboard panel."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": height})
            page.set_default_timeout(120_000)
            yield page
        finally:
            browser.close()


def strip_outputs(src: Path, dst: Path) -> None:
    """Copy a notebook without outputs or counts, so a finished run is recognisable."""
    import nbformat

    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, dst)
