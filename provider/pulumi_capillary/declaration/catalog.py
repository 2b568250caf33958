"""Milestones as data: one YAML file per milestone, in the snake_case shape of TargetGroupArgs.

Loyalty managers change these files in pull requests; ``capillary-milestones validate``
checks them with exactly the provider's rules, and the program declares one ``TargetGroup``
per file. Declarations stay environment-neutral: the stack adds a name prefix and the org's
``preferredTillId``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import FILE, DeclarationError, Violation
from .names import parse_data

SUFFIXES = (".yaml", ".yml")


def for_stack(name: Any, till: Any, name_prefix: str, stack_till: int | None) -> dict[str, Any]:
    """What a stack sets on a declaration: the prefixed name, and its till unless one is
    declared (snake_case keys). A name computed by another resource gets the prefix too."""
    changes: dict[str, Any] = {}
    if name_prefix and name is not None:  # a missing name stays missing
        if isinstance(name, str):
            changes["name"] = f"{name_prefix}{name}"
        else:
            import pulumi

            changes["name"] = pulumi.Output.concat(name_prefix, name)
    if stack_till is not None and till is None:
        changes["preferred_till_id"] = stack_till
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


# libyaml's loader and dumper where PyYAML was built with them (several times faster), the
# pure-Python ones otherwise: the same documents either way (tests/test_catalog.py).
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _DuplicateKey(yaml.constructor.ConstructorError):
    pass


def unique_keys(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    """A safe loader whose mappings refuse a key given twice (YAML keeps the last, silently)."""

    class Loader(base):  # type: ignore[valid-type,misc]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                plain = isinstance(key_node, yaml.ScalarNode) and key_node.tag.endswith(":str")
                key = key_node.value if plain else self.construct_object(key_node, deep=deep)
                if key in seen:
                    problem = f"the key {key!r} appears twice"
                    raise _DuplicateKey(None, None, problem, key_node.start_mark)
                seen.add(key)
            mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
            return mapping

    return Loader


_LOADER = unique_keys(_SAFE_LOADER)


def load_yaml(text: str, loader: type[yaml.SafeLoader] = _LOADER) -> Any:
    return yaml.load(text, Loader=loader)  # a safe loader: plain data only


def read_milestone(path: Path) -> dict[str, Any]:
    """One data file; raises DeclarationError (path "(file)") for unreadable YAML."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DeclarationError([Violation(FILE, str(path), f"cannot be read: {exc}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        why = f" ({problem})" if problem else ""
        raise DeclarationError(
            [Violation(FILE, str(path), f"is not valid YAML{where}{why}; fix the file")]
        ) from None
    if not isinstance(data, dict):
        raise DeclarationError(
            [Violation(FILE, str(path), "must hold one milestone: a mapping of fields")]
        )
    return data


def load_catalog(directory: str | Path) -> dict[str, dict[str, Any]]:
    """Every milestone file in ``directory``, keyed by file stem (the resource name)."""
    return {path.stem: read_milestone(path) for path in milestone_files([directory])}


def validate_declaration(
    declaration: Mapping[str, Any], name_prefix: str = "", till: int | None = None
) -> dict[str, Any]:
    """The canonical body, or DeclarationError with every violation (the provider's rules,
    run once, paths as the file spells them), made concrete for a stack's org first (its
    name prefix and till)."""
    changes = for_stack(
        declaration.get("name"), declaration.get("preferred_till_id"), name_prefix, till
    )
    return parse_data({**declaration, **changes})[0].body()


def dump_yaml(declaration: Mapping[str, Any]) -> str:
    text: str = yaml.dump(
        dict(declaration), Dumper=_SAFE_DUMPER, sort_keys=False, allow_unicode=True, width=100
    )
    return text
