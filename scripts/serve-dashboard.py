"""Serve the classroom dashboard with Voila and say which address to give students.

    python scripts/serve-dashboard.py [--room] [VOILA OPTIONS...]

Runs ``swtlb dashboard`` (which says what is missing if Voila or ipywidgets is not installed),
passes its log through, and once Voila is listening prints the address to open: for a room
(``--room``, or ``--Voila.ip=0.0.0.0``) one URL per network address of this machine, for
students on the same network; else the local one. Voila takes the next free port when the one
asked for is in use, and then this says so, loudly, with the port it took: an address written
on the board before class would otherwise be wrong.

``--room`` is short for ``--no-browser --Voila.ip=0.0.0.0 --port=8866`` (a ``--port`` or
``--Voila.ip`` given as well wins). Finding this machine's addresses reads the local interface
list (``ip``, ``hostname -I``); nothing is sent on the network. Exit status: Voila's.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit

DEFAULT_PORT = 8866  # Voila's own default
RUNNING = re.compile(r"is running at:?\s*$")
URL = re.compile(r"https?://[^\s]+")
IN_USE = re.compile(r"The port (\d+) is already in use")


def _option(args: list[str], *names: str) -> str | None:
    """The value of the last ``--name=value`` or ``--name value`` among ``args``."""
    value = None
    for i, arg in enumerate(args):
        for name in names:
            if arg.startswith(name + "="):
                value = arg.split("=", 1)[1]
            elif arg == name and i + 1 < len(args):
                value = args[i + 1]
    return value


def voila_args(argv: list[str]) -> tuple[list[str], int, str]:
    """Expand ``--room``; return (arguments for Voila, the port asked for, the address bound)."""
    args = [a for a in argv if a != "--room"]
    if "--room" in argv:
        if _option(args, "--Voila.ip", "--ip") is None:
            args.append("--Voila.ip=0.0.0.0")
        if _option(args, "--port", "--Voila.port") is None:
            args.append(f"--port={DEFAULT_PORT}")
        if "--no-browser" not in args:
            args.append("--no-browser")
    port = _option(args, "--port", "--Voila.port")
    ip = _option(args, "--Voila.ip", "--ip") or "localhost"
    return args, int(port) if port and port.isdigit() else DEFAULT_PORT, ip


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback and link-local, from its own interface
    list; empty if none can be read."""
    found: list[str] = []
    commands = [(["ip", "-4", "-o", "addr", "show", "scope", "global"], r"\binet (\S+?)/"),
                (["hostname", "-I"], r"(\S+)")]
    for command, pattern in commands:
        if not shutil.which(command[0]):
            continue
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=5).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        found = re.findall(pattern, out)
        if found:
            break
    if not found:
        try:
            found = [i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None,
                                                         socket.AF_INET)]
        except OSError:
            found = []
    keep = []
    for text in found:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address.version == 4 and text not in keep and not (
                address.is_loopback or address.is_link_local or address.is_unspecified
                or address.is_multicast):
            keep.append(text)
    return keep


def _is_local(ip: str) -> bool:
    if ip in ("localhost", ""):
        return ip == "localhost"
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def announce(url: str, asked: int, ip: str, addresses: list[str] | None = None) -> list[str]:
    """The lines to print once Voila says it is running at ``url``."""
    parts = urlsplit(url)
    port = parts.port or asked
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    bar = "-" * 72
    lines = [bar]
    if _is_local(ip):
        lines += [f"Dashboard: http://localhost:{port}{rest}  (this machine only)",
                  "To serve a room: bash scripts/open-dashboard.sh --room"]
    else:
        if ip in ("0.0.0.0", ""):
            addresses = lan_addresses() if addresses is None else addresses
        else:
            addresses = [ip]
        urls = [f"http://{a}:{port}{rest}" for a in addresses]
        if urls:
            lines.append(f"Give students this address: {urls[0]}")
            lines += [f"  or, on another network of this machine: {u}" for u in urls[1:]]
        else:
            lines.append(f"Give students http://THIS-MACHINE'S-ADDRESS:{port}{rest} (no network "
                         "address found here: see 'ip addr')")
        lines += [f"They must be on the same network, and a firewall must let in TCP port {port}.",
                  f"On this machine: http://localhost:{port}{rest}"]
    if port != asked:
        lines += ["", f"WARNING: port {asked} was in use, so Voila took port {port}. Give the "
                  f"address above (:{port}), not :{asked}.",
                  f"  To keep {asked}, stop what holds it (an earlier dashboard? "
                  f"ss -ltnp 'sport = :{asked}') and start again, or choose --port."]
    lines += ["Ctrl-C stops the dashboard.", bar]
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    args, asked, ip = voila_args(argv)
    command = [sys.executable, "-m", "swtlb", "dashboard", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, bufsize=1, env=env)

    def forward(signum, frame):
        # As Ctrl-C does: swtlb dashboard then stops Voila (which does not stop on SIGTERM).
        child.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, forward)
    waiting_for_url = False
    try:
        for line in child.stdout:
            sys.stdout.write(line)
            if waiting_for_url and URL.search(line):
                waiting_for_url = False
                print("\n".join(announce(URL.search(line).group(0), asked, ip)), flush=True)
            elif RUNNING.search(line):
                url = URL.search(line)
                if url:
                    print("\n".join(announce(url.group(0), asked, ip)), flush=True)
                else:
                    waiting_for_url = True
            sys.stdout.flush()
        return child.wait()
    except KeyboardInterrupt:  # Ctrl-C reached Voila too (same process group): let it stop
        try:
            return child.wait(timeout=30)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            child.kill()
            return child.wait()


if __name__ == "__main__":
    sys.exit(main())
