"""Plots survive CI: nbval runs the notebooks with MPLBACKEND=Agg, and under Agg a figure is only
captured as a PNG once ``%matplotlib inline`` has switched the kernel to the inline backend.
Without it ``plt.show()`` draws nothing, the cell's stored image vanishes on the next execution,
and nbval (which does not compare images) stays green. These tests notice.

The static checks read the committed notebooks; the last one executes every notebook that has
images (about 20 s for all of them) and compares cell by cell.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "dashboard").glob("*.ipynb"))
INLINE = re.compile(r"^\s*%matplotlib\s+inline\b", re.M)
PLOTS = re.compile(r"\bplt\.show\(|\bplots\.(frequency_plot|compare_plot|execution_graph|"
                   r"matrix_plot)\(|\.savefig\(")
HINT = ("under MPLBACKEND=Agg (how CI runs nbval) figures are captured only after "
        "`%matplotlib inline`; put it in the notebook's first plotting cell or earlier")


def _code_cells(nb) -> list[tuple[int, str, list]]:
    return [(i, c.source, c.get("outputs", [])) for i, c in enumerate(nb.cells)
            if c.cell_type == "code"]


def _has_png(outputs) -> bool:
    return any("image/png" in o.get("data", {}) for o in outputs)


def _draws(source: str) -> bool:
    code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
    return bool(PLOTS.search(code))


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_inline_backend_is_set_before_the_first_plot(path):
    nb = nbformat.read(path, as_version=4)
    inline_seen, late = False, []
    for index, source, outputs in _code_cells(nb):
        inline_seen = inline_seen or bool(INLINE.search(source))
        if (_has_png(outputs) or _draws(source)) and not inline_seen:
            late.append(index)
    assert not late, f"{path.name}: cells {late} draw before any `%matplotlib inline`; {HINT}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_cell_that_draws_has_its_image_committed(path):
    nb = nbformat.read(path, as_version=4)
    missing = [i for i, source, outputs in _code_cells(nb)
               if _draws(source) and not _has_png(outputs)]
    assert not missing, (f"{path.name}: cells {missing} draw a figure but their committed "
                         "outputs hold no image (executed under Agg without the inline "
                         "backend?); re-run scripts/execute-notebooks.py after fixing")


WITH_IMAGES = [p for p in NOTEBOOKS
               if any(_has_png(o) for _, _, o in _code_cells(nbformat.read(p, as_version=4)))]


@pytest.mark.parametrize("path", WITH_IMAGES, ids=_ids(WITH_IMAGES))
def test_committed_images_come_back_when_executed_under_agg(path, monkeypatch):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    expected = [i for i, _, outputs in _code_cells(nb) if _has_png(outputs)]
    monkeypatch.setenv("MPLBACKEND", "Agg")  # the kernel inherits it, as under nbval in CI
    # errors are nbval's business; here a failing cell must not hide later cells' images
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    lost = [i for i in expected if not _has_png(nb.cells[i].get("outputs", []))]
    assert not lost, f"{path.name}: cells {lost} lost their image under MPLBACKEND=Agg; {HINT}"
