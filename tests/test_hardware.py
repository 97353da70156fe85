"""The hardware lab runs litmus tests on this CPU and never reports a state LKMM forbids; it
runs only binaries it compiled itself, and translates each test faithfully."""

from __future__ import annotations

import hashlib
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import pytest
from litmus_text import MP, SB

import swtlb
from swtlb import arith, hardware
from swtlb.hardware import HardwareUnavailable, run_on_cpu

try:
    hardware._compiler()
    HAVE_CC = True
except HardwareUnavailable:
    HAVE_CC = False
needs_cc = pytest.mark.skipif(not HAVE_CC, reason="no C compiler on this machine")
X86 = platform.machine() in ("x86_64", "AMD64", "i686")
MP_PLAIN = MP % dict(w="", r="")


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hardware") / "cache"


@pytest.fixture(autouse=True)
def private_cache(monkeypatch, tmp_path, shared_cache):
    """Nothing here touches the real home or /tmp: the cache is a folder of this session (one
    for all tests, so each harness compiles once), the system temp folder one of this test."""
    monkeypatch.setenv("SWTLB_HARDWARE_CACHE", str(shared_cache))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


def states(freq) -> dict[str, int]:
    seen = freq[freq["count"] > 0]
    return dict(zip(seen["state"], seen["count"]))


def checker_states(text: str) -> set[str]:
    result = swtlb.check(text)
    return {result.state_text(s) for s in result.states}


@needs_cc
@pytest.mark.parametrize("text", [
    MP_PLAIN, MP % dict(w="smp_wmb();", r="smp_rmb();"),
    SB % dict(f0="", f1=""), SB % dict(f0="smp_mb();", f1="smp_mb();")])
def test_every_observed_state_is_allowed_by_lkmm(text):
    freq = run_on_cpu(text, iterations=50_000)
    assert freq.loc[freq["count"] > 0, "allowed"].all()
    assert freq["count"].sum() == 50_000


@needs_cc
@pytest.mark.skipif(not X86, reason="x86-specific guarantee")
def test_x86_never_shows_message_passing():
    freq = run_on_cpu(MP_PLAIN, iterations=200_000)
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
        run_on_cpu(MP_PLAIN, iterations=10)


# ---- §2: only what the lab compiled is ever executed -------------------------------------------
def planted_script(path: Path, marker: Path) -> bytes:
    """A 'binary' an attacker leaves behind: running it creates ``marker``."""
    script = f"#!/bin/sh\ntouch '{marker}'\n".encode()
    path.write_bytes(script)
    path.chmod(0o755)
    return script


def entry(text: str, cache: Path | None = None) -> Path:
    """The cache entry the lab uses for ``text``."""
    source = hardware.harness(swtlb.parse(text))[0]
    return (cache or hardware.cache_folder()) / hardware._key(hardware._compiler(), source)


@pytest.fixture
def own_cache(monkeypatch, tmp_path) -> Path:
    """A cache of this test alone, for tests that plant things in it."""
    monkeypatch.setenv("SWTLB_HARDWARE_CACHE", str(tmp_path / "own"))
    return tmp_path / "own"


def old_name(tmp_path: Path, text: str) -> Path:
    """Where the lab used to keep the binary: tempfile.gettempdir()/swtlb-hardware/litmus-<..>."""
    source = hardware.harness(swtlb.parse(text))[0]
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return tmp_path / "tmp" / "swtlb-hardware" / f"litmus-{digest}"


@needs_cc
def test_a_world_writable_cache_with_a_planted_script_is_refused(monkeypatch, tmp_path):
    cache = tmp_path / "open"
    monkeypatch.setenv("SWTLB_HARDWARE_CACHE", str(cache))
    cache.mkdir()
    cache.chmod(0o777)  # another user made it first, and left a script with a matching record
    marker = tmp_path / "ran"
    planted = entry(MP_PLAIN, cache)
    planted.mkdir()
    script = planted_script(planted / "litmus", marker)
    (planted / "litmus.sha256").write_text(hashlib.sha256(script).hexdigest())
    with pytest.raises(HardwareUnavailable, match="is open to other users"):
        run_on_cpu(MP_PLAIN, iterations=100)
    assert not marker.exists()


@needs_cc
def test_a_script_planted_in_the_shared_temp_folder_is_never_run(monkeypatch, tmp_path):
    monkeypatch.delenv("SWTLB_HARDWARE_CACHE")  # the default, per-user folder
    old = old_name(tmp_path, MP_PLAIN)
    old.parent.mkdir()
    old.parent.chmod(0o777)
    marker = tmp_path / "ran"
    planted_script(old, marker)
    freq = run_on_cpu(MP_PLAIN, iterations=100)
    assert not marker.exists() and freq["count"].sum() == 100
    cache = tmp_path / "home" / ".cache" / "swtlb" / "hardware"
    assert cache.is_dir() and cache.stat().st_mode & 0o777 == 0o700


def test_a_cache_folder_of_another_user_or_a_symlink_is_refused(monkeypatch, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    monkeypatch.setenv("SWTLB_HARDWARE_CACHE", str(mine))
    assert hardware.cache_folder() == mine
    with monkeypatch.context() as m:
        m.setattr(os, "getuid", lambda: mine.stat().st_uid + 1)
        with pytest.raises(HardwareUnavailable, match="belongs to another user"):
            hardware.cache_folder()
    (tmp_path / "link").symlink_to(mine)
    monkeypatch.setenv("SWTLB_HARDWARE_CACHE", str(tmp_path / "link"))
    with pytest.raises(HardwareUnavailable, match="is not a folder"):
        hardware.cache_folder()


@needs_cc
def test_a_symlink_at_the_source_name_does_not_get_its_target_overwritten(tmp_path, own_cache):
    text = SB % dict(f0="", f1="")
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    old = old_name(tmp_path, text)
    old.parent.mkdir()
    Path(f"{old}.c").symlink_to(victim)
    assert run_on_cpu(text, iterations=100)["count"].sum() == 100
    assert victim.read_text() == "precious\n"
    new = entry(text)
    hardware._remove(new)
    new.mkdir()  # an entry without a binary, its source a symlink
    (new / "litmus.c").symlink_to(victim)
    Path(f"{new}.c").symlink_to(victim)
    assert run_on_cpu(text, iterations=100)["count"].sum() == 100
    assert victim.read_text() == "precious\n"
    assert not (new / "litmus.c").is_symlink()


@needs_cc
def test_a_planted_binary_that_does_not_match_its_record_is_not_run(tmp_path, own_cache):
    marker = tmp_path / "ran"
    run_on_cpu(MP_PLAIN, iterations=10)  # compiled and stored
    stored = [p for root in (own_cache, tmp_path / "tmp")
              for p in root.rglob("litmus*") if not p.name.endswith((".c", ".sha256"))]
    assert stored
    for p in stored:
        planted_script(p, marker)
    assert run_on_cpu(MP_PLAIN, iterations=100)["count"].sum() == 100
    assert not marker.exists()
    binary = entry(MP_PLAIN) / "litmus"
    assert hashlib.sha256(binary.read_bytes()).hexdigest() == \
        (binary.parent / "litmus.sha256").read_text()


@needs_cc
def test_an_entry_that_is_a_symlink_to_someone_elses_folder_is_not_run(tmp_path, own_cache):
    marker = tmp_path / "ran"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = planted_script(elsewhere / "litmus", marker)
    (elsewhere / "litmus.sha256").write_text(hashlib.sha256(script).hexdigest())
    link = entry(MP_PLAIN)
    hardware._remove(link)
    link.symlink_to(elsewhere)
    assert run_on_cpu(MP_PLAIN, iterations=100)["count"].sum() == 100
    assert not marker.exists() and not link.is_symlink()


def test_the_compiler_is_bounded_in_time_and_its_folder_removed(monkeypatch, tmp_path):
    slow = tmp_path / "cc"
    slow.write_text("#!/bin/sh\nsleep 30 &\nexec sleep 30\n")  # a child holds the pipes too
    slow.chmod(0o755)
    monkeypatch.setattr(hardware, "_compiler", lambda: str(slow))
    monkeypatch.setattr(hardware, "COMPILE_SECONDS", 0.5)
    start = time.monotonic()
    with pytest.raises(HardwareUnavailable, match="the C compiler did not finish in 0.5 s"):
        run_on_cpu(MP_PLAIN, iterations=10)
    assert time.monotonic() - start < 10
    assert not list(hardware.cache_folder().glob(".build-*"))


@needs_cc
def test_the_harness_is_bounded_in_time():
    with pytest.raises(HardwareUnavailable, match="the harness did not finish"):
        run_on_cpu(MP_PLAIN, iterations=10**7, timeout=0.01)


@needs_cc
def test_the_cache_keeps_a_bounded_number_of_entries(monkeypatch, tmp_path):
    cache = tmp_path / "small"
    monkeypatch.setenv("SWTLB_HARDWARE_CACHE", str(cache))
    monkeypatch.setattr(hardware, "CACHE_ENTRIES", 2)
    cache.mkdir(mode=0o700)
    stale = cache / ".build-left-by-a-killed-run"
    stale.mkdir()
    os.utime(stale, (0, 0))
    for f in ("", "smp_mb();", "smp_wmb();"):
        run_on_cpu(SB % dict(f0=f, f1=""), iterations=10)
    assert len(list(cache.iterdir())) == 2


# ---- §4: a faithful translation --------------------------------------------------------------
@needs_cc
def test_register_initialisers_are_honoured():
    text = """C reg-init
{ 0:r9=5; 1:r3=-7; }
P0(int *x) { int r9; int r0; r0 = r9 * 2; WRITE_ONCE(*x, r9); }
P1(int *x) { int r1; r1 = r3; }
exists (0:r9=5 /\\ 0:r0=10 /\\ 1:r1=-7 /\\ 1:r3=-7 /\\ x=5)
"""
    freq = run_on_cpu(text, iterations=1_000)
    assert states(freq) == {"0:r0=10; 0:r9=5; 1:r1=-7; 1:r3=-7; [x]=5;": 1_000}
    assert freq.loc[freq["count"] > 0, "exists"].all()


@needs_cc
def test_a_register_declared_in_a_branch_is_reset_every_iteration():
    text = """C MP+branch
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_wmb(); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; r0 = READ_ONCE(*y); if (r0) { int r1; r1 = READ_ONCE(*x); } }
exists (1:r0=0 /\\ 1:r1=1)
"""
    freq = run_on_cpu(text, iterations=20_000)
    assert "1:r0=0; 1:r1=1;" not in states(freq)
    assert freq.loc[freq["count"] > 0, "allowed"].all()
    source = hardware.harness(swtlb.parse(text))[0]  # reset before the barrier, every time
    loop = source.index("for (long swtlb_i = 0;", source.index("swtlb_P1"))
    assert source.index("r_r1 = ((swtlb_v)0)", loop) < source.index("swtlb_meet(", loop)


@needs_cc
def test_names_the_harness_uses_itself_compile_and_run():
    text = """C collide
{ 0:i=1000000000; N=0; }
P0(int *N, int *v_x) { int arg; int main; arg = READ_ONCE(*N); main = i; WRITE_ONCE(*v_x, 1); }
P1(int *N, int *v_x) { int i; int swtlb_n; int r_i; int s_N; i = READ_ONCE(*v_x);
  swtlb_n = 2; r_i = 3; s_N = 4; WRITE_ONCE(*N, 1); }
P2(int *v_x) { int N; int th; int stdout; int t; N = READ_ONCE(*v_x); th = N; stdout = 1; t = 2; }
locations [1:swtlb_n; 1:s_N; 2:th; 2:stdout; 2:t;]
exists (0:arg=0 /\\ 0:main=1000000000 /\\ 1:i=0 /\\ N=1 /\\ v_x=1 /\\ 2:N=0 /\\ 1:r_i=3)
"""
    freq = run_on_cpu(text, iterations=2_000, timeout=60)
    assert freq["count"].sum() == 2_000
    assert set(states(freq)) <= checker_states(text)


@pytest.mark.parametrize("bad", [0, -1, 10**12, 2.5, "10", True, None])
def test_bad_iterations_are_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="iterations must be an integer from 1 to 10,000,000"):
        run_on_cpu(MP_PLAIN, iterations=bad)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "1"])
def test_bad_timeouts_are_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        run_on_cpu(MP_PLAIN, iterations=10, timeout=bad)


# ---- the checker's arithmetic (herd7's: 32 bits, wrapping, '/' toward zero) ------------------
ARITH = """C arith
{ x=-7; y=2; z=2147483647; w=-2147483648; }
P0(int *x, int *y, int *z, int *w) {
  int a; int b; int c; int d; int q; int r; int s; int t; int u; int v; int e; int f;
  a = READ_ONCE(*x); b = READ_ONCE(*y); c = READ_ONCE(*z); d = READ_ONCE(*w);
  q = a / b; r = 7 / (0 - b); s = c + 1; t = c * c; u = d / -1; v = d - 1;
  e = (a < b) + (b <= a) + (a == -7) + (a != b) + (a > b) + (a >= a);
  f = (a ^ b) + (a | b) + (a & 12);
}
locations [0:a; 0:b; 0:c; 0:d; 0:r; 0:s; 0:t; 0:u; 0:v; 0:e; 0:f;]
exists (0:q=-3)
"""


@needs_cc
def test_c_arithmetic_gives_the_checkers_values():
    freq = run_on_cpu(ARITH, iterations=10)
    assert set(states(freq)) == checker_states(ARITH)
    state = next(iter(states(freq)))
    assert "0:q=-3; 0:r=-3; 0:s=-2147483648; 0:t=1; 0:u=-2147483648; 0:v=2147483647;" in state


def test_every_operator_of_the_checker_has_its_c():
    assert set(hardware._C_OPS) == set(arith.SCALAR)


def random_expr(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(["a", "b", "c", str(rng.randint(-50, 50))])
    op = rng.choice(arith.OPERATORS)
    right = random_expr(rng, depth - 1)
    if op == "/":
        right = f"({right} | 1)"  # never zero: the checker refuses a test dividing by zero
    return f"({random_expr(rng, depth - 1)} {op} {right})"


@needs_cc
@pytest.mark.parametrize("seed", range(3))
def test_random_expressions_give_the_checkers_values(seed):
    rng = random.Random(seed)
    exprs = [random_expr(rng, 4) for _ in range(40)]
    regs = [f"r{k}" for k in range(len(exprs))]
    x, y, z = rng.choice([2147483647, -2147483648, -99, 99]), rng.randint(-99, 99), 65537
    text = (f"C arith-{seed}\n{{ x={x}; y={y}; z={z}; }}\nP0(int *x, int *y, int *z) {{\n"
            "  int a; int b; int c; " + " ".join(f"int {r};" for r in regs) + "\n"
            "  a = READ_ONCE(*x); b = READ_ONCE(*y); c = READ_ONCE(*z);\n"
            + "".join(f"  {r} = {e};\n" for r, e in zip(regs, exprs)) + "}\n"
            "locations [" + " ".join(f"0:{r};" for r in regs) + "]\nexists (0:a=0)\n")
    expected = checker_states(text)
    assert len(expected) == 1
    assert set(states(run_on_cpu(text, iterations=10))) == expected
