"""What every generated ``*Args`` class does: become the resource's camelCase inputs.

The classes themselves (their fields and types) are generated from the declaration model
into ``_args.py``; their behaviour lives here, written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date, datetime, timezone
from typing import Any, ClassVar, TypeVar

import pulumi
from pydantic import BaseModel

from ._names import parse_data, to_python_names
from ._spec import DefaultValue, Target
from ._values import format_moment


def _wire(value: Any) -> Any:
    """Python values to input values: dates to ISO text, args to camelCase dicts."""
    if isinstance(value, pulumi.Output):
        return value.apply(_wire)
    if isinstance(value, Args):
        return value.to_inputs()
    if isinstance(value, datetime):  # naive means UTC, whatever this machine's zone
        return format_moment(value if value.tzinfo else value.replace(tzinfo=timezone.utc))
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, Mapping):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


_A = TypeVar("_A", bound="Args")
_G = TypeVar("_G", bound="TargetGroupBehaviour")


class Args:
    """Dataclass args whose wire names come from their declaration models' aliases."""

    _models: ClassVar[tuple[type[BaseModel], ...]]  # the model(s) the fields come from
    _nested: ClassVar[dict[str, type[Args]]] = {}

    def to_inputs(self) -> dict[str, Any]:
        aliases = {n: f.alias or n for m in self._models for n, f in m.model_fields.items()}
        return {
            aliases[f.name]: _wire(self._nested_args(f.name, getattr(self, f.name)))
            for f in fields(self)  # type: ignore[arg-type]  # subclasses are dataclasses
            if getattr(self, f.name) is not None
        }

    def _nested_args(self, name: str, value: Any) -> Any:
        """Plain mappings in snake_case become args; camelCase ones pass as they are."""
        nested = self._nested.get(name)
        if nested is None:
            return value
        names = {f.name for f in fields(nested)}  # type: ignore[arg-type]

        def convert(item: Any) -> Any:
            if isinstance(item, Mapping) and set(item) <= names:
                return nested._build(item)
            return item

        return [convert(i) for i in value] if isinstance(value, list) else convert(value)

    @classmethod
    def _build(cls: type[_A], data: Mapping[str, Any]) -> _A:
        """Args from a snake_case mapping already validated: nested items become args (ids
        Capillary assigns, which the model accepts but never sends, are left out)."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in data.items() if k in names}
        for name, nested in cls._nested.items():
            item = values.get(name)
            if isinstance(item, list):
                values[name] = [nested._build(i) if isinstance(i, Mapping) else i for i in item]
            elif isinstance(item, Mapping):
                values[name] = nested._build(item)
        return cls(**values)


class TargetBehaviour(Args):
    """``default_values``: one number per period, in period order (or ``{defaultValue}``s)."""

    def to_inputs(self) -> dict[str, Any]:
        inputs = super().to_inputs()
        key = Target.model_fields["default_values"].alias or "defaultValues"
        inputs[key] = _per_period(inputs[key])
        return inputs


def _per_period(values: Any) -> Any:
    if isinstance(values, pulumi.Output):
        return values.apply(_per_period)
    alias = DefaultValue.model_fields["default_value"].alias
    return [v if isinstance(v, Mapping) else {alias: v} for v in values]


class TargetGroupBehaviour(Args):
    """A milestone as declared; see the create request of ``POST v3/targetGroups``."""

    @classmethod
    def from_dict(cls: type[_A], data: Mapping[str, Any]) -> _A:
        """From a snake_case mapping (a milestone data file), validated once, by the
        declaration model: :class:`DeclarationError` lists every problem, each at its path as
        the file spells it (with the nearest known field for a misspelt one)."""
        parse_data(data)
        return cls._build(data)

    @classmethod
    def from_body(cls: type[_G], body: Mapping[str, Any]) -> _G:
        """From a camelCase request body, such as one from Capillary's documentation.

        Provider-only inputs (``onImmutableChange``...) may be given in it too; keys
        Capillary assigns itself (``targetGroupId``, ``periodId``) are dropped. Problems
        raise :class:`DeclarationError` naming each, as in a data file.
        """
        return cls.from_dict(to_python_names(body))


