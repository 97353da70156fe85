"""swtlb.record stands in for dataclasses on the checking path: the same classes must behave
the same way (construction, defaults, equality, hashing, repr, frozenness)."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swtlb.record import field, fields, is_record, record


def twins(frozen: bool, eq: bool = True):
    """The same three-field class made by dataclasses and by record."""

    def body():
        return {"__annotations__": {"a": "int", "b": "tuple", "c": "list"},
                "b": (0, 0), "__doc__": "twin"}

    ns_d, ns_r = body(), body()
    ns_d["c"] = dataclasses.field(default_factory=tuple if frozen else list)
    ns_r["c"] = field(default_factory=tuple if frozen else list)
    d = dataclasses.dataclass(frozen=frozen, eq=eq)(type("T", (), ns_d))
    r = record(frozen=frozen, eq=eq)(type("T", (), ns_r))
    return d, r


values = st.one_of(st.integers(-3, 3), st.text(max_size=2))
args = st.tuples(values, st.one_of(st.just(None), st.tuples(values, values)))


@given(st.booleans(), args, args)
def test_equality_hash_and_repr_as_dataclasses(frozen, x, y):
    d, r = twins(frozen)
    dx, dy = (d(v[0]) if v[1] is None else d(*v) for v in (x, y))
    rx, ry = (r(v[0]) if v[1] is None else r(*v) for v in (x, y))
    assert (dx == dy) == (rx == ry)
    assert repr(dx) == repr(rx)
    if frozen:
        assert hash(dx) == hash(rx) and hash(dy) == hash(ry)  # both hash the field tuple
    else:
        with pytest.raises(TypeError):
            hash(rx)


def test_defaults_are_fresh_and_fields_ordered():
    _, r = twins(False)
    one, two = r(1), r(1)
    one.c.append(5)
    assert two.c == [] and one.b == (0, 0) and fields(r) == ("a", "b", "c")
    assert r.__match_args__ == ("a", "b", "c") and is_record(one) and not is_record(5)
    with pytest.raises(TypeError):
        r()  # a field without default is required, as with dataclasses


def test_frozen_refuses_assignment():
    _, r = twins(True)
    x = r(1)
    with pytest.raises(AttributeError):
        x.a = 2
    with pytest.raises(AttributeError):
        del x.a


def test_eq_false_keeps_identity():
    _, r = twins(False, eq=False)
    x, y = r(1), r(1)
    assert x != y and x == x and hash(x) != hash(y)


def test_different_classes_are_not_equal():
    @record(frozen=True)
    class A:
        v: int

    @record(frozen=True)
    class B:
        v: int

    assert A(1) != B(1) and A(1) == A(1)


def test_repr_and_compare_options():
    @record
    class C:
        shown: int
        hidden: int = field(default=0, repr=False, compare=False)

    assert repr(C(1, 2)).endswith(".C(shown=1)") and C(1, 2) == C(1, 3) and C(1) != C(2)


def test_checking_path_imports_no_dataclasses():
    """The point of record: swtlb-herd7's path leaves dataclasses (and inspect) unimported."""
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    code = (f"import sys; sys.path.insert(0, {root!r}); import swtlb.herd7cli, swtlb.check; "
            "print(sorted(m for m in ('dataclasses', 'inspect', 'pathlib', 'pandas', 'numpy') "
            "if m in sys.modules))")
    # -S: without site-packages, whose editable-install finder imports pathlib itself
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_replace_as_dataclasses():
    from swtlb.record import replace

    _, r = twins(True)
    x = r(1, (2, 3))
    assert replace(x, a=5) == r(5, (2, 3)) and replace(x) == x
    with pytest.raises(TypeError):
        replace(x, nope=1)
