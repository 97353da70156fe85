"""The relation algebra obeys the laws the cat language relies on."""

from hypothesis import given
from hypothesis import strategies as st

from swtlb.relations import Rel

N = 7


@st.composite
def rels(draw, n=N):
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20))
    return Rel.from_pairs(pairs, n)


def brute_closure(r: Rel) -> set:
    closure = set(r.pairs())
    while True:
        extra = {(a, d) for a, b in closure for c, d in closure if b == c} - closure
        if not extra:
            return closure
        closure |= extra


@given(rels())
def test_plus_is_the_transitive_closure(r):
    assert set(r.plus.pairs()) == brute_closure(r)


@given(rels(), rels(), rels())
def test_sequence_is_associative_and_distributes(a, b, c):
    assert (a @ b) @ c == a @ (b @ c)
    assert a @ (b | c) == (a @ b) | (a @ c)


@given(rels(), rels())
def test_inverse_laws(a, b):
    assert a.inv.inv == a
    assert (a @ b).inv == b.inv @ a.inv


@given(rels())
def test_acyclic_agrees_with_closure_and_cycle_finder(r):
    acyclic = r.plus.is_irreflexive()
    assert r.is_acyclic() == acyclic
    cycle = r.find_cycle()
    assert (cycle is None) == acyclic
    if cycle:
        assert cycle[0] == cycle[-1]
        assert all((a, b) in r for a, b in zip(cycle, cycle[1:]))


@given(rels(), st.integers(0, 2**N - 1), st.integers(0, 2**N - 1))
def test_restrictions_are_sequences_with_identity(r, s, t):
    assert r.dom(s) == Rel.ident(s, N) @ r
    assert r.rng(t) == r @ Rel.ident(t, N)
    assert (Rel.product(s, t, N) & r) == Rel.ident(s, N) @ r @ Rel.ident(t, N)


@given(rels())
def test_star_and_opt(r):
    ident = Rel.ident(2**N - 1, N)
    assert r.star == r.plus | ident
    assert r.opt == r | ident
    assert r.star @ r.star == r.star
