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


RCU_READ = """C RCU+read
{}
P0(int *x, int *y) { rcu_read_lock(); WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1); rcu_read_unlock(); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*x); %s r1 = READ_ONCE(*y); }
exists (1:r0=1 /\\ 1:r1=0)
"""
SRCU_MB = """C SRCU+mb
{}
P0(int *x, int *y, struct srcu_struct *s) { int r1; int r2; r1 = srcu_read_lock(s);
  WRITE_ONCE(*x, 1); srcu_read_unlock(s, r1); r2 = READ_ONCE(*y); }
P1(int *x, int *y) { int r1; WRITE_ONCE(*y, 1); smp_mb(); r1 = READ_ONCE(*x); }
exists (0:r2=0 /\\ 1:r1=0)
"""


@pytest.mark.parametrize("wait,answers", [("", (S_, S_, S_)), ("smp_mb();", (S_, S_, S_)),
                                          ("synchronize_rcu();", (N, N, N))])
def test_sc_and_tso_keep_rcus_law(wait, answers):
    """No barrier forbids seeing half a critical section; a grace period does, in every model."""
    test = swtlb.parse(RCU_READ % wait)
    assert tuple(swtlb.check(test, m).verdict for m in ("sc", "tso", "lkmm")) == answers
    if wait.startswith("sync"):
        why = swtlb.check(test, "sc").explain()
        assert why.axiom == "rcu"


def test_tso_counts_srcu_read_unlock_as_a_full_fence():
    # tree SRCU runs smp_mb() in __srcu_read_unlock(), so x86 forbids this SB, while LKMM
    # promises the order only with smp_mb__after_srcu_read_unlock()
    assert [swtlb.check(SRCU_MB, m).verdict for m in ("tso", "lkmm")] == [N, S_]
    fenced = SRCU_MB.replace("r2 = READ_ONCE", "smp_mb__after_srcu_read_unlock(); r2 = READ_ONCE")
    assert [swtlb.check(fenced, m).verdict for m in ("tso", "lkmm")] == [N, N]


def test_srcu_index_through_memory_is_refused_under_sc_and_tso():
    text = """C SRCU+idx-in-memory
{}
P0(int *x, int *i, struct srcu_struct *s) { int r0; int r1; r0 = srcu_read_lock(s);
  WRITE_ONCE(*i, r0); r1 = READ_ONCE(*i); WRITE_ONCE(*x, 1); srcu_read_unlock(s, r1); }
P1(int *x, struct srcu_struct *s) { int r0; synchronize_srcu(s); r0 = READ_ONCE(*x); }
exists (1:r0=0)
"""
    swtlb.check(text)  # LKMM follows the index through memory
    for model in ("sc", "tso"):
        with pytest.raises(swtlb.UnsupportedError, match=r":4:62: under '(sc|tso)', "
                                                         r"srcu_read_unlock\(\) must be given"):
            swtlb.check(text, model)


def test_sc_and_tso_forbid_whatever_lkmm_forbids_in_the_rcu_corpus():
    """x86 implements LKMM, and SC is stronger than both: neither may allow an RCU or SRCU test
    that LKMM forbids (before RCU's law was added, TSO allowed 21 of them)."""
    from conftest import shared_path
    root = shared_path("litmus")
    texts = {p: p.read_text() for p in sorted(root.rglob("*.litmus"))}
    rcu = [p for p, t in texts.items() if "rcu" in t.replace("C-", "") and "srcu-nest-6" not in
           p.name]
    assert len(rcu) >= 30
    wrong = []
    for path in rcu:
        if swtlb.check(path, timeout=60).verdict != N:
            continue
        wrong += [(path.name, m) for m in ("sc", "tso") if swtlb.check(path, m).verdict != N]
    assert wrong == []
