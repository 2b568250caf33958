"""What every generated ``*Args`` class does: become the resource's camelCase inputs.

The classes themselves (their fields and types) are generated from the declaration model
into ``args.py``; their behaviour lives here, written once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date, datetime, timezone
from typing import Any, ClassVar, TypeVar

import pulumi

from ..declaration.models import (
    SPELLING_KEY,
    _Model,
    listed_bare,
    nested_model,
    parse_inputs,
    split_inputs,
)
from ..declaration.names import Spelling, parse_data, to_python_names, wrapped_items
from ..declaration.values import format_moment
from ..exceptions import DeclarationError
from ..unknown import UNKNOWN_SENTINEL


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


def _wrap_bare(model: type[_Model], name: str, value: Any) -> Any:
    """Items Python lists bare (a target's values) as the mappings the wire wants."""
    key = listed_bare(model, name)
    nested = nested_model(model, name)
    if key is None or nested is None:
        return value
    if isinstance(value, pulumi.Output):
        return value.apply(lambda resolved: _wrap_bare(model, name, resolved))
    if not isinstance(value, (list, tuple)):
        return value
    aliases = {n: f.alias or n for n, f in nested.model_fields.items()}
    items = [  # a mapping may name its key as Python does (code `pulumi import` wrote)
        {aliases.get(k, k): v for k, v in item.items()} if isinstance(item, Mapping) else item
        for item in value
    ]
    return wrapped_items(items, aliases[key])


_A = TypeVar("_A", bound="Args")
_G = TypeVar("_G", bound="TargetGroupBehaviour")


class Args:
    """Dataclass args whose wire names come from their declaration models' aliases."""

    _models: ClassVar[tuple[type[_Model], ...]]  # the model(s) the fields come from
    _nested: ClassVar[dict[str, type[Args]]] = {}

    def to_inputs(self) -> dict[str, Any]:
        inputs = {}
        for model in self._models:
            for name, info in model.model_fields.items():
                value = getattr(self, name, None)
                if value is not None:
                    value = _wrap_bare(model, name, self._nested_args(name, value))
                    inputs[info.alias or name] = _wire(value)
        return inputs

    def validate(self) -> dict[str, Any]:
        """Check this part of a declaration on its own, by its model's field rules (the
        rules across fields need the whole milestone: ``TargetGroupArgs.validate``). Returns
        it in canonical form; raises :class:`DeclarationError` naming each problem as Python
        spells it (``default_values[1]``)."""
        from ..declaration.models import validated

        (model,) = self._models
        parsed, violations = validated(model, _known(self.to_inputs()))
        if violations:
            raise DeclarationError([Spelling.SNAKE.violation(v) for v in violations])
        if parsed is None:
            return {}
        canonical: dict[str, Any] = parsed.model_dump(by_alias=True, exclude_none=True)
        return canonical

    def _nested_args(self, name: str, value: Any) -> Any:
        """Plain mappings in snake_case become args; camelCase ones pass as they are."""
        nested = self._nested.get(name)
        if nested is None:
            return value
        names = {f.name for f in fields(nested)}  # type: ignore[arg-type]
        return _each(value, lambda i: nested._build(i) if set(i) <= names else i)

    @classmethod
    def _build(cls: type[_A], data: Mapping[str, Any]) -> _A:
        """Args from a snake_case mapping already validated: nested items become args (ids
        Capillary assigns, which the model accepts but never sends, are left out)."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in data.items() if k in names}
        for name, nested in cls._nested.items():
            if name in values:
                values[name] = _each(values[name], nested._build)
        return cls(**values)


def _each(value: Any, convert: Callable[[Mapping[str, Any]], Any]) -> Any:
    """``convert`` applied to a mapping, or to each mapping in a list; the rest as it is."""
    if isinstance(value, list):
        return [convert(i) if isinstance(i, Mapping) else i for i in value]
    return convert(value) if isinstance(value, Mapping) else value


class TargetGroupBehaviour(Args):
    """A milestone as declared; see the create request of ``POST v3/targetGroups``.

    Its inputs say how it was spelt (``keySpelling``), so that a refusal names its fields as
    the user wrote them: snake_case from Python arguments and data files, camelCase from a
    documented body (``from_body``)."""

    def to_inputs(self) -> dict[str, Any]:
        spelling = self.__dict__.get("_spelling", Spelling.SNAKE)
        return {**super().to_inputs(), SPELLING_KEY: spelling.value}

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
        args = cls.from_dict(to_python_names(body))
        args.__dict__["_spelling"] = Spelling.CAMEL
        return args

    def validate(self) -> dict[str, Any]:
        """Check this declaration as the provider's ``check`` will, without the engine: in a
        program, or a unit test under ``pulumi.runtime`` mocks. Returns the canonical request
        body; raises :class:`DeclarationError` listing every problem. A value another
        resource computes (a ``pulumi.Output``) counts as unknown: it is checked at preview."""
        inputs = _known(self.to_inputs())
        spelling = self.__dict__.get("_spelling", Spelling.SNAKE)
        try:
            spec, _ = parse_inputs(inputs)
        except DeclarationError as error:
            raise DeclarationError([spelling.violation(v) for v in error.violations]) from None
        if spec is None:
            return split_inputs(inputs)[0]
        return spec.body()


def _known(value: Any) -> Any:
    """Outputs as the engine's unknown, which validation skips."""
    if isinstance(value, pulumi.Output):
        return UNKNOWN_SENTINEL
    if isinstance(value, Mapping):
        return {k: _known(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_known(v) for v in value]
    return value


class SettingsArgs:
    """Dataclass args of a provider's settings: camelCase inputs, secrets kept secret."""

    _secrets: ClassVar[tuple[str, ...]] = ()

    def to_inputs(self) -> dict[str, Any]:
        from pydantic.alias_generators import to_camel

        inputs = {}
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if value is not None:
                secret = item.name in self._secrets
                inputs[to_camel(item.name)] = pulumi.Output.secret(value) if secret else value
        return inputs


def resource_inputs(
    resource_name: str,
    args: TargetGroupBehaviour | None,
    opts: pulumi.ResourceOptions | None,
    kwargs: Mapping[str, Any],
) -> dict[str, Any]:
    """A ``TargetGroup``'s inputs, from its args or the same fields as keyword arguments,
    with a placeholder for each recorded output the resource exposes."""
    from .args import TargetGroupArgs
    from .outputs import OUTPUT_KEYS

    if args is None and kwargs:
        args = TargetGroupArgs(**kwargs)
    elif kwargs:
        raise TypeError("pass either args=TargetGroupArgs(...) or keyword arguments, not both")
    if args is None and (opts is None or opts.id is None):
        raise TypeError(f"TargetGroup {resource_name!r} needs args (or opts.id to read one)")
    props: dict[str, Any] = dict.fromkeys(OUTPUT_KEYS)
    if args is not None:
        props.update(args.to_inputs())
    return props
