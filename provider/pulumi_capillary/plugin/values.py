"""Values between the engine's ``PropertyValue`` and the plain Python the core works on.

The core (``operations.py``) sees what the dynamic provider sees: every number a float,
an unknown value as the engine's sentinel text, secrets unwrapped (none of a milestone's
inputs is secret; the provider's credentials are, and they stay in its memory).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.provider.experimental.property_value import (
    Computed,
    PropertyValue,
    ResourceReference,
)

from ..unknown import UNKNOWN_SENTINEL, is_unknown


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


def property_value(value: Any) -> PropertyValue:
    """Plain Python as a property value; an unknown stays the engine's unknown."""
    if value is None:
        return PropertyValue.null()
    if isinstance(value, (bool, str)):
        return PropertyValue(UNKNOWN_SENTINEL if is_unknown(value) else value)
    if isinstance(value, (int, float)):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue({str(k): property_value(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return PropertyValue([property_value(item) for item in value])
    if is_unknown(value):
        return PropertyValue(UNKNOWN_SENTINEL)
    raise TypeError(f"no property value for {type(value).__name__}")


def property_map(
    values: Mapping[str, Any], secret: frozenset[str] = frozenset()
) -> dict[str, PropertyValue]:
    """Plain values as property values; the keys in ``secret`` stay secrets."""
    return {key: property_value(value).with_secret(key in secret) for key, value in values.items()}


def secret_keys(values: Mapping[str, PropertyValue] | None, *derived: str) -> frozenset[str]:
    """The top-level keys holding a secret anywhere in them (a declaration may mark any input
    secret), and the ``derived`` keys that carry all of them, if there are any."""
    found = frozenset(key for key, value in (values or {}).items() if value.contains_secret())
    return found | frozenset(derived) if found else found


def setting(value: PropertyValue | None) -> str | None:
    """A provider setting as the stack config's text (``8.0`` is ``8``; secrets unwrapped)."""
    if value is None:
        return None
    found = plain(value)
    if found is None or is_unknown(found):
        return None
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, float) and found.is_integer():
        return str(int(found))
    return found if isinstance(found, str) else str(found)
