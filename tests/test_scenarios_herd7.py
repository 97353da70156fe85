"""Every swiotlb scenario the course and the dashboard generate, decided by herd7 itself.

The course says its generated tests are ones herd7 reads and answers the same way; this runs
herd7 7.58 on each of them (2 and 3 CPUs) and compares verdict, counts, states and flags.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import herd7, shared_path

import swtlb
from swtlb.herdout import parse_herd_output
from swtlb.swiotlb import scenario
from swtlb.swiotlb.scenarios import HANDOFFS, READERS, WRITERS


def _generated() -> list[tuple[str, str]]:
    tests = {}
    for variant in "abcd":
        for cpus in (2, 3) if variant == "d" else (2,):
            for w in WRITERS:
                for r in READERS:
                    for h in HANDOFFS:
                        sc = scenario(variant, w, r, h, cpus=cpus)
                        tests[f"{variant}-{cpus}-{w}-{r}-{h}"] = sc.text
    return sorted(tests.items())


def test_herd7_reads_and_decides_every_generated_scenario_as_swtlb_does(tmp_path):
    shared_path("tools", "herd7", "herd7")
    generated = _generated()
    assert len(generated) == 4 * 48 + 48

    def run(item: tuple[str, str]) -> tuple[str, str]:
        key, text = item
        path = tmp_path / f"{key}.litmus"
        path.write_text(text)
        done = herd7(path)
        return key, done.stdout + done.stderr

    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = dict(pool.map(run, generated))
    disagree = []
    for key, text in generated:
        theirs = parse_herd_output(outputs[key])
        if not theirs.verdict:
            disagree.append(f"{key}: herd7 did not decide it: {outputs[key].strip()[:200]}")
            continue
        ours = parse_herd_output(swtlb.check(text).herd_text())
        if theirs.key() != ours.key():  # verdict, counts, states and flags
            disagree.append(f"{key}: herd7 {theirs.key()}, swtlb {ours.key()}")
    assert not disagree, "\n".join(disagree)


@pytest.mark.parametrize("name", ["lock", "unlock"])
def test_generated_scenarios_avoid_names_herd7_refuses(name):
    """herd7 stops at a parameter named like its lock keywords ("unexpected 'lock'")."""
    for _, text in _generated():
        assert not re.search(rf"\*{name}\b", text)
