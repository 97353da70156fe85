"""``simulate()``: run a litmus test on a machine many times and count the final states."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pandas as pd

from .. import validate
from ..check import CheckResult, check, observed_locations, prop_holds, prop_locations
from ..litmus.ast import LitmusTest, Loc
from ..litmus.parser import parse
from .engine import Knobs, run_batch
from .models import MACHINES, MODEL_OF
from .program import Program, compile_test

BATCH = 1 << 17
MAX_RUNS = 10**9  # a billion runs take hours; more is a typo


def wilson(count: np.ndarray, runs: int, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval for a proportion: honest even at 0 and at 1."""
    p = count / runs
    denom = 1 + z * z / runs
    centre = (p + z * z / (2 * runs)) / denom
    half = z * np.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _column(prog: Program, loc: Loc, regs, memory, n: int) -> np.ndarray:
    if loc.thread is not None:
        arr = regs.get((loc.thread, loc.name))
        if arr is None:
            v = prog.test.reg_init.get((loc.thread, loc.name), 0)
            return np.full(n, _enc(prog, v), np.int64)
        return arr
    if loc.name in prog.locations:
        return memory[prog.locations.index(loc.name)]
    return np.full(n, _enc(prog, prog.test.init.get(loc.name, 0)), np.int64)


def _enc(prog: Program, v) -> int:
    from .program import ADDR

    return int(ADDR + prog.locations.index(v)) if isinstance(v, str) else int(v)


def simulate(test: LitmusTest | str, machine: str = "weak", runs: int = 100_000, seed: int = 0,
             knobs: Knobs | None = None, progress: bool | None = None,
             reference: CheckResult | None = None) -> pd.DataFrame:
    """Run ``test`` ``runs`` times on ``machine`` ("sc", "tso" or "weak"); one row per state.

    Columns: state (as herd7 prints it), count, frequency, ci_low, ci_high (95 % Wilson),
    exists (the final condition holds) and allowed (the matching axiomatic model allows it:
    sc, tso, or lkmm for weak). States the model allows that no run produced have count 0.
    ``reference`` is that model's CheckResult, if already computed.
    """
    validate.whole("runs", runs, high=MAX_RUNS)
    validate.whole("seed", seed, low=0)
    if machine not in MACHINES:
        raise ValueError(f"unknown machine {machine!r}; choose one of {', '.join(MACHINES)}")
    knobs = knobs or Knobs()
    for name in ("skew", "reorder", "store_delay"):
        validate.amount(f"knobs.{name}", getattr(knobs, name))
    if not isinstance(test, LitmusTest):
        test = parse(test)
    prog = compile_test(test)
    observed = observed_locations(test)
    extra = [loc for loc in prop_locations(test.filter) if loc not in observed]
    columns = observed + extra
    rng = np.random.default_rng(seed)
    counts: Counter = Counter()
    done = 0
    bar = None
    start = time.perf_counter()
    while done < runs:
        n = min(BATCH, runs - done)
        regs, memory = run_batch(prog, MACHINES[machine], n, rng, knobs)
        table = np.stack([_column(prog, loc, regs, memory, n) for loc in columns], axis=1) \
            if columns else np.zeros((n, 0), np.int64)
        for row, c in _count_rows(table):
            counts[row] += c
        done += n
        if bar is None and progress is not False and done < runs:
            projected = (time.perf_counter() - start) * runs / done
            if progress or projected > 1.0:
                from tqdm.auto import tqdm

                bar = tqdm(total=runs, initial=done, desc=f"{test.name} on {machine}",
                           unit="run", leave=False)
        elif bar is not None:
            bar.update(n)
    if bar is not None:
        bar.close()
    if reference is None:
        reference = _reference(test, MODEL_OF[machine])
    return frequency_frame(test, prog.decode, machine, MODEL_OF[machine], observed, columns,
                           counts, runs, reference)


def _count_rows(table: np.ndarray) -> list[tuple[tuple[int, ...], int]]:
    """Distinct rows and their counts: one integer key per row (mixed radix over each column's
    distinct values), then a bincount; sorting rows directly costs ten times more."""
    n, k = table.shape
    if k == 0:
        return [((), n)]
    key = np.zeros(n, np.int64)
    digits = []
    for col in table.T:
        lo = int(col.min())
        span = int(col.max()) - lo + 1
        if span <= 1 << 16:
            values, index = np.arange(lo, lo + span, dtype=np.int64), col - lo
        else:
            values, index = np.unique(col, return_inverse=True)
            span = len(values)
        key = key * span + index
        digits.append((span, values))
    total = 1
    for span, _ in digits:
        total *= span
    if total <= 1 << 22:
        counts = np.bincount(key, minlength=0)
        keys = np.flatnonzero(counts)
        counts = counts[keys]
    else:
        keys, counts = np.unique(key, return_counts=True)
    out = []
    for code, c in zip(keys.tolist(), counts.tolist()):
        row = []
        for span, values in reversed(digits):
            code, d = divmod(code, span)
            row.append(int(values[d]))
        out.append((tuple(reversed(row)), c))
    return out


_CACHE: dict[tuple[str, str], CheckResult] = {}


def _reference(test: LitmusTest, model: str) -> CheckResult:
    """The model's verdict on this exact text, remembered so that a widget redraw is cheap."""
    key = (test.source or repr(test), model)
    if key not in _CACHE:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = check(test, model)
    return _CACHE[key]


def frequency_frame(test: LitmusTest, decode, machine: str, model: str, observed: list[Loc],
                    columns: list[Loc], counts: Counter, runs: int,
                    reference: CheckResult) -> pd.DataFrame:
    """Counted final states (rows of raw values over ``columns``) as simulate()'s DataFrame,
    with the model's allowed-but-unseen states added at count 0."""
    allowed = {reference.state_text(s): s for s in reference.states}
    rows: dict[str, dict] = {}
    kept = 0
    for row, c in counts.items():
        state = {loc: decode(v) for loc, v in zip(columns, row)}
        value = state.get  # every column is present, filter locations included
        if not prop_holds(test.filter, value):
            continue
        kept += c
        text = " ".join(f"{loc}={state[loc]};" for loc in observed)
        entry = rows.setdefault(text, {"state": text, "count": 0,
                                       "exists": prop_holds(test.condition.prop, value),
                                       "allowed": text in allowed})
        entry["count"] += c
    for text, s in allowed.items():
        if text not in rows:
            rows[text] = {"state": text, "count": 0,
                          "exists": bool(reference.satisfies(s)), "allowed": True}
    frame = pd.DataFrame(list(rows.values()), columns=["state", "count", "exists", "allowed"])
    total = max(kept, 1)
    frame.insert(2, "frequency", frame["count"] / total)
    low, high = wilson(frame["count"].to_numpy(float), total)
    frame.insert(3, "ci_low", low)
    frame.insert(4, "ci_high", high)
    frame = frame.sort_values("state", key=lambda col: col.map(_state_key)).reset_index(drop=True)
    frame.attrs.update(test=test.name, machine=machine, model=model, runs=runs,
                       kept=kept, verdict=reference.verdict)
    return frame


def _state_key(text: str) -> list:
    out = []
    for part in text.split(";"):
        if "=" in part:
            v = part.split("=", 1)[1]
            out.append((0, int(v), "") if v.lstrip("-").isdigit() else (1, 0, v))
    return out


Frequencies = pd.DataFrame  # what simulate() returns, for annotations
__all__ = ["simulate", "wilson", "Frequencies", "Knobs", "frequency_frame"]
