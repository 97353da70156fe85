"""Run a litmus test on the learner's own CPU: compile it to C, run it many times, count states.

The harness gives each process of the test its own thread. Every iteration uses fresh copies
of the shared variables (so each starts from the initial state) and resets every register to
its initial value; the threads meet at a barrier, run their code, and record their registers;
the counts come back as the same DataFrame as ``simulate()``. Primitives map as the kernel maps
them on this machine's architecture, via GCC's atomics: ONCE accesses are volatile,
acquire/release are ``__atomic`` loads/stores, ``smp_mb()`` is a sequentially consistent fence,
``smp_rmb()``/``smp_wmb()`` are acquire/release fences (nothing but a compiler barrier on x86,
``dmb`` on arm64). Arithmetic is herd7's, as the checker computes it (swtlb/arith.py): 32-bit
values that wrap around, division truncated toward zero.

Every generated C name is prefixed so that no test can collide with the harness: registers are
``r_<name>``, shared variables ``s_<name>``, the harness's own names ``swtlb_*``.

Only what this module compiled is ever run: binaries live in a per-user cache folder
(``$SWTLB_HARDWARE_CACHE``, else ``$XDG_CACHE_HOME/swtlb/hardware``, else
``~/.cache/swtlb/hardware``) that must be ours and closed to others (mode 0700). Each entry is
built in a fresh ``mkdtemp`` folder and renamed into place, and holds the sha256 of its binary;
a binary that does not match its record is never executed but rebuilt. The newest
``CACHE_ENTRIES`` entries are kept.
"""

from __future__ import annotations

import hashlib
import math
import operator
import os
import platform
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

import numpy as np
import pandas as pd

from . import arith
from .check import check, observed_locations, prop_locations
from .litmus.ast import (
    AddrOf,
    Assign,
    Binary,
    Call,
    Const,
    Declare,
    Deref,
    Expr,
    ExprStmt,
    If,
    LitmusTest,
    Loc,
    Name,
)
from .litmus.errors import LitmusError
from .litmus.parser import parse
from .machines.simulate import _count_rows, frequency_frame

MAX_ITERATIONS = 10**7  # 80 MB per shared variable and per observed location
CACHE_ENTRIES = 64
COMPILE_SECONDS = 120.0
_FLAGS = ("-O2", "-pthread")


class HardwareUnavailable(RuntimeError):
    """No C compiler, an unsafe cache folder, or the harness could not run here; the message
    says what to do."""


_FENCES = {"smp_mb": "__atomic_thread_fence(__ATOMIC_SEQ_CST);",
           "smp_rmb": "__atomic_thread_fence(__ATOMIC_ACQUIRE);",
           "smp_wmb": "__atomic_thread_fence(__ATOMIC_RELEASE);",
           "barrier": "__asm__ __volatile__(\"\" ::: \"memory\");"}
# C for each operator of arith.SCALAR, applied to two 32-bit values held in 64 bits
_C_OPS = {"+": "swtlb_32({a} + {b})", "-": "swtlb_32({a} - {b})", "*": "swtlb_32({a} * {b})",
          "/": "swtlb_div({a}, {b})", "&": "({a} & {b})", "|": "({a} | {b})", "^": "({a} ^ {b})",
          "&~": "({a} & ~{b})"}
_C_OPS.update({op: f"(swtlb_v)({{a}} {op} {{b}})" for op in ("==", "!=", "<", ">", "<=", ">=")})

# The harness's fixed part. Values are herd7's (swtlb/arith.py): signed 32-bit integers held in
# 64 bits, each '+', '-', '*' and '/' computed exactly then wrapped to 32 bits, '/' truncated
# toward zero; a division by zero (which the checker refuses before we get here) stops the run.
# The barrier is released by the last thread to arrive; a waiting thread yields its CPU after a
# while, so that a machine with fewer CPUs than threads still makes progress. On Linux, when
# there are CPUs enough, each thread is pinned to a CPU of its own: left to the scheduler, a
# loaded machine can keep two threads on one CPU for a whole run, where they never overlap and
# store buffering never shows.
_PRELUDE = r"""#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int64_t swtlb_v;
static long swtlb_n;
static long swtlb_arrived;
static long swtlb_phase;

static void swtlb_stop(const char *why) { fprintf(stderr, "%s\n", why); fflush(stderr); _exit(3); }
static swtlb_v swtlb_32(swtlb_v v) { return (int32_t)(uint32_t)v; }
static swtlb_v swtlb_div(swtlb_v a, swtlb_v b)
{ if (b == 0) swtlb_stop("division by zero"); return swtlb_32(a / b); }
static swtlb_v *swtlb_alloc(swtlb_v init) {
	swtlb_v *p = malloc(swtlb_n * sizeof *p);
	if (!p) swtlb_stop("out of memory: use fewer iterations");
	for (long i = 0; i < swtlb_n; i++) p[i] = init;
	return p;
}
static void swtlb_pin(pthread_t th, int t, int threads) {
#ifdef __linux__
	cpu_set_t all, one;
	if (sched_getaffinity(0, sizeof all, &all) || CPU_COUNT(&all) < threads) return;
	int k = t;
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all) && k-- == 0) { CPU_SET(c, &one); break; }
	pthread_setaffinity_np(th, sizeof one, &one);
#else
	(void)th; (void)t; (void)threads;
#endif
}
static void swtlb_meet(long i, long threads) {
	if (__atomic_add_fetch(&swtlb_arrived, 1, __ATOMIC_ACQ_REL) == threads) {
		__atomic_store_n(&swtlb_arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&swtlb_phase, i + 1, __ATOMIC_RELEASE);
		return;
	}
	for (long k = 0; __atomic_load_n(&swtlb_phase, __ATOMIC_ACQUIRE) <= i; k++)
		if (k >= 2000) sched_yield();
}
"""


def _c_name(prefix: str, name: str) -> str:
    """A C identifier for a litmus name, one-to-one: '_' doubles, '.' (legal in herd7) is '_d'."""
    return prefix + name.replace("_", "__").replace(".", "_d")


def _literal(value: int, fail) -> str:
    if not arith.fits(value):  # the parser refuses these already
        raise fail(f"the constant {value} does not fit in 32 bits")
    return f"((swtlb_v){value})"


class _Emitter:
    """C for one process; shared variable ``x`` of this iteration is ``s_x[swtlb_i]``."""

    def __init__(self, test: LitmusTest, thread_index: int, registers: set[str]):
        self.test = test
        self.params = set(test.threads[thread_index].params)
        self.registers = registers
        self.temps = 0  # operands go through temporaries so that C evaluates left to right

    def fail(self, what: str, pos=(1, 1)) -> LitmusError:
        return LitmusError(f"the hardware lab cannot run this test: {what}", self.test.file,
                           *pos)

    def lvalue(self, e: Expr, pos) -> str:
        if isinstance(e, Deref) and isinstance(e.pointer, Name) and e.pointer.ident in self.params:
            return f"{_c_name('s_', e.pointer.ident)}[swtlb_i]"
        raise self.fail("only '*param' accesses to shared variables are supported", pos)

    def pointer(self, e: Expr, pos) -> str:
        if isinstance(e, Name) and e.ident in self.params:
            return f"&{_c_name('s_', e.ident)}[swtlb_i]"
        raise self.fail("only parameters may be used as pointers", pos)

    def args(self, c: Call, n: int) -> tuple[Expr, ...]:
        if len(c.args) != n:
            raise self.fail(f"{c.func}() takes {n} argument(s), got {len(c.args)}", c.pos)
        return c.args

    def expr(self, e: Expr) -> str:
        if isinstance(e, Const):
            return _literal(e.value, lambda what: self.fail(what, e.pos))
        if isinstance(e, Name):
            if e.ident in self.registers:
                return _c_name("r_", e.ident)
            if e.ident in self.params or e.ident in self.test.init:
                raise self.fail("pointer values are not supported", e.pos)
            raise self.fail(f"unknown name '{e.ident}'", e.pos)
        if isinstance(e, Binary) and e.op in _C_OPS:
            left, right = self.expr(e.left), self.expr(e.right)
            a, b = f"swtlb_t{self.temps}", f"swtlb_t{self.temps + 1}"
            self.temps += 2
            return f"({a} = {left}, {b} = {right}, {_C_OPS[e.op].format(a=a, b=b)})"
        if isinstance(e, Deref):
            return f"(*(volatile swtlb_v *)&{self.lvalue(e, e.pos)})"
        if isinstance(e, Call):
            if e.func == "READ_ONCE":
                return f"(*(volatile swtlb_v *)&{self.lvalue(self.args(e, 1)[0], e.pos)})"
            if e.func == "smp_load_acquire":
                return (f"__atomic_load_n({self.pointer(self.args(e, 1)[0], e.pos)}, "
                        "__ATOMIC_ACQUIRE)")
            raise self.fail(f"'{e.func}' is not supported", e.pos)
        if isinstance(e, AddrOf):
            raise self.fail("'&' is not supported", e.pos)
        if isinstance(e, Binary):
            raise self.fail(f"operator '{e.op}' is not supported", e.pos)
        raise self.fail(type(e).__name__)

    def stmts(self, body, indent: str = "\t\t") -> list[str]:
        out = []
        for s in body:
            if isinstance(s, Declare):
                if s.init is not None:  # without one, the register keeps its value (checker)
                    out.append(f"{indent}{_c_name('r_', s.name)} = {self.expr(s.init)};")
            elif isinstance(s, Assign):
                target = (_c_name("r_", s.target.ident) if isinstance(s.target, Name) else
                          f"*(volatile swtlb_v *)&{self.lvalue(s.target, s.pos)}")
                out.append(f"{indent}{target} = {self.expr(s.value)};")
            elif isinstance(s, ExprStmt):
                c = s.expr
                if isinstance(c, Call) and c.func in _FENCES:
                    self.args(c, 0)
                    out.append(indent + _FENCES[c.func])
                elif isinstance(c, Call) and c.func == "WRITE_ONCE":
                    target, value = self.args(c, 2)
                    out.append(f"{indent}*(volatile swtlb_v *)&{self.lvalue(target, s.pos)} = "
                               f"{self.expr(value)};")
                elif isinstance(c, Call) and c.func == "smp_store_release":
                    target, value = self.args(c, 2)
                    out.append(f"{indent}__atomic_store_n({self.pointer(target, s.pos)}, "
                               f"{self.expr(value)}, __ATOMIC_RELEASE);")
                else:
                    out.append(f"{indent}(void){self.expr(c)};")
            elif isinstance(s, If):
                out.append(f"{indent}if ({self.expr(s.cond)}) {{")
                out += self.stmts(s.then, indent + "\t")
                out.append(f"{indent}}} else {{")
                out += self.stmts(s.orelse, indent + "\t")
                out.append(f"{indent}}}")
        return out


def _registers(test: LitmusTest, t: int, observed: list[Loc]) -> list[str]:
    """Every register process ``t`` declares or assigns (in branches too), initialises in the
    init block, or the condition reads: each is reset at the start of every iteration."""
    names = [reg for (thread, reg) in test.reg_init if thread == t]

    def walk(body):
        for s in body:
            if isinstance(s, Declare):
                names.append(s.name)
            elif isinstance(s, Assign) and isinstance(s.target, Name):
                names.append(s.target.ident)
            elif isinstance(s, If):
                walk(s.then)
                walk(s.orelse)

    walk(test.threads[t].body)
    names += [loc.name for loc in observed if loc.thread == t]
    return list(dict.fromkeys(names))


def harness(test: LitmusTest) -> tuple[str, list[Loc]]:
    """The C source, and the locations each recorded row holds (in order): the observed ones,
    then any the filter alone reads."""
    def fail(what: str) -> LitmusError:
        return LitmusError(f"the hardware lab cannot run this test: {what}", test.file, 1, 1)

    for v in [*test.init.values(), *test.reg_init.values()]:
        if isinstance(v, str):
            raise fail("pointer initial values")
    observed = observed_locations(test)
    observed += [loc for loc in prop_locations(test.filter) if loc not in observed]
    shared = sorted({p for t in test.threads for p in t.params} | set(test.init)
                    | {loc.name for loc in observed if loc.thread is None})
    n = len(test.threads)
    lines = [_PRELUDE]
    lines += [f"static swtlb_v *{_c_name('s_', s)};" for s in shared]
    lines += [f"static swtlb_v *swtlb_o{k};" for k in range(len(observed))]
    for t in range(n):
        regs = _registers(test, t, observed)
        em = _Emitter(test, t, set(regs))
        body = em.stmts(test.threads[t].body)
        lines += [f"static void *swtlb_P{t}(void *swtlb_arg) {{", "\t(void)swtlb_arg;",
                  "\tfor (long swtlb_i = 0; swtlb_i < swtlb_n; swtlb_i++) {"]
        if regs:
            lines.append("\t\tswtlb_v " + ", ".join(
                f"{_c_name('r_', r)} = {_literal(int(test.reg_init.get((t, r), 0)), fail)}"
                for r in regs) + ";")
        if em.temps:
            lines.append("\t\tswtlb_v " + ", ".join(f"swtlb_t{k}" for k in range(em.temps))
                         + ";")
        lines.append(f"\t\tswtlb_meet(swtlb_i, {n});")
        lines += body
        lines += [f"\t\tswtlb_o{k}[swtlb_i] = {_c_name('r_', loc.name)};"
                  for k, loc in enumerate(observed) if loc.thread == t]
        lines += ["\t}", "\treturn NULL;", "}"]
    lines += ["", "int main(int argc, char **argv) {",
              "\tif (argc != 2 || (swtlb_n = atol(argv[1])) <= 0) swtlb_stop(\"usage: N\");"]
    lines += [f"\t{_c_name('s_', s)} = swtlb_alloc("
              f"{_literal(int(test.init.get(s, 0)), fail)});" for s in shared]
    lines += [f"\tswtlb_o{k} = swtlb_alloc(0);" for k in range(len(observed))]
    lines.append(f"\tpthread_t swtlb_th[{n}];")
    lines += [f"\tif (pthread_create(&swtlb_th[{t}], NULL, swtlb_P{t}, NULL)) "
              f"swtlb_stop(\"cannot start a thread\");\n\tswtlb_pin(swtlb_th[{t}], {t}, {n});"
              for t in range(n)]
    lines.append(f"\tfor (int t = 0; t < {n}; t++) pthread_join(swtlb_th[t], NULL);")
    lines += [f"\tmemcpy(swtlb_o{k}, {_c_name('s_', loc.name)}, swtlb_n * sizeof(swtlb_v));"
              for k, loc in enumerate(observed) if loc.thread is None]
    lines += [f"\tif (fwrite(swtlb_o{k}, sizeof(swtlb_v), swtlb_n, stdout) != (size_t)swtlb_n) "
              "swtlb_stop(\"cannot write the results\");" for k in range(len(observed))]
    lines += ["\treturn fflush(stdout) ? 3 : 0;", "}"]
    return "\n".join(lines) + "\n", observed


def _compiler() -> str:
    for cc in ("cc", "gcc", "clang"):
        path = shutil.which(cc)
        if path:
            return path
    raise HardwareUnavailable("no C compiler found: install gcc (Debian: apt-get install gcc) "
                              "to run tests on this CPU")


def cache_folder() -> Path:
    """The per-user folder of compiled harnesses, created 0700; refused unless it is a folder
    we own that nobody else may enter, since whatever is in it gets executed."""
    root = os.environ.get("SWTLB_HARDWARE_CACHE")
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    try:
        path = Path(root or Path(xdg if os.path.isabs(xdg) else Path.home() / ".cache")
                    / "swtlb" / "hardware")
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(path)
    except (OSError, RuntimeError) as exc:  # RuntimeError: no home folder
        raise HardwareUnavailable(f"cannot create the cache folder ({exc}): set "
                                  "SWTLB_HARDWARE_CACHE to a folder of yours") from None
    why = ("is not a folder" if not stat.S_ISDIR(st.st_mode) else
           "belongs to another user" if st.st_uid != os.getuid() else
           f"is open to other users (mode {stat.S_IMODE(st.st_mode):o})"
           if st.st_mode & 0o077 else None)
    if why:
        raise HardwareUnavailable(f"the cache folder {path} {why}: the hardware lab runs only "
                                  "binaries nobody else can replace; remove it, or set "
                                  "SWTLB_HARDWARE_CACHE to a folder of yours with mode 0700")
    return path


def _read_own(path: Path, limit: int) -> bytes:
    """A regular file of ours, not through a symlink; OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_size > limit:
            raise OSError(f"{path} is not a file we wrote")
        return f.read()


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _verified(entry: Path) -> Path | None:
    """The entry's binary if it is the one we compiled: its sha256 matches the record beside."""
    try:
        if not stat.S_ISDIR(os.lstat(entry).st_mode):
            return None
        record = _read_own(entry / "litmus.sha256", 64).decode()
        binary = _read_own(entry / "litmus", 1 << 26)
    except (OSError, UnicodeDecodeError):
        return None
    return entry / "litmus" if hashlib.sha256(binary).hexdigest() == record else None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _tidy(cache: Path) -> None:
    """Keep the newest CACHE_ENTRIES entries; drop builds a killed run left over an hour ago."""
    entries = sorted((p for p in cache.iterdir() if not p.name.startswith(".")),
                     key=lambda p: p.lstat().st_mtime, reverse=True)
    old = [p for p in cache.glob(".build-*") if p.lstat().st_mtime < time.time() - 3600]
    for p in entries[CACHE_ENTRIES:] + old:
        _remove(p)


def _key(cc: str, source: str) -> str:
    return hashlib.sha256("\0".join([cc, *_FLAGS, source]).encode()).hexdigest()[:32]


def _bounded(cmd: list[str], seconds: float, what: str) -> subprocess.CompletedProcess:
    """Run ``cmd`` in a process group of its own, all of which (the compiler's cc1 and as too)
    is killed after ``seconds`` or on an interrupt."""
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, start_new_session=True) as p:
        try:
            out, err = p.communicate(timeout=seconds)
        except BaseException as exc:
            with suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            if isinstance(exc, subprocess.TimeoutExpired):
                raise HardwareUnavailable(f"{what} did not finish in {seconds:g} s") from None
            raise
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def compiled(source: str) -> Path:
    """The binary of ``source``: from the cache if its record vouches for it, else compiled in
    a fresh folder (with a time bound) and renamed into the cache."""
    cc = _compiler()
    cache = cache_folder()
    entry = cache / _key(cc, source)
    binary = _verified(entry)
    if binary:
        with suppress(OSError):
            os.utime(entry)  # recently used: the last to be tidied away
        return binary
    build = Path(tempfile.mkdtemp(prefix=".build-", dir=cache))
    try:
        _write_new(build / "litmus.c", source.encode())
        done = _bounded([cc, *_FLAGS, "-o", str(build / "litmus"), str(build / "litmus.c")],
                        COMPILE_SECONDS, "the C compiler")
        if done.returncode:
            raise HardwareUnavailable("the C compiler failed:\n"
                                      + done.stderr.decode(errors="replace")[-2000:])
        digest = hashlib.sha256((build / "litmus").read_bytes()).hexdigest()
        _write_new(build / "litmus.sha256", digest.encode())
        if _verified(entry) is None:  # else a concurrent run has just stored the same binary
            _remove(entry)  # whatever is there did not verify
            with suppress(OSError):  # a concurrent run got there first: verified below
                os.rename(build, entry)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    with suppress(OSError):  # best effort: a concurrent run may be tidying too
        _tidy(cache)
    binary = _verified(entry)
    if not binary:
        raise HardwareUnavailable(f"could not store the compiled harness in {cache}")
    return binary


def _iterations(iterations) -> int:
    try:
        n = operator.index(iterations)
    except TypeError:
        n = None
    if n is None or isinstance(iterations, bool) or not 1 <= n <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be an integer from 1 to {MAX_ITERATIONS:,}, "
                         f"got {iterations!r}")
    return n


def run_on_cpu(test: LitmusTest | str, iterations: int = 100_000, timeout: float = 120.0
               ) -> pd.DataFrame:
    """Run ``test`` ``iterations`` times on this CPU; one row per final state, as simulate()."""
    iterations = _iterations(iterations)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or \
            not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not isinstance(test, LitmusTest):
        test = parse(test)
    source, columns = harness(test)
    result = check(test)  # before running: a test the checker refuses is not worth compiling
    binary = compiled(source)
    done = _bounded([str(binary), str(iterations)], timeout, "the harness")
    if done.returncode:
        why = done.stderr.decode(errors="replace").strip()[-500:] or \
            f"status {done.returncode}"
        raise HardwareUnavailable(f"the harness stopped: {why}")
    if len(done.stdout) != 8 * len(columns) * iterations:
        raise HardwareUnavailable("the harness wrote an incomplete result")
    data = np.frombuffer(done.stdout, dtype=np.int64).reshape(len(columns), iterations).T
    counts = Counter(dict(_count_rows(data)))
    return frequency_frame(test, int, f"this CPU ({platform.machine()})", "lkmm",
                           observed_locations(test), columns, counts, iterations, result)
