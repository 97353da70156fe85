"""``--speedcheck``: herd7's ``-speedcheck true`` output, byte for byte (Time and Hash aside).

herd7 7.58 with ``-speedcheck true`` shows the model only the candidates that reach the test's
outcome (the condition for exists and ~exists, its negation for forall): the states, counts,
flags and Observation line cover those alone. ``fast`` also stops at the first allowed one.
The tests run herd7 itself on the shared tests and on small probes of every quantifier.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import SHARED, herd7, shared_path
from test_conformance import _known_mismatches

import swtlb
from swtlb.cli import main

STRICT_DIRS = ["kernel", "herdtools7"]
LIBRARY_SAMPLE = 30  # every flagged library test, then an even slice of the rest


def _herd7_times() -> dict[str, float]:
    table = SHARED / "litmus" / "expected-herd7.tsv"
    if not table.exists():
        return {}
    with table.open() as f:
        return {r["path"]: float(r["wall_s"]) for r in csv.DictReader(f, delimiter="\t")
                if r["wall_s"] and r["verdict"] != "TIMEOUT"}


def _library_sample() -> list[Path]:
    """Library tests herd7 decides in under a second, mismatches of the full mode left out
    (the symbolic OOTA values, docs/library-mismatches.md), flagged ones first."""
    times = _herd7_times()
    if not times:
        return []
    known = _known_mismatches()
    with (SHARED / "litmus" / "expected-herd7.tsv").open() as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["path"].startswith("library/")
                and r["path"] in times and times[r["path"]] < 1 and r["path"] not in known]
    flagged = [r["path"] for r in rows if r["flags"]]
    rest = [r["path"] for r in rows if not r["flags"]]
    step = max(1, len(rest) // max(1, LIBRARY_SAMPLE - len(flagged)))
    chosen = flagged + rest[::step]
    return [SHARED / "litmus" / p for p in chosen[:LIBRARY_SAMPLE]]


SHARED_TESTS = ([p for d in STRICT_DIRS for p in sorted(SHARED.joinpath("litmus", d)
                                                        .rglob("*.litmus"))]
                + _library_sample()) if SHARED.exists() else []

MP_BODY = """
{}

P0(int *x, int *y)
{
\tWRITE_ONCE(*x, 1);
\tWRITE_ONCE(*y, 1);
}

P1(int *x, int *y)
{
\tint r0;
\tint r1;

\tr0 = READ_ONCE(*y);
\tr1 = READ_ONCE(*x);
}

"""
SB_BODY = """
{}

P0(int *x, int *y)
{
\tint r0;

\tWRITE_ONCE(*x, 1);
\tsmp_mb();
\tr0 = READ_ONCE(*y);
}

P1(int *x, int *y)
{
\tint r0;

\tWRITE_ONCE(*y, 1);
\tsmp_mb();
\tr0 = READ_ONCE(*x);
}

"""
RACE_BODY = """
{}

P0(int *x, int *y)
{
\tint r0;

\tr0 = READ_ONCE(*x);
\tif (r0)
\t\t*y = 1;
}

P1(int *x, int *y)
{
\tint r1;

\tWRITE_ONCE(*x, 1);
\tr1 = *y;
}

"""
PROBES = {  # name: (body, condition): each quantifier with outcomes Never, Sometimes, Always
    "mp-ex-some": (MP_BODY, "exists (1:r0=1 /\\ 1:r1=0)"),
    "mp-ex-always": (MP_BODY, "exists (1:r0=0 \\/ 1:r0=1)"),
    "sb-ex-never": (SB_BODY, "exists (0:r0=0 /\\ 1:r0=0)"),
    "mp-nex-some": (MP_BODY, "~exists (1:r0=1 /\\ 1:r1=0)"),
    "mp-nex-always": (MP_BODY, "~exists (1:r0=0 \\/ 1:r0=1)"),
    "sb-nex-never": (SB_BODY, "~exists (0:r0=0 /\\ 1:r0=0)"),
    "mp-fa-always": (MP_BODY, "forall (1:r0=0 \\/ 1:r0=1)"),
    "mp-fa-some": (MP_BODY, "forall (1:r0=0 \\/ 1:r1=1)"),
    "sb-fa-never": (SB_BODY, "forall (0:r0=0 /\\ 1:r0=0)"),
    "mp-ex-memory": (MP_BODY, "exists ([x]=1 /\\ 1:r1=0)"),
    # the race happens only when P0 reads 1: herd7 flags it only if it judges such executions
    "race-ex": (RACE_BODY, "exists (0:r0=0)"),
    "race-nex": (RACE_BODY, "~exists (0:r0=0)"),
    "race-fa": (RACE_BODY, "forall (0:r0=0)"),
    "race-fa-clean": (RACE_BODY, "forall (0:r0=1)"),
}


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines()
            if line and not line.startswith(("Time ", "Hash="))]


def _herd7(path: Path, *options: str) -> str:
    run = herd7(path, *options, timeout=60)
    if run.returncode != 0 or "Observation" not in run.stdout:
        pytest.skip(f"herd7 failed on {path}: {run.stderr.strip()[:200]}")
    return run.stdout


def _probe(tmp_path: Path, name: str) -> Path:
    body, condition = PROBES[name]
    path = tmp_path / f"{name}.litmus"
    path.write_text(f"C {name}\n{body}{condition}\n")
    return path


def test_shared_set_is_there():
    shared_path("litmus")
    assert len(SHARED_TESTS) == 52 + LIBRARY_SAMPLE


def test_speedcheck_output_is_herd7s_on_the_shared_tests():
    """All 52 kernel and herdtools7 tests and a library sample, in one go (one failure
    message listing every difference, so a regression shows its whole extent)."""
    shared_path("litmus")
    differ = []
    for path in SHARED_TESTS:
        expected = _lines(_herd7(path, "-speedcheck", "true"))
        ours = _lines(swtlb.check(path, speedcheck=True, timeout=60).herd_text())
        if ours != expected:
            differ.append(f"{path.relative_to(SHARED)}:\n  ours {ours}\n  herd {expected}")
    assert not differ, "\n".join(differ)


@pytest.mark.parametrize("name", sorted(PROBES))
def test_speedcheck_probe_is_herd7s(name, tmp_path):
    path = _probe(tmp_path, name)
    assert _lines(swtlb.check(path, speedcheck=True).herd_text()) == \
        _lines(_herd7(path, "-speedcheck", "true"))


@pytest.mark.parametrize("name", sorted(PROBES))
def test_full_output_of_probe_is_herd7s(name, tmp_path):
    """Without speedcheck too: ~exists prints its Witnesses line the other way round."""
    path = _probe(tmp_path, name)
    assert _lines(swtlb.check(path).herd_text()) == _lines(_herd7(path))


@pytest.mark.parametrize("name", sorted(PROBES))
def test_fast_gives_herd7s_verdict_and_one_execution(name, tmp_path):
    """``fast`` stops at the first allowed execution reaching the outcome: same Ok/No as
    herd7's -speedcheck fast, at most one execution counted (which one may differ)."""
    path = _probe(tmp_path, name)
    ours = swtlb.check(path, speedcheck="fast")
    herd = _lines(_herd7(path, "-speedcheck", "fast"))
    assert ours.positive + ours.negative == len(ours.states) <= 1
    assert ("Ok" if ours.ok else "No") in herd
    assert f"States {len(ours.states)}" in herd


def test_speedcheck_skips_skeletons_that_cannot_reach_the_outcome(tmp_path):
    path = _probe(tmp_path, "sb-ex-never")
    full, quick = swtlb.check(path), swtlb.check(path, speedcheck=True)
    assert quick.candidates < full.candidates
    assert (quick.positive, quick.negative, quick.states) == (0, 0, {})
    assert quick.speedcheck == "true" and full.speedcheck == "false"


def test_unknown_speedcheck_is_refused(tmp_path):
    with pytest.raises(ValueError, match="speedcheck"):
        swtlb.check(_probe(tmp_path, "mp-ex-some"), speedcheck="quick")


def test_cli_speedcheck_prints_herd7s_lines_and_exits_0(tmp_path, capsys):
    path = _probe(tmp_path, "mp-nex-some")
    assert main(["check", "--speedcheck", str(path)]) == 0
    out = capsys.readouterr().out
    assert _lines(out) == _lines(_herd7(path, "-speedcheck", "true"))
    assert out.splitlines()[-2].startswith("Time mp-nex-some ")


def test_cli_speedcheck_fast_and_exit_statuses(tmp_path, capsys):
    good = _probe(tmp_path, "mp-ex-always")
    assert main(["check", "--speedcheck-fast", str(good)]) == 0
    assert "Positive: 1 Negative: 0" in capsys.readouterr().out
    bad = tmp_path / "bad.litmus"
    bad.write_text("C bad\n{}\nP0(int *x) { WRITE_ONCE(*x, ; }\nexists (x=1)\n")
    assert main(["check", "--speedcheck", str(bad)]) == 2
    assert main(["check", "--speedcheck", "--max-candidates", "1", str(good)]) == 3
    with pytest.raises(SystemExit):
        main(["check", "--speedcheck", "--speedcheck-fast", str(good)])
    capsys.readouterr()
