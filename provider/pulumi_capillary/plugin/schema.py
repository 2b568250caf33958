"""The package schema of ``capillary`` (``pulumi package get-schema``), generated, never kept
by hand: the resource's inputs from the declaration models, its outputs from the models and
the fields table's server-managed fields, the provider's configuration from the settings.

Every property is typed and described; enums are the canonical values of the models'
``Literal`` types (named as ``sdk/args.py`` names them, so ``pulumi import``'s code can say
``capillary.TrackingType.DEFAULT``); the credentials are secrets. ``language.python.
packageName`` makes the code ``pulumi import`` writes ``import pulumi_capillary.plugin as
capillary``.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.alias_generators import to_camel

from ..declaration.models import (
    SPELLING_KEY,
    DefaultValue,
    Period,
    ResourceOptions,
    Target,
    TargetGroupSpec,
)
from ..declaration.names import Spelling
from ..fields import FIELDS, Mutability
from ..sdk.types import PLUGIN_TYPE

PACKAGE = "capillary"
Schema = dict[str, Any]
_PLAIN = {str: "string", SecretStr: "string", int: "integer", float: "number", bool: "boolean"}
# recorded shapes: a model's declared fields, with what Capillary adds under this path
_RECORDED = {Period: "periods[]", Target: "targets[]", DefaultValue: "targets[].defaultValues[]"}


def _enum_names() -> dict[tuple[Any, ...], str]:
    """The name of each enum, as the generated args name its ``Literal``."""
    from ..sdk import args

    return {
        get_args(value): name
        for name, value in vars(args).items()
        if get_origin(value) is Literal and not name.startswith("_")
    }


class _Builder:
    """Collects the object and enum types the properties refer to."""

    def __init__(self) -> None:
        self.types: dict[str, Schema] = {}
        self.enums = _enum_names()

    def ref(self, name: str) -> Schema:
        return {"$ref": f"#/types/{PACKAGE}:index:{name}"}

    def kind(self, annotation: Any, recorded: bool) -> Schema:
        """The schema of a value the models type as ``annotation``."""
        origin = get_origin(annotation)
        if origin is Annotated:
            return self.kind(get_args(annotation)[0], recorded)
        if origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            if len(options) == 1:
                return self.kind(options[0], recorded)
            if set(options) <= {int, float}:
                return {"type": "number"}
            return {"$ref": "pulumi.json#/Any"}
        if origin is Literal:
            return self.enum(get_args(annotation))
        if origin is list:
            return {"type": "array", "items": self.kind(get_args(annotation)[0], recorded)}
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return self.model(annotation, recorded and annotation in _RECORDED)
        if annotation in _PLAIN:
            return {"type": _PLAIN[annotation]}
        return {"$ref": "pulumi.json#/Any"}

    def enum(self, values: tuple[Any, ...], name: str = "") -> Schema:
        name = name or self.enums[values]
        self.types[f"{PACKAGE}:index:{name}"] = {
            "type": "string",
            "enum": [{"name": str(v).lower(), "value": v} for v in values],
        }
        return self.ref(name)

    def model(self, model: type[BaseModel], recorded: bool) -> Schema:
        name = ("Recorded" if recorded else "") + model.__name__
        if f"{PACKAGE}:index:{name}" not in self.types:
            self.types[f"{PACKAGE}:index:{name}"] = {}  # it may refer to itself
            properties, required = self.properties(model, recorded)
            if recorded:
                properties.update(_server(_RECORDED.get(model, "")))
            found: Schema = {
                "type": "object",
                "description": model.__doc__ or "",
                "properties": properties,
            }
            if required and not recorded:
                found["required"] = required
            self.types[f"{PACKAGE}:index:{name}"] = found
        return self.ref(name)

    def properties(self, model: type[BaseModel], recorded: bool) -> tuple[Schema, list[str]]:
        properties, required = {}, []
        for name, info in model.model_fields.items():
            if info.exclude:
                continue  # ids Capillary assigns: the server's fields (``_server``) say them
            key = info.alias or to_camel(name)
            found = self.kind(info.annotation, recorded)
            if info.description:
                found = {**found, "description": info.description}
            properties[key] = found
            if info.is_required():
                required.append(key)
        return properties, required


def _server(parent: str) -> Schema:
    """What Capillary adds under ``parent`` ("" for the group): each field's type and doc."""
    found = {}
    prefix = f"{parent}." if parent else ""
    for row in FIELDS:
        if row.mutability is not Mutability.SERVER or row.parent != parent:
            continue
        kind, _, doc = row.kind.partition(": ")
        schema: Schema = {"type": kind} if kind in ("integer", "boolean", "string") else {}
        if kind == "array":
            schema = {"type": "array", "items": {"type": "integer"}}
        elif kind == "object":
            schema = {"$ref": "pulumi.json#/Any"}
        found[row.path.removeprefix(prefix)] = {**schema, "description": doc}
    return found


def _resource(builder: _Builder) -> Schema:
    inputs, required = builder.properties(TargetGroupSpec, recorded=False)
    options, _ = builder.properties(ResourceOptions, recorded=False)
    spelling = builder.enum(tuple(s.value for s in Spelling), "KeySpelling")
    inputs.update(options)
    inputs[SPELLING_KEY] = {
        **spelling,
        "description": "how the declaration spells its fields, so that messages name them so",
    }
    outputs, _ = builder.properties(TargetGroupSpec, recorded=True)
    outputs.update(options)
    outputs[SPELLING_KEY] = inputs[SPELLING_KEY]
    outputs.update(_server(""))
    outputs["appliedDeclaration"] = {
        "$ref": "pulumi.json#/Any",
        "description": "the declaration last created or updated (a field Capillary leaves out "
        "of its answers is compared with it)",
    }
    outputs.pop("id", None)  # reserved by Pulumi: the resource's id is the group's
    return {
        "description": "A Capillary milestone (a target group): its periods (cycles) and its "
        "targets. The name and each target's expression, filters and values change in place; "
        "any other change is refused at preview unless onImmutableChange is replace.",
        "inputProperties": inputs,
        "requiredInputs": required,
        "properties": outputs,
        "required": ["targetGroupId", "name", "periods", "targets"],
    }


def _configuration(builder: _Builder) -> Schema:
    from ..api.settings import SECRETS, Settings

    variables = {}
    for name, info in Settings.model_fields.items():
        found = {**builder.kind(info.annotation, False), "description": info.description or ""}
        if name in SECRETS:
            found["secret"] = True
        variables[to_camel(name)] = found
    return variables


def package_schema() -> Schema:
    """The whole package schema, as ``GetSchema`` answers it."""
    from .._version import __version__ as release

    builder = _Builder()
    resource = _resource(builder)
    configuration = _configuration(builder)
    return {
        "name": PACKAGE,
        "displayName": "Capillary milestones",
        "version": release,
        "description": "Capillary milestones (target groups) as code: a precise diff, in-place "
        "updates of what Capillary can edit, a refusal at preview of what it cannot.",
        "keywords": ["pulumi", "capillary", "loyalty", "milestones", "category/utility"],
        "license": "Apache-2.0",
        "language": {"python": {"packageName": "pulumi_capillary.plugin"}},
        "config": {"variables": configuration},
        "provider": {
            "description": "The Capillary org a provider manages milestones in. The stack's "
            "capillary: keys configure the default provider; an explicit one is per org.",
            "inputProperties": configuration,
        },
        "resources": {PLUGIN_TYPE: resource},
        "types": dict(sorted(builder.types.items())),
    }
