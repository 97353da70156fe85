"""The arithmetic of herd7's C tests, for the checker, the machines and the CPU lab alike.

herd7 7.58 computes with OCaml's ``Int32``: every value is a signed 32-bit integer, results
wrap around, ``/`` truncates toward zero, and division by zero is an error. Its C lexer knows
only these binary operators in a process's code (``%``, ``<<``, ``>>``, ``&&``, ``||``, ``!``,
``~`` and unary ``-`` are refused there, each checked against herd7 itself); a literal outside
the 32-bit range is refused everywhere. ``&~`` is ours: the value ``atomic_andnot()`` stores.
The machines apply the same operators to numpy arrays (``machines.program``); a property test
holds the two, the C of the hardware lab and herd7 to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable

INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1
OPERATORS = ("+", "-", "*", "/", "&", "|", "^", "==", "!=", "<", ">", "<=", ">=")
REFUSED = ("%", "<<", ">>", "&&", "||")  # binary operators herd7's C code does not accept
REFUSED_UNARY = ("!", "~", "-")


class DivisionByZero(ArithmeticError):
    """herd7 stops with "exception Division_by_zero"; we say where instead."""


def wrap(v: int) -> int:
    """``v`` as a signed 32-bit integer, as Int32 arithmetic leaves it."""
    return ((v - INT_MIN) & 0xFFFFFFFF) + INT_MIN


def fits(v: int) -> bool:
    return INT_MIN <= v <= INT_MAX


def _div(a: int, b: int) -> int:
    if b == 0:
        raise DivisionByZero
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


SCALAR: dict[str, Callable[[int, int], int]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": _div,
    "&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b,
    "&~": lambda a, b: a & ~b,
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
    "<": lambda a, b: int(a < b), ">": lambda a, b: int(a > b),
    "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
}


def apply(op: str, a: int, b: int) -> int:
    """``a op b`` on two 32-bit values, wrapped as herd7 wraps it."""
    return wrap(SCALAR[op](a, b))
