"""Pulumi's unknown values: what a preview sends for values other resources will compute."""

from __future__ import annotations

from typing import Any

# The sentinel the engine puts on the wire for an unknown value (pulumi/runtime/rpc.py).
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN_SENTINEL
    return type(value).__name__ == "Unknown" and type(value).__module__.startswith("pulumi")
