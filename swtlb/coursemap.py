"""The course map: one file (``course-map.json``) that the README's table, notebook 00's table and
every notebook's **Time.** line are generated from (``scripts/course-map.py``), so the three
never disagree.

Minutes are an estimate from what a notebook asks of its reader, not a promise: prose read at
``WORDS_PER_MINUTE``, a minute to read each code cell and its result, and extra minutes for each
self-check. ``scripts/course-map.py --write`` recomputes them after a notebook changes.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

WORDS_PER_MINUTE = 130  # careful reading of technical prose with code in it
MINUTES_PER_CODE_CELL = 1.0
MINUTES_PER_QUIZ = 2.0
MINUTES_PER_EXERCISE = 6.0  # write a test, run it, read the feedback


@dataclass(frozen=True)
class Entry:
    number: str
    file: str
    title: str
    minutes: int
    prerequisites: str
    objective: str


MAP_FILE = Path(__file__).with_name("course-map.json")


def load() -> list[Entry]:
    return [Entry(**row) for row in json.loads(MAP_FILE.read_text())]


COURSE: list[Entry] = load()


def total_minutes() -> int:
    return sum(e.minutes for e in COURSE)


def frame():
    """The map as a table, for notebook 00."""
    import pandas as pd

    return pd.DataFrame([{"notebook": e.number, "title": e.title, "minutes": e.minutes,
                          "prerequisites": e.prerequisites, "you will be able to": e.objective}
                         for e in COURSE])


def estimate(path: Path | str) -> int:
    """Minutes a learner needs for one notebook, by the rule in the module docstring, rounded up
    to a multiple of 5."""
    cells = json.loads(Path(path).read_text())["cells"]
    words = code = quizzes = exercises = 0
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            words += len(text.split())
        elif text.strip():
            code += 1
            quizzes += text.count("Quiz(")
            exercises += len(re.findall(r"\bexercise\(\"", text))
    minutes = (words / WORDS_PER_MINUTE + code * MINUTES_PER_CODE_CELL
               + quizzes * MINUTES_PER_QUIZ + exercises * MINUTES_PER_EXERCISE)
    return max(5, 5 * math.ceil(minutes / 5))
