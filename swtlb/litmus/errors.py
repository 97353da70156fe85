"""Errors a learner can act on: every refusal names the file, line and column."""

from __future__ import annotations


class LitmusError(Exception):
    """A litmus test that cannot be read or decided, located as ``file:line:col``."""

    def __init__(self, message: str, file: str = "<string>", line: int = 0, col: int = 0):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class UnsupportedError(LitmusError):
    """The test is well formed but uses a construct this engine does not model."""


class BoundError(LitmusError):
    """The search would exceed a configured bound (candidates, values or time)."""
