"""Graphviz pictures of executions, laid out as herd7's ``-show ... -o DIR`` writes them.

A kernel developer who has looked at herd7's graphs should recognise these: one box per thread
(``-graph cluster``) or one pinned column per thread (``-graph columns``, what linux-kernel.cfg
asks for), events named ``a: W[ONCE][x]=1``, ``R*[MB]`` for the read of an RMW, ``Lock([l],R)``
for a spinlock, the initial writes hidden unless ``-showinitwrites true``, and the edges named
and coloured as herd7 names and colours them: ``po`` (immediate program order) in black, ``rf``
red, ``co`` blue (reduced to immediate successors), ``fr`` orange, and ``iico_data`` /
``iico_ctrl`` between the two halves of a value-RMW or a lock acquisition.

Event names differ from herd7's on purpose: herd7 letters its internal event numbers, which skip
values; here the letters follow the threads and program order (a, b, c, ... then ev26, ...).
The file is plain text; ``dot -Tpng`` (or ``neato -n`` for the pinned columns) renders it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .record import fields as record_fields
from .record import is_record

ACCESS = {"once": "ONCE", "release": "RELEASE", "acquire": "ACQUIRE", "mb": "MB",
          "noreturn": "NORETURN"}
FENCE_NAMES = {"mb": "MB"}  # the other fences keep their linux-kernel.def names
COLOURS = {"po": "black", "rf": "red", "co": "blue", "fr": "#ffa040", "iico_data": "black",
           "iico_ctrl": "grey", "addr": "darkgreen", "data": "darkgreen", "ctrl": "darkgreen",
           "rmw": "black", "po-loc": "black"}
EXTRA = ("addr", "data", "ctrl", "rmw", "po-loc")  # what -doshow can add
MODEL_TITLE = "Generic(Linux-kernel memory consistency model)"


class DotStyle:
    """The figure options herd7 reads (``-graph``, ``-showevents``, ``fontsize``, ...).

    The defaults are linux-kernel.cfg's, except the graph kind: one cluster per thread, which
    ``dot`` lays out well; ``DotStyle(graph="columns")`` pins herd7's columns instead.
    """

    def __init__(self, **options: object) -> None:
        self.graph = "cluster"
        self.showevents = "noregs"
        self.fontsize: int | None = 8
        self.fontname: str | None = None
        self.edgefontsizedelta = 0
        self.arrowsize: float | None = 0.8
        self.penwidth: float | None = None
        self.splines: str | None = "spline"
        self.pad: float | None = 0.1
        self.margin: float | None = None
        self.sep: str | None = None
        self.overlap: str | None = None
        self.scale = 1.0
        self.xscale = 2.0
        self.yscale = 1.5
        self.showthread = True
        self.showlegend = True
        self.showkind = False
        self.shortlegend = False
        self.showpo = True
        self.showinitwrites = False
        self.showinitrf = False
        self.squished = True
        self.brackets = True
        self.mono = False
        self.fixedsize = False
        self.movelabel = True
        self.labelinit = True
        self.oneinit = True
        self.edgeattrs: dict[str, dict[str, str]] = {
            "hb": {"color": "indigo"}, "co": {"color": "blue"}, "mb": {"color": "darkgreen"},
            "wmb": {"color": "darkgreen"}, "rmb": {"color": "darkgreen"}}
        self.doshow: set[str] = set()
        self.unshow: set[str] = set()
        self.header = ""
        for name, value in options.items():
            if not hasattr(self, name):
                raise TypeError(f"unknown figure option {name!r}")
            setattr(self, name, value)

    @classmethod
    def from_settings(cls, s) -> DotStyle:
        """herd7's defaults overridden by what the command line and ``.cfg`` files said."""
        style = cls(graph=s.graph, showevents=s.showevents, fontsize=None, arrowsize=None,
                    splines=None, pad=None, xscale=1.0, yscale=1.0, squished=False,
                    showinitwrites=True, movelabel=False, edgeattrs={})
        for name, value in s.style.items():
            setattr(style, name, value)
        for label, attr, value in s.edgeattrs:
            style.edgeattrs.setdefault(label, {})[attr] = value
        style.doshow = set(s.doshow)
        style.unshow = set(s.unshow)
        if s.dotheader:
            from .lkmmfiles import Finder, ModelError

            path = Finder(s.includes).find(s.dotheader)
            if path is None:
                raise ModelError(f"Cannot find file {s.dotheader}")
            with open(path, encoding="utf-8", errors="replace") as f:
                style.header = f.read()
        return style


def _fmt(value: float) -> str:
    return f"{value:.6f}"


def _quote(text: str) -> str:
    """A label inside double quotes (its ``\\l`` line breaks are Graphviz's, kept as they are)."""
    return text.replace('"', '\\"')


def event_label(ev, brackets: bool = True, value=None) -> str:
    """An event as herd7 writes it in a figure, without its letter: ``W[ONCE][x]=1``,
    ``R*[MB][v]=0``, ``F[rmb]``, ``Lock([l],R)``, ``ReadLock([l],0)``, ``SRCU[sync-srcu]([s])``.
    ``value`` stands for the event's own where herd7 shows a symbol (``R[x]=S8``)."""
    tags = ev.tags
    loc = f"[{ev.loc}]" if brackets else str(ev.loc)
    if "LKR" in tags:
        return f"Lock({loc},R)"
    if "LKW" in tags:
        return f"Lock({loc},W)"
    if "UL" in tags:
        return f"Unlock({loc})"
    if "LF" in tags:
        return f"TryLock({loc},{ev.value})"
    if "RL" in tags or "RU" in tags:
        return f"ReadLock({loc},{1 if 'RL' in tags else 0})"
    if ev.kind == "F":
        names = sorted(FENCE_NAMES.get(t, t) for t in tags)
        return f"F[{','.join(names)}]"
    if ev.kind == "S":
        names = sorted(t for t in tags if t != "IW")
        return f"SRCU[{','.join(names)}]({loc})"
    star = "*" if "rmw" in tags else ""
    ann = sorted(ACCESS.get(t, t) for t in tags if t not in ("rmw", "IW"))
    head = f"{ev.kind}{star}" + (f"[{','.join(ann)}]" if ann else "")
    value = ev.value if value is None else value
    return f"{head}{loc}" + (f"={value}" if value is not None else "")


def _letter(k: int) -> str:
    return chr(ord("a") + k) if k < 26 else f"ev{k}"


class _Picture:
    """One execution as a list of dot lines."""

    def __init__(self, result, x, style: DotStyle):
        self.result, self.x, self.style = result, x, style
        self.lines: list[str] = []

    def shown(self) -> list[int]:
        x, st = self.x, self.style
        keep = []
        for i, ev in enumerate(x.events):
            if ev.thread < 0:
                if st.showinitwrites:
                    keep.append(i)
                continue
            if st.showevents == "mem" and ev.kind == "F":
                continue
            keep.append(i)
        return keep

    def attrs(self, *pairs: tuple[str, object]) -> str:
        return ", ".join(f"{k}={v}" for k, v in pairs if v is not None)

    def render(self) -> str:
        st, x = self.style, self.x
        shown = self.shown()
        visible = set(shown)
        first = next((i for i, ev in enumerate(x.events) if ev.thread >= 0), len(x.events))
        # herd7 numbers the threads' events first and the initial writes after them
        order = list(range(first, len(x.events))) + list(range(first))
        self.ids = {i: f"eiid{k}" for k, i in enumerate(order)}
        self.letters = letters = {i: _letter(k) for k, i in enumerate(order)}
        out = self.lines
        out.append("digraph G {")
        if st.header:
            out.append(st.header.rstrip("\n"))
        out.append("")
        for key in ("splines", "margin", "sep", "overlap"):
            value = getattr(st, key)
            if value is not None:
                out.append(f"{key}={value};" if key == "splines" else f'{key}="{value}";')
        if st.pad is not None:
            out.append(f'pad="{_fmt(st.pad)}";')
        if st.fontname is not None:
            out.append(f'fontname="{st.fontname}";')
        out.append("")
        if st.showlegend:
            out.append("/* legend */")
            if st.fontsize is not None:
                out.append(f"fontsize={st.fontsize};")
            test = self.result.test
            legend = f"Test {test.name}"
            if st.showkind:
                kind = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}
                legend += f" {kind[test.condition.quantifier]}"
            if not st.shortlegend:
                legend += f", {MODEL_TITLE}"
            out.append(f'label="{_quote(legend)}";')
            out.append("")
        inits = [i for i in shown if x.events[i].thread < 0]
        if inits:
            out.append("")
            out.append("/* the initial writes */")
            for i in inits:
                out.append(self.node(i, self.init_label(i), None))
        out.append("")
        out.append("/* the events of each thread */")
        threads: dict[int, list[int]] = {}
        for i in shown:
            if x.events[i].thread >= 0:
                threads.setdefault(x.events[i].thread, []).append(i)
        longest = max((len(v) for v in threads.values()), default=1)
        sx, sy = st.xscale * st.scale, st.yscale * st.scale
        for t in sorted(threads):
            events = threads[t]
            if st.graph == "cluster":
                size = f" fontsize={st.fontsize};" if st.fontsize is not None else ""
                title = f' label = "Thread {t}";' if st.showthread else ""
                out.append(f"subgraph cluster_proc{t} {{ rank=sink;{title}{size} "
                           "color=magenta; shape=box;")
            elif st.graph == "columns" and st.showthread:
                top = (longest - 1) * 0.75 * sy + 0.45 * sy
                out.append(f"proc{t}_label_node [" + self.attrs(
                    ("shape", "none"), ("fontsize", st.fontsize),
                    ("label", f'"Thread {t}"'), ("pos", f'"{_fmt(1 + t * sx)},{_fmt(top)}!"'),
                    ("fixedsize", "true"), ("width", _fmt(0.65 * sx)),
                    ("height", _fmt(0.1875 * sy))) + "]")
            for k, i in enumerate(events):
                pos = None
                if st.graph == "columns":
                    pos = f'"{_fmt(1 + t * sx)},{_fmt((longest - 1 - k) * 0.75 * sy)}!"'
                out.append(self.node(i, f"{letters[i]}: {self.label(i)}", pos))
            if st.graph == "cluster":
                out.append("}")
        self.edges(visible)
        out.append("}")
        return "\n".join(out) + "\n"

    def label(self, i: int) -> str:
        ev = self.x.events[i]
        symbolic = getattr(self.x, "symbolic", None)  # set by check() (swtlb.symbolic)
        text = event_label(ev, self.style.brackets, symbolic and symbolic.events.get(i))
        if not self.style.squished:  # herd7's long form: the thread, then the instruction
            lines = self.result.test.source.split("\n")
            line = ev.pos[0]
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            text += f"\\lproc:P{ev.thread}\\l" + (f"{code}\\l" if code else "")
        return text

    def init_label(self, i: int) -> str:
        ev = self.x.events[i]
        loc = f"[{ev.loc}]" if self.style.brackets else str(ev.loc)
        if self.style.squished:
            return f"i{ev.loc}:W{loc}={ev.value}"
        text = f"{self.letters[i]}: W{loc}={ev.value}"
        return text + "\\lInit" if self.style.labelinit else text

    def node(self, i: int, label: str, pos: str | None) -> str:
        st = self.style
        if st.squished:
            size = st.fontsize or 14  # Graphviz's default font size
            wide = max(len(label.split("\\l")[0]), 1) * size / 90  # about herd7's estimate
            shape = [("shape", '"none"'), ("fontsize", st.fontsize), ("pos", pos),
                     ("fixedsize", f'"{str(st.fixedsize).lower()}"'),
                     ("height", f'"{_fmt(size / 72)}"'), ("width", f'"{_fmt(wide)}"')]
        else:
            shape = [("shape", '"box"'), ("color", '"black"' if st.mono else '"blue"'),
                     ("fontsize", st.fontsize), ("pos", pos)]
        return f'{self.ids[i]} [label="{_quote(label)}", ' + self.attrs(*shape) + "];"

    def edge_attrs(self, name: str) -> str:
        st = self.style
        extra = dict(st.edgeattrs.get(name, {}))
        colour = extra.pop("color", COLOURS.get(name, "black"))
        if st.mono:
            colour = "black"
        size = None if st.fontsize is None else st.fontsize + st.edgefontsizedelta
        pairs = [("label", f'"{name}"'), ("color", f'"{colour}"'),
                 ("fontcolor", f'"{colour}"'), ("fontsize", size),
                 ("arrowsize", None if st.arrowsize is None else f'"{_fmt(st.arrowsize)}"'),
                 ("penwidth", None if st.penwidth is None else f'"{_fmt(st.penwidth)}"')]
        pairs += [(k, f'"{v}"') for k, v in sorted(extra.items())]
        return self.attrs(*pairs)

    def edges(self, visible: set[int]) -> None:
        st, x, out = self.style, self.x, self.lines
        rf, co, rmw = x.complete()
        fr = rf.inv @ co
        co1 = co - (co @ co)
        init = {i for i, ev in enumerate(x.events) if ev.thread < 0}
        sections: list[tuple[str, str, Iterable[tuple[int, int]]]] = []
        kinds = _rmw_kinds(self.result.test)
        stmt = _statements(self.result.test)

        def statement(i: int):
            ev = x.events[i]
            return stmt.get((ev.thread, ev.pos), (ev.thread, ev.pos))

        data_rmw, ctrl_rmw = [], []
        for r, w in rmw.pairs():
            ev = x.events[r]
            kind = "iico_ctrl" if "LKR" in ev.tags else kinds.get((ev.thread, ev.pos[0]))
            if kind == "iico_data":
                data_rmw.append((r, w))
            elif kind == "iico_ctrl":
                ctrl_rmw.append((r, w))
        # herd7 reads one C statement as one instruction: a value passed inside it (*b = *a;
        # WRITE_ONCE(*b, READ_ONCE(*a))) is intra-instruction causality, not po and data
        data_rmw += [(a, b) for a, b in x.data.pairs() if x.events[a].thread >= 0
                     and statement(a) == statement(b) and (a, b) not in data_rmw]
        sections.append(("read-modify-writes whose write computes on the read", "iico_data",
                         data_rmw))
        sections.append(("lock acquisitions and cmpxchg: the write depends on a test of the "
                         "read", "iico_ctrl", ctrl_rmw))
        drawn: set[tuple[int, int]] = set(data_rmw) | set(ctrl_rmw)
        comm: list[tuple[str, list[tuple[int, int]]]] = []
        for name, rel in (("rf", rf), ("fr", fr), ("co", co1)):
            pairs = []
            for a, b in rel.pairs():
                if a == b or a not in visible and not (name == "rf" and a in init
                                                       and st.showinitrf):
                    continue
                if b not in visible:
                    continue
                pairs.append((a, b))
            comm.append((name, pairs))
            drawn.update(pairs)
        po1 = x.po - (x.po @ x.po)
        po_pairs = [(a, b) for a, b in _shown_po(x, visible, po1) if (a, b) not in drawn]
        sections.append(("program order, between immediate successors", "po",
                         po_pairs if st.showpo else []))
        for name in sorted(st.doshow):
            rel = {"addr": x.addr, "data": x.data, "ctrl": x.ctrl, "rmw": rmw,
                   "po-loc": (x.po & x.loc) - ((x.po & x.loc) @ (x.po & x.loc))}.get(name)
            if rel is not None:
                sections.append((f"{name}, as asked by -doshow", name,
                                 [(a, b) for a, b in rel.pairs() if a in visible
                                  and b in visible]))
        for comment, name, pairs in sections:
            out.append("")
            out.append(f"/* {comment} */")
            if name in st.unshow:
                continue
            out.extend(f"{self.ids[a]} -> {self.ids[b]} [{self.edge_attrs(name)}];"
                       for a, b in pairs)
        out.append("")
        out.append("/* communication: reads-from, from-reads, coherence */")
        if st.showinitrf and not st.showinitwrites:
            sources = {a for name, pairs in comm if name == "rf" for a, _ in pairs
                       if a in init}
            for a in sorted(sources):
                out.append(f'{self.ids[a]} [label="", shape="point"];')
        for name, pairs in comm:
            if name in st.unshow:
                continue
            out.extend(f"{self.ids[a]} -> {self.ids[b]} [{self.edge_attrs(name)}];"
                       for a, b in pairs)


def _statements(test) -> dict[tuple[int, tuple[int, int]], int]:
    """(thread, source position) -> the statement it belongs to, for every position an event
    can carry (the statement's own, and those of its expressions; not nested statements)."""
    found: dict[tuple[int, tuple[int, int]], int] = {}
    counter = [0]

    def positions(node, thread: int, sid: int) -> None:
        if isinstance(node, tuple):
            for item in node:
                positions(item, thread, sid)
            return
        if not is_record(node):
            return
        if isinstance(getattr(node, "pos", None), tuple):
            found.setdefault((thread, node.pos), sid)
        for name in record_fields(node):
            if name not in ("then", "orelse", "pos"):
                positions(getattr(node, name), thread, sid)

    def statements(body, thread: int) -> None:
        for st in body:
            counter[0] += 1
            positions(st, thread, counter[0])
            for name in ("then", "orelse"):
                statements(getattr(st, name, ()), thread)

    for th in test.threads:
        statements(th.body, th.index)
    return found


def _rmw_kinds(test) -> dict[tuple[int, int], str]:
    """(thread, line) -> how herd7 links the read and write of the RMW called there:
    ``iico_data`` when the write computes on the read (atomic_add, atomic_inc, add_unless...),
    ``iico_ctrl`` otherwise (xchg, cmpxchg, trylock), as herd7 draws them."""
    from .primitives import TABLE

    found: dict[tuple[int, int], str] = {}

    def walk(node, thread: int) -> None:
        if isinstance(node, tuple):
            for item in node:
                walk(item, thread)
            return
        if not is_record(node):
            return
        prim = TABLE.get(getattr(node, "func", None)) if hasattr(node, "args") else None
        if prim is not None:
            kind = {"cmpxchg": "iico_ctrl", "trylock": "iico_ctrl", "add_unless": "iico_data",
                    "rmw": "iico_ctrl" if prim.op == "xchg" else "iico_data"}.get(prim.action)
            if kind:
                found.setdefault((thread, node.pos[0]), kind)
        for name in record_fields(node):
            walk(getattr(node, name), thread)

    for th in test.threads:
        walk(th.body, th.index)
    return found


def _shown_po(x, visible: set[int], po1) -> list[tuple[int, int]]:
    """Immediate program order between the shown events (skipping hidden ones)."""
    pairs = []
    for a in sorted(visible):
        if x.events[a].thread < 0:
            continue
        later = [b for b in visible if (a, b) in x.po]
        if not later:
            continue
        nxt = min(later, key=lambda b: x.events[b].index)
        pairs.append((a, nxt))
    return pairs


def execution_dot(result, x, style: DotStyle | None = None) -> str:
    """One execution of ``result`` as a Graphviz ``digraph``."""
    return _Picture(result, x, style or DotStyle()).render()


def chosen(result, show: str = "prop") -> list:
    """The executions herd7's ``-show`` picks: ``prop`` those where the condition's
    proposition holds, ``neg`` the others, ``all`` every allowed one, ``none`` nothing."""
    if show == "none":
        return []
    if show not in ("prop", "neg", "all"):
        raise ValueError(f"show must be prop, neg, all or none, not {show!r}")
    from .check import holds

    prop = result.test.condition.prop
    picked = []
    for x in result.allowed:
        if show == "all" or holds(result.test, prop, x) == (show == "prop"):
            picked.append(x)
    return picked


def result_dot(result, show: str = "prop", nshow: int | None = None,
               style: DotStyle | None = None) -> str:
    """The file herd7 ``-show SHOW -o DIR`` writes for a test: one ``digraph`` per execution,
    one after the other (empty when none is shown)."""
    style = style or DotStyle()
    picked = chosen(result, show)
    if nshow is not None:
        picked = picked[:nshow]
    return "".join(execution_dot(result, x, style) for x in picked)
