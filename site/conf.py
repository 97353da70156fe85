"""Sphinx configuration of the course site, built by ``bash scripts/build-site.sh``.

``site/build.py`` lays the sources out under ``build/site-src`` (the notebooks, the dashboard,
docs/, the README as the front page, a generated API page) and runs Sphinx with this folder as
its configuration directory. Nothing is executed (the committed outputs are the pages) and
nothing is fetched: no script, style sheet or font comes from another host.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE / "_ext"), str(ROOT)]

import swtlb  # noqa: E402

# autosummary imports every submodule to list it; swtlb/__main__.py would run the CLI.
sys.modules.setdefault("swtlb.__main__", types.ModuleType("swtlb.__main__"))

project = "swtlb"
author = "the swtlb authors"
copyright = "the swtlb authors; GPL-2.0-or-later"
version = release = swtlb.__version__
language = "en"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "swtlb_course",
]
root_doc = "index"
exclude_patterns = ["**.ipynb_checkpoints", "_build"]
templates_path = [str(HERE / "_templates")]
suppress_warnings = ["myst.header"]  # notebooks start at "#" and jump to "###" in places

# Notebooks: the committed outputs, never a kernel (the notebooks are tested by nbval instead).
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no require.js or widget manager from a CDN
nb_mime_priority_overrides = [
    # Widgets have no saved state: render their static text/html (or text/plain) form.
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("html", "application/javascript", None),
]
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist"]  # no dollarmath: no notebook writes maths
myst_heading_anchors = 4
# JupyterLab's heading ids (spaces become "-", case kept), so a link such as
# 07-what-landed.ipynb#RCU-in-brief works on the site as it does in JupyterLab.
myst_heading_slug_func = "swtlb_course.jupyter_slug"

# API reference from the docstrings (reST-style ``literals``; Google/NumPy sections via napoleon).
autosummary_generate = True
autosummary_imported_members = False
# Each object is documented where it is defined, not again where a package re-exports it.
autodoc_default_options = {"members": True, "show-inheritance": True,
                           "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_preserve_defaults = True

# Theme: furo ships its CSS, JS and icons; it loads no web fonts.
html_theme = "furo"
html_title = "swtlb: memory ordering through one review thread"
html_static_path = [str(HERE / "_static")]
html_css_files = ["swtlb.css"]
html_favicon = str(HERE / "_static" / "favicon.svg")  # else browsers ask for /favicon.ico
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "navigation_with_keys": True,
    "top_of_page_buttons": [],
}
# Sphinx adds MathJax (from a CDN) only to pages with maths; there are none (see
# myst_enable_extensions). tests/test_site.py fails if any page asks another host for anything.
