"""One arithmetic, herd7's: the checker, the machines and herd7 compute the same values.

Random expressions over 32-bit literals (extremes included) are stored to registers of one
test; the checker's final state, the sc machine's and herd7's must be the same state.
"""

from __future__ import annotations

import os

import pytest
from conftest import herd7
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import swtlb
from swtlb import arith
from swtlb.herdout import parse_herd_output
from swtlb.machines import simulate

EDGES = [0, 1, -1, 2, -2, 7, -7, 3, 255, 65536, arith.INT_MAX, arith.INT_MIN, arith.INT_MAX - 1,
         46341, -46341]


def _literal(v: int) -> str:
    return f"({v})" if v < 0 else str(v)


literals = st.one_of(st.sampled_from(EDGES), st.integers(arith.INT_MIN, arith.INT_MAX))


def expressions(depth: int = 3) -> st.SearchStrategy[str]:
    leaf = literals.map(_literal)
    if depth == 0:
        return leaf
    sub = expressions(depth - 1)
    binary = st.tuples(sub, st.sampled_from([o for o in arith.OPERATORS if o != "/"]), sub).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})")
    # the machines divide by constants only, and herd7 stops on a zero divisor
    division = st.tuples(sub, literals.filter(bool)).map(lambda t: f"({t[0]} / {_literal(t[1])})")
    return st.one_of(leaf, binary, division)


def _test(exprs: list[str]) -> str:
    regs = "".join(f"int r{i}; " for i in range(len(exprs)))
    body = "".join(f"r{i} = {e}; " for i, e in enumerate(exprs))
    where = "; ".join(f"0:r{i}" for i in range(len(exprs)))
    return f"C arith\n{{}}\nP0(int *x) {{ {regs}{body}}}\nlocations [{where};]\nexists (x=1)\n"


def test_wrap_and_division_are_herd7s():
    assert arith.apply("+", arith.INT_MAX, 1) == arith.INT_MIN
    assert arith.apply("*", arith.INT_MAX, 2) == -2
    assert arith.apply("/", -7, 2) == -3 and arith.apply("/", 7, -2) == -3
    assert arith.apply("/", arith.INT_MIN, -1) == arith.INT_MIN
    with pytest.raises(arith.DivisionByZero):
        arith.apply("/", 1, 0)


@settings(max_examples=int(os.environ.get("SWTLB_ARITH_EXAMPLES", 6)), deadline=None,
          derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(expressions(), min_size=30, max_size=30))
def test_checker_machines_and_herd7_compute_the_same_values(tmp_path, exprs):
    text = _test(exprs)
    (checker,) = parse_herd_output(swtlb.check(text).herd_text()).states
    freq = simulate(text, "sc", runs=1, seed=0, progress=False)
    (machine,) = freq[freq["count"] > 0]["state"]
    assert _values(machine) == _values(checker), exprs
    path = tmp_path / "arith.litmus"
    path.write_text(text)
    (herd,) = parse_herd_output(herd7(path).stdout).states
    assert _values(herd) == _values(checker), exprs


def _values(state: str) -> dict[str, str]:
    return dict(part.strip().split("=") for part in state.split(";") if part.strip())


def test_division_by_zero_is_an_error_with_its_position():
    text = ("C d\n{}\nP0(int *x) { int r0; int r1; r1 = READ_ONCE(*x); r0 = 5 / r1; }\n"
            "exists (x=0)\n")
    with pytest.raises(swtlb.LitmusError, match=r"<string>:3:57: P0 divides by zero"):
        swtlb.check(text)
    with pytest.raises(swtlb.LitmusError, match=r":3:\d+: .*division by a value that is not"):
        simulate(text, "sc", runs=1, progress=False)
