"""swtlb's refusals of a litmus test, worded and ranked as herd7 7.58 words and ranks them.

herd7 has two kinds of failure for one test. Most are a warning (``Warning: File "F", line L,
characters C-D: unexpected 'T' (in prog) (User error)``) after which it goes on to the next
test and exits 0. A few stop it altogether with exit status 2 (``Fatal: File "F" Adios``): a file
its first pass (the splitter) cannot cut into sections (no ``C name`` line, no initial state,
a comment never closed, a bad header key) and a number that overflows OCaml's Int32 in the code.

swtlb's parser refuses the same tests at the same place but explains more; where herd7's words
are known (a token out of place, a reserved word, a stray character, processes out of order,
an unknown macro) they are used, otherwise swtlb's explanation is put in herd7's layout.
``judgelitmus.sh`` reads ``Unknown macro NAME`` from these lines, so that one is exact.
"""

from __future__ import annotations

import re

NOT_MODELLED = " (not modelled by swtlb; herd7 may decide it)"
_RESERVED = re.compile(r"'([^']+)' cannot be ")
_FATAL_STARTS = ("expected the header line", "expected '{' opening the initial state",
                 "comment '(*' is never closed", "metadata key ", "'Unroll=", "'TTHM=",
                 "'CacheType=", "the header 'C <test name>' must start")


def is_fatal(exc, in_code: bool) -> bool:
    """Whether herd7 stops on this test with ``Fatal: ... Adios`` and exit status 2."""
    message = exc.message
    if message.startswith(_FATAL_STARTS) or "herd7 opens the initial state" in message:
        return True
    if "cannot appear in a comment in the code" in message:
        return True  # the code ends at the word, so herd7's splitter never finds the comment end
    return in_code and "does not fit herd7's 32-bit integers" in message


def lexer_refuses(exc) -> bool:
    """An 'unsupported' construct that herd7's C lexer has no token for ('[', '.'): herd7
    refuses the test with a warning rather than deciding it."""
    return exc.message.startswith(("'[' (arrays and structure fields)",
                                   "'.' (arrays and structure fields)"))


def fatal_line(path: str) -> str:
    return f'\nFatal: File "{path}" Adios'


def unknown_macro(message: str) -> str | None:
    """The name in the interpreter's refusal of a call that linux-kernel.def does not define."""
    head, sep, rest = message.partition("unsupported primitive '")
    tail = "' (not in linux-kernel.def)"
    if head or not sep or not rest.endswith(tail):
        return None
    return rest[: -len(tail)]


def located(exc, path: str, suffix: str) -> str:
    """swtlb's message in herd7's layout (herd7 counts columns from 0, swtlb from 1)."""
    if exc.line <= 0:
        return f'Warning: File "{path}": {exc.message}{suffix}'
    col = max(exc.col - 1, 0)
    return (f'Warning: File "{path}", line {exc.line}, characters {col}-{col + 1}: '
            f"{exc.message}{suffix}")


def parse_warning(exc, path: str, text: str) -> str:
    """The warning herd7 prints for a test swtlb's parser refuses (herd7 refuses it too)."""
    message = exc.message
    if message.startswith("expected process P"):
        return f'Warning: File "{path}": Processes must be P0, P1, ...'
    col = max(exc.col - 1, 0)
    where = f'Warning: File "{path}", line {exc.line}'
    if exc.line <= 0:
        return located(exc, path, " (User error)")
    section = _section(text, exc.line, col)
    if lexer_refuses(exc) or message.startswith("unexpected character ") or message.startswith(
            ("herd7 does not accept the operator '%'", "herd7 does not accept unary '!'")):
        return f"{where}, character {col}: Lex error C lexer (in {section}) (User error)"
    if "ends the code at this word" in message:
        return f"{where}, characters {col}-{col}: unexpected '' (in {section}) (User error)"
    token = None
    reserved = _RESERVED.match(message)
    if reserved and "herd7 reserves this word" in message:
        if "(its lexer of the initial" not in message or message.startswith(
                (f"'{reserved.group(1)}' cannot be a register name",
                 f"'{reserved.group(1)}' cannot be a value")):
            token = reserved.group(1)  # (herd7 stops after a reserved location name)
    elif message.startswith("'(*' cannot open a comment between the processes"):
        token = "("
    elif message.startswith(("herd7 does not accept the operator '<<'",
                             "herd7 does not accept the operator '>>'",
                             "herd7 does not accept the operator '&&'",
                             "herd7 does not accept the operator '||'")):
        token, col = message.split("'")[1][1], col + 1  # herd7 reads the first as an operator
    elif message.startswith("herd7 does not read hexadecimal literals such as '"):
        token, col = message.split("'")[1][1:], col + 1  # herd7 reads '0', then a name
    elif message.startswith("herd7 reads '") and "as one negative number" in message:
        token = message.split("'")[1]
    elif message.startswith("herd7 does not accept unary '-'"):
        token = "-"
    else:
        head, sep, found = message.rpartition(", found '")
        if sep and found.endswith("'"):
            token = found[:-1]
    if token is None:
        return located(exc, path, " (User error)")
    return (f"{where}, characters {col}-{col + max(len(token), 1)}: unexpected '{token}' "
            f"(in {section}) (User error)")


def _section(text: str, line: int, col: int) -> str:
    """Which of herd7's sections (init, prog, final) a position falls in."""
    from .litmus.errors import LitmusError
    from .litmus.header import split_header

    lines = text.split("\n")
    offset = sum(len(one) + 1 for one in lines[: line - 1]) + col
    try:
        start = split_header(text, "").init_offset  # the '{' of the initial state
    except LitmusError:
        start = text.find("{")
    end = text.find("}", start)
    if start < 0 or offset <= end:
        return "init"
    cond = re.compile(r"^[ \t]*(~[ \t]*exists|exists|forall|filter|locations)\b", re.M)
    m = cond.search(text, end)
    return "final" if m is not None and offset >= m.start() else "prog"


def in_code(text: str, line: int, col: int) -> bool:
    return _section(text, line, max(col - 1, 0)) == "prog"
