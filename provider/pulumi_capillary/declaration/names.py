"""The declaration's two spellings: camelCase (the API's, and the resource's inputs) and
snake_case (Python's, and the milestone data files').

Both come from the models' own names and aliases. A data file is validated once, by the
same models read by Python name (a camelCase key in it is unknown there, as the file's
schema says) and by the same cross-field rules; every problem is reported at its path as the
file spells it. A data file lists a target's values bare, one per period; inputs wrap each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from enum import Enum
from functools import cache
from typing import Any, NamedTuple

from ..exceptions import DeclarationError, Loc, Violation, format_path
from .models import (
    MODELS,
    SPELLING_KEY,
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


# our messages name fields in camelCase; these are the names another spelling writes otherwise
_RESPELT = {alias: name for alias, name in _PYTHON_NAMES.items() if alias != name}
_CAMEL_WORD = re.compile(r"\b(" + "|".join(sorted(_RESPELT, key=len, reverse=True)) + r")\b")


class Spelling(str, Enum):
    """How a declaration spells its keys, so that a message names them as the user wrote them:
    camelCase (the request body's own names: a documented body, a YAML program) or snake_case
    (Python arguments and milestone data files, which also list a target's values bare)."""

    CAMEL = "camelCase"
    SNAKE = "snake_case"

    def loc(self, loc: Loc) -> Loc:
        return python_loc(loc) if self is Spelling.SNAKE else loc

    def path(self, loc: Loc) -> str:
        return format_path(self.loc(loc))

    def key(self, name: str) -> str:
        """A camelCase key (``onImmutableChange``) as this spelling writes it."""
        return _PYTHON_NAMES.get(name, name) if self is Spelling.SNAKE else name

    def text(self, text: str) -> str:
        """One of our messages with the camelCase field names in it respelt."""
        if self is Spelling.CAMEL:
            return text
        return _CAMEL_WORD.sub(lambda match: _RESPELT[match.group(1)], text)

    def violation(self, violation: Violation) -> Violation:
        """A violation found in camelCase inputs, located and worded in this spelling."""
        return replace(violation, loc=self.loc(violation.loc), rule=self.text(violation.rule))


def spelling_of(inputs: Mapping[str, Any]) -> Spelling:
    """The spelling a declaration's messages use: camelCase (the inputs' own) unless the
    declaration says it was written in snake_case (``keySpelling``)."""
    return Spelling.SNAKE if inputs.get(SPELLING_KEY) == Spelling.SNAKE.value else Spelling.CAMEL


class _Key(NamedTuple):
    """How one key of a model is written in the other spelling."""

    target: str | None  # the key written; ``None``: dropped (an id Capillary assigns)
    nested: type[_Model] | None  # the model of its value or items
    bare: str | None  # its items' one key, when Python lists them bare (in the target spelling)


@cache  # one table per model and direction: the models do not change
def _keys(model: type[_Model], from_aliases: bool, to_aliases: bool) -> dict[str, _Key]:
    table = {}
    for name, field in model.model_fields.items():
        nested, bare = nested_model(model, name), listed_bare(model, name)
        if bare is not None and nested is not None and to_aliases:
            bare = nested.model_fields[bare].alias or bare
        target = (field.alias or name) if to_aliases else name
        drop = field.exclude and not to_aliases
        table[(field.alias or name) if from_aliases else name] = _Key(
            None if drop else target, nested, bare
        )
    return table


def wrapped_items(items: list[Any], key: str) -> list[Any]:
    """Items listed bare (``[3, 5]``) as the one-key mappings the wire wants."""
    return [item if isinstance(item, Mapping) else {key: item} for item in items]


def _bare_items(items: list[Any], key: str) -> list[Any]:
    return [
        item[key] if isinstance(item, Mapping) and list(item) == [key] else item for item in items
    ]


def _respelt(
    value: Any,
    table: dict[str, _Key],
    from_aliases: bool,
    to_aliases: bool,
    at: tuple[Any, ...] = (),
    checked: bool = True,
) -> Any:
    """Keys renamed through a model's ``table`` and its nested models'; keys not of the
    source spelling are kept as given (the model then refuses them), ids Capillary assigns
    dropped when writing Python names. A field given in both spellings is refused (one would
    win), except at the top (``checked``), where the model refuses the stray spelling."""
    if isinstance(value, list):
        return [_respelt(v, table, from_aliases, to_aliases, (*at, i)) for i, v in enumerate(value)]
    if not isinstance(value, Mapping):
        return value
    unwrap = from_aliases and not to_aliases
    out: dict[str, Any] = {}
    for key, item in value.items():
        known = table.get(key) if isinstance(key, str) else None
        if known is None:
            target = key
        elif known.target is None:
            continue
        else:
            target = known.target
            if known.nested is not None:
                nested = _keys(known.nested, from_aliases, to_aliases)
                item = _respelt(item, nested, from_aliases, to_aliases, (*at, key))
                if known.bare is not None and isinstance(item, list):
                    respelt = _bare_items if unwrap else wrapped_items
                    item = respelt(item, known.bare)
        if checked and target in out:
            raise DeclarationError(
                [Violation((*at, key), item, "is given twice, in both spellings")]
            )
        out[target] = item
    return out


@cache
def _declaration_keys(from_aliases: bool, to_aliases: bool) -> dict[str, _Key]:
    """A declaration's top level: the request body's fields and the provider-only options."""
    return {
        **_keys(TargetGroupSpec, from_aliases, to_aliases),
        **_keys(ResourceOptions, from_aliases, to_aliases),
    }


def _respelt_declaration(
    data: Mapping[str, Any], from_aliases: bool, to_aliases: bool
) -> dict[str, Any]:
    table = _declaration_keys(from_aliases, to_aliases)
    respelt: dict[str, Any] = _respelt(data, table, from_aliases, to_aliases, checked=False)
    return respelt


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
    violations = [replace(v, rule=Spelling.SNAKE.text(v.rule)) for v in violations]
    seen = {v.loc for v in violations}
    for rule in cross_field_violations(from_python_names(declared)):
        respelt = Spelling.SNAKE.violation(rule)
        if respelt.loc not in seen:
            violations.append(respelt)
    if violations:
        raise DeclarationError(violations)
    return spec, parsed_options
