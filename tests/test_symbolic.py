"""herd7's symbolic values: a copy cycle kept once with herd7's ``S<n>``, and candidates herd7
rejects because its solver leaves an equation unsolved (swtlb/symbolic.py). The expected texts
are herd7 7.58's output (Time/Hash lines dropped)."""

import pytest

import swtlb

HERD7 = {
    # a copy cycle through an RMW: one symbolic execution, S8 in registers and memory
    "bugB2": ("""C bugB2
{}
P0(int *x, int *y) { int r0; r0 = *y; WRITE_ONCE(*x, r0); }
P1(int *x, int *y) { int r0; r0 = xchg(x, 1); WRITE_ONCE(*y, r0); }
locations [0:r0; 1:r0; x; y;]
exists (x=0)
""", """Test bugB2 Allowed
States 3
0:r0=S8; 1:r0=S8; [x]=1; [y]=S8;
0:r0=0; 1:r0=0; [x]=0; [y]=0;
0:r0=0; 1:r0=0; [x]=1; [y]=0;
Ok
Witnesses
Positive: 2 Negative: 2
Flag data-race
Condition exists ([x]=0)
Observation bugB2 Sometimes 2 2
"""),
    # the register pass leaves copies to the memory pass (partition.ml maps a variable to its
    # parent), which merges them the other way round: S7, not S14
    "parents": ("""C parents
{}
P0(int *a, int *b, int *w) { int r2; int r3; r2 = *a; r3 = r2; *b = r3; WRITE_ONCE(*w, r2); }
P1(int *a, int *b, int *w) { int r0; int r1; r0 = *b; r1 = r0; *a = r1; WRITE_ONCE(*w, r0); }
exists (1:r0=0)
""", """Test parents Allowed
States 2
1:r0=S7;
1:r0=0;
Ok
Witnesses
Positive: 6 Negative: 2
Flag data-race
Condition exists (1:r0=0)
Observation parents Sometimes 6 2
"""),
    # herd7 rejects one candidate whose values are all known: after its union-find, solving
    # the copies S27:=S9, S9:=S27 in that order leaves 0:=S9 (30 executions, not 31)
    "rejected": ("""C rejected
{}
P0(int *a, int *b) { int r0; int r1; r0 = READ_ONCE(*a); r1 = xchg(b, r0); }
P1(int *b, int *c) { int r0; r0 = *b; *c = r0; }
P2(int *c, int *d, int *z) { int r0; int r2; r0 = READ_ONCE(*z); if (r0) { smp_mb(); }
  r2 = xchg_relaxed(c, 3); WRITE_ONCE(*d, r2); }
P3(int *a, int *d, int *z) { int r2; r2 = READ_ONCE(*d); WRITE_ONCE(*a, r2); WRITE_ONCE(*z, r2); }
exists (1:r0=1)
""", """Test rejected Allowed
States 2
1:r0=S27;
1:r0=0;
No
Witnesses
Positive: 0 Negative: 30
Flag data-race
Condition exists (1:r0=1)
Observation rejected Never 0 30
"""),
    # a failed atomic_add_unless equates the cycle's value with its limit 1, which no write
    # stores: the all-ones state
    "limit": ("""C limit
{}
P0(int *a, int *b, int *z) { int r0; int r1; int r2; int r3; r0 = atomic_add_unless(z, 1, 1);
  r1 = *a; r3 = atomic_add_unless(z, 1, 1); r2 = r1; *b = r2; }
P1(int *b, int *c, int *z) { int r0; int r1; r0 = atomic_add_unless(z, 1, 1);
  r1 = xchg_relaxed(b, 3); WRITE_ONCE(*c, r1); }
P2(int *a, int *c, int *z, int *w) { int r0; r0 = READ_ONCE(*c); WRITE_ONCE(*a, r0);
  WRITE_ONCE(*w, r0); WRITE_ONCE(*z, r0); }
locations [a; b; c;]
~exists (1:r1=1 \\/ 0:r1=1)
""", """Test limit Forbidden
States 4
0:r1=S56; 1:r1=S56; [a]=S56; [b]=3; [c]=S56;
0:r1=0; 1:r1=0; [a]=0; [b]=0; [c]=0;
0:r1=0; 1:r1=0; [a]=0; [b]=3; [c]=0;
0:r1=1; 1:r1=1; [a]=1; [b]=3; [c]=1;
No
Witnesses
Positive: 58 Negative: 6
Flag data-race
Condition ~exists (1:r1=1 \\/ 0:r1=1)
Observation limit Sometimes 6 58
"""),
}


@pytest.mark.parametrize("name", sorted(HERD7))
def test_symbolic_values_as_herd7(name):
    text, expected = HERD7[name]
    assert swtlb.check(swtlb.parse(text)).herd_text(seconds=False) == expected


def test_a_symbol_equals_no_constant():
    result = swtlb.check(swtlb.parse(HERD7["bugB2"][0]))
    symbolic = [s for s in result.states if any(str(v).startswith("S") for _, v in s)]
    assert len(symbolic) == 1 and not result.satisfies(symbolic[0])


def test_figures_show_herd7s_symbol():
    """herd7 labels the events of the copy cycle with the symbol (``R[y]=S8``), not a value."""
    text = swtlb.check(swtlb.parse(HERD7["bugB2"][0])).to_dot("all")
    assert all(f"{label}=S8" in text for label in ("a: R[y]", "b: W[ONCE][x]", "c: R*[MB][x]"))
    assert text.count("digraph G {") == 4  # Positive 2 + Negative 2
