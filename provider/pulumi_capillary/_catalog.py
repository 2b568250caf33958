"""Milestones as data: one YAML file per milestone, in the snake_case shape of TargetGroupArgs.

Loyalty managers change these files in pull requests; ``capillary-milestones validate``
checks them with exactly the provider's rules, and the program declares one ``TargetGroup``
per file. Declarations stay environment-neutral: the stack adds a name prefix and the org's
``preferredTillId``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from ._exceptions import DeclarationError, Violation
from ._spec import (
    ResourceOptions,
    Target,
    TargetGroupSpec,
    _Model,
    nested_model,
    parse_inputs,
)

if TYPE_CHECKING:
    from ._resource import TargetGroupArgs

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class StackSettings:
    """What differs between orgs: the stack supplies it, declarations never do."""

    name_prefix: str = ""
    preferred_till_id: int | None = None

    def apply(self, declaration: Mapping[str, Any] | TargetGroupArgs) -> TargetGroupArgs:
        """A declaration (data-file mapping or args) made concrete for this stack."""
        import pulumi

        from ._resource import TargetGroupArgs

        args = (
            declaration
            if isinstance(declaration, TargetGroupArgs)
            else TargetGroupArgs.from_dict(declaration)
        )
        changes: dict[str, Any] = {}
        if self.name_prefix:
            changes["name"] = (
                f"{self.name_prefix}{args.name}"
                if isinstance(args.name, str)
                else pulumi.Output.concat(self.name_prefix, args.name)
            )
        if self.preferred_till_id is not None and args.preferred_till_id is None:
            changes["preferred_till_id"] = self.preferred_till_id
        return replace(args, **changes)


def milestone_files(paths: Iterable[str | Path]) -> list[Path]:
    """The YAML files named, or found (sorted) in the directories named."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in SUFFIXES)
        else:
            found.append(path)
    return found


def read_milestone(path: Path) -> dict[str, Any]:
    """One data file; raises DeclarationError (path "(file)") for unreadable YAML."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DeclarationError([Violation("(file)", str(path), f"cannot be read: {exc}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise DeclarationError(
            [Violation("(file)", str(path), f"is not valid YAML{where}")]
        ) from None
    if not isinstance(data, dict):
        raise DeclarationError(
            [Violation("(file)", str(path), "must hold one milestone: a mapping of fields")]
        )
    return data


def load_catalog(directory: str | Path) -> dict[str, dict[str, Any]]:
    """Every milestone file in ``directory``, keyed by file stem (the resource name)."""
    return {path.stem: read_milestone(path) for path in milestone_files([directory])}


# -- snake_case data ⇄ camelCase request body ---------------------------------------------


def _aliases(model: type[BaseModel]) -> dict[str, str]:
    return {name: field.alias or name for name, field in model.model_fields.items()}


def to_body(declaration: Mapping[str, Any]) -> dict[str, Any]:
    """snake_case data (as in a data file) → the camelCase inputs the provider checks."""
    from ._resource import TargetGroupArgs

    inputs: dict[str, Any] = TargetGroupArgs.from_dict(declaration).to_inputs()
    return inputs


def _snake(value: Any, model: type[BaseModel]) -> Any:
    if isinstance(value, list):
        return [_snake(v, model) for v in value]
    if not isinstance(value, dict):
        return value
    reverse = {alias: name for name, alias in _aliases(model).items()}
    assigned = {name for name, field in model.model_fields.items() if field.exclude}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = reverse.get(key) or str(key)
        if name in assigned:
            continue  # an id Capillary assigns: not part of a declaration
        child = nested_model(model, name) if issubclass(model, _Model) else None
        out[name] = _snake(item, child) if child else item
    if model is Target and "default_values" in out:
        # the items were made snake_case too; a data file lists the bare values
        out["default_values"] = [
            v.get("default_value") if isinstance(v, dict) else v for v in out["default_values"]
        ]
    return out


def to_declaration(body: Mapping[str, Any]) -> dict[str, Any]:
    """A camelCase body (e.g. from a recorded group) → the snake_case data-file shape."""
    options = {k: v for k, v in body.items() if k in _aliases(ResourceOptions).values()}
    data: dict[str, Any] = _snake(
        {k: v for k, v in body.items() if k not in options}, TargetGroupSpec
    )
    data.update({n: options[a] for n, a in _aliases(ResourceOptions).items() if a in options})
    return data


def validate_declaration(
    declaration: Mapping[str, Any], stack: StackSettings | None = None
) -> dict[str, Any]:
    """The canonical body, or DeclarationError with every violation (the provider's rules);
    with ``stack``, made concrete for that stack's org first (prefix, till)."""
    inputs = (stack or StackSettings()).apply(declaration).to_inputs()
    spec, _ = parse_inputs(inputs)
    assert spec is not None, "a data file holds no unknown values"
    return spec.body()


def dump_yaml(declaration: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(declaration), sort_keys=False, allow_unicode=True, width=100)
