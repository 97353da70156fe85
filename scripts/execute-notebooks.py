"""Execute notebooks in place the way they are committed: a fresh kernel, inline plots, no
stored widget state, no timing metadata.

    .venv/bin/python scripts/execute-notebooks.py [notebooks/NN-*.ipynb ...]

With no arguments, every numbered notebook. Prints each notebook's wall time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


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
