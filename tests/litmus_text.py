"""Textbook litmus tests written out for the unit tests (our own wording of the classic shapes)."""

MP = """C MP
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); %(w)s WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); %(r)s r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0)
"""

SB = """C SB
{}
P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); %(f0)s r0 = READ_ONCE(*y); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 1); %(f1)s r0 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r0=0)
"""

LB = """C LB
{}
P0(int *x, int *y) { int r0; r0 = READ_ONCE(*x); %(f0)s WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; r0 = READ_ONCE(*y); %(f1)s WRITE_ONCE(*x, 1); }
exists (0:r0=1 /\\ 1:r0=1)
"""

IRIW = """C IRIW
{}
P0(int *x) { WRITE_ONCE(*x, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*x); %(f)s r1 = READ_ONCE(*y); }
P2(int *y) { WRITE_ONCE(*y, 1); }
P3(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); %(f)s r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0 /\\ 3:r0=1 /\\ 3:r1=0)
"""

TWO_PLUS_TWO_W = """C 2+2W
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); %(f0)s WRITE_ONCE(*y, 2); }
P1(int *x, int *y) { WRITE_ONCE(*y, 1); %(f1)s WRITE_ONCE(*x, 2); }
exists (x=1 /\\ y=1)
"""

R = """C R
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); %(f0)s WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; WRITE_ONCE(*y, 2); %(f1)s r0 = READ_ONCE(*x); }
exists (y=2 /\\ 1:r0=0)
"""

S = """C S
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 2); %(f0)s WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; r0 = READ_ONCE(*y); %(f1)s WRITE_ONCE(*x, 1); }
exists (x=2 /\\ 1:r0=1)
"""
