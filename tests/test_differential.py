"""Random litmus tests decided by swtlb and by herd7 7.58 must agree (issue 13).

fuzz/herd_diff.py draws the programs (2–4 processes mixing ONCE, acquire/release, fences,
RMWs, spinlocks, RCU, pointers, plain accesses and `if`); here 150 small ones of a fixed seed
run, herd7 two at a time, and every verdict, Positive/Negative count, state set and flag set
must match. A failure names the seed and index: `python -m fuzz.herd_diff --small
--show SEED:INDEX` prints the test again.
"""

from __future__ import annotations

import os
import re

from conftest import shared_path

from fuzz import herd_diff

SEED = int(os.environ.get("SWTLB_DIFF_SEED", 13))
TESTS = int(os.environ.get("SWTLB_DIFF_TESTS", 150))
# Nothing is left out: plain reads in copy cycles (seed 13, index 97 found them) agree since
# swtlb.symbolic keeps herd7's symbolic values, and counting up and down ("feedback") is in.
EXCLUDE: frozenset[str] = frozenset()


def test_random_tests_agree_with_herd7():
    shared_path("tools", "herd7", "herd7")
    shared_path("lkmm")
    outcomes = herd_diff.run_many(SEED, TESTS, jobs=2, exclude=EXCLUDE, small=True)
    assert len(outcomes) == TESTS
    bad = [o for o in outcomes if o.result != "agree"]
    report = "\n\n".join(
        f"seed {o.seed} index {o.index}: {o.result}\n{o.text}"
        f"herd7: {herd_diff._summary(o.herd_output)}\n"
        f"swtlb [{o.swtlb_status}]: "
        f"{herd_diff._summary(o.swtlb_output) if o.swtlb_status == 'ok' else o.swtlb_output}"
        for o in bad[:5])
    assert not bad, f"{len(bad)} of {TESTS} random tests differ from herd7:\n\n{report}"


def test_the_generator_is_reproducible():
    """The same seed and index give the same text, and different indices different tests."""
    first = [herd_diff.generate(SEED, i, EXCLUDE, small=True).text() for i in range(20)]
    again = [herd_diff.generate(SEED, i, EXCLUDE, small=True).text() for i in range(20)]
    assert first == again and len(set(first)) == 20


def test_the_generator_avoids_names_herd7_refuses():
    """herd7 stops at a parameter named `lock` or `unlock` (its keywords)."""
    for i in range(300):
        text = herd_diff.generate(SEED, i).text()
        assert "*lock" not in text and "*unlock" not in text


def test_the_ci_run_counts_up_and_down_and_reads_plainly():
    """The CI run covers what swtlb once got wrong: counters that go up and down (the value
    search) and plain reads copied back to memory (herd7's symbolic values)."""
    texts = [herd_diff.generate(SEED, i, EXCLUDE, small=True).text() for i in range(300)]
    assert any(f in t for t in texts for f in ("atomic_dec", "atomic_sub", "atomic_or",
                                               "atomic_fetch_or"))
    assert any(re.search(r"= \*\w+;", t) for t in texts)
