"""Any text is either decided or refused with a LitmusError: no other exception, no hang."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litmus_text import MP, SB

import swtlb

SEEDS = [MP % dict(w="smp_wmb();", r="smp_rmb();"), SB % dict(f0="smp_mb();", f1="")]


def decide_or_refuse(text: str) -> None:
    try:
        test = swtlb.parse(text)
        swtlb.check(test, max_candidates=5_000, timeout=5)
    except swtlb.LitmusError as exc:
        assert exc.line >= 0 and exc.col >= 0 and str(exc).startswith("<string>:")


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 8)))
        piece = draw(st.sampled_from(["", "(", ")", "{", "}", ";", "*", "&", "1", "r0", "x",
                                      "/\\", "(*", "*)", "if (r0)", "smp_mb();", "0:", "=",
                                      "\n", "P1(int *x)", "exists", "~"]))
        text = text[:i] + piece + text[j:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_tests_are_decided_or_refused(text):
    decide_or_refuse(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_text_is_refused_cleanly(text):
    decide_or_refuse("C t\n" + text)
