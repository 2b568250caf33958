"""Pulumi's unknown values: what a preview sends for values other resources will compute,
how to find one, and how a comparison holds one (``UNKNOWN``)."""

from __future__ import annotations

from typing import Any

# The sentinel the engine puts on the wire for an unknown value (pulumi/runtime/rpc.py).
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class _Unknown:
    """How a comparison holds an unknown value: no value a user can declare equals it."""

    def __repr__(self) -> str:
        return "(known after apply)"

    def __deepcopy__(self, memo: Any) -> _Unknown:
        return self


UNKNOWN: Any = _Unknown()


_PLAIN = frozenset({int, float, bool, type(None)})  # never unknown (read on every compare)


def is_unknown(value: Any) -> bool:
    if type(value) in _PLAIN:
        return False
    if isinstance(value, str):
        return value == UNKNOWN_SENTINEL
    return type(value).__name__ == "Unknown" and type(value).__module__.startswith("pulumi")


def contains_unknown(value: Any) -> bool:
    """Whether any value at any depth is unknown (``__provider`` aside: it is not an input)."""
    if type(value) in _PLAIN:
        return False
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for k, v in value.items() if k != "__provider")
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False
