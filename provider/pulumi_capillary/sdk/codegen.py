"""Writes ``args.py``: the typed ``*Args`` dataclasses, generated from the declaration model
(and ``ProviderArgs`` from the provider's settings).

A field is declared once, on its pydantic model; the Args classes that programs use are
generated from the models so that an editor and ``mypy`` know every argument and its type.
After changing a model, run::

    python -m pulumi_capillary.sdk.codegen

``tests/test_resource.py`` fails while ``args.py`` and the models disagree.
"""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from ..declaration.models import (
    MODELS,
    ResourceOptions,
    TargetGroupSpec,
    _Model,
    listed_bare,
    nested_model,
)
from ..declaration.values import PythonType

TARGET = Path(__file__).with_name("args.py")

# From the one list of models (``MODELS``, outermost first), in dependency order: every model
# but the provider-only options (merged into TargetGroupArgs) and the items listed bare;
# each with the behaviour class it adds to ``Args``.
_BARE_ITEMS = {
    nested_model(m, name) for m in MODELS for name in m.model_fields if listed_bare(m, name)
}
_CLASSES: tuple[tuple[type[_Model], str], ...] = tuple(
    (m, "TargetGroupBehaviour" if m is TargetGroupSpec else "Args")
    for m in reversed(MODELS)
    if m is not ResourceOptions and m not in _BARE_ITEMS
)
_PLAIN = {str: "str", int: "int", float: "float", bool: "bool", SecretStr: "str"}

_HEADER = '''"""The typed arguments of ``TargetGroup``, generated from the declaration model.

Do not edit: change the model in ``declaration/models.py``, then run
``python -m pulumi_capillary.sdk.codegen``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Literal

import pulumi

'''


def _header() -> str:
    models = sorted([m.__name__ for m, _ in _CLASSES] + [ResourceOptions.__name__])
    names = sorted([_args_name(m) for m, _ in _CLASSES] + ["ProviderArgs"])
    imports = "".join(f"    {name},\n" for name in models)
    listed = "".join(f'    "{name}",\n' for name in names)
    return (
        f"{_HEADER}from ..declaration.models import (\n{imports})\n"
        "from .args_base import Args, SettingsArgs, TargetGroupBehaviour\n\n"
        f"__all__ = [\n{listed}]\n"
    )


# Literal types of the generated module, named after their first field: values → name.
_LITERALS: dict[tuple[Any, ...], str] = {}


def _literal(values: tuple[Any, ...], field: str) -> str:
    """A ``Literal`` of the canonical values, named once in the generated module (editors and
    mypy then catch ``"EVENTZ"``; the provider also accepts the other documented spellings)."""
    if values not in _LITERALS:
        _LITERALS[values] = "".join(part.title() for part in field.split("_"))
    return _LITERALS[values]


def _literals() -> str:
    def one(name: str, values: tuple[Any, ...]) -> str:
        if len(values) == 1:
            return f"\n{name} = Literal[{json.dumps(values[0])}]\n"
        return f"\n{name} = Literal[\n" + "".join(f"    {json.dumps(v)},\n" for v in values) + "]\n"

    return "".join(one(name, values) for values, name in _LITERALS.items())


def _python_type(annotation: Any, metadata: list[Any], field: str = "") -> str:
    """The Python type a program may pass for a value the model types as ``annotation``."""
    marked = [m for m in metadata if isinstance(m, PythonType)]
    if marked:
        return marked[0].text
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *more = get_args(annotation)
        return _python_type(base, more, field)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return " | ".join(_python_type(a, [], field) for a in options)
    if origin is Literal:
        return _literal(get_args(annotation), field)
    if origin is list:
        return f"Sequence[{_python_type(get_args(annotation)[0], [])}]"
    if isinstance(annotation, type) and issubclass(annotation, _Model):
        return f"{annotation.__name__}Args | Mapping[str, Any]"
    if annotation is Any:
        return "Any"
    if annotation in _PLAIN:
        return _PLAIN[annotation]
    raise TypeError(f"no Python type for {annotation!r}: mark the field with PythonType")


def _comment(info: FieldInfo) -> str:
    """A field's description, as comment lines above it."""
    import textwrap

    lines = textwrap.wrap(info.description or "", width=92)
    return "".join(f"    # {line}\n" for line in lines)


def _line(name: str, info: FieldInfo, keyword_only: bool = False) -> str:
    typed = f"pulumi.Input[{_python_type(info.annotation, list(info.metadata), name)}]"
    comment = _comment(info)
    if keyword_only:
        return f"{comment}    {name}: {typed} | None = field(default=None, kw_only=True)"
    if info.is_required():
        return f"{comment}    {name}: {typed}"
    return f"{comment}    {name}: {typed} | None = None"


def _args_name(model: type[_Model]) -> str:
    return "TargetGroupArgs" if model is TargetGroupSpec else f"{model.__name__}Args"


def _nested(model: type[_Model]) -> dict[str, str]:
    """Fields whose value or items are another generated class (``periods`` → PeriodArgs)."""
    generated = {m for m, _ in _CLASSES}
    return {
        name: _args_name(inner)
        for name in model.model_fields
        if (inner := nested_model(model, name)) in generated
    }


def _class(model: type[_Model], behaviour: str) -> str:
    lines = ["@dataclass", f"class {_args_name(model)}({behaviour}):"]
    lines += [f'    """{(model.__doc__ or "").strip()}"""', ""]
    declared = {n: i for n, i in model.model_fields.items() if not i.exclude}
    required = [n for n, i in declared.items() if i.is_required()]
    optional = [n for n, i in declared.items() if not i.is_required()]
    lines += [_line(n, declared[n]) for n in required + optional]
    models = [model.__name__]
    if model is TargetGroupSpec:  # provider-only inputs, by keyword only
        lines += [_line(n, i, True) for n, i in ResourceOptions.model_fields.items()]
        models.append(ResourceOptions.__name__)
    listed = ", ".join(models) + ("," if len(models) == 1 else "")
    lines.append(f"    _models: ClassVar = ({listed})")
    nested = _nested(model)
    if nested:
        pairs = ", ".join(f'"{k}": {v}' for k, v in nested.items())
        lines.append(f"    _nested: ClassVar = {{{pairs}}}")
    return "\n\n" + "\n".join(lines) + "\n"


def _provider_class() -> str:
    """``ProviderArgs``: an explicit provider's settings, one field per setting (its stack
    config key without the ``capillary:`` namespace, in snake_case); secrets marked."""
    from ..api.settings import SECRETS, Settings

    lines = ["@dataclass", "class ProviderArgs(SettingsArgs):"]
    lines += [
        '    """The settings of one Capillary org, for an explicit provider (the stack\'s',
        '    ``capillary:`` keys configure the default one)."""',
        "",
    ]
    for name, info in Settings.model_fields.items():
        typed = f"pulumi.Input[{_python_type(info.annotation, list(info.metadata), name)}]"
        typed = typed.replace(" | None]", "]")
        lines.append(f"{_comment(info)}    {name}: {typed} | None = None")
    secrets = ", ".join(f'"{name}"' for name in SECRETS)
    lines.append(f"    _secrets: ClassVar = ({secrets})")
    return "\n\n" + "\n".join(lines) + "\n"


def render() -> str:
    """The text of ``args.py``."""
    _LITERALS.clear()
    classes = "".join(_class(m, b) for m, b in _CLASSES) + _provider_class()
    return _header() + _literals() + classes


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
