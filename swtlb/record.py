"""Value classes for the checking path, made without :mod:`dataclasses`.

``swtlb-herd7`` is started once per litmus test by the kernel's scripts, so start-up is paid
per test. Importing :mod:`dataclasses` brings :mod:`inspect` (and ``ast``, ``dis``,
``tokenize``), and each dataclass compiles five or six methods from source: together about a
third of our start-up. ``record`` makes the same classes but compiles only ``__init__`` (which
must be fast: one is called per candidate execution); comparison, hashing and repr read the
fields through one shared :func:`operator.attrgetter`. Only what the checking path needs is
offered; the rest of the package uses dataclasses.
"""

from __future__ import annotations

from operator import attrgetter

_MISSING = object()


class field:  # noqa: N801 - spelled as dataclasses.field, which it stands for here
    """A default made afresh per instance, or a field left out of repr or comparison."""

    __slots__ = ("default", "default_factory", "repr", "compare")

    def __init__(self, *, default=_MISSING, default_factory=None, repr=True, compare=True):
        self.default, self.default_factory = default, default_factory
        self.repr, self.compare = repr, compare


def fields(obj) -> tuple[str, ...]:
    """The field names of a record class or instance, in declaration order."""
    return (obj if isinstance(obj, type) else type(obj)).__record_fields__


def is_record(obj) -> bool:
    return hasattr(type(obj), "__record_fields__")


def replace(obj, **changes):
    """A copy of a record with some fields changed, as dataclasses.replace makes it."""
    unknown = set(changes) - set(fields(obj))
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {', '.join(sorted(unknown))}")
    return type(obj)(**{n: changes.get(n, getattr(obj, n)) for n in fields(obj)})


def _getter(names: list[str]):
    """A function from a record to the tuple of these fields."""
    if not names:
        return lambda self: ()
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda self: (get(self),)


def _frozen_setattr(self, name, value):
    raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")


def _frozen_delattr(self, name):
    raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def record(cls=None, /, *, frozen: bool = False, eq: bool = True):
    """``@record``, ``@record(frozen=True)`` or ``@record(eq=False)``, meant as ``@dataclass``
    with the same arguments: fields from the annotations, defaults and ``field(...)``."""

    def wrap(cls):
        names: list[str] = []
        for klass in reversed(cls.__mro__[1:]):  # inherited fields first, as dataclasses do
            names += [n for n in getattr(klass, "__record_fields__", ()) if n not in names]
        names += [n for n in cls.__dict__.get("__annotations__", {}) if n not in names]
        env: dict[str, object] = {"_set": object.__setattr__, "_MISSING": _MISSING}
        params, body, shown, compared = [], [], [], []
        for n in names:
            spec = getattr(cls, n, _MISSING)
            spec = spec if isinstance(spec, field) else field(default=spec)
            if spec.default_factory is not None:
                env[f"_f_{n}"] = spec.default_factory
                params.append(f"{n}=_MISSING")
                value = f"_f_{n}() if {n} is _MISSING else {n}"
            elif spec.default is not _MISSING:
                env[f"_d_{n}"] = spec.default
                params.append(f"{n}=_d_{n}")
                value = n
            else:
                params.append(n)
                value = n
            body.append(f"_set(self, {n!r}, {value})" if frozen else f"self.{n} = {value}")
            if n in cls.__dict__:  # the class keeps plain defaults only, as with dataclasses
                setattr(cls, n, spec.default) if spec.default is not _MISSING else delattr(cls, n)
            shown += [n] * spec.repr
            compared += [n] * spec.compare
        exec(f"def __init__(self, {', '.join(params)}):\n    "  # noqa: S102 - our own source
             + "\n    ".join(body or ["pass"]), env)
        init = env["__init__"]
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = init
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = _repr(_getter(shown), shown)
        if eq:
            key = _getter(compared)
            cls.__eq__ = lambda self, other: (key(self) == key(other)
                                              if other.__class__ is self.__class__
                                              else NotImplemented)
            cls.__hash__ = (lambda self: hash(key(self))) if frozen else None
        if frozen:
            cls.__setattr__, cls.__delattr__ = _frozen_setattr, _frozen_delattr
        cls.__record_fields__ = tuple(names)
        cls.__match_args__ = tuple(names)
        return cls

    return wrap if cls is None else wrap(cls)


def _repr(get, names: list[str]):
    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={v!r}" for n, v in zip(names, get(self)))
        return f"{type(self).__qualname__}({inner})"

    return __repr__
