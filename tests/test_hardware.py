"""The hardware lab runs litmus tests on this CPU and never reports a state LKMM forbids."""

from __future__ import annotations

import os
import platform

import pytest
from litmus_text import MP, SB

import swtlb
from swtlb import hardware
from swtlb.hardware import HardwareUnavailable, run_on_cpu

try:
    hardware._compiler()
    HAVE_CC = True
except HardwareUnavailable:
    HAVE_CC = False
needs_cc = pytest.mark.skipif(not HAVE_CC, reason="no C compiler on this machine")
X86 = platform.machine() in ("x86_64", "AMD64", "i686")


@needs_cc
@pytest.mark.parametrize("text", [
    MP % dict(w="", r=""), MP % dict(w="smp_wmb();", r="smp_rmb();"),
    SB % dict(f0="", f1=""), SB % dict(f0="smp_mb();", f1="smp_mb();")])
def test_every_observed_state_is_allowed_by_lkmm(text):
    freq = run_on_cpu(text, iterations=50_000)
    assert freq.loc[freq["count"] > 0, "allowed"].all()
    assert freq["count"].sum() == 50_000


@needs_cc
@pytest.mark.skipif(not X86, reason="x86-specific guarantee")
def test_x86_never_shows_message_passing():
    freq = run_on_cpu(MP % dict(w="", r=""), iterations=200_000)
    assert freq.loc[freq["exists"], "count"].sum() == 0


@needs_cc
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs running at once")
def test_store_buffering_shows_up_without_smp_mb():
    freq = run_on_cpu(SB % dict(f0="", f1=""), iterations=500_000)
    assert freq.loc[freq["exists"], "count"].sum() > 0


def test_unsupported_constructs_are_refused():
    with pytest.raises(swtlb.LitmusError, match="cannot run this test"):
        hardware.harness(swtlb.parse(
            "C t\n{}\nP0(int *x) { int r; r = xchg(x, 1); }\nexists (0:r=0)\n"))


def test_no_compiler_is_a_clear_message(monkeypatch):
    monkeypatch.setattr(hardware.shutil, "which", lambda name: None)
    with pytest.raises(HardwareUnavailable, match="no C compiler found: install gcc"):
        run_on_cpu(MP % dict(w="", r=""), iterations=10)
