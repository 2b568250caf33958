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
from typing import Any

from ._exceptions import DeclarationError, Violation, format_path
from ._rules import cross_field_violations
from ._spec import (
    DefaultValue,
    ExtendedFieldInfo,
    Filter,
    Period,
    ResourceOptions,
    Target,
    TargetGroupSpec,
    _Model,
    nested_model,
    validated,
)

MODELS: tuple[type[_Model], ...] = (
    TargetGroupSpec,
    Period,
    Target,
    DefaultValue,
    ExtendedFieldInfo,
    Filter,
    ResourceOptions,
)
# alias → Python name, over every model (the test suite proves no alias means two names)
_PYTHON_NAMES: dict[str, str] = {f.alias or n: n for m in MODELS for n, f in m.model_fields.items()}
_VALUE = DefaultValue.model_fields["default_value"]


def _listed_bare(path: str) -> str:
    """``targets[0].default_values[1].default_value`` → ``targets[0].default_values[1]``."""
    return re.sub(r"(default_values\[\d+\])\.default_value\b", r"\1", path)


def python_path(path: str) -> str:
    """A camelCase path (``targets[0].defaultValues[1]``) in Python names."""
    return _listed_bare(re.sub(r"[A-Za-z_]\w*", lambda m: _PYTHON_NAMES.get(m[0], m[0]), path))


def _field_name(model: type[_Model], key: Any, by_alias: bool) -> str | None:
    for name, field in model.model_fields.items():
        if key == ((field.alias or name) if by_alias else name):
            return name
    return None


def _wrapped(value: Any, key: str) -> Any:
    return value if isinstance(value, Mapping) else {key: value}


def _bare(value: Any) -> Any:
    return value.get("default_value") if isinstance(value, Mapping) else value


def _respelt(value: Any, model: type[_Model], to_inputs: bool, at: tuple[Any, ...] = ()) -> Any:
    """Keys renamed through ``model`` and its nested models; keys not of the source spelling
    are kept as given (the model then refuses them), ids Capillary assigns dropped from data.
    A field given in both spellings is refused here: one value would silently win."""
    if isinstance(value, list):
        return [_respelt(item, model, to_inputs, (*at, i)) for i, item in enumerate(value)]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _field_name(model, key, by_alias=not to_inputs)
        field = model.model_fields[name] if name else None
        if field is not None and field.exclude and not to_inputs:
            continue
        target: Any = key
        if name is not None and field is not None:
            target = (field.alias or name) if to_inputs else name
        if target in out:
            raise DeclarationError(
                [Violation(format_path((*at, key)), item, "is given twice, in both spellings")]
            )
        nested = nested_model(model, name) if name else None
        item = _respelt(item, nested, to_inputs, (*at, key)) if nested else item
        if name == "default_values" and isinstance(item, list):
            alias = _VALUE.alias or "defaultValue"
            item = [_wrapped(v, alias) if to_inputs else _bare(v) for v in item]
        out[target] = item
    return out


def _respelt_declaration(data: Mapping[str, Any], to_inputs: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in data.items():
        option = _field_name(ResourceOptions, key, by_alias=not to_inputs)
        model = ResourceOptions if option else TargetGroupSpec
        out.update(_respelt({key: item}, model, to_inputs))
    return out


def from_python_names(data: Mapping[str, Any]) -> dict[str, Any]:
    """snake_case data (a data file) → camelCase resource inputs; nothing is checked here."""
    return _respelt_declaration(data, to_inputs=True)


def to_python_names(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """camelCase inputs or a recorded group → the snake_case data-file shape."""
    return _respelt_declaration(inputs, to_inputs=False)


def _values_wrapped(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data with each target's bare values wrapped, as the model reads them."""
    targets = data.get("targets")
    if not isinstance(targets, list):
        return dict(data)
    wrapped = [
        {**t, "default_values": [_wrapped(v, "default_value") for v in t["default_values"]]}
        if isinstance(t, Mapping) and isinstance(t.get("default_values"), list)
        else t
        for t in targets
    ]
    return {**data, "targets": wrapped}


def parse_data(data: Mapping[str, Any]) -> tuple[TargetGroupSpec, ResourceOptions]:
    """A snake_case declaration (a data file), validated once: by the models read by Python
    name and by the cross-field rules, every problem at once, spelt as the file spells it.
    Raises :class:`DeclarationError`."""
    options = {k: v for k, v in data.items() if k in ResourceOptions.model_fields}
    declared = {k: v for k, v in data.items() if k not in options}
    parsed_options, violations = validated(ResourceOptions, options, by_name=True)
    spec, found = validated(TargetGroupSpec, _values_wrapped(declared), by_name=True)
    violations = [replace(v, path=_listed_bare(v.path)) for v in violations + found]
    seen = {v.path for v in violations}
    for rule in cross_field_violations(from_python_names(declared)):
        path = python_path(rule.path)
        if path not in seen:
            violations.append(replace(rule, path=path))
    if violations:
        raise DeclarationError(violations)
    return spec, parsed_options
