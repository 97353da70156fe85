"""swtlb: memory ordering in the Linux kernel, taught through the 2023 swiotlb review thread.

``parse`` reads a herd7 C litmus test; ``check`` decides it under the Linux-kernel memory model
(or SC, or x86-TSO) with herd7's answers.

The names below are imported on first use (module ``__getattr__``), so that a tool that needs
only part of the package (``swtlb-herd7 -version``, the launchers) does not pay for the rest.
"""

import sys

__all__ = ["parse", "check", "CheckResult", "LitmusTest", "LitmusError", "UnsupportedError",
           "BoundError"]
__version__ = "0.1.0"

_HOMES = {"parse": "litmus", "LitmusTest": "litmus", "LitmusError": "litmus",
          "UnsupportedError": "litmus", "BoundError": "litmus", "check": "check",
          "CheckResult": "check"}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'swtlb' has no attribute {name!r}")
    full = f"{__name__}.{home}"
    __import__(full)
    value = getattr(sys.modules[full], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(type(sys)):
    """The package module. Importing the submodule ``swtlb.check`` binds the name ``check`` on
    the package; ``swtlb.check`` has always been the function, so the function wins."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "check" and isinstance(value, type(sys)):
            value = value.check
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
