"""Values between the engine's protobuf structs and the plain Python the core works on.

The core (``operations.py``) sees what the dynamic provider sees: every number a float, an
unknown value as the engine's sentinel text, secrets unwrapped (a declaration may mark any
input secret: the keys holding one are kept, and marked secret again on the way back). The
resource calls translate the structs directly: the SDK's ``PropertyValue`` would cost about
4 ms a resource in a preview (it validates and wraps every value twice). The provider's own
configuration, a few calls a run, comes as ``PropertyValue``s (``plain``, ``setting``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import (
    Computed,
    PropertyValue,
    ResourceReference,
)

from ..sdk.types import SECRET, SIG
from ..unknown import UNKNOWN_SENTINEL


def _plain_value(value: struct_pb2.Value) -> tuple[Any, bool]:
    """A struct value as plain Python, and whether a secret is in it."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if SIG in fields:  # a secret (or an output value): its value, unwrapped
            inner, _ = _plain_value(fields["value"]) if "value" in fields else (None, False)
            return inner, fields[SIG].string_value == SECRET or fields.get("secret", _NO).bool_value
        found, secret = {}, False
        for key, item in fields.items():
            found[key], hidden = _plain_value(item)
            secret = secret or hidden
        return found, secret
    if kind == "list_value":
        items, secret = [], False
        for item in value.list_value.values:
            plain, hidden = _plain_value(item)
            items.append(plain)
            secret = secret or hidden
        return items, secret
    if kind == "number_value":
        return value.number_value, False
    if kind == "string_value":
        return value.string_value, False
    if kind == "bool_value":
        return value.bool_value, False
    return None, False


_NO = struct_pb2.Value(bool_value=False)


def from_struct(struct: struct_pb2.Struct) -> tuple[dict[str, Any], frozenset[str]]:
    """A struct's properties as plain Python, and the top-level keys that hold a secret."""
    found, secret = {}, set()
    for key, item in struct.fields.items():
        found[key], hidden = _plain_value(item)
        if hidden:
            secret.add(key)
    return found, frozenset(secret)


def to_struct(values: Mapping[str, Any], secret: frozenset[str] = frozenset()) -> struct_pb2.Struct:
    """Plain values as a struct (an unknown stays the engine's sentinel); the keys in
    ``secret`` are marked secret."""
    struct = struct_pb2.Struct()
    struct.update({k: {SIG: SECRET, "value": v} if k in secret else v for k, v in values.items()})
    return struct


def carried(secret: frozenset[str], *carriers: str) -> frozenset[str]:
    """The keys that hold a secret, and, if there is any, the keys that carry all inputs."""
    return secret | frozenset(carriers) if secret else secret


# -- the provider's own configuration (PropertyValues) ---------------------------------------


def plain(value: PropertyValue) -> Any:
    """A property value as plain Python: dicts, lists, floats, strings, booleans, None."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN_SENTINEL
    if isinstance(inner, ResourceReference):  # an id, where a resource is given
        return plain(inner.resource_id) if inner.resource_id is not None else UNKNOWN_SENTINEL
    if isinstance(inner, Mapping):
        return {key: plain(item) for key, item in inner.items()}
    if isinstance(inner, (list, tuple)):
        return [plain(item) for item in inner]
    return inner


def plain_map(values: Mapping[str, PropertyValue] | None) -> dict[str, Any]:
    return {key: plain(value) for key, value in (values or {}).items()}


def setting(value: PropertyValue | None) -> str | None:
    """A provider setting as the stack config's text (``8.0`` is ``8``; secrets unwrapped)."""
    if value is None:
        return None
    found = plain(value)
    if found is None or found == UNKNOWN_SENTINEL:
        return None
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, float) and found.is_integer():
        return str(int(found))
    return found if isinstance(found, str) else str(found)
