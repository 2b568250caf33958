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

from ._exceptions import DeclarationError, Violation
from ._names import parse_data

if TYPE_CHECKING:
    from ._args import TargetGroupArgs

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class StackSettings:
    """What differs between orgs: the stack supplies it, declarations never do."""

    name_prefix: str = ""
    preferred_till_id: int | None = None

    def apply(self, declaration: Mapping[str, Any] | TargetGroupArgs) -> TargetGroupArgs:
        """A declaration (data-file mapping or args) made concrete for this stack."""
        from ._args import TargetGroupArgs

        args = (
            declaration
            if isinstance(declaration, TargetGroupArgs)
            else TargetGroupArgs.from_dict(declaration)
        )
        return replace(args, **self._changes(args.name, args.preferred_till_id))

    def _changes(self, name: Any, till: Any) -> dict[str, Any]:
        """What this stack sets: the prefixed name, and its till unless one is declared."""
        changes: dict[str, Any] = {}
        if self.name_prefix and name is not None:  # a missing name stays missing
            if isinstance(name, str):
                changes["name"] = f"{self.name_prefix}{name}"
            else:
                import pulumi

                changes["name"] = pulumi.Output.concat(self.name_prefix, name)
        if self.preferred_till_id is not None and till is None:
            changes["preferred_till_id"] = self.preferred_till_id
        return changes


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


def validate_declaration(
    declaration: Mapping[str, Any], stack: StackSettings | None = None
) -> dict[str, Any]:
    """The canonical body, or DeclarationError with every violation (the provider's rules,
    run once, paths as the file spells them); with ``stack``, made concrete for that stack's
    org first (prefix, till)."""
    stack = stack or StackSettings()
    data = {
        **declaration,
        **stack._changes(declaration.get("name"), declaration.get("preferred_till_id")),
    }
    return parse_data(data)[0].body()


def dump_yaml(declaration: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(declaration), sort_keys=False, allow_unicode=True, width=100)
