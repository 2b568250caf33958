"""The declaration's two spellings: camelCase (the API's, and the resource's inputs) and
snake_case (Python's, and the milestone data files').

Both come from the models' own names and aliases. A data file is validated once, by the
same models read by Python name (a camelCase key in it is unknown there, as the file's
schema says) and by the same cross-field rules; every problem is reported at its path as the
file spells it. A data file lists a target's values bare, one per period; inputs wrap each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from ..exceptions import DeclarationError, Loc, Violation
from .models import (
    MODELS,
    ResourceOptions,
    TargetGroupSpec,
    _Model,
    listed_bare,
    nested_model,
    validated,
)
from .rules import cross_field_violations

# alias → Python name, over every model (the test suite proves no alias means two names)
_PYTHON_NAMES: dict[str, str] = {f.alias or n: n for m in MODELS for n, f in m.model_fields.items()}
# items listed bare: a problem with ``default_values[1].default_value`` is at ``default_values[1]``
_BARE: frozenset[tuple[str, str]] = frozenset(
    (name, key)
    for m in MODELS
    for name in m.model_fields
    if (key := listed_bare(m, name)) is not None
)


def _bare_dropped(loc: Loc) -> Loc:
    """``("targets", 0, "default_values", 1, "default_value")`` → ``(..., "default_values", 1)``:
    a data file lists those items bare."""
    return tuple(
        part
        for i, part in enumerate(loc)
        if not (i >= 2 and isinstance(loc[i - 1], int) and (loc[i - 2], part) in _BARE)
    )


def python_loc(loc: Loc) -> Loc:
    """A camelCase location in Python names, as a data file spells it: ``("targets", 0,
    "defaultValues", 1, "defaultValue")`` → ``("targets", 0, "default_values", 1)``."""
    return _bare_dropped(tuple(_PYTHON_NAMES.get(p, p) if isinstance(p, str) else p for p in loc))


@cache
def _spellings(model: type[_Model], by_alias: bool) -> dict[str, str]:
    """A model's keys in one spelling → its Python names."""
    return {((f.alias or n) if by_alias else n): n for n, f in model.model_fields.items()}


def _field_name(model: type[_Model], key: Any, by_alias: bool) -> str | None:
    return _spellings(model, by_alias).get(key) if isinstance(key, str) else None


def wrapped_items(items: list[Any], key: str) -> list[Any]:
    """Items listed bare (``[3, 5]``) as the one-key mappings the wire wants."""
    return [item if isinstance(item, Mapping) else {key: item} for item in items]


def _bare_items(items: list[Any], key: str) -> list[Any]:
    return [
        item[key] if isinstance(item, Mapping) and list(item) == [key] else item for item in items
    ]


def _respelt(
    value: Any,
    model: type[_Model],
    from_aliases: bool,
    to_aliases: bool,
    at: tuple[Any, ...] = (),
) -> Any:
    """Keys renamed through ``model`` and its nested models; keys not of the source spelling
    are kept as given (the model then refuses them), ids Capillary assigns dropped when
    writing Python names. A field given in both spellings is refused: one would win."""
    if isinstance(value, list):
        return [_respelt(v, model, from_aliases, to_aliases, (*at, i)) for i, v in enumerate(value)]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _field_name(model, key, by_alias=from_aliases)
        if name is None:
            target, nested = key, None
        else:
            field = model.model_fields[name]
            if field.exclude and not to_aliases:
                continue
            target, nested = (
                (field.alias or name) if to_aliases else name,
                nested_model(model, name),
            )
        if target in out:
            raise DeclarationError(
                [Violation((*at, key), item, "is given twice, in both spellings")]
            )
        if nested is not None:
            item = _respelt(item, nested, from_aliases, to_aliases, (*at, key))
            bare = listed_bare(model, str(name))
            if bare is not None and isinstance(item, list):
                spelt = (nested.model_fields[bare].alias or bare) if to_aliases else bare
                unwrap = from_aliases and not to_aliases
                item = _bare_items(item, spelt) if unwrap else wrapped_items(item, spelt)
        out[target] = item
    return out


def _respelt_declaration(
    data: Mapping[str, Any], from_aliases: bool, to_aliases: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in data.items():
        option = _field_name(ResourceOptions, key, by_alias=from_aliases)
        model = ResourceOptions if option else TargetGroupSpec
        out.update(_respelt({key: item}, model, from_aliases, to_aliases))
    return out


def from_python_names(data: Mapping[str, Any]) -> dict[str, Any]:
    """snake_case data (a data file) → camelCase resource inputs; values not checked."""
    return _respelt_declaration(data, from_aliases=False, to_aliases=True)


def to_python_names(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """camelCase inputs or a recorded group → the snake_case data-file shape."""
    return _respelt_declaration(inputs, from_aliases=True, to_aliases=False)


def parse_data(data: Mapping[str, Any]) -> tuple[TargetGroupSpec, ResourceOptions]:
    """A snake_case declaration (a data file), validated once: by the models read by Python
    name and by the cross-field rules, every problem at once, spelt as the file spells it.
    Raises :class:`DeclarationError`."""
    options = {k: v for k, v in data.items() if k in ResourceOptions.model_fields}
    declared = {k: v for k, v in data.items() if k not in options}
    parsed_options, violations = validated(ResourceOptions, options, by_name=True)
    wrapped = _respelt_declaration(declared, from_aliases=False, to_aliases=False)
    spec, found = validated(TargetGroupSpec, wrapped, by_name=True)
    # the models read the file by Python name: their locations are spelt as it spells them
    violations = [replace(v, loc=_bare_dropped(v.loc)) for v in violations + found]
    seen = {v.loc for v in violations}
    for rule in cross_field_violations(from_python_names(declared)):
        loc = python_loc(rule.loc)
        if loc not in seen:
            violations.append(replace(rule, loc=loc))
    if violations:
        raise DeclarationError(violations)
    return spec, parsed_options
