"""Every swiotlb scenario the course and the dashboard generate, decided by herd7 itself.

The course says its generated tests are ones herd7 reads and answers the same way; this runs
herd7 7.58 on each of them (2 and 3 CPUs) and compares verdict, counts and flags.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import shared_path

import swtlb
from swtlb.swiotlb import scenario
from swtlb.swiotlb.scenarios import HANDOFFS, READERS, WRITERS

OBSERVATION = re.compile(r"^Observation \S+ (\w+) (\d+) (\d+)", re.M)


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
    herd = shared_path("tools", "herd7", "herd7")
    lkmm = shared_path("lkmm")
    generated = _generated()
    assert len(generated) == 4 * 48 + 48

    def herd7(item: tuple[str, str]) -> tuple[str, str]:
        key, text = item
        path = tmp_path / f"{key}.litmus"
        path.write_text(text)
        run = subprocess.run([str(herd), "-conf", "linux-kernel.cfg", str(path)], cwd=lkmm,
                             capture_output=True, text=True, timeout=120)
        return key, run.stdout + run.stderr

    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = dict(pool.map(herd7, generated))
    disagree = []
    for key, text in generated:
        out = outputs[key]
        found = OBSERVATION.search(out)
        if not found:
            disagree.append(f"{key}: herd7 did not decide it: {out.strip()[:200]}")
            continue
        ours = swtlb.check(text)
        theirs = (found.group(1), int(found.group(2)), int(found.group(3)),
                  sorted(re.findall(r"^Flag (\S+)", out, re.M)))
        if theirs != (ours.verdict, ours.positive, ours.negative, sorted(ours.flags)):
            disagree.append(f"{key}: herd7 {theirs}, swtlb {ours.verdict} {ours.positive} "
                            f"{ours.negative} {sorted(ours.flags)}")
    assert not disagree, "\n".join(disagree)


@pytest.mark.parametrize("name", ["lock", "unlock"])
def test_generated_scenarios_avoid_names_herd7_refuses(name):
    """herd7 stops at a parameter named like its lock keywords ("unexpected 'lock'")."""
    for _, text in _generated():
        assert not re.search(rf"\*{name}\b", text)
