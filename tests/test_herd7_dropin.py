"""``swtlb-herd7`` as a drop-in ``herd7``: the kernel's own scripts run it unchanged.

The real client is ``tools/memory-model/scripts/checkalllitmus.sh``: it runs ``herd7`` from PATH
once per test and judges the output. The first tests lay out a folder as tools/memory-model is
laid out, put ``swtlb-herd7`` first on PATH under the name ``herd7``, run the script, and compare
each ``.litmus.out`` with herd7 7.58's own output (the ``.expected`` files, and a run of the real
herd7 where it is there). The rest pin the command line, the exit statuses and messages, the
model check and the Graphviz files, each against herd7 itself when it can be run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swtlb import herd7opts as opts
from swtlb import lkmmfiles
from swtlb.herd7cli import main
from swtlb.shared import shared_path, skip_message

KERNEL_TESTS = ("litmus", "kernel", "memory-model")
TIME_LINE = re.compile(r"^(Time |Hash=|\d+\.\d+user \d+\.\d+system |\d+inputs\+\d+outputs |"
                       r"Command exited with non-zero status )")


def need(what: str, *parts: str) -> Path:
    """A path under shared/, or a skip saying what is missing and how to provide it."""
    path = shared_path(*parts)
    if path is None:
        pytest.skip(skip_message(what, *parts))
    return path


def swtlb_herd7(tmp: Path) -> Path:
    """The installed console script, or (before ``pip install -e .``) an equivalent one."""
    script = Path(sys.executable).with_name("swtlb-herd7")
    if script.exists():
        return script
    script = tmp / "swtlb-herd7"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom swtlb.herd7cli import main\n"
                      "sys.exit(main())\n")
    script.chmod(0o755)
    return script


def real_herd7() -> Path:
    herd = need("runs with the real herd7", "tools", "herd7", "herd7")
    try:
        run = subprocess.run([str(herd), "-version"], capture_output=True, text=True,
                             timeout=30)
    except OSError as exc:
        pytest.skip(f"herd7 at {herd} does not run here: {exc}")
    if run.returncode != 0:
        pytest.skip(f"herd7 at {herd} does not run here: {run.stderr.strip()}")
    return herd


def layout(root: Path) -> Path:
    """A folder laid out as the kernel's tools/memory-model (see kernel-scripts/README.md)."""
    mm = root / "memory-model"
    (mm / "litmus-tests").mkdir(parents=True)
    for f in need("the kernel-scripts run", "lkmm").iterdir():
        shutil.copy(f, mm / f.name)
    shutil.copytree(need("the kernel-scripts run", "kernel-scripts", "scripts"), mm / "scripts")
    for f in sorted(need("the kernel-scripts run", *KERNEL_TESTS).glob("*.litmus")):
        shutil.copy(f, mm / "litmus-tests" / f.name)
    return mm


def run_scripts(mm: Path, herd7: Path, bindir: Path) -> tuple[subprocess.CompletedProcess,
                                                               float]:
    """checkalllitmus.sh with ``herd7`` on PATH being ``herd7``; (the run, its wall time)."""
    if not Path("/usr/bin/time").exists():
        pytest.skip("the kernel's checklitmus.sh runs /usr/bin/time, which is not installed")
    bindir.mkdir(exist_ok=True)
    link = bindir / "herd7"
    if not link.exists():
        link.symlink_to(herd7)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LKMM_")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    # as after a pip install, whose .pyc files spare each process compiling the package again
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(bindir.parent / "pycache")
    start = time.perf_counter()
    run = subprocess.run(["bash", "scripts/checkalllitmus.sh"], cwd=mm, env=env,
                         capture_output=True, text=True, timeout=1800)
    return run, time.perf_counter() - start


def herd_lines(text: str) -> list[str]:
    """herd7's output in a ``.litmus.out`` or ``.expected`` file, without the lines that
    change from run to run (Time, Hash=, /usr/bin/time's) and the script's own first line."""
    lines = text.splitlines()
    if lines and lines[0].startswith("Herd options:"):
        lines = lines[1:]
    lines = [line for line in lines if not TIME_LINE.match(line)]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


@pytest.fixture(scope="module")
def swtlb_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("kernel")
    mm = layout(root)
    run, seconds = run_scripts(mm, swtlb_herd7(root), root / "bin-swtlb")
    return mm, run, seconds


def test_checkalllitmus_passes_with_swtlb_herd7(swtlb_run):
    mm, run, seconds = swtlb_run
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "All litmus tests verified as was expected." in run.stderr
    assert "!!!" not in run.stdout
    print(f"checkalllitmus.sh with swtlb-herd7: {seconds:.1f} s")


def test_every_out_file_is_herd7s_expected_output(swtlb_run):
    mm, _, _ = swtlb_run
    expected_dir = need("the .expected comparison", *KERNEL_TESTS)
    outs = sorted((mm / "litmus-tests").glob("*.litmus.out"))
    assert len(outs) == len(list(expected_dir.glob("*.litmus"))) == 35
    differ = [out.name for out in outs
              if herd_lines(out.read_text()) != herd_lines(
                  (expected_dir / (out.name[:-4] + ".expected")).read_text())]
    assert differ == [], f"{len(outs) - len(differ)}/{len(outs)} equal; differ: {differ}"


def test_out_files_equal_the_real_herd7s_pairwise(swtlb_run, tmp_path):
    """The same script run with herd7 7.58 itself: the .out files agree one by one."""
    herd = real_herd7()
    mm_swtlb, _, swtlb_seconds = swtlb_run
    mm = layout(tmp_path)
    run, seconds = run_scripts(mm, herd, tmp_path / "bin-herd7")
    assert run.returncode == 0 and "All litmus tests verified" in run.stderr, run.stderr
    differ = []
    for out in sorted((mm / "litmus-tests").glob("*.litmus.out")):
        ours = mm_swtlb / "litmus-tests" / out.name
        if herd_lines(ours.read_text()) != herd_lines(out.read_text()):
            differ.append(out.name)
    assert differ == []
    print(f"checkalllitmus.sh: herd7 {seconds:.1f} s, swtlb-herd7 {swtlb_seconds:.1f} s")


# ---- the command line ---------------------------------------------------------------------------
def cfg_settings(tmp_path: Path, text: str) -> opts.Settings:
    (tmp_path / "t.cfg").write_text(text)
    return opts.parse_args(["-conf", str(tmp_path / "t.cfg")])


def test_conf_file_sets_model_variant_and_figure_options(tmp_path):
    s = cfg_settings(tmp_path, "# a comment\nmodel linux-kernel.cat\nbell = linux-kernel.bell\n"
                     "macros linux-kernel.def\n  \nvariant lkmmv2\ngraph columns\n"
                     "showevents noregs\nfontsize 8\nedgeattr co,color,blue\n"
                     "squished true\n")
    assert (s.cat, s.bell, s.macros) == ("linux-kernel.cat", "linux-kernel.bell",
                                         "linux-kernel.def")
    assert s.variants == {"lkmmv2"} and (s.graph, s.showevents) == ("columns", "noregs")
    assert s.style == {"fontsize": 8, "squished": True}
    assert s.edgeattrs == [("co", "color", "blue")]


def test_options_apply_left_to_right_and_variants_accumulate(tmp_path):
    (tmp_path / "t.cfg").write_text("graph columns\nvariant lkmmv2\n")
    s = opts.parse_args(["-graph", "free", "-conf", str(tmp_path / "t.cfg"), "-variant",
                         "lkmmv1", "-speedcheck", "fast", "a.litmus", "b.litmus"])
    assert s.graph == "columns" and s.variants == {"lkmmv1", "lkmmv2"}
    assert s.speedcheck == "fast" and s.files == ["a.litmus", "b.litmus"]


@pytest.mark.parametrize("argv,message", [
    (["-foo"], "unknown option '-foo'."),
    (["-unroll"], "option '-unroll' needs an argument."),
    (["-unroll", "x"], "wrong argument 'x'; option '-unroll' expects an integer."),
    (["-timeout", "x"], "wrong argument 'x'; option '-timeout' expects a float."),
    (["-speedcheck", "maybe"], "bad tag for -speedcheck, allowed tag are false,true,fast."),
    (["-show", "foo"], "bad tag for -show, allowed tag are prop,all,neg,cond,none,wit."),
])
def test_malformed_options_get_herd7s_message(argv, message):
    with pytest.raises(opts.UsageError) as info:
        opts.parse_args(argv)
    assert str(info.value) == message


@pytest.mark.parametrize("argv,why", [
    (["-through", "invalid"], "coherent and atomic"),
    (["-through", "all"], "coherent and atomic"),
    (["-skipchecks", "happens-before"], "happens-before is a check of the model"),
    (["-skipcheck", "coherence"], "coherence is a check of the model"),
    (["-show", "cond"], "-show prop, neg, all or none"),
    (["-hexa", "true"], "only -hexa false"),
    (["-v"], "no herd7 diagnostics"),
    (["-c11"], "not the Linux-kernel memory model"),
    (["-names", "x.txt"], "-names is not supported"),
])
def test_options_swtlb_cannot_honour_are_refused(argv, why):
    with pytest.raises(opts.Refused) as info:
        opts.parse_args(argv)
    assert why in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("argv", [["-through", "none"], ["-skipchecks", "no-such-check"],
                                  ["-q"], ["-unroll", "0"], ["-timeout", "none"],
                                  ["-hexa", "false"], ["-show", "prop", "-nshow", "3"]])
def test_options_that_change_nothing_are_accepted(argv):
    opts.parse_args(argv)


@pytest.mark.parametrize("line,message", [
    ("foo bar", "line 1, character 8: Unknown key 'foo' in configuration file"),
    ("  # indented", "line 1, character 0: Unknown key in configuration file"),
])
def test_bad_cfg_lines_get_herd7s_message(tmp_path, line, message):
    with pytest.raises(opts.CfgError) as info:
        cfg_settings(tmp_path, line + "\n")
    assert str(info.value) == f'File "{tmp_path / "t.cfg"}", {message}'


# ---- the model files ----------------------------------------------------------------------------
@pytest.fixture
def model_dir(tmp_path, monkeypatch):
    """A copy of the model files as the working folder (herd7 looks there first)."""
    for f in need("the model-file checks", "lkmm").iterdir():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HERDLIB", raising=False)
    return tmp_path


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def corr() -> str:
    return str(need("the model-file checks", *KERNEL_TESTS, "CoRR+poonceonce+Once.litmus"))


def test_known_model_is_recognised_through_comments_and_blanks(model_dir, capsys):
    cat = model_dir / "linux-kernel.cat"
    cat.write_text("(* reformatted copy *)\n" + cat.read_text().replace("\n", "\n\n  ")
                   + "// trailing note\n")
    status, out, err = run_main(capsys, "-conf", "linux-kernel.cfg", corr())
    assert status == 0 and err == "" and "Observation CoRR+poonceonce+Once Never 0 3" in out


@pytest.mark.parametrize("name,edit", [
    ("linux-kernel.cat", lambda t: t + "\nlet extra = po\n"),
    ("linux-kernel.bell", lambda t: t.replace("'ONCE", "'TWICE", 1)),
    ("linux-kernel.def", lambda t: t + "\nsmp_load_twice(X) __load{ONCE}(*X)\n"),
    ("lock.cat", lambda t: t.replace("empty", "irreflexive", 1)),
])
def test_a_changed_model_file_is_refused(model_dir, capsys, name, edit):
    path = model_dir / name
    path.write_text(edit(path.read_text()))
    status, out, err = run_main(capsys, "-conf", "linux-kernel.cfg", corr())
    assert status == 2 and out == ""
    assert err.startswith(f"swtlb-herd7: ./{name} differs from the {name} that swtlb "
                          "implements") and err.count("\n") == 1


def test_a_cfg_naming_another_model_is_refused(model_dir, capsys):
    (model_dir / "other.cat").write_text('"another model"\nacyclic po | rf as sc\n')
    (model_dir / "other.cfg").write_text("model other.cat\nbell linux-kernel.bell\n"
                                         "macros linux-kernel.def\nvariant lkmmv2\n")
    status, _, err = run_main(capsys, "-conf", "other.cfg", corr())
    assert status == 2 and "./other.cat differs from the linux-kernel.cat" in err


def test_a_shadowing_copy_of_herd7s_library_is_checked(model_dir, capsys):
    (model_dir / "cross.cat").write_text('"not herd7\'s cross.cat"\nlet x = 0\n')
    status, _, err = run_main(capsys, "-conf", "linux-kernel.cfg", corr())
    assert status == 2 and "./cross.cat differs from the cross.cat" in err


def test_model_files_are_found_through_dash_I(model_dir, capsys, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.chdir(elsewhere)
    status, out, _ = run_main(capsys, "-I", str(model_dir), "-conf", "linux-kernel.cfg",
                              corr())
    assert status == 0 and "Observation CoRR+poonceonce+Once" in out


@pytest.mark.parametrize("argv,why", [
    (["-conf", "linux-kernel.cfg", "-variant", "lkmmv1"], "variant lkmmv1,lkmmv2"),
    (["-cat", "linux-kernel.cat", "-bell", "linux-kernel.bell", "-macros",
      "linux-kernel.def"], "variant none"),
    (["-bell", "linux-kernel.bell"], "no model given"),
    (["-conf", "linux-kernel.cfg", "-gv"], "-gv starts a viewer"),
])
def test_setups_swtlb_cannot_answer_for_are_refused(model_dir, capsys, argv, why):
    status, out, err = run_main(capsys, *argv, corr())
    assert status == 2 and out == "" and why in err and err.count("\n") == 1


def test_missing_files_are_reported_as_herd7_reports_them(model_dir, capsys):
    test = corr()
    (model_dir / "lock.cat").unlink()
    status, out, err = run_main(capsys, "-conf", "linux-kernel.cfg", test)
    assert (status, out) == (0, "")
    assert err == ('File "./linux-kernel.cat", line 21, characters 0-18: Cannot find file '
                   "lock.cat\n")
    shutil.copy(need("the model-file checks", "lkmm", "lock.cat"), model_dir)
    (model_dir / "linux-kernel.def").unlink()
    assert run_main(capsys, "-conf", "linux-kernel.cfg", test) == (
        0, "", f'Warning: File "{test}": Cannot find file linux-kernel.def\n')
    (model_dir / "linux-kernel.bell").unlink()
    assert run_main(capsys, "-conf", "linux-kernel.cfg", test)[0::2] == (
        2, f"{opts.prog_name(sys.argv[0])}: Cannot find file linux-kernel.bell\n")


def test_normalisation_ignores_comments_and_white_space_only():
    text = '"m"\n(* a (* nested *) comment *)\nlet  a =\tpo // note\n'
    assert lkmmfiles.normalise(text, "cat") == '"m" let a = po'
    assert lkmmfiles.normalise("f(X) { __store{ONCE}(*X,V); } // c\n", "def") == \
        "f(X) { __store{ONCE}(*X,V); }"


# ---- exit statuses and messages, against herd7 --------------------------------------------------
BROKEN = {  # name: (test text, herd7's exit status, herd7's first stderr line, {path}: the file)
    "token": ("C t\n{}\nP0(int *x) { WRITE_ONCE(*x 1); }\nexists (x=1)\n", 0,
              'Warning: File "{path}", line 3, characters 27-28: unexpected \'1\' (in prog) '
              "(User error)"),
    "init": ("C t\n{ x=; }\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n", 0,
             'Warning: File "{path}", line 2, characters 4-5: unexpected \';\' (in init) '
             "(User error)"),
    "final": ("C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=)\n", 0,
              'Warning: File "{path}", line 4, characters 10-11: unexpected \')\' (in final) '
              "(User error)"),
    "macro": ("C t\n{}\nP0(int *x) { FOO_ONCE(*x, 1); }\nexists (x=1)\n", 0,
              'Warning: File "{path}": Unknown macro FOO_ONCE (User error)'),
    "procs": ("C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nP2(int *x) { WRITE_ONCE(*x, 1); }\n"
              "exists (x=1)\n", 0, 'Warning: File "{path}": Processes must be P0, P1, ...'),
    "lexer": ("C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1) @ ; }\nexists (x=1)\n", 0,
              'Warning: File "{path}", line 3, character 31: Lex error C lexer (in prog) '
              "(User error)"),
    "no-init": ("C t\n", 2, ""),
    "empty": ("", 2, ""),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_tests_get_herd7s_status_and_warning(model_dir, name):
    text, status, first = BROKEN[name]
    path = model_dir / f"{name}.litmus"
    path.write_text(text)
    script = swtlb_herd7(model_dir)
    ours = subprocess.run([str(script), "-conf", "linux-kernel.cfg", str(path)], cwd=model_dir,
                          capture_output=True, text=True, timeout=120)
    lines = ours.stderr.splitlines()
    assert (ours.returncode, ours.stdout) == (status, "")
    assert lines[0] == first.format(path=path)
    if status == 2:
        assert lines[1] == f'Fatal: File "{path}" Adios'
    if shared_path("tools", "herd7", "herd7") is not None:
        herd = subprocess.run([str(real_herd7()), "-conf", "linux-kernel.cfg", str(path)],
                              cwd=model_dir, capture_output=True, text=True, timeout=120)
        assert herd.returncode == ours.returncode
        assert herd.stderr.splitlines()[:2] == lines[:2]


def test_missing_test_file_is_a_warning_and_the_run_goes_on(model_dir, capsys):
    test = corr()
    status, out, err = run_main(capsys, "-conf", "linux-kernel.cfg", "/no/such.litmus", test)
    assert status == 0 and "Observation CoRR+poonceonce+Once" in out
    assert err == ('Warning: File "/no/such.litmus": open_in failed: /no/such.litmus: No such '
                   "file or directory\n")


def test_output_is_herd7s_byte_for_byte_but_time(model_dir, capsys):
    tests = sorted(need("the output comparison", *KERNEL_TESTS).glob("*.litmus"))[:6]
    status, out, _ = run_main(capsys, "-conf", "linux-kernel.cfg", *map(str, tests))
    expected = "".join(re.sub(r"Hash=\w+\n", "", t.with_name(t.name + ".expected").read_text())
                       for t in tests)
    assert status == 0
    assert re.sub(r"Time (\S+) \d+\.\d\d\n", "", out) == expected


def test_version_help_and_no_tests(capsys):
    status, out, _ = run_main(capsys, "-version")
    assert status == 0 and out.startswith("7.58, Rev: swtlb-")
    status, out, _ = run_main(capsys, "-help")
    assert status == 0 and out.startswith("Usage ") and "-speedcheck" in out
    assert run_main(capsys) == (0, "", "")


def test_timeout_drops_the_test_silently_as_herd7_does(model_dir, capsys):
    slow = need("the timeout check", "litmus", "library", "manual", "kernel",
                "C-ManfredSpraul-L1G2lock.litmus")
    status, out, err = run_main(capsys, "-conf", "linux-kernel.cfg", "-timeout", "0.5",
                                str(slow), corr())
    assert status == 0 and err == ""
    assert out.startswith("Test CoRR+poonceonce+Once Allowed")


def test_the_checking_path_imports_nothing_heavy(model_dir):
    """Start-up is most of the time per test in the kernel's scripts: no pandas, numpy,
    matplotlib, multiprocessing or argparse on the way to an answer."""
    code = ("import sys; from swtlb.herd7cli import main; main(['-conf', 'linux-kernel.cfg', "
            f"{corr()!r}]); heavy = {{'pandas', 'numpy', 'matplotlib', 'multiprocessing', "
            "'argparse', 'subprocess', 'ipywidgets', 'hashlib'}; "
            "print(sorted(heavy & set(sys.modules)), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], cwd=model_dir, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0 and run.stderr.strip() == "[]", run.stderr
    code = ("import sys; from swtlb.herd7cli import main; main(['-version']); "
            "print('swtlb.check' in sys.modules, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.stderr.strip() == "False"


def test_package_names_stay_the_functions_after_lazy_import():
    code = ("import swtlb; from swtlb import plots; import swtlb.check as c; "
            "print(callable(swtlb.check), c is swtlb.check, swtlb.CheckResult.__name__)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.stdout.split() == ["True", "True", "CheckResult"], run.stderr


# ---- Graphviz -----------------------------------------------------------------------------------
def kernel_result(name: str):
    from swtlb import check

    return check(need("the Graphviz checks", *KERNEL_TESTS, name + ".litmus"))


def test_dot_has_a_cluster_per_thread_and_named_edges():
    text = kernel_result("SB+poonceonces").to_dot("prop")
    assert text.count("digraph G {") == 1  # the one execution where the condition holds
    assert 'subgraph cluster_proc0 { rank=sink; label = "Thread 0";' in text
    assert 'subgraph cluster_proc1 {' in text
    assert re.findall(r'\[label="(\w+)"', text) == ["po", "po", "fr", "fr"]
    assert 'label="a: W[ONCE][x]=1"' in text and 'label="d: R[ONCE][x]=0"' in text


def test_dot_columns_pin_positions_as_herd7_does():
    text = kernel_result("MP+polocks").to_dot("all", nshow=1, graph="columns")
    assert 'proc0_label_node [shape=none, fontsize=8, label="Thread 0", pos="1.000000,' in text
    assert "Lock([mylock],R)" in text and 'label="iico_ctrl"' in text
    assert all(re.search(r'pos="[\d.]+,[\d.]+!"', line)
               for line in text.splitlines() if line.startswith("eiid") and "->" not in line)


def test_show_selects_executions_as_herd7_does():
    result = kernel_result("SB+poonceonces")
    counts = [result.to_dot(show).count("digraph") for show in ("prop", "neg", "all", "none")]
    assert counts == [result.positive, result.negative, result.positive + result.negative, 0]


def test_dot_files_render(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (Debian: apt-get install graphviz)")
    for name, style in (("SB+poonceonces", {}), ("MP+polocks", {"graph": "columns"}),
                        ("IRIW+poonceonces+OnceOnce", {"graph": "free", "squished": False,
                                                        "showinitwrites": True})):
        text = kernel_result(name).to_dot("all", nshow=1, **style)
        svg = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True,
                             timeout=60)
        assert svg.returncode == 0 and "<svg" in svg.stdout, svg.stderr


def graph_signature(text: str) -> list:
    """Each digraph as (its event labels, its edges between labels), letters left out: the
    same picture whatever herd7 or swtlb call the events."""
    graphs = []
    for g in re.split(r"(?=^digraph G \{)", text, flags=re.M):
        if not g.strip():
            continue
        nodes = {m[1]: m[2].split("\\l")[0] for m in re.finditer(
            r'^(eiid\d+) \[label="(?:[a-z]+\d*: ?)?([^"]*)"', g, re.M)}
        edges = []
        for a, b, label, rest in re.findall(r'^(\w+) -> (\w+) \[(?:label|taillabel)="([^"]*)"'
                                            r"(.*)$", g, re.M):
            if 'dir="back"' in rest:
                a, b = b, a  # herd7 turns some edges round to place their labels
            edges.append((nodes.get(a, a), label.strip(), nodes.get(b, b)))
        graphs.append((sorted(nodes.values()), sorted(edges)))
    return sorted(graphs)


def test_dot_files_show_what_herd7s_show(tmp_path):
    """``-show all -o DIR``: the same pictures as herd7's, up to event letters, on the
    kernel's tests."""
    herd = real_herd7()
    lkmm = need("the Graphviz comparison", "lkmm")
    ours, theirs = tmp_path / "ours", tmp_path / "herd7"
    ours.mkdir()
    theirs.mkdir()
    tests = sorted(str(t) for t in need("the Graphviz comparison", *KERNEL_TESTS)
                   .glob("*.litmus"))
    for tool, out in ((swtlb_herd7(tmp_path), ours), (herd, theirs)):
        run = subprocess.run([str(tool), "-conf", "linux-kernel.cfg", "-show", "all", "-o",
                              str(out), *tests], cwd=lkmm, capture_output=True, text=True,
                             timeout=600)
        assert run.returncode == 0, run.stderr
    differ = [f.name for f in sorted(theirs.glob("*.dot"))
              if graph_signature((ours / f.name).read_text()) != graph_signature(f.read_text())]
    assert differ == []
