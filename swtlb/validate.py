"""Argument checks for the public API: a bad value gets a ValueError naming it, not a traceback
from deep inside numpy, a hang, or a silent default."""

from __future__ import annotations

_INF = float("inf")  # a value v with -_INF < v < _INF is finite (NaN fails both)
# numbers is imported only for values that are not a plain int or float: swtlb-herd7 calls
# check() once per process, and importing numbers and math is a measurable part of its start


def _integral(value: object) -> bool:
    if type(value) is int:
        return True
    from numbers import Integral

    return not isinstance(value, bool) and isinstance(value, Integral)


def _real(value: object) -> bool:
    if type(value) in (int, float):
        return True
    from numbers import Real

    return not isinstance(value, bool) and isinstance(value, Real)


def whole(name: str, value: object, low: int = 1, high: int | None = None) -> int:
    """An int (not a bool, not a float or a string) in [low, high]."""
    if not _integral(value):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high:,}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bound}, not {value:,}")
    return value


def seconds(name: str, value: object, allow_none: bool = True) -> float | None:
    """A finite, positive number of seconds, or None (no limit) where that is allowed."""
    if value is None and allow_none:
        return None
    if not _real(value) or not 0 < value < _INF:
        raise ValueError(f"{name} must be a positive number of seconds"
                         + (" or None" if allow_none else "") + f", not {value!r}")
    return float(value)


def amount(name: str, value: object) -> float:
    """A finite number that is not negative (the machines' timing knobs)."""
    if not _real(value) or not 0 <= value < _INF:
        raise ValueError(f"{name} must be a finite number, 0 or more, not {value!r}")
    return float(value)
