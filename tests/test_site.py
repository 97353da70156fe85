"""The course site as a reader meets it: build it (``site/build.py``, what
``bash scripts/build-site.sh`` runs; incremental, so a fresh build is reused), serve it from a
local http.server, and open every page in Debian's Chromium through Playwright.

Every page must load with no console error and no request to any host but the local server;
every image must have loaded; every link inside the site must reach a page (and its #anchor an
element) that exists; the site's own search must find "smp_rmb". Screenshots of the front page
and of a notebook page land in test-output/site/ for a person to look at.

Skips, saying why, when Sphinx/myst-nb (the ``site`` extra), Playwright or Chromium is missing.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from browser_support import browser_page, chromium
from conftest import ROOT

pytestmark = pytest.mark.browser
SITE = Path(os.environ.get("SWTLB_SITE_DIR", ROOT / "build" / "site"))
SHOTS = ROOT / "test-output" / "site"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
COURSE = json.loads((ROOT / "swtlb" / "course-map.json").read_text())

# Images not (yet) loaded, after asking lazy ones to load now.
BROKEN_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(i => { i.loading = 'eager'; });
  await Promise.all(images.map(i => i.complete ? null : i.decode().catch(() => null)));
  return {total: images.length,
          broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)};
}"""
# Links, less docutils' pointers from a docstring's markup error to its (unshown) message: those
# are docstring warnings, which the build reports without failing (site/build.py).
LINKS = """() => [...document.querySelectorAll('a[href]')]
  .filter(a => !a.querySelector(':scope > .problematic')).map(a => a.href)"""
IDS = "() => [...document.querySelectorAll('[id]')].map(e => e.id)"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output for failures
        pass


@pytest.fixture(scope="module")
def site():
    """The built site (rebuilt where its sources changed) served on a free localhost port."""
    exe = chromium()
    for module in ("sphinx", "myst_nb"):
        pytest.importorskip(module, reason=f"{module} is not installed: the site needs the "
                            "'site' extra (bash scripts/setup-env.sh course,test,site, or "
                            "pip install -e '.[site]')")
    if "SWTLB_SITE_DIR" not in os.environ:
        run = subprocess.run([sys.executable, str(ROOT / "site" / "build.py")],
                             capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, f"site build failed:\n{run.stdout}\n{run.stderr}"
    assert (SITE / "index.html").exists(), f"no site at {SITE}"
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield exe, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _page(exe: str, **options):
    """browser_page(), tried up to three times: on a loaded machine Chromium has once died at
    start (SIGTRAP, before loading any page), which says nothing about the site."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        stack = ExitStack()
        try:
            page = stack.enter_context(browser_page(exe, **options))
            break
        except PlaywrightError as exc:
            stack.close()
            if attempt == 2:
                raise
            print(f"Chromium did not start ({str(exc).splitlines()[0]}); trying again")
    with stack:
        yield page


def _status(url: str) -> int:
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_every_page_loads_offline_and_links_resolve(site):
    exe, base = site
    pages = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))
    assert len(pages) >= len(COURSE) + 10, pages  # notebooks, dashboard, docs, API, index
    stored = sum((ROOT / "notebooks" / e["file"]).read_text().count('"image/png"') for e in COURSE)
    outside, errors, failed, broken_images = [], [], [], []
    images = 0
    links: dict[str, set[str]] = {}  # link target (no fragment) -> pages linking to it
    anchors: dict[str, set[str]] = {}  # "page#id" -> pages linking to it
    ids: dict[str, set[str]] = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    with _page(exe, height=900) as page:
        current = {"page": ""}

        def on_request(request) -> None:
            parts = urlsplit(request.url)
            if parts.scheme in ("data", "blob", "about"):
                return
            if parts.hostname not in LOCAL_HOSTS:
                outside.append(f"{current['page']}: {request.url}")

        def on_response(response) -> None:
            if response.status >= 400 and not response.url.endswith("/favicon.ico"):
                failed.append(f"{current['page']}: {response.status} {response.url}")

        page.on("request", on_request)
        page.on("response", on_response)
        page.on("console", lambda m: m.type == "error" and errors.append(
            f"{current['page']}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"{current['page']}: {e}"))
        for name in pages:
            current["page"] = name
            page.goto(base + name, wait_until="load")
            found = page.evaluate(BROKEN_IMAGES)
            images += found["total"]
            broken_images += [f"{name}: {src}" for src in found["broken"]]
            ids[name] = set(page.evaluate(IDS))
            for href in page.evaluate(LINKS):
                target, fragment = urldefrag(href)
                if not target.startswith(base):
                    continue
                path = target[len(base):] or "index.html"
                links.setdefault(target, set()).add(name)
                if fragment and path.endswith(".html"):
                    anchors.setdefault(f"{path}#{fragment}", set()).add(name)
            if name == "index.html":
                page.screenshot(path=SHOTS / "site-front-page.png")
            elif name == "notebooks/" + COURSE[5]["file"].replace(".ipynb", ".html"):
                page.screenshot(path=SHOTS / "site-notebook-05.png")
    broken_links = [f"{target} (from {', '.join(sorted(by))})"
                    for target, by in sorted(links.items()) if _status(target) != 200]
    missing_anchors = [f"{a} (from {', '.join(sorted(by))})" for a, by in sorted(anchors.items())
                       if a.split("#")[0] in ids and a.split("#", 1)[1] not in
                       ids[a.split("#")[0]]]
    print(f"site: {len(pages)} pages opened, {len(links)} internal links, {len(anchors)} "
          f"anchors checked; outside requests {len(outside)}, console errors {len(errors)}, "
          f"failed responses {len(failed)}, broken links {len(broken_links)}, missing anchors "
          f"{len(missing_anchors)}, images {images} of which not loaded {len(broken_images)}")
    assert outside == [], "requests to other hosts:\n" + "\n".join(outside)
    assert errors == [], "console errors:\n" + "\n".join(errors)
    assert failed == [], "failed responses:\n" + "\n".join(failed)
    assert broken_images == [], "images that did not load:\n" + "\n".join(broken_images)
    assert images >= stored, f"{images} images on the site, {stored} plots in the notebooks"
    assert broken_links == [], "links that do not resolve:\n" + "\n".join(broken_links)
    assert missing_anchors == [], "anchors not on their page:\n" + "\n".join(missing_anchors)


def test_notebook_pages_show_the_course_map(site):
    """Each notebook page: its time, prerequisites and objective from the course map, links
    to the previous and the next notebook, and its quizzes in their static HTML form."""
    exe, base = site
    with _page(exe) as page:
        for i, entry in enumerate(COURSE):
            page.goto(base + "notebooks/" + entry["file"].replace(".ipynb", ".html"))
            box = page.locator(".swtlb-course-box")
            assert box.count() == 1, entry["file"]
            text = " ".join(box.inner_text().split())
            assert f"Time about {entry['minutes']} minutes." in text
            assert "Prerequisites " in text
            assert entry["objective"].replace("`", "")[:40] in text
            nav = box.locator(".swtlb-course-nav a")
            expected = ([COURSE[i - 1]] if i else []) + ([COURSE[i + 1]] if i + 1 < len(COURSE)
                                                          else [])
            hrefs = [nav.nth(k).get_attribute("href") for k in range(nav.count())]
            assert [h.split("#")[0] for h in hrefs] == [
                e["file"].replace(".ipynb", ".html") for e in expected], entry["file"]
            if entry["prerequisites"] in {e["number"] for e in COURSE}:
                first = box.locator("p").first.locator("a")
                assert first.count() == 1, entry["file"]
            # widgets in their static form: each quiz as HTML with its hint and answer folded
            stored = (ROOT / "notebooks" / entry["file"]).read_text()
            quizzes = stored.count("<div class='swtlb-quiz'>")
            assert page.locator(".swtlb-quiz").count() == quizzes, entry["file"]
            assert page.locator(".swtlb-quiz details").count() >= quizzes, entry["file"]


def test_search_finds_smp_rmb(site):
    exe, base = site
    with _page(exe) as page:
        page.goto(base + "search.html?q=smp_rmb")
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0"
                               " || /did not match|found \\d+ page/i.test("
                               "document.body.innerText)", timeout=60_000)
        results = page.locator("#search-results li a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))")
        page.screenshot(path=SHOTS / "site-search-smp_rmb.png")
    assert any("06-list-empty-and-smp-rmb" in r for r in results), results
