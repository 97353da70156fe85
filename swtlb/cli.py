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
from contextlib import contextmanager
from pathlib import Path

# multiprocessing, subprocess, importlib.util and the checker itself are imported where they are
# used: each costs milliseconds at start-up, and most runs need only some of them

EXIT_OK, EXIT_INPUT, EXIT_BOUND, EXIT_SETUP, EXIT_CRASH = 0, 2, 3, 4, 5
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C
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
  3  a test hit the --timeout, --max-candidates or --max-memory bound
  5  swtlb failed on a test (a bug: please report it) or its worker process was killed
  130  interrupted (Ctrl-C)
The worst status of all the tests is returned; every other test is still decided.
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


def _decide(job: tuple[str, str, float | None, int, str, int]) -> tuple[str, int]:
    path, model, timeout, max_candidates, speedcheck, max_memory = job
    from .check import check
    from .litmus.errors import BoundError, LitmusError

    with _memory_limit(max_memory):
        try:
            result = check(Path(path), model, timeout=timeout, max_candidates=max_candidates,
                           speedcheck=speedcheck)
            return result.herd_text() + "\n", EXIT_OK
        except BoundError as exc:
            return f"{exc}\n", EXIT_BOUND
        except LitmusError as exc:
            return f"{exc}\n", EXIT_INPUT
        except MemoryError:
            return (f"{path}:0:0: more than --max-memory {max_memory} MiB; raise the bound to "
                    "go on\n"), EXIT_BOUND
        except RecursionError:
            return f"{path}:0:0: the test is nested too deeply to read\n", EXIT_INPUT
        except Exception as exc:  # noqa: BLE001 - one test's bug must not stop the others
            return (f"{path}:0:0: swtlb failed ({type(exc).__name__}: {exc}); please report "
                    "it\n"), EXIT_CRASH


@contextmanager
def _memory_limit(mib: int) -> Iterator[None]:
    """Cap the address space while one test is decided, so that a runaway search ends in
    MemoryError (reported as a bound) rather than in the kernel's OOM killer; the old limit
    comes back afterwards, for whatever else runs in this process (a browser a test starts
    has been killed by an inherited cap)."""
    try:
        import resource
    except ImportError:  # not on this platform: the other bounds still hold
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mib << 20 if hard == resource.RLIM_INFINITY else min(mib << 20, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _positive(kind: type, what: str):  # noqa: ANN202 - an argparse type
    def parse(text: str):  # noqa: ANN202
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what}, not {text!r}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{what}, not {text!r}")
        return value
    return parse


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
    chk.add_argument("--timeout", type=_positive(float, "a positive number of seconds"),
                     default=None, metavar="S",
                     help="give up on a test after S seconds (default: no limit)")
    chk.add_argument("--max-candidates", type=_positive(int, "a whole number, 1 or more"),
                     default=1_000_000, metavar="N",
                     help="give up on a test after N candidate executions (default: 10^6)")
    chk.add_argument("--max-memory", type=_positive(int, "a whole number of MiB, 1 or more"),
                     default=2048, metavar="MIB",
                     help="give up on a test whose process grows past MIB MiB (default: 2048)")
    chk.add_argument("--jobs", type=_positive(int, "a whole number, 1 or more"), default=1,
                     metavar="N",
                     help="decide N tests at once (default: 1; at most one per file and CPU)")
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
    start = sub.add_parser(
        "start", help="copy the course notebooks and the dashboard into a folder of your own",
        description="Copy the course notebooks and the classroom dashboard into DIR (created "
                    "if missing) and say how to open them. Run it again to bring in course "
                    "updates: notebooks you edited are kept, never overwritten, unless --force.",
        epilog="exit status: 0 done; 1 notebooks you edited were kept back from a course "
               "update; 4 the course files are missing or DIR cannot be used")
    start.add_argument("dir", metavar="DIR", help="the folder for your copy, e.g. ~/swtlb-course")
    start.add_argument("--force", action="store_true",
                       help="replace notebooks you edited with the course's copies (your edits "
                            "are lost)")
    args = parser.parse_args(argv)
    if args.command == "start":
        from .workspace import run

        return run(args.dir, force=args.force)

    files = list(_files(args.paths))
    if not files:
        print("swtlb: no .litmus files found in " + " ".join(args.paths), file=sys.stderr)
        return EXIT_INPUT
    jobs = [(str(f), args.model, args.timeout, args.max_candidates, args.speedcheck,
             args.max_memory) for f in files]
    workers = min(args.jobs, len(jobs), os.cpu_count() or 1)
    try:
        if workers > 1:
            return _emit(_in_workers(jobs, workers))
        return _emit(map(_decide, jobs))
    except KeyboardInterrupt:
        sys.stdout.flush()
        print("swtlb: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _ignore_interrupts() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report, once


def _in_workers(jobs: list[tuple], workers: int, decide=_decide) -> Iterator[tuple[str, int]]:
    """Each job's output in order, from ``workers`` processes. A worker that dies (killed,
    out of memory) fails the pool; the jobs it took down are retried alone, once, so that the
    one that kills its process is reported and every other test is still decided."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")

    def pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(n, mp_context=context, initializer=_ignore_interrupts)

    executor = pool(workers)
    futures = [executor.submit(decide, job) for job in jobs]
    try:
        for i, job in enumerate(jobs):
            try:
                yield futures[i].result()
                continue
            except BrokenProcessPool:
                pass
            executor.shutdown(cancel_futures=True)
            with pool(1) as alone:  # this job again, by itself
                try:
                    yield alone.submit(decide, job).result()
                except BrokenProcessPool:
                    yield (f"{job[0]}:0:0: the worker deciding this test died (killed, or out of "
                           "memory)\n", EXIT_CRASH)
            executor = pool(workers)
            futures[i + 1:] = [executor.submit(decide, j) for j in jobs[i + 1:]]
    finally:  # on Ctrl-C too: the workers ignore SIGINT, so stop them here
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.terminate()


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
        worst = max(worst, status, key=_SEVERITY.index)
    return worst


_SEVERITY = [EXIT_OK, EXIT_BOUND, EXIT_INPUT, EXIT_CRASH]  # the worst comes last


if __name__ == "__main__":
    sys.exit(main())
