"""Run a litmus test on the learner's own CPU: compile it to C, run it many times, count states.

The harness gives each process of the test its own thread. Every iteration uses fresh copies
of the shared variables (so each starts from the initial state), the threads meet at a spin
barrier, run their code, and record their registers; the counts come back as the same DataFrame
as ``simulate()``. Primitives map as the kernel maps them on this machine's architecture, via
GCC's atomics: ONCE accesses are volatile, acquire/release are ``__atomic`` loads/stores,
``smp_mb()`` is a sequentially consistent fence, ``smp_rmb()``/``smp_wmb()`` are acquire/release
fences (nothing but a compiler barrier on x86, ``dmb`` on arm64).
"""

from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

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
    Unary,
)
from .litmus.errors import LitmusError
from .litmus.parser import parse
from .machines.simulate import _count_rows, frequency_frame


class HardwareUnavailable(RuntimeError):
    """No C compiler, or the harness could not run here; the message says what to install."""


_FENCES = {"smp_mb": "__atomic_thread_fence(__ATOMIC_SEQ_CST);",
           "smp_rmb": "__atomic_thread_fence(__ATOMIC_ACQUIRE);",
           "smp_wmb": "__atomic_thread_fence(__ATOMIC_RELEASE);",
           "barrier": "__asm__ __volatile__(\"\" ::: \"memory\");"}


class _Emitter:
    """C for one process; shared variable ``x`` of this iteration is ``v_x[i]``."""

    def __init__(self, test: LitmusTest, thread_index: int, shared: list[str]):
        self.test = test
        self.t = thread_index
        self.shared = shared
        self.params = set(test.threads[thread_index].params)

    def fail(self, what: str, pos) -> LitmusError:
        return LitmusError(f"the hardware lab cannot run this test: {what}", self.test.file,
                           *pos)

    def lvalue(self, e: Expr, pos) -> str:
        if isinstance(e, Deref) and isinstance(e.pointer, Name) and e.pointer.ident in self.params:
            return f"v_{e.pointer.ident}[i]"
        raise self.fail("only '*param' accesses to shared variables are supported", pos)

    def pointer(self, e: Expr, pos) -> str:
        if isinstance(e, Name) and e.ident in self.params:
            return f"&v_{e.ident}[i]"
        raise self.fail("only parameters may be used as pointers", pos)

    def expr(self, e: Expr) -> str:
        if isinstance(e, Const):
            return f"{e.value}L"
        if isinstance(e, Name):
            if e.ident in self.params:
                raise self.fail("pointer values are not supported", e.pos)
            return e.ident
        if isinstance(e, Unary):
            return f"({e.op}{self.expr(e.operand)})"
        if isinstance(e, Binary):
            return f"({self.expr(e.left)} {e.op} {self.expr(e.right)})"
        if isinstance(e, Deref):
            return f"(*(volatile long *)&{self.lvalue(e, e.pos)})"
        if isinstance(e, Call):
            if e.func in ("READ_ONCE",):
                return f"(*(volatile long *)&{self.lvalue(e.args[0], e.pos)})"
            if e.func == "smp_load_acquire":
                return f"__atomic_load_n({self.pointer(e.args[0], e.pos)}, __ATOMIC_ACQUIRE)"
            raise self.fail(f"'{e.func}' is not supported", e.pos)
        if isinstance(e, AddrOf):
            raise self.fail("'&' is not supported", e.pos)
        raise self.fail(type(e).__name__, (0, 0))

    def stmts(self, body, indent: str = "\t\t") -> list[str]:
        out = []
        for s in body:
            if isinstance(s, Declare):
                out.append(f"{indent}{s.name} = {self.expr(s.init) if s.init else '0L'};")
            elif isinstance(s, Assign):
                if isinstance(s.target, Name):
                    out.append(f"{indent}{s.target.ident} = {self.expr(s.value)};")
                else:
                    out.append(f"{indent}*(volatile long *)&{self.lvalue(s.target, s.pos)} = "
                               f"{self.expr(s.value)};")
            elif isinstance(s, ExprStmt):
                c = s.expr
                if isinstance(c, Call) and c.func in _FENCES and not c.args:
                    out.append(indent + _FENCES[c.func])
                elif isinstance(c, Call) and c.func == "WRITE_ONCE":
                    out.append(f"{indent}*(volatile long *)&{self.lvalue(c.args[0], s.pos)} = "
                               f"{self.expr(c.args[1])};")
                elif isinstance(c, Call) and c.func == "smp_store_release":
                    out.append(f"{indent}__atomic_store_n({self.pointer(c.args[0], s.pos)}, "
                               f"{self.expr(c.args[1])}, __ATOMIC_RELEASE);")
                else:
                    out.append(f"{indent}(void){self.expr(c)};")
            elif isinstance(s, If):
                out.append(f"{indent}if ({self.expr(s.cond)}) {{")
                out += self.stmts(s.then, indent + "\t")
                out.append(f"{indent}}} else {{")
                out += self.stmts(s.orelse, indent + "\t")
                out.append(f"{indent}}}")
        return out


def _registers(test: LitmusTest, t: int) -> list[str]:
    names: list[str] = []

    def walk(body):
        for s in body:
            if isinstance(s, Declare) and s.name not in names:
                names.append(s.name)
            elif isinstance(s, Assign) and isinstance(s.target, Name) and \
                    s.target.ident not in names:
                names.append(s.target.ident)
            elif isinstance(s, If):
                walk(s.then)
                walk(s.orelse)

    walk(test.threads[t].body)
    return names


def harness(test: LitmusTest) -> tuple[str, list[Loc]]:
    """The C source, and the locations each recorded row holds (in order): the observed ones,
    then any the filter alone reads."""
    for v in test.init.values():
        if isinstance(v, str):
            raise LitmusError("the hardware lab cannot run this test: pointer initial values",
                              test.file, 1, 1)
    shared = sorted({p for t in test.threads for p in t.params} | set(test.init))
    observed = observed_locations(test)
    observed += [loc for loc in prop_locations(test.filter) if loc not in observed]
    lines = ["#include <pthread.h>", "#include <stdio.h>", "#include <stdlib.h>",
             "#include <string.h>", "", "static long N;", "static volatile int go_count;",
             "static volatile long phase[64];"]
    lines += [f"static long *v_{s};" for s in shared]
    lines += [f"static long *o_{k};" for k in range(len(observed))]
    lines += ["", "static void meet(int me, int n, long i) {",
              "\t__atomic_fetch_add(&go_count, 1, __ATOMIC_SEQ_CST);",
              "\tif (me == 0) { while (go_count < n) ; go_count = 0;",
              "\t\t__atomic_store_n(&phase[0], i + 1, __ATOMIC_SEQ_CST); }",
              "\telse { while (__atomic_load_n(&phase[0], __ATOMIC_SEQ_CST) <= i) ; }", "}", ""]
    n = len(test.threads)
    for t in range(n):
        regs = _registers(test, t)
        em = _Emitter(test, t, shared)
        lines.append(f"static void *P{t}(void *arg) {{")
        lines.append("\t(void)arg;")
        if regs:
            lines.append("\tlong " + ", ".join(f"{r} = 0" for r in regs) + ";")
        lines.append("\tfor (long i = 0; i < N; i++) {")
        lines.append(f"\t\tmeet({t}, {n}, i);")
        lines += em.stmts(test.threads[t].body)
        for k, loc in enumerate(observed):
            if loc.thread == t:
                value = loc.name if loc.name in regs else "0L"
                lines.append(f"\t\to_{k}[i] = {value};")
        lines.append("\t}")
        lines.append("\treturn NULL;")
        lines.append("}")
    lines += ["", "int main(int argc, char **argv) {", "\tN = atol(argv[1]);"]
    for s in shared:
        lines.append(f"\tv_{s} = calloc(N, sizeof(long));")
        if test.init.get(s):
            lines.append(f"\tfor (long i = 0; i < N; i++) v_{s}[i] = {int(test.init[s])}L;")
    for k in range(len(observed)):
        lines.append(f"\to_{k} = calloc(N, sizeof(long));")
    lines.append(f"\tpthread_t th[{n}];")
    for t in range(n):
        lines.append(f"\tpthread_create(&th[{t}], NULL, P{t}, NULL);")
    lines.append(f"\tfor (int t = 0; t < {n}; t++) pthread_join(th[t], NULL);")
    for k, loc in enumerate(observed):
        if loc.thread is None:
            lines.append(f"\tmemcpy(o_{k}, v_{loc.name}, N * sizeof(long));")
    for k in range(len(observed)):
        lines.append(f"\tfwrite(o_{k}, sizeof(long), N, stdout);")
    lines += ["\treturn 0;", "}"]
    return "\n".join(lines) + "\n", observed


def _compiler() -> str:
    for cc in ("cc", "gcc", "clang"):
        path = shutil.which(cc)
        if path:
            return path
    raise HardwareUnavailable("no C compiler found: install gcc (Debian: apt-get install gcc) "
                              "to run tests on this CPU")


def run_on_cpu(test: LitmusTest | str, iterations: int = 100_000, timeout: float = 120.0
               ) -> pd.DataFrame:
    """Run ``test`` ``iterations`` times on this CPU; one row per final state, as simulate()."""
    if not isinstance(test, LitmusTest):
        test = parse(test)
    source, columns = harness(test)
    cc = _compiler()
    cache = Path(tempfile.gettempdir()) / "swtlb-hardware"
    cache.mkdir(exist_ok=True)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    binary = cache / f"litmus-{digest}"
    if not binary.exists():
        src = cache / f"litmus-{digest}.c"
        src.write_text(source)
        done = subprocess.run([cc, "-O2", "-pthread", "-o", str(binary), str(src)],
                              capture_output=True, text=True)
        if done.returncode:
            raise HardwareUnavailable(f"the C compiler failed:\n{done.stderr[-2000:]}")
    try:
        done = subprocess.run([str(binary), str(iterations)], capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise HardwareUnavailable(f"the harness did not finish in {timeout:g} s") from None
    if done.returncode:
        raise HardwareUnavailable(f"the harness failed with status {done.returncode}")
    data = np.frombuffer(done.stdout, dtype=np.int64).reshape(len(columns), iterations).T
    counts = Counter(dict(_count_rows(data)))
    return frequency_frame(test, int, f"this CPU ({platform.machine()})", "lkmm",
                           observed_locations(test), columns, counts, iterations, check(test))
