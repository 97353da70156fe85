"""``swtlb-herd7``: a drop-in for ``herd7 -conf linux-kernel.cfg`` that the kernel's own scripts
(``tools/memory-model/scripts``) can run unchanged.

It takes herd7's command line (``herd7opts``), reads only a model it knows (``lkmmfiles``),
decides each test with ``swtlb.check`` and prints herd7's output, warnings and exit status; with
``-o DIR`` it writes herd7-style Graphviz files (``swtlb.dot``).

Start-up matters: the scripts start one process per test, so this module imports nothing heavy
before it knows there is a test to decide (``-version``, usage errors and refusals answer in the
time Python takes to start), and the checker is imported only then.
"""

from __future__ import annotations

import os
import sys

from . import herd7opts as opts
from .lkmmfiles import Finder, ModelError, check_model

VERSION = "7.58, Rev: swtlb-0.1.0 (the Linux-kernel memory model of herdtools7 7.58, in Python)"
MAX_CANDIDATES = 10**15  # herd7 has no such bound; -timeout is the way to stop a long test
EXIT_FATAL = 2  # herd7's status for usage errors, missing model files and crashes
EXIT_UNDECIDED = 3  # swtlb could not decide a test that herd7 would (a construct, a bound)


def _err(text: str) -> None:
    sys.stdout.flush()
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """Run as herd7 would on ``argv`` (default: the command line); returns the exit status.
    A closed pipe (``| head``) or Ctrl-C ends it quietly, as they end herd7."""
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the exit's flush does not fail again
        return 128 + 13  # as a process killed by SIGPIPE
    except KeyboardInterrupt:
        return 128 + 2


def _main(argv: list[str]) -> int:
    prog = opts.prog_name(sys.argv[0] if sys.argv else "herd7")
    try:
        settings = opts.parse_args(argv)
    except opts.UsageError as exc:
        _err(f"{prog}: {exc}\n{opts.usage_text(prog)}".rstrip("\n"))
        return EXIT_FATAL
    except opts.CfgError as exc:
        _err(str(exc))
        return EXIT_FATAL
    except opts.Refused as exc:
        _err(f"swtlb-herd7: {exc}")
        return EXIT_FATAL
    except ModelError as exc:
        _err(f"{prog}: {exc.message}")
        return EXIT_FATAL
    if settings.help:
        sys.stdout.write(opts.usage_text(prog))
        return 0
    if settings.version:
        print(VERSION)
        return 0
    try:
        later = _check_setup(settings)
        style = None
        if settings.outdir is not None:
            from .dot import DotStyle

            style = DotStyle.from_settings(settings)
    except opts.Refused as exc:
        _err(f"swtlb-herd7: {exc}")
        return EXIT_FATAL
    except ModelError as exc:
        _err(f"swtlb-herd7: {exc.message}" if exc.refusal else f"{prog}: {exc.message}")
        return EXIT_FATAL
    if settings.viewer is not None:  # with -o, herd7 writes the files and then starts a viewer
        renderer = "neato" if settings.graph == "columns" else "dot"  # neato keeps the pins
        _err(f"swtlb-herd7: note: -{settings.viewer} starts no viewer here; the .dot files go "
             f"to {settings.outdir} (render them with: {renderer} -Tpng FILE.dot -o FILE.png)")
    status = 0
    for path in settings.files:
        outcome = run_test(path, settings, later, style)
        if outcome is None:
            return EXIT_FATAL  # herd7 stops at a file it cannot split into sections
        status = max(status, outcome)
    return status


def _check_setup(s: opts.Settings) -> list[ModelError]:
    """Refuse what cannot be honoured and find the model, as herd7 does before its first test;
    returns what herd7 would report for each test instead of deciding it. With no test,
    herd7 only makes sure its .cat and .bell exist, and so does this."""
    if s.viewer is not None and s.outdir is None:
        raise opts.Refused(f"-{s.viewer} starts a viewer on temporary files, which swtlb does "
                           "not do: add -o DIR to get the .dot files")
    finder = Finder(s.includes)
    if not s.files:
        for name in (s.cat, s.bell):
            if name is not None and finder.find(name) is None:
                raise ModelError(f"Cannot find file {name}")
        return []
    if s.cat is None:
        raise opts.Refused("no model given (herd7 would pick its C11 model for C tests); "
                           "swtlb implements the Linux-kernel memory model: pass -conf "
                           "linux-kernel.cfg from tools/memory-model")
    if s.bell is None or s.macros is None:
        missing = "-bell linux-kernel.bell" if s.bell is None else "-macros linux-kernel.def"
        raise opts.Refused(f"the Linux-kernel memory model needs {missing} too (as "
                           "linux-kernel.cfg gives it)")
    if s.variants != {"lkmmv2"}:
        got = ",".join(sorted(s.variants)) or "none"
        raise opts.Refused(f"variant {got} is not supported: {opts.WHY['variant']}")
    return check_model(finder, s.cat, s.bell, s.macros)


def run_test(path: str, s: opts.Settings, later: list[ModelError], style=None) -> int | None:
    """Decide one file and print what herd7 prints for it; the exit status it calls for
    (None: herd7 would stop altogether)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except IsADirectoryError:
        _err(f'\nFatal: File "{path}" Adios')  # herd7's splitter crashes on a folder
        return None
    except OSError as exc:
        _err(f'Warning: File "{path}": open_in failed: {path}: {exc.strerror}')
        return 0
    for problem in later:  # a missing include or .def: herd7 says so for each test
        if problem.message.startswith("File "):
            _err(problem.message)
        else:
            _err(f'Warning: File "{path}": {problem.message}')
    if later:
        return 0

    from .check import check
    from .litmus.errors import BoundError, LitmusError
    from .litmus.parser import parse_text

    try:
        test = parse_text(text, path)
        result = check(test, "lkmm", max_candidates=MAX_CANDIDATES, timeout=s.timeout,
                       speedcheck=s.speedcheck)
    except (LitmusError, RecursionError) as exc:  # UnsupportedError and BoundError included
        if isinstance(exc, BoundError) and s.timeout is not None and exc.message.startswith(
                "timeout"):
            return 0  # herd7 -timeout drops the test without a word
        return _refused(exc, path, text)
    sys.stdout.write(result.herd_text(seconds=True) + "\n")
    sys.stdout.flush()
    if s.outdir is not None:
        _write_graphs(result, path, s, style)
    return 0


def _refused(exc: Exception, path: str, text: str) -> int | None:
    """herd7's lines for a test it would refuse or swtlb cannot decide (herd7errors is imported
    only here: most runs never need it, and each run is one process)."""
    from . import herd7errors as errors
    from .litmus.errors import BoundError, UnsupportedError

    if isinstance(exc, RecursionError):
        _err(f'Warning: File "{path}": the test is nested too deeply to read'
             f"{errors.NOT_MODELLED}")
        return EXIT_UNDECIDED
    if isinstance(exc, UnsupportedError):
        macro = errors.unknown_macro(exc.message)
        if macro is not None:
            _err(f'Warning: File "{path}": Unknown macro {macro} (User error)')
            return 0
        if errors.lexer_refuses(exc):
            _err(errors.parse_warning(exc, path, text))
            return 0
        _err(errors.located(exc, path, errors.NOT_MODELLED))
        return EXIT_UNDECIDED
    if isinstance(exc, BoundError):
        _err(errors.located(exc, path, errors.NOT_MODELLED))
        return EXIT_UNDECIDED
    if errors.is_fatal(exc, errors.in_code(text, exc.line, exc.col)):
        _err(errors.fatal_line(path))
        return None
    _err(errors.parse_warning(exc, path, text))
    return 0


def _write_graphs(result, path: str, s: opts.Settings, style) -> None:
    """``DIR/NAME.dot`` as herd7 -o writes it (an empty file when nothing is shown)."""
    from .dot import result_dot

    base = os.path.basename(path)
    if base.endswith(".litmus"):
        base = base[: -len(".litmus")]
    target = os.path.join(s.outdir, base + s.suffix + ".dot")
    text = result_dot(result, show=s.show, nshow=s.nshow, style=style)
    try:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        _err(f"swtlb-herd7: warning: cannot write {target}: {exc.strerror} (herd7 is silent "
             "here)")


if __name__ == "__main__":
    sys.exit(main())
