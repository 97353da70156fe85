"""A small relation algebra over the events of one execution.

A relation on ``n`` events is a tuple of ``n`` bitmask rows (row ``i`` holds the successors of
event ``i``); a set of events is one int bitmask. Small executions (tens of events) make Python's
big ints the fastest honest representation: union is one ``|`` per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache


def bits(mask: int) -> Iterator[int]:
    """The indices of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class Rel:
    __slots__ = ("rows", "n", "diag")

    def __init__(self, rows: Iterable[int], n: int):
        self.rows = tuple(rows)
        self.n = n
        self.diag: int | None = None  # the set S when this relation is [S] (fast sequencing)

    @staticmethod
    def _of(rows: tuple[int, ...], n: int) -> Rel:
        """A relation from a ready tuple of rows, without copying."""
        r = object.__new__(Rel)
        r.rows, r.n, r.diag = rows, n, None
        return r

    # -- construction ---------------------------------------------------------------------------
    @staticmethod
    def empty(n: int) -> Rel:
        return Rel((0,) * n, n)

    @staticmethod
    def ident(s: int, n: int) -> Rel:
        """``[S]``: the identity restricted to the set ``s``."""
        return _ident(s, n)

    @staticmethod
    def product(a: int, b: int, n: int) -> Rel:
        """``A * B``: every pair from ``a`` to ``b``."""
        return Rel((b if a >> i & 1 else 0 for i in range(n)), n)

    @staticmethod
    def from_pairs(pairs: Iterable[tuple[int, int]], n: int) -> Rel:
        rows = [0] * n
        for i, j in pairs:
            rows[i] |= 1 << j
        return Rel(rows, n)

    # -- algebra --------------------------------------------------------------------------------
    def __or__(self, other: Rel) -> Rel:
        return Rel._of(tuple(map(int.__or__, self.rows, other.rows)), self.n)

    def __and__(self, other: Rel) -> Rel:
        return Rel._of(tuple(map(int.__and__, self.rows, other.rows)), self.n)

    def __sub__(self, other: Rel) -> Rel:
        return Rel._of(tuple([a & ~b for a, b in zip(self.rows, other.rows)]), self.n)

    def __matmul__(self, other: Rel) -> Rel:
        """Sequence ``r1 ; r2``."""
        if other.diag is not None:  # r ; [S]
            s = other.diag
            return Rel._of(tuple([r & s for r in self.rows]), self.n)
        orows = other.rows
        if self.diag is not None:  # [S] ; r
            s = self.diag
            return Rel._of(tuple([orows[i] if s >> i & 1 else 0 for i in range(self.n)]),
                           self.n)
        return Rel._of(_seq(self.rows, orows), self.n)

    def dom(self, s: int) -> Rel:
        """``[S] ; r``."""
        return Rel._of(tuple([row if s >> i & 1 else 0 for i, row in enumerate(self.rows)]),
                       self.n)

    def rng(self, s: int) -> Rel:
        """``r ; [S]``."""
        return Rel._of(tuple([row & s for row in self.rows]), self.n)

    @property
    def inv(self) -> Rel:
        """``r^-1``."""
        return Rel._of(_inverse(self.rows), self.n)

    @property
    def plus(self) -> Rel:
        """``r+``: transitive closure."""
        return Rel._of(_closure(self.rows), self.n)

    @property
    def star(self) -> Rel:
        """``r*``: reflexive-transitive closure over all events."""
        return Rel._of(tuple(map(int.__or__, _closure(self.rows), _units(self.n))), self.n)

    @property
    def opt(self) -> Rel:
        """``r?``."""
        return Rel._of(tuple(map(int.__or__, self.rows, _units(self.n))), self.n)

    # -- queries --------------------------------------------------------------------------------
    def domain(self) -> int:
        mask = 0
        for i, row in enumerate(self.rows):
            if row:
                mask |= 1 << i
        return mask

    def range(self) -> int:
        mask = 0
        for row in self.rows:
            mask |= row
        return mask

    def pairs(self) -> list[tuple[int, int]]:
        return [(i, j) for i, row in enumerate(self.rows) for j in bits(row)]

    def __contains__(self, pair: tuple[int, int]) -> bool:
        return bool(self.rows[pair[0]] >> pair[1] & 1)

    def is_empty(self) -> bool:
        return not any(self.rows)

    def is_irreflexive(self) -> bool:
        return not any(row >> i & 1 for i, row in enumerate(self.rows))

    def is_acyclic(self) -> bool:
        """Peel off events with no successors left; a cycle is what can never be peeled."""
        rows = self.rows
        alive = 0
        for i, row in enumerate(rows):
            if row:
                alive |= 1 << i
        changed = True
        while alive and changed:
            changed = False
            for i in bits(alive):
                if not rows[i] & alive:
                    alive &= ~(1 << i)
                    changed = True
        return not alive

    def find_cycle(self) -> list[int] | None:
        """One cycle as a list of events (the first repeated at the end), or None."""
        colour = [0] * self.n
        stack: list[int] = []
        for start in range(self.n):
            if colour[start]:
                continue
            work = [(start, iter(bits(self.rows[start])))]
            colour[start] = 1
            stack = [start]
            while work:
                node, succ = work[-1]
                nxt = next(succ, None)
                if nxt is None:
                    colour[node] = 2
                    work.pop()
                    stack.pop()
                elif colour[nxt] == 1:
                    return stack[stack.index(nxt):] + [nxt]
                elif colour[nxt] == 0:
                    colour[nxt] = 1
                    stack.append(nxt)
                    work.append((nxt, iter(bits(self.rows[nxt]))))
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rel) and self.rows == other.rows

    def __hash__(self) -> int:
        return hash(self.rows)

    def __repr__(self) -> str:
        return f"Rel({self.pairs()})"


@lru_cache(maxsize=256)
def _units(n: int) -> tuple[int, ...]:
    """The rows of the identity on ``n`` events."""
    return tuple(1 << i for i in range(n))


@lru_cache(maxsize=8192)
def _ident(s: int, n: int) -> Rel:
    r = Rel._of(tuple([(1 << i) if s >> i & 1 else 0 for i in range(n)]), n)
    r.diag = s
    return r


# The work of sequence, closure and inverse is memoised on the rows: the executions of one
# skeleton share po, the dependencies and the fences, so most of a model's relations come
# back again and again, and a lookup is much cheaper than the loops.
@lru_cache(maxsize=1 << 14)
def _seq(rows: tuple[int, ...], orows: tuple[int, ...]) -> tuple[int, ...]:
    live = 0  # the events with successors in orows: only those bits of a row contribute
    for i, o in enumerate(orows):
        if o:
            live |= 1 << i
    out = []
    for r in rows:
        r &= live
        acc = 0
        while r:
            low = r & -r
            acc |= orows[low.bit_length() - 1]
            r ^= low
        out.append(acc)
    return tuple(out)


@lru_cache(maxsize=1 << 12)
def _closure(rows: tuple[int, ...]) -> tuple[int, ...]:
    """Warshall on bitmask rows."""
    out = list(rows)
    n = len(out)
    for k in range(n):
        rk = out[k]
        if not rk:
            continue
        bk = 1 << k
        for i in range(n):
            if out[i] & bk:
                out[i] |= rk
    return tuple(out)


@lru_cache(maxsize=1 << 12)
def _inverse(rows: tuple[int, ...]) -> tuple[int, ...]:
    out = [0] * len(rows)
    for i, row in enumerate(rows):
        bit = 1 << i
        for j in bits(row):
            out[j] |= bit
    return tuple(out)
