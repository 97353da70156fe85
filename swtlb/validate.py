"""Argument checks for the public API: a bad value gets a ValueError naming it, not a traceback
from deep inside numpy, a hang, or a silent default."""

from __future__ import annotations

import math
from numbers import Integral, Real


def whole(name: str, value: object, low: int = 1, high: int | None = None) -> int:
    """An int (not a bool, not a float or a string) in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Integral):
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
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(
            value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds"
                         + (" or None" if allow_none else "") + f", not {value!r}")
    return float(value)


def amount(name: str, value: object) -> float:
    """A finite number that is not negative (the machines' timing knobs)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(
            value) or value < 0:
        raise ValueError(f"{name} must be a finite number, 0 or more, not {value!r}")
    return float(value)
