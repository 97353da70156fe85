"""An arithmetic RMW's write depends on its read (herd7's iico_data), an exchange's does not.

herd7 7.58 gives __atomic_op, __atomic_op_return, __atomic_fetch_op and __atomic_add_unless a
data edge from the read to the write, so the bell's `data` (and carry-dep) and the cat's
`to-r = dep ; [Marked] ; rfi` and `rwdep` see it; __xchg and __cmpxchg have none. The expected
texts are herd7 7.58's output (Time/Hash lines dropped)."""

import pytest

import swtlb

HERD7 = {
    # atomic_inc's read -data-> its write -rfi-> the acquire: to-r orders the inc's read, which
    # reads the release, before the read of x (happens-before)
    "bugD-min": ("""C bugD-min
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_store_release(y, 1); }
P1(int *x, int *y) { int r0; int r1; atomic_inc(y); r0 = smp_load_acquire(y); r1 = READ_ONCE(*x); }
exists (1:r0=2 /\\ 1:r1=0)
""", """Test bugD-min Allowed
States 3
1:r0=1; 1:r1=0;
1:r0=1; 1:r1=1;
1:r0=2; 1:r1=1;
No
Witnesses
Positive: 0 Negative: 4
Condition exists (1:r0=2 /\\ 1:r1=0)
Observation bugD-min Never 0 4
"""),
    # P0's z=3 -coe-> P2's z=1 -po-unlock-lock-po-> P1's xchg -rfe-> P0's atomic_inc read is
    # prop & int; the inc's read -data ; rfi ; data-> z=3 closes an hb cycle
    "bugC-min": ("""C bugC-min
{}
P0(int *x, int *z) { int r0; atomic_inc(x); r0 = READ_ONCE(*x); WRITE_ONCE(*z, r0); }
P1(int *x, spinlock_t *s) { int r0; spin_lock(s); r0 = xchg_relaxed(x, 2); }
P2(int *z, spinlock_t *s) { int r1; r1 = spin_trylock(s);
  if (r1) { WRITE_ONCE(*z, 1); spin_unlock(s); } }
exists (0:r0=3 /\\ z=1)
""", """Test bugC-min Allowed
States 3
0:r0=1; [z]=1;
0:r0=2; [z]=2;
0:r0=3; [z]=3;
No
Witnesses
Positive: 0 Negative: 7
Condition exists (0:r0=3 /\\ [z]=1)
Observation bugC-min Never 0 7
"""),
}


@pytest.mark.parametrize("name", sorted(HERD7))
def test_an_arithmetic_rmw_write_depends_on_its_read(name):
    text, expected = HERD7[name]
    assert swtlb.check(swtlb.parse(text)).herd_text(seconds=False) == expected


@pytest.mark.parametrize("call, dependent", [
    ("atomic_inc(x);", True), ("atomic_add(2, x);", True),
    ("r0 = atomic_fetch_add_relaxed(1, x);", True), ("r0 = atomic_add_return(1, x);", True),
    ("r0 = atomic_add_unless(x, 1, 5);", True), ("r0 = atomic_dec_and_test(x);", True),
    ("r0 = xchg_relaxed(x, 1);", False), ("r0 = cmpxchg(x, 0, 1);", False),
])
def test_which_rmws_carry_a_data_edge_from_read_to_write(call, dependent):
    """As herd7 7.58 answers `flag ~empty rmw & data` for a one-statement P0 (issue: bugs C/D)."""
    test = swtlb.parse(f"C t\n{{}}\nP0(int *x) {{ int r0; {call} }}\nexists (x=1)\n")
    result = swtlb.check(test)
    x = next(iter(result.allowed))
    assert (not (x.rmw & x.data).is_empty()) == dependent
