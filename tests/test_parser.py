"""The parser reads herd7's C litmus format and refuses bad input with file:line:col."""

import pytest

import swtlb
from swtlb.litmus.ast import And, Atom, Loc, Not, Or

GOOD = """C MP+sample
"an optional doc string"
(*
 * Result: Never
 *)
{
	x=1; y=&z; int *p=&a; atomic_t v = ATOMIC_INIT(3);
	0:r9=2;
}

P0(int *x, int **y, spinlock_t *s) // a comment
{
	int r0, r1 = 5;
	/* a C comment */
	r0 = READ_ONCE(*x);
	if (r0 == 1 && !r1) {
		WRITE_ONCE(*x, r0 + 2);
	} else if (r0) {
		smp_store_release(x, (r0 - 1) * 3);
	} else
		*x = 4;
	spin_lock(s);
	spin_unlock(s);
}

locations [x; 0:r1;]
filter (0:r0=1)
exists (0:r0=1 /\\ ~(x=3 \\/ [y]=z) /\\ 0:r1<>0:r9) (* trailing *)
"""


def test_reads_every_section():
    t = swtlb.parse(GOOD)
    assert t.name == "MP+sample" and t.result == "Never"
    assert t.init == {"x": 1, "y": "z", "p": "a", "v": 3}
    assert t.reg_init == {(0, "r9"): 2}
    assert t.threads[0].params == ("x", "y", "s")
    assert t.locations == [Loc("x"), Loc("r1", 0)]
    assert t.filter == Atom(Loc("r0", 0), 1)
    prop = t.condition.prop
    assert t.condition.quantifier == "exists"
    assert isinstance(prop, And) and isinstance(prop.left, And)
    assert isinstance(prop.left.right, Not) and isinstance(prop.left.right.prop, Or)
    assert prop.right == Atom(Loc("r1", 0), Loc("r9", 0), negated=True)


@pytest.mark.parametrize("quantifier", ["exists", "~exists", "forall"])
def test_quantifiers(quantifier):
    t = swtlb.parse(f"C q\n{{}}\nP0(int *x) {{ WRITE_ONCE(*x, 1); }}\n{quantifier} (x=1)\n")
    assert t.condition.quantifier == quantifier


def test_missing_condition_means_forall_true():
    t = swtlb.parse("C q\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\n")
    assert t.condition.quantifier == "forall"


BAD = [
    ("X86 t\n{}\n", 1, 1, "architecture 'X86' is not supported"),
    ("C t\n{ x=1 y=2 }\nP0(int *x) { }\nexists (x=1)", 2, 7, "expected ';' after an init"),
    ("C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1) }\nexists (x=1)", 3, 32, "expected ';'"),
    ("C t\n{}\nP0(int *x) { r0 = ; }\nexists (x=1)", 3, 19, "expected an expression"),
    ("C t\n{}\nP1(int *x) { }\nexists (x=1)", 3, 1, "expected process P0"),
    ("C t\n{}\nP0(int *x) { }\nexists (x=1 /\\ )", 4, 16, "a register 'N:r' or a location"),
    ("C t\n{}\nP0(int *x) { }\nexists (x 1)", 4, 11, "expected '=' or '<>'"),
    ("C t\n{}\nP0(int *x) { if (x { } }\nexists (x=1)", 3, 20, "expected ')'"),
    ("C t\n{}\nP0(int *x) { while (1) { } }\nexists (x=1)", 3, 14, "'while' statements"),
    ("C t\n(* never closed\n{}\n", 2, 1, "never closed"),
    ("C t\n{}\nP0(int *x) { int r0; r0 = x[1]; }\nexists (x=1)", 3, 28, "arrays"),
]


@pytest.mark.parametrize("text,line,col,message", BAD)
def test_errors_name_file_line_and_column(text, line, col, message):
    with pytest.raises(swtlb.LitmusError) as info:
        swtlb.parse(text, file="bad.litmus")
    err = info.value
    assert (err.file, err.line, err.col) == ("bad.litmus", line, col), str(err)
    assert str(err).startswith(f"bad.litmus:{line}:{col}: ")
    if message:
        assert message in str(err)
    assert "\n" not in str(err)


def test_unknown_primitive_is_named_when_checked():
    t = swtlb.parse("C t\n{}\nP0(int *x) { spin_unlock_wait(x); }\nexists (x=1)\n")
    with pytest.raises(swtlb.UnsupportedError, match="unsupported primitive 'spin_unlock_wait'"):
        swtlb.check(t)


def test_wrong_argument_count_is_refused():
    t = swtlb.parse("C t\n{}\nP0(int *x) { WRITE_ONCE(*x); }\nexists (x=1)\n")
    with pytest.raises(swtlb.LitmusError, match=r"<string>:3:14: WRITE_ONCE\(\) takes 2"):
        swtlb.check(t)


def test_missing_file_is_a_litmus_error(tmp_path):
    with pytest.raises(swtlb.LitmusError, match="cannot read file"):
        swtlb.parse(tmp_path / "nope.litmus")


def test_integer_literals_follow_c():
    t = swtlb.parse("C t\n{ x=010; y=0x1f; }\nP0(int *x) { int r; r = 07; }\nexists (0:r=07)\n")
    assert t.init == {"x": 8, "y": 31}
    with pytest.raises(swtlb.LitmusError, match=r"<string>:3:25: expected an integer, found '08'"):
        swtlb.parse("C t\n{}\nP0(int *x) { int r; r = 08; }\nexists (0:r=1)\n")
