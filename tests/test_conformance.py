"""Our answers against herd7's own output (the .expected files are the oracle)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, SHARED, shared_path

import swtlb
from swtlb.herdout import parse_herd_output

STRICT_DIRS = ["kernel", "herdtools7"]


def _tests(*parts: str) -> list[Path]:
    base = SHARED.joinpath("litmus", *parts)
    return sorted(base.rglob("*.litmus")) if base.exists() else []


def _id(path: Path) -> str:
    return str(path.relative_to(SHARED / "litmus"))


STRICT = [p for d in STRICT_DIRS for p in _tests(d)]
LIBRARY = _tests("library")


def _known_mismatches() -> dict[str, tuple[str, str]]:
    """Library tests we do not match: docs/library-mismatches.md rows `path` | kind | reason."""
    text = (ROOT / "docs" / "library-mismatches.md").read_text()
    rows = re.finditer(r"^\|\s*`([^`]+)`\s*\|\s*(\w+)\s*\|([^|]*)\|", text, re.M)
    return {m.group(1): (m.group(2), m.group(3).strip()) for m in rows}


def _compare(path: Path) -> tuple[object, object]:
    ours = parse_herd_output(swtlb.check(path, timeout=60).herd_text())
    expected = parse_herd_output(path.with_name(path.name + ".expected").read_text())
    return ours, expected


def test_shared_litmus_present():
    shared_path("litmus")
    assert len(STRICT) == 52 and len(LIBRARY) == 125


@pytest.mark.parametrize("path", STRICT, ids=[_id(p) for p in STRICT])
def test_matches_herd7_exactly(path):
    ours, expected = _compare(path)
    assert ours.verdict == expected.verdict
    assert (ours.positive, ours.negative) == (expected.positive, expected.negative)
    assert ours.states == expected.states
    assert ours.flags == expected.flags
    assert ours.ok == expected.ok and ours.kind == expected.kind


@pytest.mark.parametrize("path", LIBRARY, ids=[_id(p) for p in LIBRARY])
def test_library(path):
    """Unlisted tests match herd7 exactly; listed ones fail the way the list says, no other."""
    name = _id(path)
    kind, _ = _known_mismatches().get(name, ("match", ""))
    if kind == "bound":  # the candidate bound, not a clock: the same stop on any machine
        with pytest.raises(swtlb.BoundError, match="more than 20000 candidate executions"):
            swtlb.check(path, max_candidates=20_000, timeout=600)
        return
    ours, expected = _compare(path)
    if kind == "match":
        assert ours.key() == expected.key()
    elif kind == "states":
        assert ours.verdict == expected.verdict and ours.key() != expected.key()
    else:
        assert kind == "verdict", f"unknown kind {kind!r} in the list"
        assert ours.verdict != expected.verdict, f"{name} now matches: drop it from the list"


def test_library_verdict_rate():
    """At least 97 % of the library tests get herd7's verdict."""
    shared_path("litmus", "library")
    known = _known_mismatches()
    assert all((SHARED / "litmus" / k).exists() for k in known), "stale entry in the list"
    wrong = sum(1 for kind, _ in known.values() if kind in ("verdict", "bound"))
    rate = 1 - wrong / len(LIBRARY)
    print(f"library verdicts: {len(LIBRARY) - wrong}/{len(LIBRARY)} = {rate:.1%}")
    assert rate >= 0.97


# ---- litmus-diy: diy7 headers and other forms herd7 accepts --------------------------------------
DIY = sorted(SHARED.joinpath("litmus-diy").rglob("*.litmus")) if SHARED.exists() else []

DIY_REFUSED: dict[str, tuple[type, str, str]] = {
    # path under litmus-diy/: (error, message, why we still refuse it); none left today:
    # dart/C-basic-02 (atomic_set(y + r2, r1), a store to 'y+-1') is decided since issue 13
}


def _diy_id(path: Path) -> str:
    return str(path.relative_to(SHARED / "litmus-diy"))


def _herd_lines(text: str) -> list[str]:
    """herd7's output minus what may differ: the Time and Hash lines, the closing blank line."""
    return [line for line in text.rstrip("\n").split("\n")
            if not line.startswith(("Time ", "Hash="))]


def test_shared_litmus_diy_present():
    shared_path("litmus-diy")
    assert len(DIY) == 28
    assert all((SHARED / "litmus-diy" / name).exists() for name in DIY_REFUSED), "stale entry"


@pytest.mark.parametrize("path", DIY, ids=[_diy_id(p) for p in DIY])
def test_litmus_diy(path):
    """Decided ones print herd7's output line for line; listed ones are refused, as listed."""
    name = _diy_id(path)
    if name in DIY_REFUSED:
        error, message, _ = DIY_REFUSED[name]
        with pytest.raises(error, match=message):
            swtlb.check(path, timeout=60)
        return
    expected = path.with_name(path.name + ".expected").read_text()
    ours = swtlb.check(path, timeout=60).herd_text(seconds=False)
    assert _herd_lines(ours) == _herd_lines(expected)
    assert parse_herd_output(ours).key() == parse_herd_output(expected).key()
