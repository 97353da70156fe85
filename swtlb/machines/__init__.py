"""Operational machines (SC, x86-TSO, an arm64-like weak machine) that run litmus tests in bulk."""

from .engine import Knobs
from .models import MACHINES, MODEL_OF
from .simulate import Frequencies, simulate, wilson

__all__ = ["simulate", "Knobs", "MACHINES", "MODEL_OF", "Frequencies", "wilson"]
