"""Recursive-descent parser for herd7's C litmus format.

The lexer keeps ``(line, col)`` on every token so that each refusal reads ``file:line:col: ...``.
Only the shape of the language lives here; which calls are kernel primitives is decided by
``swtlb.primitives`` when the test is interpreted.
"""

from __future__ import annotations

import os
import re
import stat

from .. import arith
from ..record import fields, is_record, record
from .ast import (
    AddrOf,
    And,
    Assign,
    Atom,
    Binary,
    Call,
    Condition,
    Const,
    Declare,
    Deref,
    Expr,
    ExprStmt,
    If,
    LitmusTest,
    Loc,
    Name,
    Not,
    Or,
    Prop,
    Stmt,
    Thread,
    Truth,
    Value,
)
from .errors import LitmusError, UnsupportedError
from .header import Header, split_header

_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\f\v]+)|(?P<nl>\n)|(?P<comment>\(\*.*?\*\))|(?P<ccomment>/\*.*?\*/)"
    r"|(?P<line>//[^\n]*)"
    r"|(?P<int>0[xX][0-9a-fA-F]+|\d+)|(?P<id>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<op>/\\|\\/|&&|\|\||==|!=|<>|<=|>=|<<|>>|->|[-{}()\[\];,=<>+*/%&|^!~:.?])",
    re.S,
)

TYPE_WORDS = {"int", "long", "unsigned", "signed", "short", "char", "void", "bool", "atomic_t",
              "atomic_long_t", "spinlock_t", "struct", "u8", "u16", "u32", "u64", "intptr_t",
              "const", "volatile", "srcu_struct", "atomic64_t", "uintptr_t"}

# Words herd7 7.58 does not let a test use as a name (each use checked against herd7 itself; see
# tests/test_parser.py). Its C lexer reads these as keywords inside the processes, so a parameter,
# a register or a name in an expression spelt so is "unexpected" there:
C_KEYWORDS = frozenset("""
    volatile const _Atomic char int long struct void int8_t uint8_t int16_t uint16_t int32_t
    uint32_t int64_t uint64_t __int128_t __uint128_t intptr_t uintptr_t mtx_t spinlock_t atomic_t
    atomic_int srcu_struct if else while
    atomic_fetch_add_explicit atomic_fetch_sub_explicit atomic_fetch_or_explicit
    atomic_fetch_xor_explicit atomic_fetch_and_explicit atomic_thread_fence atomic_load_explicit
    atomic_store_explicit atomic_exchange_explicit atomic_compare_exchange_weak
    atomic_compare_exchange_strong atomic_compare_exchange_weak_explicit
    atomic_compare_exchange_strong_explicit memory_order_acquire memory_order_release
    memory_order_acq_rel memory_order_seq_cst memory_order_relaxed memory_order_consume
    lock unlock mtx_lock mtx_unlock WCAS SCAS
    __fence __load __store __srcu __xchg __cmpxchg __lock __trylock __islocked __unlock
    __atomic_op __atomic_op_return __atomic_fetch_op __atomic_add_unless
""".split())
# herd7 ends the code at the first of these words, even one inside a '//' or '/* */' comment
# there (its splitter knows only '(* *)' comments, and those only outside the code):
SECTION_WORDS = frozenset("exists forall final locations filter observed Observed cases".split())
# The lexer of the initial state and of the final section reads these as keywords, so a location
# or register spelt so is refused there (where they are not this parser's own syntax):
STATE_KEYWORDS = frozenset("""
    NOP nop not true false and with fault Fault tag TAG attrs Attrs oa PTE TTD PA ATOMIC_INIT
    _Atomic exists forall final locations filter observed Observed
""".split())
_C_TYPES = frozenset("""
    volatile const _Atomic char int long struct void int8_t uint8_t int16_t uint16_t int32_t
    uint32_t int64_t uint64_t __int128_t __uint128_t intptr_t uintptr_t mtx_t spinlock_t atomic_t
    atomic_int srcu_struct
""".split())
_NAME_ENDS = frozenset({"=", ";", ",", ")", "}"})  # what may follow a declared name
_PROC_NAME = re.compile(r"P\d+")  # both lexers read P<digits> as a process name
_SPLITTER_NAME = re.compile(r"[A-Za-z_.$]+[A-Za-z0-9_/.\-]*")  # a word as herd7's splitter sees it


def _reserved_in_code(word: str) -> bool:
    return word in C_KEYWORDS or word in SECTION_WORDS or bool(_PROC_NAME.fullmatch(word))


def _reserved_in_state(word: str) -> bool:
    return word in STATE_KEYWORDS or bool(_PROC_NAME.fullmatch(word))


@record(frozen=True)
class Token:
    kind: str  # "int", "id", "op", "eof"
    text: str
    line: int
    col: int


def _advance(lexeme: str, line: int, col: int) -> tuple[int, int]:
    """The position just after ``lexeme`` when it starts at ``(line, col)``."""
    newlines = lexeme.count("\n")
    if newlines:
        return line + newlines, len(lexeme) - lexeme.rfind("\n")
    return line, col + len(lexeme)


def _reserved_error(word: str, use: str, file: str, line: int, col: int,
                    lexer: str = "its C lexer") -> LitmusError:
    if _PROC_NAME.fullmatch(word):
        why = f"{lexer} reads it as a process name"
    elif word in SECTION_WORDS and lexer == "its C lexer":
        why = "it ends the code at this word"
    else:
        why = f"{lexer} reads it as a keyword"
    return LitmusError(f"'{word}' cannot be {use}: herd7 reserves this word ({why})",
                       file, line, col)


def tokenize(text: str, file: str, line: int = 1, col: int = 1) -> list[Token]:
    """Split into tokens, from the initial state on.

    ``(* *)`` is a comment in the initial state and the final section only: in the code between
    them herd7 reads ``WRITE_ONCE(*x, 1)`` as code, so ``(*`` there is code too. herd7 also ends
    the code at the first word such as ``exists``, even inside a C comment: such a word in the
    code is refused here rather than read past.
    """
    tokens: list[Token] = []
    pos = 0
    depth = 0
    in_process = False
    section = "init"  # then "code" once the initial state closes, then "final"
    while pos < len(text):
        code = section == "code"
        if code and text.startswith("(*", pos):
            if depth == 0:
                raise LitmusError("'(*' cannot open a comment between the processes: herd7 "
                                  "reads it as code there (use '//' or '/* */')", file, line, col)
            tokens.append(Token("op", "(", line, col))
            pos += 1
            col += 1
            continue
        if not code and text.startswith("(*", pos) and text.find("*)", pos + 2) < 0:
            raise LitmusError("comment '(*' is never closed by '*)'", file, line, col)
        m = _TOKEN.match(text, pos)
        if not m:
            if text.startswith("(*", pos):
                raise LitmusError("comment '(*' is never closed by '*)'", file, line, col)
            raise LitmusError(f"unexpected character {text[pos]!r}", file, line, col)
        kind, lexeme = m.lastgroup, m.group()
        if code and lexeme == "-" and text[pos + 1:pos + 2].isdigit():
            # herd7's C lexer reads '-' and the digits after it as one number, whatever
            # comes before: 'r0-1' is then two values in a row, which herd7 refuses
            m = re.compile(r"-\d+").match(text, pos)
            assert m
            kind, lexeme = "int", m.group()
        if code and kind in ("ccomment", "line"):
            for word in _SPLITTER_NAME.finditer(lexeme):
                if word.group() in SECTION_WORDS:
                    at = _advance(lexeme[:word.start()], line, col)
                    raise LitmusError(f"'{word.group()}' cannot appear in a comment in the code: "
                                      "herd7 ends the code at this word, even in a '//' or "
                                      "'/* */' comment", file, *at)
        if kind in ("int", "id", "op"):
            if kind == "id" and code and lexeme in SECTION_WORDS:
                if depth > 0 or in_process:
                    raise _reserved_error(lexeme, "a name in the code", file, line, col)
                section = "final"
            tokens.append(Token(kind, lexeme, line, col))
            if lexeme == "{":
                depth += 1
            elif lexeme == "}":
                depth -= 1
                in_process = in_process and depth > 0
                if depth == 0 and section == "init":
                    section = "code"
            elif kind == "id" and depth == 0 and code and _PROC_NAME.fullmatch(lexeme):
                in_process = True
        line, col = _advance(lexeme, line, col)
        pos = m.end()
    tokens.append(Token("eof", "end of file", line, col))
    return tokens


MAX_DEPTH = 256  # operators in a row; the walks of the syntax tree recurse this deep
MAX_NESTING = 64  # parentheses, calls, blocks and ifs inside one another


def _depth(node: object) -> int:
    """How deep an expression or condition nests, walked with a stack (it may be long)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        for name in fields(n):
            value = getattr(n, name)
            for child in value if isinstance(value, tuple) else (value,):
                if is_record(child):
                    stack.append((child, d + 1))
    return deepest


_BINARY_LEVELS = [["|"], ["^"], ["&"], ["==", "!="], ["<", ">", "<=", ">="], ["+", "-"],
                  ["*", "/"]]  # what herd7's C parser has; arith.REFUSED is refused with a message


class _Parser:
    def __init__(self, tokens: list[Token], file: str):
        self.toks = tokens
        self.i = 0
        self.file = file
        self.processes = 1 << 30  # set once the processes are read; the condition names them
        self.nesting = 0  # parentheses open in the expression being read

    # -- token helpers --------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def error(self, expected: str, tok: Token | None = None) -> LitmusError:
        tok = tok or self.tok
        found = "end of file" if tok.kind == "eof" else repr(tok.text)
        return LitmusError(f"expected {expected}, found {found}", self.file, tok.line, tok.col)

    def at(self, *texts: str) -> bool:
        return self.tok.kind in ("op", "id") and self.tok.text in texts

    def take(self, text: str, what: str | None = None) -> Token:
        if not self.at(text):
            raise self.error(what or repr(text))
        tok = self.tok
        self.i += 1
        return tok

    def ident(self, what: str = "an identifier") -> Token:
        if self.tok.kind != "id":
            raise self.error(what)
        tok = self.tok
        self.i += 1
        return tok

    def code_name(self, what: str) -> Token:
        """An identifier the processes use as a name, refused if herd7's C lexer reserves it."""
        tok = self.ident(what)
        if tok.text.startswith("memory_order_"):
            raise UnsupportedError(f"C11 memory order '{tok.text}' is not supported", self.file,
                                   tok.line, tok.col)
        if _reserved_in_code(tok.text):
            raise _reserved_error(tok.text, what, self.file, tok.line, tok.col)
        return tok

    def code_type_word(self) -> None:
        """Skip one word of a type in the code, refusing a word herd7 reserves for other uses."""
        tok = self.ident("a type")
        if _reserved_in_code(tok.text) and tok.text not in _C_TYPES:
            raise _reserved_error(tok.text, "a type", self.file, tok.line, tok.col)

    def state_name(self, what: str) -> Token:
        """An identifier of the initial state or the final section, refused if herd7's lexer of
        those sections reserves it."""
        tok = self.ident(what)
        if _reserved_in_state(tok.text):
            raise _reserved_error(tok.text, what, self.file, tok.line, tok.col,
                                  "its lexer of the initial state and the condition")
        return tok

    def int_value(self, tok: Token, code: bool = False) -> int:
        """An integer literal as herd7 reads it: decimal (a leading 0 changes nothing), or
        0x.. hexadecimal outside the code; a signed 32-bit value either way."""
        text = tok.text
        digits = text.lstrip("-")
        if digits[:2] in ("0x", "0X"):
            if code:
                raise LitmusError(f"herd7 does not read hexadecimal literals such as {text!r} in "
                                  "a process's code (only in the initial state and the "
                                  "condition)", self.file, tok.line, tok.col)
            value = int(digits, 16) if len(digits) <= 20 else arith.INT_MAX + 1
        elif digits.isdigit():
            value = int(digits) if len(digits) <= 20 else arith.INT_MAX + 1
        else:
            raise LitmusError(f"expected an integer, found {text!r}", self.file, tok.line,
                              tok.col)
        value = -value if text.startswith("-") else value
        if not arith.fits(value):
            shown = text if len(text) <= 24 else text[:20] + "..."
            raise LitmusError(f"{shown} does not fit herd7's 32-bit integers ({arith.INT_MIN} "
                              f"to {arith.INT_MAX})", self.file, tok.line, tok.col)
        return value

    def integer(self) -> int:
        """An integer of the initial state or the condition, where '-' is a token of its own."""
        minus = self.tok if self.at("-") else None
        if minus is not None:
            self.i += 1
        if self.tok.kind != "int":
            raise self.error("an integer")
        tok = self.tok
        if minus is not None:
            tok = Token("int", "-" + tok.text, minus.line, minus.col)
        self.i += 1
        return self.int_value(tok)

    # -- init block -----------------------------------------------------------------------------
    def init_block(self) -> tuple[dict[str, Value], dict[tuple[int, str], Value], dict[str, str]]:
        self.take("{", "'{' opening the initial state")
        init: dict[str, Value] = {}
        regs: dict[tuple[int, str], Value] = {}
        types: dict[str, str] = {}
        while not self.at("}"):
            if self.at(";"):
                self.i += 1
                continue
            words: list[str] = []
            while self.tok.kind == "id" and (self.tok.text in TYPE_WORDS
                                             or (words and words[-1] == "struct")) \
                    and self.peek().text not in _NAME_ENDS:  # '{ int=1; }' names 'int'
                words.append(self.ident().text)
            while self.at("*"):
                words.append("*")
                self.i += 1
            if self.tok.kind == "int" and self.peek().text == ":":
                if not self.tok.text.isdigit():
                    raise self.error("a process number such as '0' before ':'", self.tok)
                thread = int(self.tok.text)
                self.i += 2
                reg = self.state_name("a register name").text
                regs[(thread, reg)] = self.init_value() if self.at("=") and self.take("=") else 0
            else:
                name = self.state_name("a location name in the initial state").text
                if self.at("["):
                    raise UnsupportedError("arrays are not supported", self.file,
                                           self.tok.line, self.tok.col)
                if words:
                    types[name] = " ".join(words)
                init[name] = self.init_value() if self.at("=") and self.take("=") else 0
            if not self.at("}"):
                self.take(";", "';' after an initialisation")
        self.take("}")
        return init, regs, types

    def init_value(self) -> Value:
        if self.at("ATOMIC_INIT"):
            self.i += 1
            self.take("(", "'(' after ATOMIC_INIT")
            value = self.integer()
            self.take(")", "')' closing ATOMIC_INIT")
            return value
        if self.at("&"):
            self.i += 1
            return self.state_name("a location name after '&'").text
        if self.tok.kind == "id":
            return self.state_name("a value").text
        return self.integer()

    # -- processes ------------------------------------------------------------------------------
    def thread(self, expected_index: int) -> Thread:
        head = self.ident("a process header such as 'P0(...)'")
        m = re.fullmatch(r"P(\d+)", head.text)
        if not m:
            raise self.error("a process header such as 'P0(...)' or the final condition", head)
        index = int(m.group(1))
        if index != expected_index:
            raise LitmusError(f"expected process P{expected_index}, found P{index}", self.file,
                              head.line, head.col)
        self.take("(", "'(' after the process name")
        params: list[str] = []
        while not self.at(")"):
            while self.tok.kind == "id" and (self.tok.text in TYPE_WORDS or self.peek().kind == "id"
                                             or self.peek().text == "*"):
                self.code_type_word()
            while self.at("*"):
                self.i += 1
            params.append(self.code_name("a parameter name").text)
            if not self.at(")"):
                self.take(",", "',' or ')' in the parameter list")
        self.take(")")
        body = self.block()
        self._check_declarations(body, set())
        return Thread(index, tuple(params), tuple(body), (head.line, head.col))

    def _check_declarations(self, body: list[Stmt] | tuple[Stmt, ...], seen: set[str]) -> None:
        """A register declared after it was declared or assigned has no single meaning here
        (C would reject it or shadow it); refuse it rather than guess."""
        for s in body:
            if isinstance(s, Declare):
                if s.name in seen:
                    raise LitmusError(f"register '{s.name}' is declared after it was already "
                                      "declared or assigned", self.file, *s.pos)
                seen.add(s.name)
            elif isinstance(s, Assign) and isinstance(s.target, Name):
                seen.add(s.target.ident)
            elif isinstance(s, If):  # each branch may declare the same name once
                then, orelse = set(seen), set(seen)
                self._check_declarations(s.then, then)
                self._check_declarations(s.orelse, orelse)
                seen |= then | orelse

    def block(self) -> list[Stmt]:
        self._open(self.tok)
        self.take("{", "'{' opening a block")
        stmts: list[Stmt] = []
        while not self.at("}"):
            if self.tok.kind == "eof":
                raise self.error("'}' closing the block")
            stmts.extend(self.statement())
        self.take("}")
        self.nesting -= 1
        return stmts

    def statement(self) -> list[Stmt]:
        tok = self.tok
        pos = (tok.line, tok.col)
        if self.at(";"):
            self.i += 1
            return []
        if self.at("{"):
            return self.block()
        if self.at("if"):
            self._open(tok)
            self.i += 1
            self.take("(", "'(' after 'if'")
            cond = self.expr()
            self.take(")", "')' closing the condition")
            then = self.statement()
            orelse: list[Stmt] = []
            if self.at("else"):
                self.i += 1
                orelse = self.statement()
            self.nesting -= 1
            return [If(cond, tuple(then), tuple(orelse), pos)]
        if self.at("while", "for", "do", "goto", "return", "switch"):
            raise UnsupportedError(f"'{tok.text}' statements are not supported (herd7's LKMM "
                                   "tests are loop-free)", self.file, tok.line, tok.col)
        if tok.kind == "id" and tok.text in TYPE_WORDS:
            return self.declaration()
        target = self.expr()
        if self.at("="):
            self.i += 1
            value = self.expr()
            if not isinstance(target, (Name, Deref)):
                raise LitmusError("expected a register or '*pointer' on the left of '='",
                                  self.file, *pos)
            self.take(";", "';' after the assignment")
            return [Assign(target, value, pos)]
        self.take(";", "';' after the statement")
        return [ExprStmt(target, pos)]

    def declaration(self) -> list[Stmt]:
        while self.tok.kind == "id" and (self.tok.text in TYPE_WORDS or self.peek().kind == "id") \
                and self.peek().text not in _NAME_ENDS:  # 'int unsigned = 1;' names 'unsigned'
            self.code_type_word()
        out: list[Stmt] = []
        while True:
            while self.at("*"):
                self.i += 1
            name = self.code_name("a variable name in the declaration")
            init = None
            if self.at("="):
                self.i += 1
                init = self.expr()
            out.append(Declare(name.text, init, (name.line, name.col)))
            if self.at(","):
                self.i += 1
                continue
            self.take(";", "';' after the declaration")
            return out

    # -- expressions ----------------------------------------------------------------------------
    def expr(self, level: int = 0) -> Expr:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        if level == 0:
            start = self.tok
            return self._shallow(self._more(0, self.expr(1)), start, "expression")
        return self._more(level, self.expr(level + 1))

    def _more(self, level: int, left: Expr) -> Expr:
        """The rest of a chain of operators of one level, after its first operand."""
        while self.tok.kind == "op" and self.tok.text in _BINARY_LEVELS[level]:
            op = self.tok
            self.i += 1
            right = self.expr(level + 1)
            left = Binary(op.text, left, right, (op.line, op.col))
        if "-" in _BINARY_LEVELS[level] and self.tok.kind == "int" and self.tok.text[0] == "-":
            raise LitmusError(f"herd7 reads '{self.tok.text}' as one negative number, which "
                              f"cannot follow a value: write '- {self.tok.text[1:]}' with a "
                              "space", self.file, self.tok.line, self.tok.col)
        if self.tok.kind == "op" and self.tok.text in arith.REFUSED:
            raise LitmusError(f"herd7 does not accept the operator '{self.tok.text}' in a "
                              "process's code", self.file, self.tok.line, self.tok.col)
        return left

    def unary(self) -> Expr:
        tok = self.tok
        pos = (tok.line, tok.col)
        if self.at("*"):
            self.i += 1
            return Deref(self.unary(), pos)
        if self.at("&"):
            self.i += 1
            return AddrOf(self.unary(), pos)
        if self.at(*arith.REFUSED_UNARY):
            raise LitmusError(f"herd7 does not accept unary '{tok.text}' in a process's code"
                              + (" (a negative number is written '-5', with no space)"
                                 if tok.text == "-" else ""), self.file, *pos)
        if self.at("(") and self.peek().kind == "id" and self.peek().text in TYPE_WORDS:
            self.i += 1  # a cast such as (int *): values are untyped here, so drop it
            while not self.at(")"):
                if self.tok.kind == "eof":
                    raise self.error("')' closing the cast")
                self.i += 1
            self.i += 1
            return self.unary()
        return self.primary()

    def primary(self) -> Expr:
        tok = self.tok
        pos = (tok.line, tok.col)
        if tok.kind == "int":
            self.i += 1
            return Const(self.int_value(tok, code=True), pos)
        if self.at("("):
            self._open(tok)
            self.i += 1
            inner = self.expr()
            self.take(")", "')'")
            self.nesting -= 1
            return inner
        if tok.kind == "id":
            self.i += 1
            if self.at("("):
                self._open(self.tok)
                self.i += 1
                args: list[Expr] = []
                if not self.at(")"):
                    args.append(self.expr())
                    while self.at(","):
                        self.i += 1
                        args.append(self.expr())
                self.take(")", "',' or ')' in the argument list")
                self.nesting -= 1
                return Call(tok.text, tuple(args), pos)
            if self.at("[", "->", "."):
                raise UnsupportedError(f"'{self.tok.text}' (arrays and structure fields) is not "
                                       "supported", self.file, self.tok.line, self.tok.col)
            self.i -= 1
            return Name(self.code_name("a name in the code").text, pos)
        raise self.error("an expression")

    # -- final section --------------------------------------------------------------------------
    def final_section(self) -> tuple[Condition | None, Prop | None, list[Loc]]:
        condition: Condition | None = None
        filt: Prop | None = None
        locations: list[Loc] = []
        while self.tok.kind != "eof":
            if self.at("locations"):
                self.i += 1
                self.take("[", "'[' after 'locations'")
                while not self.at("]"):
                    if self.at(";"):
                        self.i += 1
                        continue
                    locations.append(self.cond_loc())
                self.take("]")
            elif self.at("filter"):
                self.i += 1
                filt = self.prop()
            elif self.at("exists", "forall") or (self.at("~") and self.peek().text == "exists"):
                if condition is not None:
                    raise self.error("a single final condition")
                quant = "exists"
                if self.at("~"):
                    self.i += 1
                    quant = "~exists"
                elif self.tok.text == "forall":
                    quant = "forall"
                self.i += 1
                condition = Condition(quant, self.prop())
            elif self.at(";"):
                self.i += 1
            else:
                raise self.error("'exists', '~exists', 'forall', 'filter' or 'locations'")
        return condition, filt, locations

    def _open(self, tok: Token) -> None:
        """One more parenthesis, call, block or 'if' open: each costs the recursive descent and
        the walks of the syntax tree several frames."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise LitmusError(f"parentheses, calls, blocks and 'if's nested more than "
                              f"{MAX_NESTING} deep, more than swtlb reads", self.file, tok.line,
                              tok.col)

    def _shallow(self, node: Expr | Prop, start: Token, what: str) -> Expr | Prop:
        """``node``, unless it nests deeper than the recursive walks of the checker, the
        machines and the CPU lab can follow (herd7 reads deeper ones)."""
        if _depth(node) > MAX_DEPTH:
            raise LitmusError(f"this {what} nests more than {MAX_DEPTH} operators deep, more "
                              "than swtlb reads", self.file, start.line, start.col)
        return node

    def prop(self) -> Prop:
        start = self.tok
        return self._shallow(self._prop(), start, "condition")

    def _prop(self) -> Prop:
        left = self.prop_and()
        while self.at("\\/"):
            self.i += 1
            left = Or(left, self.prop_and())
        return left

    def prop_and(self) -> Prop:
        left = self.prop_not()
        while self.at("/\\"):
            self.i += 1
            left = And(left, self.prop_not())
        return left

    def prop_not(self) -> Prop:
        if self.at("~", "not", "("):
            self._open(self.tok)
            opener = self.tok.text
            self.i += 1
            if opener == "(":
                inner = self.prop()
                self.take(")", "')' in the condition")
            else:
                inner = Not(self.prop_not())
            self.nesting -= 1
            return inner
        if self.at("true", "false"):
            value = self.tok.text == "true"
            self.i += 1
            return Truth(value)
        return self.atom()

    def cond_loc(self) -> Loc:
        if self.tok.kind == "int" and self.peek().text == ":":
            if not self.tok.text.isdigit():
                raise self.error("a process number such as '0' before ':'", self.tok)
            thread = int(self.tok.text)
            if thread >= self.processes:
                last = "" if self.processes == 1 else f" to P{self.processes - 1}"
                raise LitmusError(f"P{thread} is not a process of this test (its processes: "
                                  f"P0{last}); herd7 says 'Bad process P{thread}'",
                                  self.file, self.tok.line, self.tok.col)
            self.i += 2
            return Loc(self.state_name("a register name after 'N:'").text, thread)
        if self.at("["):
            self.i += 1
            name = self.state_name("a location name").text
            self.take("]")
            return Loc(name)
        if self.at("*"):
            self.i += 1
        return Loc(self.state_name("a register 'N:r' or a location name").text)

    def atom(self) -> Atom:
        start = self.tok
        loc = self.cond_loc()
        if self.at("=", "=="):
            negated = False
        elif self.at("!=", "<>"):
            negated = True
        else:
            raise self.error("'=' or '<>' in the condition")
        self.i += 1
        value: Value | Loc
        if self.tok.kind == "int" and self.peek().text == ":" or self.at("["):
            value = self.cond_loc()
        elif self.at("&"):
            self.i += 1
            value = self.state_name("a location name after '&'").text
        elif self.tok.kind == "id":
            value = self.state_name("a value").text
        elif self.tok.kind == "int" or self.at("-"):
            value = self.integer()
        else:
            raise self.error("a value (integer, location name or N:reg)", )
        del start
        return Atom(loc, value, negated)


def parse(source: str | os.PathLike, file: str | None = None) -> LitmusTest:
    """Parse a litmus test from a path or from its text.

    A path (``pathlib.Path`` or any ``os.PathLike``) is a file; so is a string of one line (a
    test has at least its header line, its initial state and a process, so its text always
    holds a newline); any other string is the text of a test.
    """
    if isinstance(source, os.PathLike) or "\n" not in source:
        path = os.fspath(source)  # pathlib is not imported: it costs 4 ms of swtlb-herd7's start
        text = _read(path)
        file = file or path
    else:
        text = str(source)
        file = file or "<string>"
    return parse_text(text, file)


MAX_BYTES = 1 << 20  # the largest public LKMM test is under 10 KB


def _read(path: str) -> str:
    """A test file's text; a FIFO, a device or a file past MAX_BYTES is refused unread."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise LitmusError("not a regular file (a litmus test is a file of text)", str(path),
                              0, 0)
        if info.st_size > MAX_BYTES:
            raise LitmusError(f"{info.st_size:,} bytes: more than any litmus test (swtlb reads "
                              f"at most {MAX_BYTES:,})", str(path), 0, 0)
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise LitmusError(f"cannot read file: {exc.strerror}", str(path), 0, 0) from None
    if len(data) > MAX_BYTES:  # it grew after the stat
        raise LitmusError(f"more than {MAX_BYTES:,} bytes", str(path), 0, 0)
    return data.decode("utf-8", errors="replace")


def parse_text(text: str, file: str = "<string>") -> LitmusTest:
    """Parse the text of a test; the header up to the initial state is read as herd7 reads it
    (see ``header.py``), the rest by the tokenizer and the recursive descent here."""
    head = split_header(text, file)
    try:
        tokens = tokenize(text[head.init_offset:], file, head.init_line, head.init_col)
        return _parse_tokens(tokens, file, head, text)
    except RecursionError:
        raise LitmusError("expression nested too deeply to read", file, 1, 1) from None
    except UnsupportedError:
        raise
    except LitmusError as err:
        if not head.init_inline:
            raise
        # a '{' in header text or in a C comment there: say where herd7 saw the initial state
        raise LitmusError(f"{err.message} (herd7 opens the initial state at the first '{{' "
                          f"after the header, here {head.init_line}:{head.init_col}, even in "
                          "text or a C comment)", err.file, err.line, err.col) from None


def _parse_tokens(tokens: list[Token], file: str, head: Header, text: str) -> LitmusTest:
    p = _Parser(tokens, file)
    init, reg_init, types = p.init_block()
    threads: list[Thread] = []
    while p.tok.kind == "id" and re.fullmatch(r"P\d+", p.tok.text):
        threads.append(p.thread(len(threads)))
    if not threads:
        raise p.error("at least one process 'P0(...) { ... }'")
    p.processes = len(threads)
    condition, filt, locations = p.final_section()
    if condition is None:  # herd7 reads a test without a condition as 'forall (true)'
        condition = Condition("forall", Truth(True))
    return LitmusTest(name=head.name, init=init, reg_init=reg_init, threads=threads,
                      condition=condition, filter=filt, locations=locations, result=head.result,
                      file=file, source=text, types=types, info=head.info, doc=head.doc)
