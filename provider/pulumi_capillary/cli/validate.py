"""``capillary-milestones validate``: milestone files checked offline, with the provider's
own rules, every problem at its path as the file spells it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..declaration.catalog import milestone_files, read_milestone, validate_declaration
from ..exceptions import CapillaryError, DeclarationError, Violation
from .org import DEFAULT_DIR


def files(paths: list[Path]) -> list[Path]:
    """The files named, or the catalog's folder; a folder that is not there is an error."""
    if not paths:
        if not DEFAULT_DIR.is_dir():
            raise CapillaryError(
                f"there is no {DEFAULT_DIR} here; run from the project's root, or name the "
                "milestone files or folders."
            )
        paths = [DEFAULT_DIR]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise CapillaryError(f"no such file or folder: {', '.join(missing)}")
    found = milestone_files(paths)
    if not found:
        raise CapillaryError(f"no milestone files (*.yaml) in {', '.join(map(str, paths))}")
    return found


def declarations(
    paths: list[Path], name_prefix: str = "", till: int | None = None
) -> tuple[dict[Path, dict[str, Any]], dict[Path, list[Violation]]]:
    """Each file's canonical body, or its problems; a milestone name in two files is a
    problem of both (Capillary names are unique in an org, case-insensitively)."""
    bodies: dict[Path, dict[str, Any]] = {}
    problems: dict[Path, list[Violation]] = {}
    for path in files(paths):
        try:
            bodies[path] = validate_declaration(read_milestone(path), name_prefix, till)
        except DeclarationError as error:
            problems[path] = list(error.violations)
    by_name: dict[str, list[Path]] = {}
    for path, body in bodies.items():
        by_name.setdefault(str(body.get("name", "")).casefold(), []).append(path)
    for same in (paths for paths in by_name.values() if len(paths) > 1):
        for path in same:
            others = ", ".join(str(p) for p in same if p != path)
            rule = f"is also the name of the milestone in {others}; names are unique in an org"
            problems.setdefault(path, []).append(Violation(("name",), bodies[path]["name"], rule))
            bodies.pop(path)
    return bodies, problems


def run(args: argparse.Namespace) -> int:
    bodies, problems = declarations(args.paths)
    count = len(bodies) + len(problems)
    for path, violations in problems.items():
        for violation in violations:
            print(f"{path}: {violation}")
    if problems:
        found = sum(len(v) for v in problems.values())
        print(
            f"{found} problem(s) in {len(problems)} of {count} file(s); fix them before merging.",
            file=sys.stderr,
        )
        return 1
    print(f"{count} milestone file(s) valid.")
    return 0
