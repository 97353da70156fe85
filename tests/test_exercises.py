"""Exercises judge the parsed test: wrong answers of every kind are refused, and say why."""

from __future__ import annotations

import re

import pytest
from conftest import herd7

import swtlb
import swtlb.course
from swtlb.course import EXERCISES, exercise
from swtlb.exercises import BARRIERS
from swtlb.herdout import parse_herd_output
from swtlb.swiotlb import scenario


def _judge(key: str, text: str, capsys) -> tuple[bool, str]:
    ok = exercise(key).check(text)
    return ok, capsys.readouterr().out


def _mp(p0: str, p1: str, cond: str = r"1:r0=1 /\ 1:r1=0", head: str = "C MP\n{}\n") -> str:
    return (f"{head}P0(int *x, int *y) {{ {p0} }}\n"
            f"P1(int *x, int *y) {{ int r0; int r1; {p1} }}\nexists ({cond})\n")


def _sb(p0: str, p1: str, cond: str = r"0:r0=0 /\ 1:r0=0", init: str = "{}") -> str:
    return (f"C SB\n{init}\nP0(int *x, int *y) {{ int r0; {p0} }}\n"
            f"P1(int *x, int *y) {{ int r0; {p1} }}\nexists ({cond})\n")


def _flag(writer: str = "", reader: str = "", *, lock: bool = True,
          blah_w: str = "WRITE_ONCE(*blah, 1);", blah_r: str = "r0 = READ_ONCE(*blah);",
          flag_w: str = "smp_store_release(flag, 1);",
          flag_r: str = "r1 = smp_load_acquire(flag);", inside: str = "",
          cond: str = r"1:r0=1 /\ 1:r1=0") -> str:
    body = (f"\tspin_lock(dyn_lock);\n\tWRITE_ONCE(*list, 1);\n\t{flag_w}\n\t{inside}\n"
            f"\tspin_unlock(dyn_lock);\n" if lock else f"\t{flag_w}\n")
    return f"""C swiotlb-v2-flag-mine
{{}}
P0(int *list, int *flag, int *blah, spinlock_t *dyn_lock)
{{
{body}\t{writer}
\t{blah_w}
}}
P1(int *list, int *flag, int *blah)
{{
\tint r0;
\tint r1;
\t{blah_r}
\t{reader}
\t{flag_r}
}}
exists ({cond})
"""


def _wrc(p1_before: str = "", p1_mid: str = "", p0: str = "", p2_fence: str = "smp_rmb();",
         cond: str = r"2:r0=1 /\ 2:r1=0", z_first: bool = True, branch: bool = True,
         w_store: str = "WRITE_ONCE(*w, 1);") -> str:
    stores = [f"WRITE_ONCE(*z, 1); {p1_mid} {w_store}", f"{w_store} {p1_mid} WRITE_ONCE(*z, 1);"]
    inner = stores[0] if z_first else stores[1]
    p1 = f"if (r0) {{ {inner} }}" if branch else inner
    return (f"C WRC\n{{}}\nP0(int *y) {{ WRITE_ONCE(*y, 1); {p0} }}\n"
            f"P1(int *y, int *z, int *w) {{ int r0; r0 = READ_ONCE(*y); {p1_before} {p1} }}\n"
            f"P2(int *y, int *w) {{ int r0; int r1; r0 = READ_ONCE(*w); {p2_fence} "
            f"r1 = READ_ONCE(*y); }}\nexists ({cond})\n")


REL, ACQ = "smp_store_release(y, 1);", "r0 = smp_load_acquire(y);"
ONCE_P0 = "WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1);"
ONCE_P1 = "r0 = READ_ONCE(*y); r1 = READ_ONCE(*x);"

WRONG: dict[str, list[tuple[str, str, list[str]]]] = {
    "mp-release-acquire": [
        ("tester: wmb/rmb, release/acquire only in comments",
         _mp("WRITE_ONCE(*x, 1); smp_wmb(); WRITE_ONCE(*y, 1); /* smp_store_release(y, 1) */",
             "r0 = READ_ONCE(*y); smp_rmb(); r1 = READ_ONCE(*x); /* smp_load_acquire(y) */"),
         ["LKMM says Never", "no smp_store_release() in the code (its name in a comment",
          "P0 uses smp_wmb(); P1 uses smp_rmb(): this exercise forbids them"]),
        ("tester: contradictory condition",
         _mp(f"WRITE_ONCE(*x, 1); {REL}", f"{ACQ} r1 = READ_ONCE(*x);",
             r"1:r0=1 /\ 1:r1=0 /\ 1:r0=0"),
         ["contradicts itself (it asks 1:r0 to be both 1 and 0)",
          r"the task's is exists (1:r0=1 /\ 1:r1=0)"]),
        ("the start, unchanged", _mp(ONCE_P0, ONCE_P1),
         ["LKMM says Sometimes", "P1 reads y=1 (P0's store), then x=0 (the initial value)",
          "no smp_store_release()", "the task asks for Never"]),
        ("release without acquire", _mp(f"WRITE_ONCE(*x, 1); {REL}", ONCE_P1),
         ["LKMM says Sometimes", "no smp_load_acquire()"]),
        ("acquire on the second load",
         _mp(f"WRITE_ONCE(*x, 1); {REL}", "r0 = READ_ONCE(*y); r1 = smp_load_acquire(x);"),
         ["LKMM says Sometimes", "the task asks for Never"]),
        ("release/acquire and a full barrier",
         _mp(f"WRITE_ONCE(*x, 1); smp_mb(); {REL}", f"{ACQ} r1 = READ_ONCE(*x);"),
         ["LKMM says Never", "P0 uses smp_mb(): this exercise forbids it"]),
        ("another condition",
         _mp(f"WRITE_ONCE(*x, 1); {REL}", f"{ACQ} r1 = READ_ONCE(*x);", r"1:r0=0 /\ 1:r1=1"),
         [r"the condition is exists (1:r0=0 /\ 1:r1=1)"]),
        ("an extra store",
         _mp(f"WRITE_ONCE(*x, 1); WRITE_ONCE(*x, 2); {REL}", f"{ACQ} r1 = READ_ONCE(*x);"),
         ["P0 has an extra `WRITE_ONCE(*x, 2)`"]),
        ("the stores swapped",
         _mp(f"{REL} WRITE_ONCE(*x, 1);", f"{ACQ} r1 = READ_ONCE(*x);"),
         ["LKMM says Sometimes", "P0's `smp_store_release(y, 1)` is not where the task has it"]),
        ("another value",
         _mp("WRITE_ONCE(*x, 1); smp_store_release(y, 2);", f"{ACQ} r1 = READ_ONCE(*x);",
             r"1:r0=2 /\ 1:r1=0"),
         ["P0's store to y changed: `smp_store_release(y, 2)` where the task has "
          "`WRITE_ONCE(*y, 1)`"]),
        ("a plain store", _mp(f"*x = 1; {REL}", f"{ACQ} r1 = READ_ONCE(*x);"),
         ["P0's store to x became a plain access: this exercise adds only"]),
        ("~exists", _mp(f"WRITE_ONCE(*x, 1); {REL}", f"{ACQ} r1 = READ_ONCE(*x);").replace(
            "exists", "~exists"), ["the condition is ~exists"]),
        ("unreadable", "C broken\n{ x = }", ["swtlb cannot read it"]),
    ],
    "sb-needs-mb": [
        ("tester: impossible outcome, smp_mb only in a comment",
         _sb("WRITE_ONCE(*x, 1); /* smp_mb(); */ r0 = READ_ONCE(*y);",
             "WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x);", r"0:r0=2 /\ 1:r0=0"),
         ["LKMM says Never", "ends with 0:r0=2 (no store writes 2), so Never says nothing",
          "no smp_mb() in the code (its name in a comment does not count)"]),
        ("tester: message passing instead",
         _mp("WRITE_ONCE(*x, 1); smp_mb(); WRITE_ONCE(*y, 1);",
             "r0 = READ_ONCE(*y); smp_mb(); r1 = READ_ONCE(*x);"),
         [r"the condition is exists (1:r0=1 /\ 1:r1=0); the task's is exists (0:r0=0 /\ 1:r0=0)",
          "P0 has `WRITE_ONCE(*y, 1)` where the task has `r0 = READ_ONCE(*y)`"]),
        ("no barrier", _sb("WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y);",
                           "WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x);"),
         ["LKMM says Sometimes", "P0 reads y=0 (the initial value); P1 reads x=0"]),
        ("write barriers", _sb("WRITE_ONCE(*x, 1); smp_wmb(); r0 = READ_ONCE(*y);",
                               "WRITE_ONCE(*y, 1); smp_wmb(); r0 = READ_ONCE(*x);"),
         ["LKMM says Sometimes", "no smp_mb() in the code"]),
        ("one CPU only", _sb("WRITE_ONCE(*x, 1); smp_mb(); r0 = READ_ONCE(*y);",
                             "WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x);"),
         ["LKMM says Sometimes", "the task asks for Never"]),
        ("barriers after the loads", _sb("WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y); smp_mb();",
                                         "WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x); smp_mb();"),
         ["LKMM says Sometimes"]),
        ("another, reachable condition",
         _sb("WRITE_ONCE(*x, 1); smp_mb(); r0 = READ_ONCE(*y);",
             "WRITE_ONCE(*y, 1); smp_mb(); r0 = READ_ONCE(*x);", r"0:r0=1 /\ 1:r0=1"),
         ["LKMM says Sometimes", r"the condition is exists (0:r0=1 /\ 1:r0=1)"]),
        ("smp_store_mb instead",
         _sb("smp_store_mb(*x, 1); r0 = READ_ONCE(*y);",
             "smp_store_mb(*y, 1); r0 = READ_ONCE(*x);"),
         ["P0's store to x became smp_store_mb(): this exercise adds only smp_mb(), smp_rmb() "
          "and smp_wmb()", "no smp_mb() in the code"]),
        ("synchronize_rcu instead",
         _sb("WRITE_ONCE(*x, 1); synchronize_rcu(); r0 = READ_ONCE(*y);",
             "WRITE_ONCE(*y, 1); synchronize_rcu(); r0 = READ_ONCE(*x);"),
         ["P0 gained synchronize_rcu(): this exercise adds only"]),
        ("another initial state",
         _sb("WRITE_ONCE(*x, 1); smp_mb(); r0 = READ_ONCE(*y);",
             "WRITE_ONCE(*y, 1); smp_mb(); r0 = READ_ONCE(*x);", init="{ x = 1; }"),
         ["the initial state sets x=1; the task's has x=0"]),
        ("a filter", _sb("WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y);",
                         "WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x);").replace(
            "exists", "filter (0:r0=1)\nexists"), ["the test has a filter"]),
        ("contradictory condition",
         _sb("WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y);", "WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x);",
             r"0:r0=0 /\ 1:r0=0 /\ 0:r0<>0"),
         ["contradicts itself (it asks 0:r0 to be both 0 and not 0)"]),
    ],
    "swiotlb-flag-fix": [
        ("tester: the driver's hand-off as release/acquire",
         _flag(blah_w="smp_store_release(blah, 1);", blah_r="r0 = smp_load_acquire(blah);"),
         ["LKMM says Never", "P0's store to blah became smp_store_release(); the driver's "
          "hand-off is not swiotlb's to change", "P1's load of blah became smp_load_acquire(); "
          "the driver's hand-off is not swiotlb's to change"]),
        ("tester: no lock, no list update", _flag("smp_wmb();", "smp_rmb();", lock=False),
         ["LKMM says Never", "P0 lacks the task's `spin_lock(dyn_lock)`",
          "P0 lacks the task's `WRITE_ONCE(*list, 1)`"]),
        ("the v2 patch, unchanged", _flag(),
         ["LKMM says Sometimes", "P1 reads blah=1 (P0's store), then flag=0 (the initial value)",
          "the task asks for Never"]),
        ("notebook 06's attempt: smp_rmb() after the flag",
         _flag(flag_r="r1 = smp_load_acquire(flag); smp_rmb();"), ["LKMM says Sometimes"]),
        ("writer only", _flag("smp_wmb();"), ["LKMM says Sometimes"]),
        ("reader only", _flag(reader="smp_rmb();"), ["LKMM says Sometimes"]),
        ("the barriers swapped", _flag("smp_rmb();", "smp_wmb();"), ["LKMM says Sometimes"]),
        ("write barrier before the flag",
         _flag(reader="smp_rmb();", flag_w="smp_wmb(); smp_store_release(flag, 1);"),
         ["LKMM says Sometimes"]),
        ("three barriers", _flag("smp_wmb();", "smp_rmb();", inside="smp_mb();"),
         ["LKMM says Never", "it adds 3 barriers; the fewest that work is 2"]),
        ("the flag made ONCE", _flag("smp_wmb();", "smp_rmb();", flag_w="WRITE_ONCE(*flag, 1);",
                                     flag_r="r1 = READ_ONCE(*flag);"),
         ["P0's store to flag became WRITE_ONCE(); the task keeps the flag's release",
          "P1's load of flag became READ_ONCE()"]),
        ("another condition", _flag("smp_wmb();", "smp_rmb();", cond=r"1:r0=1 /\ 1:r1=1"),
         ["LKMM says Sometimes", r"the condition is exists (1:r0=1 /\ 1:r1=1)"]),
        ("notebook 08: scenario b as posted", scenario("b").text,
         ["LKMM says Sometimes", r"the task's is exists (1:r0=1 /\ 1:r1=0)",
          "P1 has an extra `if (r1)`", "P1 has an extra `spin_lock(dyn_lock)`"]),
    ],
    "three-cpu": [
        ("tester: smp_wmb() is Sometimes, and says so", _wrc(p1_mid="smp_wmb();"),
         ["LKMM says Sometimes", "P1 reads y=1 (P0's store); P2 reads w=1 (P1's store), then "
          "y=0 (the initial value)", "the task asks for Never"]),
        ("no barrier", _wrc(), ["LKMM says Sometimes"]),
        ("the barrier on P0", _wrc(p0="smp_mb();"),
         ["P0 gained smp_mb(): the task adds barriers to P1 only"]),
        ("P2's smp_rmb() replaced", _wrc(p1_mid="smp_mb();", p2_fence="smp_mb();"),
         ["P2's `smp_rmb()` is gone; it is part of the task",
          "P2 gained smp_mb(): the task adds barriers to P1 only"]),
        ("two barriers", _wrc(p1_before="smp_mb();", p1_mid="smp_mb();"),
         ["LKMM says Never", "it adds 2 barriers; the fewest that work is 1"]),
        ("no if", _wrc(p1_mid="smp_mb();", branch=False),
         ["LKMM says Sometimes", "P1 reads y=0 (the initial value); P2 reads w=1",
          "P1 lacks the task's `if (r0)`"]),
        ("a release store instead of a barrier", _wrc(w_store="smp_store_release(w, 1);"),
         ["LKMM says Never", "P1's store to w became smp_store_release(): this exercise adds "
          "only smp_mb(), smp_rmb() and smp_wmb()"]),
        ("another condition", _wrc(p1_mid="smp_mb();", cond=r"2:r0=1 /\ 2:r1=1"),
         [r"the condition is exists (2:r0=1 /\ 2:r1=1); the task's is exists (2:r0=1 /\ 2:r1=0)"]),
        ("the stores swapped", _wrc(p1_mid="smp_mb();", z_first=False),
         ["P1's `WRITE_ONCE(*w, 1)` is not where the task has it"]),
        ("two CPUs", _mp(f"WRITE_ONCE(*x, 1); {REL}", f"{ACQ} r1 = READ_ONCE(*x);"),
         ["the task has 3 processes (P0 to P2); yours has 2"]),
    ],
}

RIGHT: dict[str, list[tuple[str, str, str]]] = {
    "mp-release-acquire": [
        ("the solution", exercise("mp-release-acquire").solution(), ""),
        ("renamed, laid out, commented", """C MP+pooncerelease+poacquireonce
(* the flag is the release/acquire pair *)
{ data = 0; ready = 0; }

P0(int *data, int *ready)
{
	WRITE_ONCE(*data, 1);
	smp_store_release(ready, 1);	/* publish */
}

P1(int *data, int *ready)
{
	int b;
	int a;

	a = smp_load_acquire(ready);
	b = READ_ONCE(*data);
}

exists (1:a=1 /\\ 1:b=0)
""", ""),
        ("declared with values, condition reordered",
         _mp(f"WRITE_ONCE(*x, 1); {REL}", "int v = smp_load_acquire(y); int u = READ_ONCE(*x);",
             r"1:u=0 /\ 1:v=1").replace("int r0; int r1; ", ""), ""),
        ("release on x as well (noted as not needed)",
         _mp(f"smp_store_release(x, 1); {REL}", f"{ACQ} r1 = READ_ONCE(*x);"),
         "P0's store to x became smp_store_release(), which is not needed"),
    ],
    "sb-needs-mb": [
        ("the solution", exercise("sb-needs-mb").solution(), ""),
        ("renamed, laid out, commented", """C SB+fencembonceonces
{}

P0(int *u, int *v)
{
	int a;

	WRITE_ONCE(*u, 1);
	smp_mb();	// store, then load: only a full barrier
	a = READ_ONCE(*v);
}

P1(int *u, int *v)
{
	int b;

	WRITE_ONCE(*v, 1);
	smp_mb();
	b = READ_ONCE(*u);
}

exists (0:a=0 /\\ 1:b=0)
""", ""),
        ("an equivalent condition",
         _sb("WRITE_ONCE(*x, 1); smp_mb(); r0 = READ_ONCE(*y);",
             "WRITE_ONCE(*y, 1); smp_mb(); r0 = READ_ONCE(*x);", r"not (0:r0=1 \/ 1:r0=1)"), ""),
        ("the condition also names memory",
         _sb("WRITE_ONCE(*x, 1); smp_mb(); r0 = READ_ONCE(*y);",
             "WRITE_ONCE(*y, 1); smp_mb(); r0 = READ_ONCE(*x);", r"0:r0=0 /\ 1:r0=0 /\ x=1"), ""),
    ],
    "swiotlb-flag-fix": [
        ("the solution", exercise("swiotlb-flag-fix").solution(), ""),
        ("smp_wmb() inside the critical section", _flag(reader="smp_rmb();",
                                                        inside="smp_wmb();"), ""),
        ("renamed and commented", """C swiotlb-v2-flag-fixed
{ }
P0(spinlock_t *dyn_lock, int *slots, int *have_dyn, int *paddr)
{
	spin_lock(dyn_lock);
	WRITE_ONCE(*slots, 1);			/* list_add() */
	smp_store_release(have_dyn, 1);
	spin_unlock(dyn_lock);
	smp_wmb();				/* order the flag before the hand-off */
	WRITE_ONCE(*paddr, 1);			/* the driver hands out paddr */
}
P1(int *slots, int *have_dyn, int *paddr, spinlock_t *dyn_lock)
{
	int flag;
	int addr = READ_ONCE(*paddr);
	smp_rmb();
	flag = smp_load_acquire(have_dyn);
}
exists (1:flag=0 /\\ 1:addr=1)
""", ""),
        ("a full barrier for the writer (noted as heavier)", _flag("smp_mb();", "smp_rmb();"),
         "P0's smp_mb() could be the lighter smp_wmb()"),
    ],
    "three-cpu": [
        ("the solution", exercise("three-cpu").solution(), ""),
        ("the barrier before the if, laid out", """C WRC+mine
{}
P0(int *y)
{
	WRITE_ONCE(*y, 1);		/* publish the new pool */
}
P1(int *y, int *z, int *w)
{
	int r0;

	r0 = READ_ONCE(*y);
	smp_mb();
	if (r0 == 1) {
		WRITE_ONCE(*z, 1);	/* dma_uses_io_tlb */
		WRITE_ONCE(*w, 1);	/* paddr */
	}
}
P2(int *y, int *w)
{
	int r1;
	int r0;

	r0 = READ_ONCE(*w);
	smp_rmb();
	r1 = READ_ONCE(*y);
}
exists (2:r0=1 /\\ 2:r1=0)
""", ""),
        ("renamed, with the kernel's WRC condition",
         _wrc(p1_mid="smp_mb();", cond=r"1:s=1 /\ 2:a=1 /\ 2:b=0").replace(
             "int r0; r0 = READ_ONCE(*y);", "int s; s = READ_ONCE(*y);").replace(
             "if (r0)", "if (s)").replace("int r0; int r1; r0 = READ_ONCE(*w);",
                                          "int a; int b; a = READ_ONCE(*w);").replace(
             "r1 = READ_ONCE(*y); }\nexists", "b = READ_ONCE(*y); }\nexists"), ""),
    ],
}


# ---- notebook 09: the axiom exercises ----------------------------------------------------------
def _lb(p0: str, p1: str, cond: str = r"0:r0=1 /\ 1:r0=1", head: str = "C LB\n{}\n") -> str:
    return (f"{head}P0(int *x, int *y) {{ int r0; {p0} }}\n"
            f"P1(int *x, int *y) {{ int r0; {p1} }}\nexists ({cond})\n")


def _r(p0: str = "", p1: str = "", *, p0_y: str = "WRITE_ONCE(*y, 1);",
       p1_y: str = "WRITE_ONCE(*y, 2);", p1_after: str = "", cond: str = r"y=2 /\ 1:r0=0",
       init: str = "{}") -> str:
    return (f"C R\n{init}\nP0(int *x, int *y) {{ WRITE_ONCE(*x, 1); {p0} {p0_y} }}\n"
            f"P1(int *x, int *y) {{ int r0; {p1_y} {p1} r0 = READ_ONCE(*x); {p1_after} }}\n"
            f"exists ({cond})\n")


def _rcu(p1_mid: str = "", *, p1_end: str = "", p0_mid: str = "", p0_after: str = "",
         lock: str = "rcu_read_lock();", p0_y: str = "WRITE_ONCE(*y, 1);",
         loads: tuple[str, str] = ("r0 = READ_ONCE(*x);", "r1 = READ_ONCE(*y);"),
         p1_start: str = "", cond: str = r"1:r0=1 /\ 1:r1=0") -> str:
    return (f"C RCU\n{{}}\nP0(int *x, int *y) {{ {lock} WRITE_ONCE(*x, 1); {p0_mid} {p0_y} "
            f"rcu_read_unlock(); {p0_after} }}\n"
            f"P1(int *x, int *y) {{ int r0; int r1; {p1_start} {loads[0]} {p1_mid} {loads[1]} "
            f"{p1_end} }}\nexists ({cond})\n")


def _plain(writer: str = "", reader: str = "", *, before_if: str = "", after: str = "",
           x_w: str = "*x = 1;", x_r: str = "r1 = *x;", y_w: str = "WRITE_ONCE(*y, 1);",
           y_r: str = "r0 = READ_ONCE(*y);", branch: bool = True,
           cond: str = r"1:r0=1 /\ 1:r1=0") -> str:
    body = (f"if (r0) {{\n\t\t{reader}\n\t\t{x_r}\n\t\t{after}\n\t}}" if branch
            else f"{reader}\n\t{x_r}\n\t{after}")
    return f"""C MP+plain-mine
{{}}
P0(int *x, int *y)
{{
\t{x_w}
\t{writer}
\t{y_w}
}}
P1(int *x, int *y)
{{
\tint r0;
\tint r1 = 0;

\t{y_r}
\t{before_if}
\t{body}
}}
exists ({cond})
"""


LB_ACQ, LB_REL = "r0 = smp_load_acquire(x); WRITE_ONCE(*y, 1);", \
    "r0 = READ_ONCE(*y); smp_store_release(x, 1);"
LB_P0, LB_P1 = "r0 = READ_ONCE(*x); WRITE_ONCE(*y, 1);", "r0 = READ_ONCE(*y); WRITE_ONCE(*x, 1);"
SYNC = "synchronize_rcu();"
NEVER = "the task asks for Never"

WRONG.update({
    "axiom-hb": [
        ("tester: control dependencies instead (Never, but the shape changed)",
         _lb("r0 = READ_ONCE(*x); if (r0) { WRITE_ONCE(*y, 1); }",
             "r0 = READ_ONCE(*y); if (r0) { WRITE_ONCE(*x, 1); }"),
         ["LKMM says Never", "P0 has an extra `if (r0)`", "P1 has an extra `if (r0)`"]),
        ("tester: full barriers, acquire only in a comment",
         _lb("r0 = READ_ONCE(*x); smp_mb(); WRITE_ONCE(*y, 1); /* smp_load_acquire(x) */",
             "r0 = READ_ONCE(*y); smp_mb(); WRITE_ONCE(*x, 1);"),
         ["LKMM says Never", "P0 uses smp_mb(); P1 uses smp_mb(): this exercise forbids them"]),
        ("the start, unchanged", _lb(LB_P0, LB_P1),
         ["LKMM says Sometimes", "P0 reads x=1 (P1's store); P1 reads y=1 (P0's store)", NEVER]),
        ("one CPU only", _lb(LB_ACQ, LB_P1), ["LKMM says Sometimes", NEVER]),
        ("write and read barriers", _lb("r0 = READ_ONCE(*x); smp_wmb(); WRITE_ONCE(*y, 1);",
                                        "r0 = READ_ONCE(*y); smp_rmb(); WRITE_ONCE(*x, 1);"),
         ["LKMM says Sometimes", "P0 uses smp_wmb(); P1 uses smp_rmb(): this exercise forbids"]),
        ("P0's accesses swapped", _lb("WRITE_ONCE(*y, 1); r0 = smp_load_acquire(x);", LB_REL),
         ["LKMM says Sometimes", "P0's `WRITE_ONCE(*y, 1)` is not where the task has it"]),
        ("another value", _lb("r0 = READ_ONCE(*x); WRITE_ONCE(*y, 2);", LB_REL,
                              r"0:r0=1 /\ 1:r0=2"),
         ["P0's store to y changed: `WRITE_ONCE(*y, 2)` where the task has `WRITE_ONCE(*y, 1)`",
          r"the condition is exists (0:r0=1 /\ 1:r0=2)"]),
        ("smp_store_mb() instead", _lb("r0 = READ_ONCE(*x); smp_store_mb(*y, 1);", LB_REL),
         ["P0's store to y became smp_store_mb(): this exercise adds only smp_load_acquire() "
          "and smp_store_release()"]),
        ("another condition", _lb(LB_ACQ, LB_REL, r"0:r0=0 /\ 1:r0=0"),
         ["LKMM says Sometimes", r"the task's is exists (0:r0=1 /\ 1:r0=1)"]),
        ("message passing instead", _mp(f"WRITE_ONCE(*x, 1); {REL}", f"{ACQ} r1 = READ_ONCE(*x);"),
         ["P0 has `WRITE_ONCE(*x, 1)` where the task has `r0 = READ_ONCE(*x)`",
          r"the task's is exists (0:r0=1 /\ 1:r0=1)"]),
    ],
    "axiom-pb": [
        ("tester: smp_wmb() for the two stores", _r("smp_wmb();", "smp_mb();"),
         ["LKMM says Sometimes", "P1 reads x=0 (the initial value)", NEVER]),
        ("the start, unchanged", _r(), ["LKMM says Sometimes", "there is no smp_mb() in the code"]),
        ("P1 only", _r(p1="smp_mb();"), ["LKMM says Sometimes", NEVER]),
        ("P0 only", _r("smp_mb();"), ["LKMM says Sometimes", NEVER]),
        ("P1's barrier after its load", _r("smp_mb();", p1_after="smp_mb();"),
         ["LKMM says Sometimes", NEVER]),
        ("three barriers", _r("smp_mb(); smp_wmb();", "smp_mb();"),
         ["LKMM says Never", "it adds 3 barriers; the fewest that work is 2"]),
        ("a release store for y", _r(p0_y="smp_store_release(y, 1);", p1="smp_mb();"),
         ["LKMM says Sometimes", "P0's store to y became smp_store_release(): this exercise "
          "adds only smp_mb(), smp_rmb() and smp_wmb()"]),
        ("smp_store_mb() on P1", _r("smp_mb();", p1_y="smp_store_mb(*y, 2);"),
         ["LKMM says Never", "P1's store to y became smp_store_mb()"]),
        ("another condition", _r("smp_mb();", "smp_mb();", cond=r"y=1 /\ 1:r0=0"),
         ["LKMM says Sometimes", r"the task's is exists ([y]=2 /\ 1:r0=0)"]),
        ("another initial state", _r("smp_mb();", "smp_mb();", init="{ x = 1; }"),
         ["the initial state sets x=1; the task's has x=0"]),
    ],
    "axiom-rcu": [
        ("tester: smp_mb() is not a grace period", _rcu("smp_mb();"),
         ["LKMM says Sometimes", "P1 reads x=1 (P0's store), then y=0 (the initial value)",
          NEVER]),
        ("the start, unchanged", _rcu(), ["LKMM says Sometimes", NEVER]),
        ("the grace period after both loads", _rcu(p1_end=SYNC), ["LKMM says Sometimes"]),
        ("the grace period before both loads", _rcu(p1_start=SYNC), ["LKMM says Sometimes"]),
        ("no critical section", _rcu(SYNC, lock=""),
         ["P0's `rcu_read_lock()` is gone; it is part of the task"]),
        ("the grace period on P0", _rcu(p0_after=SYNC),
         ["LKMM says Sometimes", "P0 gained synchronize_rcu(): the task adds barriers to P1 only"]),
        ("write and read barriers", _rcu("smp_rmb();", p0_mid="smp_wmb();"),
         ["LKMM says Sometimes", "P0 gained smp_wmb(): the task adds barriers to P1 only"]),
        ("P0's second store made a release", _rcu(p0_y="smp_store_release(y, 1);"),
         ["P0's store to y became smp_store_release(); P0's accesses stay as the critical "
          "section has them"]),
        ("two grace periods", _rcu(SYNC, p1_start=SYNC),
         ["LKMM says Never", "it adds 2 barriers; the fewest that work is 1"]),
        ("P1's loads swapped",
         _rcu(SYNC, loads=("r1 = READ_ONCE(*y);", "r0 = READ_ONCE(*x);")),
         ["LKMM says Sometimes", "P1 has `r1 = READ_ONCE(*y)` where the task has "
          "`r0 = READ_ONCE(*x)`"]),
    ],
    "axiom-data-race": [
        ("tester: no if (Never, but a data race)", _plain("smp_wmb();", "smp_rmb();",
                                                          branch=False),
         ["LKMM says Never", "It also flags a data race", "P1 lacks the task's `if (r0)`"]),
        ("the start, unchanged", _plain(),
         ["LKMM says Sometimes", "P1 reads y=1 (P0's store), then x=0 (the initial value)",
          "It also flags a data race", NEVER]),
        ("writer only", _plain("smp_wmb();"), ["LKMM says Sometimes", "flags a data race"]),
        ("reader only", _plain(reader="smp_rmb();"), ["LKMM says Sometimes"]),
        ("the barriers swapped", _plain("smp_rmb();", "smp_wmb();"), ["LKMM says Sometimes"]),
        ("the read barrier after the load", _plain("smp_wmb();", after="smp_rmb();"),
         ["LKMM says Sometimes"]),
        ("x marked instead", _plain("smp_wmb();", "smp_rmb();", x_w="WRITE_ONCE(*x, 1);",
                                    x_r="r1 = READ_ONCE(*x);"),
         ["P0's store to x became WRITE_ONCE(); x stays plain",
          "P1's load of x became READ_ONCE(); x stays plain"]),
        ("release and acquire on the flag", _plain(y_w="smp_store_release(y, 1);",
                                                   y_r="r0 = smp_load_acquire(y);"),
         ["LKMM says Never", "P0's store to y became smp_store_release(): this exercise adds "
          "only smp_mb(), smp_rmb() and smp_wmb()"]),
        ("three barriers", _plain("smp_wmb();", "smp_rmb();", before_if="smp_rmb();"),
         ["LKMM says Never", "it adds 3 barriers; the fewest that work is 2"]),
        ("another condition", _plain("smp_wmb();", "smp_rmb();", cond=r"1:r0=1 /\ 1:r1=1"),
         [r"the condition is exists (1:r0=1 /\ 1:r1=1)"]),
    ],
})

RIGHT.update({
    "axiom-hb": [
        ("the solution", exercise("axiom-hb").solution(), ""),
        ("two acquires, renamed and laid out", """C LB+poacquireonces
{}

P0(int *a, int *b)
{
	int seen;

	seen = smp_load_acquire(a);	/* the write below waits for this read */
	WRITE_ONCE(*b, 1);
}

P1(int *a, int *b)
{
	int seen;

	seen = smp_load_acquire(b);
	WRITE_ONCE(*a, 1);
}

exists (1:seen=1 /\\ 0:seen=1)
""", ""),
        ("two releases, declared with values",
         _lb("int v = READ_ONCE(*x); smp_store_release(y, 1);",
             "int w = READ_ONCE(*y); smp_store_release(x, 1);",
             r"0:v=1 /\ 1:w=1").replace("int r0; ", ""), ""),
        ("acquire and release on P0 (noted as not needed)",
         _lb("r0 = smp_load_acquire(x); smp_store_release(y, 1);", LB_REL),
         "which is not needed"),
    ],
    "axiom-pb": [
        ("the solution", exercise("axiom-pb").solution(), ""),
        ("renamed and laid out", """C R+fencembonceonces
{}

P0(int *data, int *flag)
{
	WRITE_ONCE(*data, 1);
	smp_mb();		/* a strong fence: data reaches every CPU before flag=1 is set */
	WRITE_ONCE(*flag, 1);
}

P1(int *data, int *flag)
{
	int seen;

	WRITE_ONCE(*flag, 2);
	smp_mb();
	seen = READ_ONCE(*data);
}

exists (flag=2 /\\ 1:seen=0)
""", ""),
        ("the condition reordered", _r("smp_mb();", "smp_mb();", cond=r"1:r0=0 /\ y=2"), ""),
    ],
    "axiom-rcu": [
        ("the solution", exercise("axiom-rcu").solution(), ""),
        ("one line per CPU", _rcu(SYNC), ""),
        ("renamed and commented", """C RCU+sync+read
{}
P0(int *head, int *tail)
{
	rcu_read_lock();		/* a reader that also writes */
	WRITE_ONCE(*head, 1);
	WRITE_ONCE(*tail, 1);
	rcu_read_unlock();
}
P1(int *head, int *tail)
{
	int h;
	int t;

	h = READ_ONCE(*head);
	synchronize_rcu();		/* waits out every section that had begun */
	t = READ_ONCE(*tail);
}
exists (1:t=0 /\\ 1:h=1)
""", ""),
    ],
    "axiom-data-race": [
        ("the solution", exercise("axiom-data-race").solution(), ""),
        ("smp_rmb() before the if", _plain("smp_wmb();", before_if="smp_rmb();"), ""),
        ("a full barrier for the writer (noted as heavier)",
         _plain("smp_mb();", "smp_rmb();"), "P0's smp_mb() could be the lighter smp_wmb()"),
        ("renamed", _plain("smp_wmb();", "smp_rmb();").replace("*x", "*buf").replace(
            "int *x", "int *buf").replace("*y", "*ready").replace("int *y", "int *ready"), ""),
    ],
})


def test_every_exercise_has_enough_cases():
    assert set(WRONG) == set(RIGHT) == set(EXERCISES)
    for key in EXERCISES:
        assert len(WRONG[key]) >= 8 and len(RIGHT[key]) >= 3, key


@pytest.mark.parametrize("key,why,text,reasons",
                         [(k, w, t, r) for k, cases in WRONG.items() for w, t, r in cases],
                         ids=[f"{k}:{w}" for k, cases in WRONG.items() for w, *_ in cases])
def test_wrong_answers_are_refused_with_the_reason(key, why, text, reasons, capsys):
    ok, out = _judge(key, text, capsys)
    assert not ok and out.startswith("Not yet: "), out
    assert "Correct" not in out
    if "cannot read it" not in out:
        assert re.match(r"Not yet: LKMM says (Never|Sometimes|Always) for your test", out), out
    for reason in reasons:
        assert reason in out, f"{why}: {reason!r} not in\n{out}"


@pytest.mark.parametrize("key,why,text,note",
                         [(k, w, t, n) for k, cases in RIGHT.items() for w, t, n in cases],
                         ids=[f"{k}:{w}" for k, cases in RIGHT.items() for w, *_ in cases])
def test_right_answers_are_accepted(key, why, text, note, capsys):
    ok, out = _judge(key, text, capsys)
    assert ok, f"{why}:\n{out}"
    assert out.startswith("Correct: LKMM says Never for your test")
    assert (note in out) if note else ("\n" not in out.strip()), out


@pytest.mark.parametrize("key", list(EXERCISES))
def test_the_start_and_unreadable_text_are_not_yet_and_hints_run_out(key, capsys):
    ex = exercise(key)
    assert ex.check(ex.solution())
    assert not ex.check(ex.start())
    assert "LKMM says Sometimes" in capsys.readouterr().out
    assert not ex.check("C broken\n{ x = }")
    assert "cannot read it" in capsys.readouterr().out
    hints = [ex.hint() for _ in range(len(ex.hints) + 1)]
    assert hints[0].startswith("Hint 1/") and hints[-1] == hints[-2]


def test_course_reexports_the_exercises():
    import swtlb.exercises

    assert swtlb.course.exercise is swtlb.exercises.exercise
    assert swtlb.course.EXERCISES is swtlb.exercises.EXERCISES
    assert swtlb.course.Exercise is swtlb.exercises.Exercise


def test_unknown_exercise():
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        exercise("nope")


def _insertions(text: str, barrier: str) -> list[str]:
    """``text`` with ``barrier`` inserted after each statement of each process, one at a time."""
    lines = text.splitlines()
    body = [i for i, line in enumerate(lines) if line.startswith("\t") and line.endswith(";")]
    return ["\n".join(lines[:i + 1] + [f"\t{barrier}();"] + lines[i + 1:])
            for i in body + [min(body) - 1]]


def test_swiotlb_fix_needs_two_barriers_so_two_is_the_fewest():
    task = exercise("swiotlb-flag-fix").checker
    assert task.fewest == 2
    for barrier in BARRIERS:
        for text in _insertions(task.start, barrier):
            assert swtlb.check(text).verdict == "Sometimes", text
    assert swtlb.check(exercise("swiotlb-flag-fix").solution()).verdict == "Never"


def test_three_cpu_solution_name_follows_the_kernel_scheme():
    name = swtlb.parse(exercise("three-cpu").solution()).name
    # WRC, then P1 (ctrl to the z store, smp_mb() to the w store), P2, and P0's single access
    assert name == "WRC+ctrlonceonce-fencembonceonce+fencermbonceonce+Once"


@pytest.mark.parametrize("key", list(EXERCISES))
def test_herd7_agrees_on_each_solution_and_start(key, tmp_path):
    ex = exercise(key)
    for what, text in (("solution", ex.solution()), ("start", ex.start())):
        path = tmp_path / f"{what}.litmus"
        path.write_text(text)
        out = herd7(path).stdout
        theirs = parse_herd_output(out)
        assert theirs.verdict, out
        ours = swtlb.check(text)
        assert theirs.key() == parse_herd_output(ours.herd_text()).key(), (what, out)
        assert ours.verdict == ("Never" if what == "solution" else "Sometimes")


@pytest.mark.parametrize("why,text", [(w, t) for w, t, _ in RIGHT["axiom-data-race"]])
def test_axiom_data_race_right_answers_race_no_more(why, text):
    result = swtlb.check(text)
    assert result.verdict == "Never" and "data-race" not in result.flags, why
    start = swtlb.check(exercise("axiom-data-race").start())
    assert "data-race" in start.flags


def test_axiom_exercises_cover_the_axioms_a_barrier_can_decide():
    """09: hb, pb, rcu and data races; coherence and atomic have none (see exercises.py)."""
    keys = [k for k in EXERCISES if k.startswith("axiom-")]
    assert keys == ["axiom-hb", "axiom-pb", "axiom-rcu", "axiom-data-race"]
    why = {"axiom-hb": "happens-before", "axiom-pb": "propagation", "axiom-rcu": "rcu",
           "axiom-data-race": "plain-coherence"}
    for key in keys:
        assert swtlb.check(exercise(key).solution()).explain().axiom == why[key], key
