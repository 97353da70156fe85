"""Sphinx extension of the course site: a box at the top of every notebook page of the course
map (``swtlb/course-map.json``) with its time, prerequisites and objective, and links to the
previous and the next notebook. The map is read from the package, the one place it is kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

from swtlb import coursemap

PREFIX = "notebooks/"


def jupyter_slug(text: str) -> str:
    """A heading's id as JupyterLab makes it: spaces become hyphens, nothing else changes."""
    return text.strip().replace(" ", "-")


def _inline(text: str) -> list[nodes.Node]:
    """Markdown's `code` spans as literals, the rest as text."""
    parts = re.split(r"`([^`]+)`", text)
    return [nodes.literal(p, p) if i % 2 else nodes.Text(p) for i, p in enumerate(parts) if p]


def _docname(entry: coursemap.Entry) -> str:
    return PREFIX + entry.file.removesuffix(".ipynb")


def _link(refdoc: str, entry: coursemap.Entry, label: str | None = None) -> nodes.Node:
    text = label or f"{entry.number} · {entry.title}"
    ref = addnodes.pending_xref("", refdomain="std", reftype="doc", refexplicit=True,
                                refwarn=True, reftarget="/" + _docname(entry), refdoc=refdoc)
    ref += nodes.inline(text, text)
    return ref


def course_box(refdoc: str, course: list[coursemap.Entry], i: int) -> nodes.container:
    entry = course[i]
    by_number = {e.number: e for e in course}
    box = nodes.container(classes=["swtlb-course-box"])

    facts = nodes.paragraph()
    facts += nodes.strong("Time", "Time")
    facts += nodes.Text(f" about {entry.minutes} minutes.  ")
    facts += nodes.strong("Prerequisites", "Prerequisites")
    facts += nodes.Text(" ")
    prereqs = [p.strip() for p in entry.prerequisites.split(",")]
    for k, p in enumerate(prereqs):
        if k:
            facts += nodes.Text(", ")
        facts += _link(refdoc, by_number[p]) if p in by_number else nodes.Text(p)
    facts += nodes.Text(".")
    box += facts

    goal = nodes.paragraph()
    goal += nodes.strong("You will be able to", "You will be able to")
    goal += nodes.Text(" ")
    goal += _inline(entry.objective)
    goal += nodes.Text(".")
    box += goal

    nav = nodes.paragraph(classes=["swtlb-course-nav"])
    if i > 0:
        nav += nodes.Text("← Previous: ")
        nav += _link(refdoc, course[i - 1])
    if i > 0 and i + 1 < len(course):
        nav += nodes.Text("   ·   ")
    if i + 1 < len(course):
        nav += nodes.Text("Next: ")
        nav += _link(refdoc, course[i + 1])
        nav += nodes.Text(" →")
    box += nav
    return box


def add_course_box(app, doctree: nodes.document) -> None:
    docname = app.env.docname
    course = coursemap.load()
    index = {_docname(e): i for i, e in enumerate(course)}
    if docname not in index:
        return
    app.env.note_dependency(str(coursemap.MAP_FILE))  # re-read the page when the map changes
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not section.children or not isinstance(section[0], nodes.title):
        return
    section.insert(1, course_box(docname, course, index[docname]))


def module_pages(app) -> None:
    """``swtlb.check`` is a module and, on the package, the function it defines (the function
    wins there; see swtlb/__init__.py). autosummary finds the function first and writes a page
    for it alone; write the module's page instead, with everything the module defines."""
    import importlib.util

    folder = Path(app.srcdir) / "generated"
    for stub in sorted(folder.glob("*.rst")):
        name = stub.stem
        text = stub.read_text()
        if ".. automodule::" in text or "." not in name:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        page = f"{name}\n{'=' * len(name)}\n\n.. automodule:: {name}\n"
        stub.write_text(page)


def setup(app):
    app.connect("doctree-read", add_course_box)
    app.connect("builder-inited", module_pages, priority=900)  # after autosummary's (500)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
