"""The part of a litmus file before its initial state, read the way herd7 7.58 reads it.

herd7 first splits a file into sections with a small lexer of its own (herdtools7's
``lib/splitter.mll``) and only then parses each section, so what it accepts before the initial
state is not C at all. The rules, checked one by one against herd7 7.58:

* the very first character of the file starts the header ``C NAME``: no blank line, no comment,
  no leading blank before it. After the name come, optionally and in this order, a TeX name in
  parentheses, a quoted doc string (on the same line or the next one) and a ``;``.
* from there up to the initial state, a line of the form ``key = value`` whose key starts the
  line (a letter, then letters, digits, ``_ / . -``) is metadata: diy7's ``Cycle=``, ``Relax=``,
  ``Safe=``, ``Prefetch=``, ``Com=``, ``Orig=`` and any other key. The rest of the first line
  counts too (``C name Foo=1``).
* ``(*`` opens a nested OCaml comment only where herd7's longest-match rule lets it win: when it
  starts a line (or follows the header, or another comment) and is directly followed by a
  newline, ``{`` or the end of the file. Any other text, such as a second ``C ...`` line, a
  one-line ``(* Result: Never *)`` or a doc string on a later line, is skipped unread.
* the first ``{`` that is not inside a metadata line, the doc string or such a comment opens the
  initial state, wherever it stands: ``// {`` or ``/* { */`` is no comment there.
* a key given twice (compared without case) is refused, except ``Hash``. herd7 interprets a few
  keys for every architecture: ``Variant`` adds model variants, ``Mapping`` renames printed
  locations, ``Unroll``, ``TTHM`` and ``CacheType`` must be well formed.
"""

from __future__ import annotations

import os
import re

from ..record import field, record
from .errors import LitmusError, UnsupportedError

# blanks are space, tab and carriage return, as in herd7's splitter
_FIRST_LINE = re.compile(
    r"(?P<arch>[ \t\r]*[A-Za-z0-9_]+)[ \t\r]+(?P<name>[A-Za-z0-9_/.+\[\]-]+)[ \t\r]*"
    r"(?:\((?P<tex>[A-Za-z][A-Za-z0-9_/.-]*)\)[ \t\r]*)?"
    r'(?:\n?[ \t\r]*"(?P<doc>[^"]*)"[ \t\r]*)?;?')
_INFO_LINE = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9_/.-]*)[ \t\r]*=[ \t\r]*(?P<value>[^\n]*)\n")
_OTHER = re.compile(r"[^\n{]+")
_RESULT = re.compile(r"Result:\s*(\w+)")


@record
class Header:
    """What precedes the initial state: the name, herd7's metadata and where ``{`` stands."""

    name: str
    doc: str | None
    info: dict[str, str] = field(default_factory=dict)
    result: str | None = None  # an author's ``Result:`` note in the header, if any
    init_offset: int = 0  # index in the text of the '{' that opens the initial state
    init_line: int = 1
    init_col: int = 1
    init_inline: bool = False  # text precedes that '{' on its line: likely not the author's


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def _skip_comment(text: str, start: int, file: str) -> int:
    """Index just after the ``*)`` closing the (nested) comment opened at ``start``."""
    depth, pos = 1, start + 2
    while pos < len(text):
        if text.startswith("(*", pos):
            depth, pos = depth + 1, pos + 2
        elif text.startswith("*)", pos):
            depth, pos = depth - 1, pos + 2
            if depth == 0:
                return pos
        else:
            pos += 1
    raise LitmusError("comment '(*' is never closed by '*)'", file, *_line_col(text, start))


def _test_name(name: str, file: str) -> str:
    if name == "--":  # herd7 then names the test after its file
        return os.path.splitext(os.path.basename(file))[0]
    return name[: -len(".litmus")] if name.endswith(".litmus") else name


def split_header(text: str, file: str) -> Header:
    """Read the header as herd7 does; refuse, located, whatever herd7 refuses there."""
    head = _FIRST_LINE.match(text)
    if text.startswith("\ufeff"):
        raise LitmusError("the file starts with a UTF-8 byte-order mark, which herd7 refuses "
                          "('splitter error'); save it as UTF-8 without BOM", file, 1, 1)
    if not head:
        raise LitmusError("expected the header line 'C <test name>' to start the file (herd7 "
                          "allows nothing before it, not even a blank line)", file, 1, 1)
    arch = head.group("arch")
    if arch != "C":
        if arch.strip(" \t\r") == "C":
            raise LitmusError("the header 'C <test name>' must start at the first column "
                              "(herd7 reads the leading blanks as part of the architecture)",
                              file, 1, 1)
        raise LitmusError(f"architecture {arch.strip()!r} is not supported; expected a header "
                          "line 'C <test name>'", file, 1, 1)
    header = Header(name=_test_name(head.group("name"), file), doc=head.group("doc"))
    found: list[tuple[str, str, int]] = []  # key, raw value, offset
    pos = head.end()
    while True:
        if pos >= len(text):
            raise LitmusError("expected '{' opening the initial state, found end of file", file,
                              *_line_col(text, pos))
        c = text[pos]
        if c == "\n":
            pos += 1
            continue
        if c == "{":
            break
        other = _OTHER.match(text, pos)
        other_len = other.end() - pos if other else 0
        if text.startswith("(*", pos) and other_len <= 2:  # herd7's rule order breaks the tie
            pos = _skip_comment(text, pos, file)
            continue
        info = _INFO_LINE.match(text, pos)
        if info:
            found.append((info.group("key"), info.group("value"), pos))
            pos = info.end()
            continue
        pos += other_len
    header.init_offset = pos
    header.init_line, header.init_col = _line_col(text, pos)
    header.init_inline = bool(text[text.rfind("\n", 0, pos) + 1: pos].strip(" \t\r"))
    result = _RESULT.search(text, head.end("name"), pos)
    header.result = result.group(1) if result else None
    _check_info(found, text, file)
    for key, value, _ in found:
        header.info.setdefault(key, value.rstrip(" \t\r"))
    return header


def _check_info(found: list[tuple[str, str, int]], text: str, file: str) -> None:
    """herd7 refuses a repeated key and reads a few keys itself: refuse what it refuses and
    what would change its answer in ways this engine does not follow."""
    seen: dict[str, str] = {}
    for key, value, offset in found:
        where = (file, *_line_col(text, offset))
        low = key.lower()
        if low in seen and low != "hash":
            raise LitmusError(f"metadata key '{key}' is given twice (herd7 refuses duplicated "
                              "header keys)", *where)
        seen.setdefault(low, key)
        if low == "variant":
            tags = [t for t in re.split(r"[ \t\r,]+", value) if t]
            if any(t != "lkmmv2" for t in tags):
                raise UnsupportedError(f"the header sets herd7 variant(s) {' '.join(tags)!r}; only "
                                       "linux-kernel.cfg's own variants are modelled", *where)
        elif key == "Mapping" and value.strip(" \t\r"):
            raise UnsupportedError("a 'Mapping=' header (renaming the locations herd7 prints) "
                                   "is not supported", *where)
        elif low == "unroll" and not re.fullmatch(
                r"[-+]?(0[xX][0-9a-fA-F][0-9a-fA-F_]*|0[oO][0-7][0-7_]*|0[bB][01][01_]*"
                r"|0[uU][0-9][0-9_]*|[0-9][0-9_]*)", value):
            raise LitmusError(f"'Unroll={value}' is not an integer (herd7 refuses it)", *where)
        elif low == "tthm" and not re.fullmatch(
                r"(?:[ \t\r]+|(?:P?[0-9]+:)?(?i:sw|ha|hd)(?![A-Za-z]))*", value):
            raise LitmusError(f"'TTHM={value}' is not a list of SW, HA, HD (herd7 refuses it)",
                              *where)
        elif low == "cachetype" and not re.fullmatch(
                r"(?:[ \t\r]+|(?i:dic|idc)(?![A-Za-z]))*", value):
            raise LitmusError(f"'CacheType={value}' is not a list of DIC, IDC (herd7 refuses it)",
                              *where)
