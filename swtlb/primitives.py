"""How each kernel primitive becomes events, as ``linux-kernel.def`` prescribes (variant lkmmv2).

Each entry says what the call does, which annotation its events carry and how its arguments are
read: ``lvalue`` arguments are written ``*x`` (READ_ONCE(*x)); ``pointer`` arguments are plain
pointers (smp_load_acquire(x)). Value-returning RMWs carry their ordering tag on both their read
and their write (lkmmv2), and the model filters the tag where it does not apply.
"""

from __future__ import annotations

from .record import record


@record(frozen=True)
class Primitive:
    action: str  # load, store, fence, rmw, cmpxchg, add_unless, lock, unlock, trylock,
    #              islocked, srcu_lock, srcu_unlock, srcu_sync
    tag: str = ""  # annotation: once, acquire, release, mb, noreturn, or the fence name
    lvalue: bool = False  # first argument is '*x' rather than a pointer
    op: str = ""  # arithmetic of an RMW: '+', '-', '&', '|', '^', '&~', or 'xchg'
    returns: str = ""  # for RMWs: 'old', 'new', or a test on the new value: '==0', '<0'
    operand_first: bool = False  # atomic_add(V, X) puts the operand before the pointer
    constant: int | None = None  # atomic_inc(X) adds a built-in 1
    then_fence: str = ""  # smp_store_mb: a store followed by smp_mb()


P = Primitive
TABLE: dict[str, Primitive] = {
    "READ_ONCE": P("load", "once", lvalue=True),
    "WRITE_ONCE": P("store", "once", lvalue=True),
    "smp_load_acquire": P("load", "acquire"),
    "smp_store_release": P("store", "release"),
    "rcu_dereference": P("load", "once", lvalue=True),
    "rcu_assign_pointer": P("store", "release", lvalue=True),
    "smp_store_mb": P("store", "once", lvalue=True, then_fence="mb"),
    "atomic_read": P("load", "once"),
    "atomic_set": P("store", "once"),
    "atomic_read_acquire": P("load", "acquire"),
    "atomic_set_release": P("store", "release"),
    "smp_mb": P("fence", "mb"),
    "smp_rmb": P("fence", "rmb"),
    "smp_wmb": P("fence", "wmb"),
    "smp_mb__before_atomic": P("fence", "before-atomic"),
    "smp_mb__after_atomic": P("fence", "after-atomic"),
    "smp_mb__after_spinlock": P("fence", "after-spinlock"),
    "smp_mb__after_unlock_lock": P("fence", "after-unlock-lock"),
    "smp_mb__after_srcu_read_unlock": P("fence", "after-srcu-read-unlock"),
    "barrier": P("fence", "barrier"),
    "rcu_read_lock": P("fence", "rcu-lock"),
    "rcu_read_unlock": P("fence", "rcu-unlock"),
    "synchronize_rcu": P("fence", "sync-rcu"),
    "synchronize_rcu_expedited": P("fence", "sync-rcu"),
    "spin_lock": P("lock"),
    "spin_unlock": P("unlock"),
    "spin_trylock": P("trylock"),
    "spin_is_locked": P("islocked"),
    "srcu_read_lock": P("srcu_lock"),
    "srcu_down_read": P("srcu_lock"),
    "srcu_read_unlock": P("srcu_unlock"),
    "srcu_up_read": P("srcu_unlock"),
    "synchronize_srcu": P("srcu_sync"),
    "synchronize_srcu_expedited": P("srcu_sync"),
}

_ORDERINGS = {"": "mb", "_relaxed": "once", "_acquire": "acquire", "_release": "release"}
for _suffix, _tag in _ORDERINGS.items():
    for _prefix in ("", "atomic_"):
        TABLE[f"{_prefix}xchg{_suffix}"] = P("rmw", _tag, op="xchg", returns="old")
        TABLE[f"{_prefix}cmpxchg{_suffix}"] = P("cmpxchg", _tag)
    for _name, _op in (("add", "+"), ("sub", "-"), ("inc", "+"), ("dec", "-")):
        _const = 1 if _name in ("inc", "dec") else None
        _first = _const is None
        TABLE[f"atomic_{_name}_return{_suffix}"] = P("rmw", _tag, op=_op, returns="new",
                                                    operand_first=_first, constant=_const)
        TABLE[f"atomic_fetch_{_name}{_suffix}"] = P("rmw", _tag, op=_op, returns="old",
                                                   operand_first=_first, constant=_const)
    for _name, _op in (("and", "&"), ("or", "|"), ("xor", "^"), ("andnot", "&~")):
        TABLE[f"atomic_fetch_{_name}{_suffix}"] = P("rmw", _tag, op=_op, returns="old",
                                                   operand_first=True)
    TABLE[f"atomic_add_negative{_suffix}"] = P("rmw", _tag, op="+", returns="<0",
                                               operand_first=True)
for _name, _op in (("add", "+"), ("sub", "-"), ("and", "&"), ("or", "|"), ("xor", "^"),
                   ("andnot", "&~")):
    TABLE[f"atomic_{_name}"] = P("rmw", "noreturn", op=_op, operand_first=True)
TABLE["atomic_inc"] = P("rmw", "noreturn", op="+", constant=1)
TABLE["atomic_dec"] = P("rmw", "noreturn", op="-", constant=1)
TABLE["atomic_sub_and_test"] = P("rmw", "mb", op="-", returns="==0", operand_first=True)
TABLE["atomic_dec_and_test"] = P("rmw", "mb", op="-", returns="==0", constant=1)
TABLE["atomic_inc_and_test"] = P("rmw", "mb", op="+", returns="==0", constant=1)
TABLE["atomic_add_unless"] = P("add_unless", "mb")

FENCE_TAGS = frozenset(p.tag for p in TABLE.values() if p.action == "fence")
