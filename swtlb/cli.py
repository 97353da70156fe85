"""``swtlb check``: decide litmus tests and print herd7's output layout.

The layout is herd7's own, so the kernel's ``tools/memory-model/scripts`` (judgelitmus.sh and
friends) read it unchanged.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Iterator
from pathlib import Path

from .litmus.errors import BoundError, LitmusError

EXIT_OK, EXIT_INPUT, EXIT_BOUND = 0, 2, 3

EPILOG = """\
examples:
  swtlb check MP+poonceonces.litmus             decide one test under LKMM
  swtlb check --model tso tests/                every .litmus file under tests/, x86-TSO
  swtlb check --jobs 2 --timeout 60 litmus/     two at a time, give up on a test after 60 s

exit status:
  0  every test was decided
  2  a file could not be read or parsed, or uses a construct swtlb does not model
  3  a test hit the --timeout or --max-candidates bound (nothing else went wrong)
"""


def _files(paths: list[str]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(p.rglob("*.litmus"))
        else:
            yield p


def _decide(job: tuple[str, str, float | None, int]) -> tuple[str, int]:
    path, model, timeout, max_candidates = job
    from .check import check

    try:
        result = check(Path(path), model, timeout=timeout, max_candidates=max_candidates)
    except BoundError as exc:
        return f"{exc}\n", EXIT_BOUND
    except LitmusError as exc:
        return f"{exc}\n", EXIT_INPUT
    except RecursionError:
        return f"{path}:0:0: the test is nested too deeply to read\n", EXIT_INPUT
    return result.herd_text() + "\n", EXIT_OK


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)

    files = list(_files(args.paths))
    if not files:
        print("swtlb: no .litmus files found in " + " ".join(args.paths), file=sys.stderr)
        return EXIT_INPUT
    jobs = [(str(f), args.model, args.timeout, args.max_candidates) for f in files]
    worst = EXIT_OK
    if args.jobs > 1 and len(jobs) > 1:
        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            outputs = pool.imap(_decide, jobs)
            worst = _emit(outputs)
    else:
        worst = _emit(map(_decide, jobs))
    return worst


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
