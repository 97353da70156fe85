"""Execute notebooks in place the way they are committed: a fresh kernel, inline plots, no
stored widget state, no timing metadata.

    .venv/bin/python scripts/execute-notebooks.py [notebooks/NN-*.ipynb ...]

With no arguments, every numbered notebook. Prints each notebook's wall time.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _make_stable(nb: nbformat.NotebookNode, name: str) -> None:
    """Same notebook, same bytes: widget ids are random and a kernel may split one print into
    several stream outputs depending on timing; neither means anything once the kernel is gone."""
    views = 0
    for cell in nb.cells:
        merged: list = []
        for out in cell.get("outputs", []):
            if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                    and merged[-1].name == out.name):
                merged[-1].text += out.text
                continue
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = hashlib.sha256(f"{name}:{views}".encode()).hexdigest()[:32]
                views += 1
            merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)  # the kernel should draw inline PNGs
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    _make_stable(nb, path.name)
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> None:
    targets = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    total = 0.0
    for path in targets:
        seconds = execute(path)
        total += seconds
        print(f"{path.name}: {seconds:.1f} s")
    print(f"total: {total:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
