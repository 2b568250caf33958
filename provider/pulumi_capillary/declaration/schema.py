"""The JSON Schema (draft 2020-12) of a milestone file, generated from the declaration model.

Generated, never written by hand, so it cannot disagree with ``validate`` on which keys and
types exist. An enum accepts exactly the spellings the model accepts ("Monthly", "MONTHLY",
"half-yearly"; "MONTLY" is refused as you type), a date-time the ISO forms, and cross-field
rules are left to ``validate``: editors complete and check keys, values and types as loyalty
managers type.
"""

from __future__ import annotations

from typing import Any

from .models import (
    MODELS,
    ResourceOptions,
    TargetGroupSpec,
    listed_bare,
    nested_model,
)

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
_NUMBER = {"type": "number"}
_NUMERIC_TEXT = {"type": "string", "pattern": r"^\s*-?[0-9.eE+-]+\s*$"}


def _spellings(choices: list[str], aliases: list[str]) -> str:
    """A pattern matching exactly what an enum accepts: each choice or alias in any case,
    ``-`` or a space for ``_``, with blanks around (``values._Spelled``)."""

    def spelt(word: str) -> str:
        return "".join(
            "[-_ ]" if c == "_" else f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word
        )

    return r"^\s*(" + "|".join(spelt(w) for w in [*choices, *aliases]) + r")\s*$"


def _relax(node: Any) -> Any:
    """Enums accept exactly their other spellings (completion offers the canonical ones);
    pydantic's ``ge``/``le`` become JSON Schema's words."""
    if isinstance(node, list):
        return [_relax(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _relax(value) for key, value in node.items() if key != "title"}
    if "ge" in node:
        node["minimum"] = node.pop("ge")
    if "le" in node:
        node["maximum"] = node.pop("le")
    if "enum" in node or "const" in node:
        choices = node.pop("enum", None) or [node.pop("const")]
        node.pop("type", None)
        other = {"type": "string", "pattern": _spellings(choices, node.pop("x-aliases", []))}
        return {**node, "anyOf": [{"enum": choices}, other]}
    return node


def milestone_schema() -> dict[str, Any]:
    """The schema of one milestone file: the snake_case shape of ``TargetGroupArgs``."""
    schema = TargetGroupSpec.model_json_schema(by_alias=False)
    defs = schema["$defs"]
    defs["DefaultValue"]["properties"]["default_value"] = {"anyOf": [_NUMBER, _NUMERIC_TEXT]}
    for model in MODELS:
        if model is ResourceOptions:
            continue  # added below, as top-level keys
        holder = schema if model is TargetGroupSpec else defs[model.__name__]
        properties = holder["properties"]
        for name, info in model.model_fields.items():
            if info.exclude:  # ids Capillary assigns: not part of a declaration
                properties.pop(name, None)
            key, nested = listed_bare(model, name), nested_model(model, name)
            if key is not None and nested is not None:  # items listed bare, or as mappings
                bare = defs[nested.__name__]["properties"][key]
                ref = {"$ref": f"#/$defs/{nested.__name__}"}
                properties[name]["items"] = {"anyOf": [*bare.get("anyOf", [bare]), ref]}
    target = defs["Target"]["properties"]
    target["expression_json"] = {
        "description": "a JSON document, as text or as a mapping",
        "anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}, {"type": "null"}],
    }
    options = ResourceOptions.model_json_schema(by_alias=False)["properties"]
    schema["properties"].update(options)
    return {
        "$schema": SCHEMA_URI,
        **_relax({k: v for k, v in schema.items() if k != "title"}),
        "title": "Capillary milestone",
        "description": (
            "One Capillary milestone (target group) declared for pulumi-capillary; "
            "`capillary-milestones validate` applies every rule."
        ),
    }
