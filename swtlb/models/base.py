"""What every model returns for one candidate execution."""

from __future__ import annotations

from ..record import field, record
from ..relations import Rel


@record
class Verdict:
    allowed: bool
    axiom: str | None = None  # the first check that failed, named as in the cat file
    kind: str = ""  # "acyclic", "irreflexive" or "empty"
    relation: Rel | None = None  # the relation that failed it
    parts: dict[str, Rel] = field(default_factory=dict)  # its named components, for labels
    flags: set[str] = field(default_factory=set)
    # why an edge of ppo holds, by the cat relation that puts it there (po-rel, acq-po, ...):
    # an explanation names the rule instead of walking through events in between
    reasons: dict[str, Rel] = field(default_factory=dict)


def reject(axiom: str, kind: str, relation: Rel, reasons: dict[str, Rel] | None = None,
           **parts: Rel) -> Verdict:
    return Verdict(False, axiom, kind, relation, parts, reasons=reasons or {})
