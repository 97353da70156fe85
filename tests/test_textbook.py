"""SC, x86-TSO and LKMM on the classic shapes, answers written out by hand."""

import pytest
from litmus_text import IRIW, LB, MP, SB, TWO_PLUS_TWO_W, R, S

import swtlb

N, S_ = "Never", "Sometimes"
CASES = [
    # name, text, (sc, tso, lkmm)
    ("MP", MP % dict(w="", r=""), (N, N, S_)),
    ("MP+wmb+rmb", MP % dict(w="smp_wmb();", r="smp_rmb();"), (N, N, N)),
    ("MP+wmb", MP % dict(w="smp_wmb();", r=""), (N, N, S_)),
    ("MP+rmb", MP % dict(w="", r="smp_rmb();"), (N, N, S_)),
    ("MP+mbs", MP % dict(w="smp_mb();", r="smp_mb();"), (N, N, N)),
    ("SB", SB % dict(f0="", f1=""), (N, S_, S_)),
    ("SB+mbs", SB % dict(f0="smp_mb();", f1="smp_mb();"), (N, N, N)),
    ("SB+mb+po", SB % dict(f0="smp_mb();", f1=""), (N, S_, S_)),
    ("SB+wmb+rmb", SB % dict(f0="smp_wmb();", f1="smp_rmb();"), (N, S_, S_)),
    ("LB", LB % dict(f0="", f1=""), (N, N, S_)),
    ("LB+mbs", LB % dict(f0="smp_mb();", f1="smp_mb();"), (N, N, N)),
    ("IRIW", IRIW % dict(f=""), (N, N, S_)),
    ("IRIW+rmbs", IRIW % dict(f="smp_rmb();"), (N, N, S_)),
    ("IRIW+mbs", IRIW % dict(f="smp_mb();"), (N, N, N)),
    ("2+2W", TWO_PLUS_TWO_W % dict(f0="", f1=""), (N, N, S_)),
    ("2+2W+wmbs", TWO_PLUS_TWO_W % dict(f0="smp_wmb();", f1="smp_wmb();"), (N, N, S_)),
    ("2+2W+mbs", TWO_PLUS_TWO_W % dict(f0="smp_mb();", f1="smp_mb();"), (N, N, N)),
    ("R", R % dict(f0="", f1=""), (N, S_, S_)),
    ("R+wmb+mb", R % dict(f0="smp_wmb();", f1="smp_mb();"), (N, N, S_)),
    ("R+mbs", R % dict(f0="smp_mb();", f1="smp_mb();"), (N, N, N)),
    ("S", S % dict(f0="", f1=""), (N, N, S_)),
    ("S+wmb", S % dict(f0="smp_wmb();", f1=""), (N, N, S_)),
    ("S+mbs", S % dict(f0="smp_mb();", f1="smp_mb();"), (N, N, N)),
]


@pytest.mark.parametrize("name,text,answers", CASES, ids=[c[0] for c in CASES])
def test_textbook_answers(name, text, answers):
    test = swtlb.parse(text)
    got = tuple(swtlb.check(test, model).verdict for model in ("sc", "tso", "lkmm"))
    assert got == answers


def test_sc_allows_every_interleaving_of_mp():
    result = swtlb.check(swtlb.parse(MP % dict(w="", r="")), "sc")
    assert result.positive == 0
    states = {tuple(v for _, v in s) for s in result.states}
    assert states == {(0, 0), (0, 1), (1, 1)}  # every interleaving's outcome, not the bad one


def test_tso_store_buffer_outcome_has_one_witness():
    result = swtlb.check(swtlb.parse(SB % dict(f0="", f1="")), "tso")
    assert (result.positive, result.negative) == (1, 3)
