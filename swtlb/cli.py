"""``swtlb check``: decide litmus tests and print herd7's output layout; ``swtlb course`` and
``swtlb dashboard``: open the notebooks in JupyterLab, or the classroom dashboard in Voila.

The layout is herd7's own, so the kernel's ``tools/memory-model/scripts`` (judgelitmus.sh and
friends) read it unchanged. The launchers exist to say plainly what is missing (JupyterLab,
Voila, ipywidgets, the notebooks themselves) instead of failing somewhere inside Jupyter.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path

# multiprocessing, subprocess, importlib.util and the checker itself are imported where they are
# used: each costs milliseconds at start-up, and most runs need only some of them

EXIT_OK, EXIT_INPUT, EXIT_BOUND, EXIT_SETUP = 0, 2, 3, 4
ROOT = Path(__file__).resolve().parent.parent

EPILOG = """\
examples:
  swtlb check MP+poonceonces.litmus             decide one test under LKMM
  swtlb check --model tso tests/                every .litmus file under tests/, x86-TSO
  swtlb check --jobs 2 --timeout 60 litmus/     two at a time, give up on a test after 60 s
  swtlb check --speedcheck litmus/              as herd7 -speedcheck true: only whether the
                                                condition can hold, not every final state

exit status:
  0  every test was decided
  2  a file could not be read or parsed, or uses a construct swtlb does not model
  3  a test hit the --timeout or --max-candidates bound (nothing else went wrong)
"""

LAUNCH_EPILOG = """\
examples:
  swtlb course                                  the notebooks in JupyterLab
  swtlb dashboard                               the classroom dashboard in Voila
  swtlb dashboard --no-browser --Voila.ip=0.0.0.0   serve it to the room
Extra arguments go to JupyterLab or Voila. Exit status 4: something the launcher needs is missing
(the message says what and how to install it).
"""

LAUNCHERS = {  # what: (module to run, what it needs installed, folder or file it opens)
    "course": ("jupyterlab", ("jupyterlab", "ipywidgets", "ipykernel"), "notebooks"),
    "dashboard": ("voila", ("voila", "ipywidgets", "ipykernel"), "dashboard/classroom.ipynb"),
}


def _files(paths: list[str]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(p.rglob("*.litmus"))
        else:
            yield p


def _decide(job: tuple[str, str, float | None, int, str]) -> tuple[str, int]:
    path, model, timeout, max_candidates, speedcheck = job
    from .check import check
    from .litmus.errors import BoundError, LitmusError

    try:
        result = check(Path(path), model, timeout=timeout, max_candidates=max_candidates,
                       speedcheck=speedcheck)
    except BoundError as exc:
        return f"{exc}\n", EXIT_BOUND
    except LitmusError as exc:
        return f"{exc}\n", EXIT_INPUT
    except RecursionError:
        return f"{path}:0:0: the test is nested too deeply to read\n", EXIT_INPUT
    return result.herd_text() + "\n", EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in LAUNCHERS and argv[1:2] not in (["-h"], ["--help"]):
        return launch_app(argv[0], argv[1:])  # everything after it belongs to Jupyter
    parser = argparse.ArgumentParser(
        prog="swtlb", description="Decide Linux-kernel litmus tests as herd7 does.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    chk = sub.add_parser("check", help="decide litmus tests, printing herd7's output",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    chk.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    chk.add_argument("--model", choices=["lkmm", "sc", "tso"], default="lkmm")
    chk.add_argument("--timeout", type=float, default=None, metavar="S",
                     help="give up on a test after S seconds (default: no limit)")
    chk.add_argument("--max-candidates", type=int, default=1_000_000, metavar="N",
                     help="give up on a test after N candidate executions (default: 10^6)")
    chk.add_argument("--jobs", type=int, default=1, metavar="N",
                     help="decide N tests at once (default: 1)")
    speed = chk.add_mutually_exclusive_group()
    speed.add_argument("--speedcheck", action="store_const", const="true", dest="speedcheck",
                       default="false",
                       help="herd7's -speedcheck true: judge only the executions that reach "
                            "the outcome (the condition; for forall its negation) and print "
                            "those alone; answers whether the condition can hold, faster")
    speed.add_argument("--speedcheck-fast", action="store_const", const="fast",
                       dest="speedcheck",
                       help="herd7's -speedcheck fast: stop at the first such execution (the "
                            "verdict is herd7's; the witness shown may be another one)")
    for name, text in (("course", "open the course notebooks in JupyterLab"),
                       ("dashboard", "serve the classroom dashboard with Voila")):
        launch = sub.add_parser(name, help=text, description=text.capitalize() + ".",
                                epilog=LAUNCH_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        launch.add_argument("extra", nargs="*", help="passed on to JupyterLab or Voila")
    args = parser.parse_args(argv)

    files = list(_files(args.paths))
    if not files:
        print("swtlb: no .litmus files found in " + " ".join(args.paths), file=sys.stderr)
        return EXIT_INPUT
    jobs = [(str(f), args.model, args.timeout, args.max_candidates, args.speedcheck)
            for f in files]
    worst = EXIT_OK
    if args.jobs > 1 and len(jobs) > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            outputs = pool.imap(_decide, jobs)
            worst = _emit(outputs)
    else:
        worst = _emit(map(_decide, jobs))
    return worst


def launch_app(what: str, extra: list[str], *, run=None) -> int:
    """Start JupyterLab on the notebooks or Voila on the dashboard, or say what is missing."""
    import importlib.util
    import subprocess

    run = subprocess.call if run is None else run
    module, needs, target = LAUNCHERS[what]
    missing = [m for m in needs if importlib.util.find_spec(m) is None]
    if missing:
        print(f"swtlb {what}: {', '.join(missing)} not installed for {sys.executable}.\n"
              f"  From a clone of swtlb, 'bash scripts/open-{what}.sh' installs everything; "
              f"or run: pip install 'swtlb[course]'", file=sys.stderr)
        return EXIT_SETUP
    path = ROOT / target
    if not path.exists():
        print(f"swtlb {what}: {path} does not exist. The notebooks ship with the swtlb "
              f"repository, not with the installed package: clone it and run "
              f"'bash scripts/open-{what}.sh'", file=sys.stderr)
        return EXIT_SETUP
    command = [sys.executable, "-m", module, str(path), *extra]
    if module == "jupyterlab" and hasattr(os, "geteuid") and os.geteuid() == 0 and (
            "--allow-root" not in extra):
        command.append("--allow-root")  # containers run as root; JupyterLab refuses otherwise
    try:
        return run(command)
    except KeyboardInterrupt:
        return EXIT_OK


def _emit(outputs: Iterator[tuple[str, int]]) -> int:
    worst = EXIT_OK
    for text, status in outputs:
        if status == EXIT_OK:
            sys.stdout.write(text)
        else:
            sys.stderr.write(text)
        sys.stdout.flush()
        if status == EXIT_INPUT or (status == EXIT_BOUND and worst == EXIT_OK):
            worst = status
    return worst


if __name__ == "__main__":
    sys.exit(main())
