"""herd7's command line and ``.cfg`` files, read as herd7 7.58 reads them.

The kernel's scripts pass ``$LKMM_HERD_OPTIONS`` (by default ``-conf linux-kernel.cfg``) straight
to ``herd7``, so ``swtlb-herd7`` accepts the same words in the same order: options are applied
left to right, a ``-conf`` file where it stands, ``-variant`` tags accumulate. Each herd7 option
is either honoured, accepted at the one value that is swtlb's behaviour anyway (``-through
none``), or refused with one line saying why. Malformed options get herd7's own message and exit
status 2, so a script sees the same failure it would see with herd7.

Only ``os`` is imported: this runs on every start of ``swtlb-herd7``.
"""

from __future__ import annotations

import os

# ---- what herd7 7.58 accepts -------------------------------------------------------------------
# kind: "unit" (no argument), "string", "int", "float", "bool", "float|none", "int|none",
# "string|none", or the tuple of allowed tags
SPEED = ("false", "true", "fast")
SHOW = ("prop", "all", "neg", "cond", "none", "wit")
GRAPH = ("free", "cluster", "columns")
SHOWEVENTS = ("all", "mem", "noregs", "memf")
SPLINES = ("spline", "true", "line", "false", "polyline", "ortho", "curved", "none")
THROUGH = ("all", "invalid", "none")
KINDS: dict[str, object] = {
    "version": "unit", "libdir": "unit", "set-libdir": "string", "v": "unit", "q": "unit",
    "I": "string", "exit": "bool", "timeout": "float|none", "conf": "string", "bell": "string",
    "macros": "string", "o": "string", "suffix": "string", "dumpes": "bool",
    "view": ("gv", "evince", "preview"), "gv": "unit", "evince": "unit", "preview": "unit",
    "unroll": "int", "hexa": "bool", "switch": "unit", "web": "unit", "c11": "unit",
    "debug": "string", "morefences": "bool", "model": "string", "cat": "string",
    "through": THROUGH, "throughflag": "string|none", "skipcheck": "string",
    "skipchecks": "string", "strictskip": "bool", "cycles": "string", "variant": "string",
    "machsize": ("auto", "byte", "short", "word", "quad", "s128"), "endian": ("little", "big"),
    "archcheck": "bool", "optace": ("false", "true", "iico"), "initwrites": "bool",
    "show": SHOW, "showflag": "string", "speedcheck": SPEED, "nshow": "int",
    "badexecs": "bool", "badflag": "string|none", "checkfilter": "bool", "showone": "bool",
    "maxphantom": "int|none", "statelessrc11": "bool", "dumpallfaults": "unit",
    "graph": GRAPH, "dotmode": ("plain", "fig"), "dotcom": ("dot", "neato", "circo"),
    "showevents": SHOWEVENTS, "mono": "bool", "scale": "float", "xscale": "float",
    "yscale": "float", "dsiy": "float", "siwidth": "float", "ptscale": "float",
    "boxscale": "float", "showthread": "bool", "shift": "string", "edgemerge": "bool",
    "labelinit": "bool", "showlegend": "bool", "showkind": "bool", "shortlegend": "bool",
    "squished": "bool", "fixedsize": "bool", "extrachars": "float", "showobserved": "bool",
    "brackets": "bool", "texmacros": "bool", "tikz": "bool", "showpo": "bool",
    "showinitrf": "bool", "showfinalrf": "bool", "initrfpos": "string",
    "finalrfpos": "string", "oneinit": "bool", "initpos": "string", "showinitwrites": "bool",
    "threadposy": "float", "doshow": "string", "unshow": "string", "symetric": "string",
    "noid": "string", "classes": "string|none", "showraw": "string", "splines": SPLINES,
    "margin": "float|none", "pad": "float|none", "sep": "string|none",
    "fontname": "string|none", "fontsize": "int|none", "edgefontsizedelta": "int",
    "penwidth": "float|none", "arrowsize": "float|none", "edgeattr": "string",
    "names": "string", "excl": "string", "rename": "string", "kinds": "string",
    "conds": "string", "candidates": "bool",
    "restrict": ("observed", "nonambiguous", "condone", "none"), "outcomereads": "bool",
    "overlap": "string|none", "relabel": "bool", "withbox": "bool", "labelbox": "bool",
    "movelabel": "bool", "dotheader": "string", "help": "unit",
}
CFG_ALIASES = {"include": "I", "verbose": "v"}  # .cfg keys that are spelt differently
VARIANT_TAGS = frozenset(
    "success instr specialx0 normw acqrelasfence backcompat fullscdepend splittedrmw "
    "switchdepscwrite switchdepscresult lrscdiffok mixed dontcheckmixed weakpredicated lkmmv1 "
    "lkmmv2 memtag vmsa kvm synchronous sync asynchronous async asymmetric asym handled fatal "
    "faultToNext CutOff deps morello instances noptebranch pte2 pte-squared PhantomOnLoad "
    "OptRfRMW ConstrainedUnpredictable exp self cos-opt test asl strict warn S128 ASLType+Warn "
    "ASLType+Silence ASLType+Check ASL+Experimental ASL+AArch64+UDF telechat OldSolver "
    "oota".split())
# the checks (named axioms) of linux-kernel.cat, lock.cat and cos-opt.cat: skipping one changes
# which executions are allowed, and swtlb's model stops at the first failing check
CHECKS = frozenset({"coherence", "atomic", "happens-before", "propagation", "rcu",
                    "plain-coherence", "lock-nest", "nested-is-locked", "unmatched-locks",
                    "ConsCo"})

# options that only shape the pictures; honoured by swtlb.dot
STYLE = frozenset({"mono", "scale", "xscale", "yscale", "showthread", "showlegend", "showkind",
                   "shortlegend", "squished", "fixedsize", "brackets", "showpo",
                   "showinitwrites", "showinitrf", "splines", "margin", "pad", "sep",
                   "fontname", "fontsize", "edgefontsizedelta", "penwidth", "arrowsize",
                   "overlap", "movelabel", "labelinit", "oneinit"})
# accepted only at the value that is swtlb's behaviour (herd7's default, mostly)
ONLY: dict[str, str] = {
    "exit": "false", "dumpes": "false", "hexa": "false", "strictskip": "false",
    "machsize": "auto", "endian": "little", "archcheck": "true", "badexecs": "true",
    "checkfilter": "true", "statelessrc11": "false", "dotmode": "plain", "edgemerge": "false",
    "showobserved": "false", "texmacros": "false", "tikz": "false", "showfinalrf": "false",
    "candidates": "false", "restrict": "none", "outcomereads": "false", "relabel": "false",
    "withbox": "false", "labelbox": "false", "through": "none", "initwrites": "false",
    "throughflag": "none", "badflag": "none", "classes": "none", "maxphantom": "none",
}
ACCEPTED_NOOP = frozenset({"q", "morefences", "optace"})  # herd7: no effect on the answers
WHY: dict[str, str] = {  # why an option is refused, when the generic reason would not say
    "through": "swtlb only builds candidate executions that are coherent and atomic, so it "
               "cannot let the invalid ones through",
    "skipchecks": "swtlb's model stops at the first failing check, so it cannot skip one",
    "variant": "swtlb implements linux-kernel.cfg's variant lkmmv2 and nothing else",
    "v": "swtlb has no herd7 diagnostics to show",
    "web": "that is herd7's web configuration, not the Linux-kernel memory model",
    "c11": "that is the C11 model, not the Linux-kernel memory model",
    "libdir": "swtlb has no herd7 library folder", "set-libdir": "swtlb has no herd7 library",
    "dotcom": "swtlb writes .dot files and never runs a Graphviz command itself",
    "initwrites": "init writes are always write events in swtlb",
}

class UsageError(Exception):
    """A malformed command line: herd7 prints ``PROG: message`` and its usage, exit status 2."""


class CfgError(Exception):
    """A bad line in a ``.cfg`` file: herd7 prints ``File "F", line N, ...: message``, 2."""


class Refused(Exception):
    """An option swtlb cannot honour: one line, exit status 2."""


class Settings:
    """What the command line and the ``.cfg`` files asked for."""

    def __init__(self) -> None:
        self.cat: str | None = None
        self.bell: str | None = None
        self.macros: str | None = None
        self.variants: set[str] = set()
        self.speedcheck = "false"
        self.timeout: float | None = None
        self.includes: list[str] = []
        self.show = "none"
        self.nshow: int | None = None
        self.outdir: str | None = None
        self.suffix = ""
        self.viewer: str | None = None
        self.graph = "cluster"
        self.showevents = "noregs"
        self.style: dict[str, object] = {}
        self.edgeattrs: list[tuple[str, str, str]] = []
        self.doshow: set[str] = set()
        self.unshow: set[str] = set()
        self.dotheader: str | None = None
        self.version = False
        self.help = False
        self.files: list[str] = []


def _convert(kind: object, value: str) -> object:
    """``value`` as an option of this kind, or ValueError (herd7's OCaml conversions)."""
    if isinstance(kind, tuple):
        if value not in kind:
            raise ValueError
        return value
    if kind.endswith("|none") and value == "none":
        return None
    base = kind.split("|")[0]
    if base == "int":
        return _ocaml_int(value)
    if base == "float":
        return _ocaml_float(value)
    if base == "bool":
        if value not in ("true", "false"):
            raise ValueError
        return value == "true"
    return value


def _ocaml_int(text: str) -> int:
    body = text.replace("_", "")
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-") if body[:1] in "+-" else body
    for prefix, base in (("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)):
        if body.startswith(prefix):
            return sign * int(body[2:], base)
    if not body.isdigit():
        raise ValueError
    return sign * int(body)


def _ocaml_float(text: str) -> float:
    value = float(text.replace("_", ""))
    if text.strip() != text or not text:
        raise ValueError
    return value


EXPECTS = {"int": "an integer", "float": "a float", "bool": "a boolean"}


def _usage_error(name: str, kind: object, value: str) -> UsageError:
    if isinstance(kind, tuple):
        return UsageError(f"bad tag for -{name}, allowed tag are {','.join(kind)}.")
    base = kind.split("|")[0]
    return UsageError(f"wrong argument '{value}'; option '-{name}' expects "
                      f"{EXPECTS.get(base, 'an argument')}.")


def apply(s: Settings, name: str, value: object, raw: str) -> None:
    """Record one option (already converted); raise ``Refused`` for what swtlb cannot do."""
    if name in ONLY:
        shown = raw if raw else str(value).lower()
        if shown != ONLY[name]:
            why = WHY.get(name, "swtlb does not implement it")
            raise Refused(f"-{name} {raw} is not supported: {why} (only -{name} "
                          f"{ONLY[name]} is)")
        return
    if name in ACCEPTED_NOOP:
        return
    if name == "conf":
        read_cfg(str(value), s)
    elif name in ("cat", "model"):
        s.cat = str(value)
    elif name in ("bell", "macros"):
        setattr(s, name, str(value))
    elif name == "variant":
        tags = [t for t in str(value).replace(",", " ").split() if t]
        for tag in tags:
            if tag not in VARIANT_TAGS and not (len(tag) == 3 and tag[0] == "T"
                                                and tag[1:].isdigit()):
                raise UsageError(f"tag {tag} for -variant is wrong, allowed tags are "
                                 f"{','.join(sorted(VARIANT_TAGS))}.")
        s.variants.update(tags)
    elif name == "speedcheck":
        s.speedcheck = str(value)
    elif name == "timeout":
        s.timeout = value  # type: ignore[assignment]
    elif name == "I":
        s.includes.append(str(value))
    elif name == "unroll":
        pass  # swtlb refuses loops, so no test it answers for depends on the bound
    elif name in ("skipcheck", "skipchecks"):
        names = [n for n in str(value).split(",") if n]
        checks = sorted(CHECKS.intersection(names))
        if checks:
            raise Refused(f"-{name} {value} is not supported: {WHY['skipchecks']} "
                          f"({', '.join(checks)} is a check of the model)")
        # names that are no check of the model: herd7 skips nothing either
    elif name == "show":
        if value in ("cond", "wit"):
            raise Refused(f"-show {value} is not supported: swtlb draws -show prop, neg, all "
                          "or none")
        s.show = str(value)
    elif name == "nshow":
        s.nshow = value  # type: ignore[assignment]
    elif name == "showone":
        s.nshow = 1 if value else None
    elif name == "o":
        s.outdir = str(value)
    elif name == "suffix":
        s.suffix = str(value)
    elif name in ("gv", "evince", "preview"):
        s.viewer = name
    elif name == "view":
        s.viewer = str(value)
    elif name == "graph":
        s.graph = str(value)
    elif name == "showevents":
        s.showevents = str(value)
    elif name in STYLE:
        s.style[name] = value
    elif name == "edgeattr":
        parts = str(value).split(",")
        if len(parts) != 3:
            raise UsageError(f"bad argument for key edgeattr: '{value}'")
        s.edgeattrs.append((parts[0], parts[1], parts[2]))
    elif name in ("doshow", "unshow"):
        getattr(s, name).update(n for n in str(value).split(",") if n)
    elif name == "dotheader":
        s.dotheader = str(value)
    elif name == "version":
        s.version = True
    elif name == "help":
        s.help = True
    else:
        why = WHY.get(name, "swtlb does not implement it")
        raise Refused(f"-{name} is not supported: {why}")


def parse_args(argv: list[str]) -> Settings:
    """Apply herd7's command line left to right; ``-version`` and ``-help`` stop it there."""
    s = Settings()
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if not word.startswith("-") or word == "-":
            s.files.append(word)
            continue
        name = word[1:]
        if name == "-help":
            name = "help"
        kind = KINDS.get(name)
        if kind is None:
            raise UsageError(f"unknown option '{word}'.")
        if kind == "unit":
            apply(s, name, True, "")
            if s.version or s.help:
                return s
            continue
        if i >= len(argv):
            raise UsageError(f"option '{word}' needs an argument.")
        raw = argv[i]
        i += 1
        try:
            value = _convert(kind, raw)
        except ValueError:
            raise _usage_error(name, kind, raw) from None
        apply(s, name, value, raw)
    return s


def read_cfg(name: str, s: Settings, depth: int = 0) -> None:
    """Apply a ``.cfg`` file, found as herd7 finds it: lines ``key value`` or ``key = value``;
    a ``#`` in the first column starts a comment line."""
    from .lkmmfiles import Finder, ModelError

    path = Finder(s.includes).find(name)
    if path is None:
        raise ModelError(f"Cannot find file {name}")
    if depth > 20:
        raise CfgError(f'File "{path}": configuration files include each other in a loop')
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except OSError as exc:
        raise ModelError(f"open_in failed: {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, 1):
        if line.startswith("#") or not line.strip(" \t\r"):
            continue
        where = f'File "{path}", line {number}'
        key = ""
        while len(key) < len(line) and (line[len(key)].isalnum() or line[len(key)] in "-_"):
            key += line[len(key)]
        rest = line[len(key):]
        value = rest.strip(" \t\r")
        if value.startswith("="):
            value = value[1:].strip(" \t\r")
        elif rest and rest[0] not in " \t":
            value = ""
        name_ = CFG_ALIASES.get(key, key)
        kind = KINDS.get(name_)
        if not key or kind is None or kind == "unit" and name_ != "gv":
            shown = f" '{key}'" if key else ""
            col = len(line) + 1 if key else 0
            raise CfgError(f"{where}, character {col}: Unknown key{shown} in configuration file")
        if not value:
            raise CfgError(f"{where}, character {len(line)}: missing argument for key {key}")
        if name_ == "gv":
            kind = "bool"
        try:
            converted = _convert(kind, value)
        except ValueError:
            what = (f"bad tags for {key}, allowed tag are {','.join(kind)}"
                    if isinstance(kind, tuple) else f"{kind.split('|')[0]} parameter expected")
            raise CfgError(f"{where}, character {len(line)}: {what}") from None
        if name_ == "gv":
            if converted:
                s.viewer = "gv"
        elif name_ == "conf":
            read_cfg(value, s, depth + 1)
        else:
            apply(s, name_, converted, value)


def prog_name(argv0: str) -> str:
    """How herd7 names itself in messages: as it was called (through PATH: ``herd7``)."""
    return os.path.basename(argv0) or "herd7"


SUPPORTED_HELP = [  # (option, argument, what it does) for -help, in herd7's layout
    ("-version", "", "show version number and exit"),
    ("-I", "<dir>", "add <dir> to search path"),
    ("-timeout", "<float|none>", "timeout (wall-clock seconds in swtlb)"),
    ("-conf", "<name>", "read configuration file <name>"),
    ("-bell", "<name>", "read bell file <name> (must be linux-kernel.bell)"),
    ("-macros", "<name>", "read macro (.def) file <name> (must be linux-kernel.def)"),
    ("-model", "<filename>.cat", "select model (must be linux-kernel.cat)"),
    ("-cat", "<filename>.cat", "select model (must be linux-kernel.cat)"),
    ("-variant", "<tags>", "architecture variation (must leave exactly lkmmv2)"),
    ("-speedcheck", "<false|true|fast>", "aim at checking condition in place of listing "
                                         "final states"),
    ("-through", "<none>", "what to let through in addition to valid executions"),
    ("-skipchecks", "<name,..,name>", "only names that are no check of the model"),
    ("-unroll", "<int>", "branch unrolling upper limit (swtlb refuses loops)"),
    ("-o", "<dir>", "generated .dot files will go into <dir>"),
    ("-suffix", "<suf>", "add <suf> at the end of the base of generated files"),
    ("-show", "<prop|all|neg|none>", "executions shown in figure, default none"),
    ("-nshow", "<n>", "collect at most <n> pictures"),
    ("-gv", "", "with -o: accepted (no viewer is started)"),
    ("-graph", "<free|cluster|columns>", "select sort of graph, default cluster"),
    ("-showevents", "<all|mem|noregs|memf>", "select events shown in figures, default noregs"),
    ("-help", "", "Display this list of options"),
]


def usage_text(prog: str) -> str:
    lines = [f"Usage {prog} [options] [test]*"]
    lines += [f"  {opt} {arg} {doc}" if arg else f"  {opt}  {doc}"
              for opt, arg, doc in SUPPORTED_HELP]
    lines.append("  (swtlb-herd7 answers for the Linux-kernel memory model only; herd7's other "
                 "options are refused with a reason; figure styling options of the .cfg, "
                 "such as fontsize or edgeattr, are honoured)")
    return "\n".join(lines) + "\n"
