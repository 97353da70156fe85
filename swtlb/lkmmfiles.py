"""Find the model files herd7 would read, and say whether they are the model swtlb implements.

swtlb answers for one model only: the Linux-kernel memory model as herdtools7 7.58 ships it (the
kernel's ``tools/memory-model``, variant lkmmv2). A drop-in for herd7 must never answer for a
``.cat``, ``.bell`` or ``.def`` it did not read, so every file herd7 would open is located the way
herd7 locates it and compared with the known versions. The comparison is on a normalised text
(comments removed, white space collapsed), so a re-indented or re-commented copy is still
recognised while any change to a definition is not. Files herd7 takes from its own library
(``stdlib.cat``, ``cross.cat``, ``cos-opt.cat``) are checked only when a copy of them shadows the
library (in the working folder, an ``-I`` folder or ``$HERDLIB``).

Only ``os`` and ``re`` are imported: this runs on every start of ``swtlb-herd7``.
"""

from __future__ import annotations

import os
import re

try:  # the builtin module: hashlib would load OpenSSL, which costs milliseconds at start-up
    from _md5 import md5
except ImportError:  # pragma: no cover - Python builds without _md5
    from hashlib import md5

# normalised md5 -> (what the file is, the files it includes), computed from herdtools7 7.58's
# LKMM catalogue (the kernel's tools/memory-model) and herd7's own library.
KNOWN: dict[str, tuple[str, tuple[str, ...]]] = {
    "781171592241f281deb084a45435e2cb": ("linux-kernel.cat", ("lock.cat",)),
    "6f3f0e3040f642fa22dd94b40c78f4ae": ("linux-kernel.bell", ()),
    "eb948f841a20a0421f451b8f67069792": ("linux-kernel.def", ()),
    "78904adc70d8f1cfdbe2f5ad6e6e253f": ("lock.cat", ("cross.cat", "cos-opt.cat")),
    "f145b63cbed63d7c402ac8fec55d07e6": ("cross.cat", ()),
    "630fdc4b87ad832eb966c3cb03cb941e": ("cos-opt.cat", ("cross.cat",)),
    "db6a36edf22e0a48a896014efa3cd894": ("stdlib.cat", ()),
}
RAW: dict[str, str] = {  # raw md5 of the released file -> its normalised md5
    "429bc22b1ebec39d162a451d4db3f34f": "781171592241f281deb084a45435e2cb",
    "93fd710d759f13095c2b92ff3bcadb52": "6f3f0e3040f642fa22dd94b40c78f4ae",
    "900387df75259f1c87cb07c3e739af64": "eb948f841a20a0421f451b8f67069792",
    "9b95acfa07c293baae15358565f27824": "78904adc70d8f1cfdbe2f5ad6e6e253f",
    "9bed30e1defce6a5931c8fac9ae5b638": "f145b63cbed63d7c402ac8fec55d07e6",
    "845c18e99f84964fb8593db08c2ebbe3": "630fdc4b87ad832eb966c3cb03cb941e",
    "ecdc246a468abd0cabe905de3f3aff90": "db6a36edf22e0a48a896014efa3cd894",
}
LIBRARY = ("stdlib.cat", "cross.cat", "cos-opt.cat")  # herd7 has these built in
ROLES = {"cat": "model", "bell": "bell file", "def": "macro file"}


class ModelError(Exception):
    """herd7 would stop here (``fatal``: before any test, exit status 2), or swtlb refuses."""

    def __init__(self, message: str, *, per_test: bool = False, refusal: bool = False):
        super().__init__(message)
        self.message = message
        self.per_test = per_test  # herd7 reports it for each test and goes on (exit status 0)
        self.refusal = refusal  # swtlb's own refusal (herd7 would go on with this model)


def normalise(text: str, kind: str) -> str:
    """The file without comments and with each run of white space as one space.

    Comments are ``(* ... *)`` (nested) and ``// ...`` in ``.cat`` and ``.bell`` files, and
    ``// ...`` and ``/* ... */`` in a ``.def`` file (where ``(*X`` is code, not a comment).
    """
    if kind == "def":
        text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)
    else:
        text = re.sub(r"//[^\n]*", " ", _strip_ml_comments(text))
    return " ".join(text.split())


def _strip_ml_comments(text: str) -> str:
    out: list[str] = []
    depth = 0
    last = 0
    for m in re.finditer(r"\(\*|\*\)|\"(?:[^\"\\\n]|\\.)*\"", text):
        tok = m.group()
        if tok.startswith('"'):
            continue  # a string: its contents are not comment markers
        if tok == "(*":
            if depth == 0:
                out.append(text[last:m.start()])
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                last = m.end()
                out.append(" ")
    if depth == 0:
        out.append(text[last:])
    return "".join(out)


def fingerprint(text: str, kind: str) -> str:
    """The md5 of the normalised text (hex): what ``KNOWN`` is keyed by."""
    raw = md5(text.encode()).hexdigest()
    if raw in RAW:
        return RAW[raw]
    return md5(normalise(text, kind).encode()).hexdigest()


class Finder:
    """herd7's search for a file named in the command line, a ``.cfg`` or an ``include``: a name
    with a folder part that starts with ``/``, ``./`` or ``../`` is taken as it is; any other
    name is looked for in the working folder, then each ``-I`` folder, then ``$HERDLIB``."""

    def __init__(self, includes: list[str] | None = None, herdlib: str | None = None):
        self.includes = list(includes or [])
        self.herdlib = os.environ.get("HERDLIB") if herdlib is None else herdlib

    def find(self, name: str) -> str | None:
        if not _implicit(name):
            return name if os.path.isfile(name) else None
        folders = [".", *self.includes] + ([self.herdlib] if self.herdlib else [])
        for folder in folders:
            path = name if folder == "." else os.path.join(folder, name)
            if os.path.isfile(path):
                return "./" + name if folder == "." else path
        return None


def _implicit(name: str) -> bool:
    return not (name.startswith("/") or name.startswith("./") or name.startswith("../"))


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def identify(path: str, kind: str, expected: str | None = None) -> str:
    """The known file ``path`` is (its name in ``KNOWN``), or a ``ModelError`` saying that it is
    not the Linux-kernel memory model swtlb implements."""
    try:
        text = _read(path)
    except OSError as exc:
        raise ModelError(f"Cannot read file {path}: {exc.strerror}") from None
    known = KNOWN.get(fingerprint(text, kind))
    if known is None or (expected is not None and known[0] != expected):
        what = expected or "any file of the Linux-kernel memory model"
        raise ModelError(
            f"{path} differs from the {what} that swtlb implements (herdtools7 7.58's "
            f"tools/memory-model, variant lkmmv2, compared without comments and white space); "
            f"swtlb answers for that model only: use the real herd7 for this one",
            refusal=True)
    return known[0]


def check_model(finder: Finder, cat: str, bell: str, macros: str) -> list[ModelError]:
    """Check every file herd7 would read for this ``-cat``/``-bell``/``-macros``.

    What herd7 reports before any test (a missing ``.cat`` or ``.bell``) and every file that is
    not the known LKMM raise ``ModelError``; what herd7 reports per test and then goes on (a
    missing include or ``.def``) is returned, to be printed for each test.
    """
    cat_path = finder.find(cat)
    if cat_path is None:
        raise ModelError(f"Cannot find file {cat}")
    bell_path = finder.find(bell)
    if bell_path is None:
        raise ModelError(f"Cannot find file {bell}")
    identify(cat_path, "cat", "linux-kernel.cat")
    later: list[ModelError] = []
    todo = [(cat_path, "linux-kernel.cat")]
    seen = {"stdlib.cat"}
    while todo:  # the includes, followed as herd7 follows them
        path, known = todo.pop()
        for inc in KNOWN_INCLUDES[known]:
            if inc in seen:
                continue
            seen.add(inc)
            found = finder.find(inc)
            if found is None and inc not in LIBRARY:
                where = _include_site(path, inc)
                later.append(ModelError(f'File "{path}", {where}: Cannot find file {inc}',
                                        per_test=True))
            elif found is not None:
                todo.append((found, identify(found, "cat", inc)))
    found = finder.find("stdlib.cat")  # herd7 reads it first, for every model
    if found is not None:
        identify(found, "cat", "stdlib.cat")
    identify(bell_path, "bell", "linux-kernel.bell")
    def_path = finder.find(macros)
    if def_path is None:
        later.append(ModelError(f"Cannot find file {macros}", per_test=True))
    else:
        identify(def_path, "def", "linux-kernel.def")
    return later


KNOWN_INCLUDES = dict(KNOWN.values())


def _include_site(path: str, inc: str) -> str:
    """Where ``include "inc"`` stands in the file, as herd7 prints it."""
    try:
        text = _read(path)
    except OSError:
        return "line 0, characters 0-0"
    m = re.search(r'include\s*"' + re.escape(inc) + '"', text)
    if m is None:
        return "line 0, characters 0-0"
    line = text.count("\n", 0, m.start()) + 1
    col = m.start() - (text.rfind("\n", 0, m.start()) + 1)
    return f"line {line}, characters {col}-{col + len(m.group())}"
