"""swtlb: memory ordering in the Linux kernel, taught through the 2023 swiotlb review thread.

``parse`` reads a herd7 C litmus test; ``check`` decides it under the Linux-kernel memory model
(or SC, or x86-TSO) with herd7's answers.
"""

from .check import CheckResult, check
from .litmus import BoundError, LitmusError, LitmusTest, UnsupportedError, parse

__all__ = ["parse", "check", "CheckResult", "LitmusTest", "LitmusError", "UnsupportedError",
           "BoundError"]
__version__ = "0.1.0"
