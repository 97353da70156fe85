"""Any text is either decided or refused with a LitmusError: no other exception, no hang.

The strategies are fuzz/litmus_fuzz.py's: mutated corpus tests (the shared litmus files when
present, else built-in shapes) and random text. Here a few hundred inputs run in CI; the fuzz
script runs the same for as long as it is given. A decided test also runs on the weak machine,
which must show only states LKMM allows.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import swtlb
from fuzz.litmus_fuzz import inputs, mutated, random_text, run_one, seeds

CORPUS = seeds()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated(CORPUS))
def test_mutated_tests_are_decided_or_refused(text):
    assert run_one(text) in ("decided", "refused", "bound")


@settings(max_examples=200, deadline=None)
@given(random_text())
def test_random_text_is_refused_cleanly(text):
    assert run_one(text) in ("decided", "refused", "bound")


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(inputs(CORPUS))
def test_mixed_inputs(text):
    assert run_one(text) in ("decided", "refused", "bound")


@pytest.mark.parametrize("body,col", [
    ("P0(int *x) { int *r2; int r3; r3 = READ_ONCE(*r2); }", 47),
    ("P0(int **x) { int *r2; int r3; r2 = READ_ONCE(*x); r3 = READ_ONCE(*r2); }", 68),
])
def test_dereferencing_a_non_location_is_refused(body, col):
    """Found by the fuzzer: these used to print "States 0" (and the weak machine read
    garbage); herd7's answer for a fault is nothing we model, so the test is refused."""
    text = f"C deref\n{{ x=5; }}\n{body}\nexists (0:r3=0)\n"
    with pytest.raises(swtlb.LitmusError, match=f"<string>:3:{col}: a run dereferences"):
        swtlb.check(text)
