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
    if kind == "bound":
        with pytest.raises(swtlb.BoundError):
            swtlb.check(path, timeout=20)
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
