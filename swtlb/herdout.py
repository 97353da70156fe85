"""Read herd7's textual output, so that our answers can be compared with its ``.expected`` files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class HerdOutcome:
    name: str = ""
    kind: str = ""  # Allowed, Forbidden, Required
    states: set[str] = field(default_factory=set)
    ok: bool | None = None
    positive: int = 0
    negative: int = 0
    verdict: str = ""  # Never, Sometimes, Always
    flags: set[str] = field(default_factory=set)

    def key(self) -> tuple:
        return (self.verdict, self.positive, self.negative, frozenset(self.states),
                frozenset(self.flags))


def _normal_state(line: str) -> str:
    return " ".join(sorted(part.strip() + ";" for part in line.split(";") if part.strip()))


def parse_herd_output(text: str) -> HerdOutcome:
    out = HerdOutcome()
    lines = text.splitlines()
    in_states = False
    for line in lines:
        line = line.strip()
        if m := re.match(r"Test (\S+) (\w+)", line):
            out.name, out.kind = m.groups()
        elif line.startswith("States "):
            in_states = True
        elif in_states and line in ("Ok", "No"):
            in_states = False
            out.ok = line == "Ok"
        elif in_states:
            out.states.add(_normal_state(line))
        elif m := re.match(r"Positive: (\d+) Negative: (\d+)", line):
            out.positive, out.negative = int(m.group(1)), int(m.group(2))
        elif line.startswith("Flag "):
            out.flags.add(line.split()[1])
        elif m := re.match(r"Observation (\S+) (\w+) (\d+) (\d+)", line):
            out.verdict = m.group(2)
    return out
