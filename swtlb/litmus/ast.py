"""Syntax tree of a herd7 C litmus test.

Expressions and statements are plain frozen records (``swtlb.record``, dataclasses without their
start-up cost); ``pos`` is ``(line, col)`` so that the interpreter can point at the source when
it refuses something.
"""

from __future__ import annotations

from ..record import field, record

Pos = tuple[int, int]
Value = int | str  # an integer or the address of a named location


# ---- expressions -------------------------------------------------------------------------------
@record(frozen=True)
class Const:
    value: int
    pos: Pos = (0, 0)


@record(frozen=True)
class Name:
    """A register, a parameter (the address of a shared location) or a bare location name."""

    ident: str
    pos: Pos = (0, 0)


@record(frozen=True)
class Deref:
    pointer: Expr
    pos: Pos = (0, 0)


@record(frozen=True)
class AddrOf:
    target: Expr
    pos: Pos = (0, 0)


@record(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    pos: Pos = (0, 0)


@record(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...]
    pos: Pos = (0, 0)


Expr = Const | Name | Deref | AddrOf | Binary | Call


# ---- statements --------------------------------------------------------------------------------
@record(frozen=True)
class Declare:
    name: str
    init: Expr | None
    pos: Pos = (0, 0)


@record(frozen=True)
class Assign:
    target: Expr  # Name (register) or Deref (plain store)
    value: Expr
    pos: Pos = (0, 0)


@record(frozen=True)
class ExprStmt:
    expr: Expr
    pos: Pos = (0, 0)


@record(frozen=True)
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    pos: Pos = (0, 0)


Stmt = Declare | Assign | ExprStmt | If


@record(frozen=True)
class Thread:
    index: int
    params: tuple[str, ...]
    body: tuple[Stmt, ...]
    pos: Pos = (0, 0)


# ---- final condition ---------------------------------------------------------------------------
@record(frozen=True)
class Loc:
    """A final-state location: ``thread:reg`` (thread is not None) or shared memory ``x``."""

    name: str
    thread: int | None = None

    def __str__(self) -> str:
        return f"{self.thread}:{self.name}" if self.thread is not None else f"[{self.name}]"


@record(frozen=True)
class Atom:
    loc: Loc
    value: Value | Loc  # a constant, an address, or another location to compare with
    negated: bool = False  # ``<>`` / ``!=``


@record(frozen=True)
class Not:
    prop: Prop


@record(frozen=True)
class And:
    left: Prop
    right: Prop


@record(frozen=True)
class Or:
    left: Prop
    right: Prop


@record(frozen=True)
class Truth:
    value: bool


Prop = Atom | Not | And | Or | Truth


@record(frozen=True)
class Condition:
    quantifier: str  # "exists", "~exists" or "forall"
    prop: Prop


@record
class LitmusTest:
    """A parsed test: what ``swtlb.parse`` returns and ``swtlb.check`` decides."""

    name: str
    init: dict[str, Value]
    reg_init: dict[tuple[int, str], Value]
    threads: list[Thread]
    condition: Condition
    filter: Prop | None = None
    locations: list[Loc] = field(default_factory=list)
    result: str | None = None  # the author's ``Result:`` comment, kept but never trusted
    file: str = "<string>"
    source: str = ""
    types: dict[str, str] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)  # herd7's header metadata (Cycle=, ...)
    doc: str | None = None  # the quoted doc string after the name

    def __repr__(self) -> str:
        return f"<LitmusTest {self.name}: {len(self.threads)} threads, {self.condition.quantifier}>"
