"""Reading herd7 C litmus tests: syntax tree, parser and the errors it raises."""

from .ast import LitmusTest
from .errors import BoundError, LitmusError, UnsupportedError
from .parser import parse

__all__ = ["LitmusTest", "LitmusError", "UnsupportedError", "BoundError", "parse"]
