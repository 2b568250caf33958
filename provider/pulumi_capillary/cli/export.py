"""``capillary-milestones export``: existing target groups as milestone files.

An exported file is environment-neutral, as the catalog is: the org's name prefix is
stripped, a till equal to the org's own is left out, and it reads as a file of the catalog
(the schema line, then the fields in the schema's order).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..declaration.catalog import dump_yaml
from ..declaration.models import canonical_or_none
from ..declaration.names import to_python_names
from ..records import declared_from_recorded

SCHEMA_LINE = "# yaml-language-server: $schema={}\n"


def file_text(declaration: dict[str, Any], recorded: dict[str, Any], schema: str | None) -> str:
    """A milestone file: the schema line (editors check the file with it), where it came
    from, and the declaration."""
    header = SCHEMA_LINE.format(schema) if schema else ""
    header += f"# Exported from target group {recorded.get('id')} ({recorded.get('name')!r}).\n"
    return header + dump_yaml(declaration)


def _file_name(name: str, taken: set[str]) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "milestone"
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    taken.add(candidate)
    return candidate + ".yaml"


def exported(
    recorded: dict[str, Any], strip_prefix: str = "", till: int | None = None
) -> dict[str, Any]:
    """The milestone-file declaration of a recorded group, environment-neutral as the
    catalog is: its name without the org's prefix, and no till when it is the org's own
    (``till``), so a file exported from UAT does not give production UAT's till."""
    body = declared_from_recorded(recorded)
    if till is not None and body.get("preferredTillId") == till:
        body = {k: v for k, v in body.items() if k != "preferredTillId"}
    declaration = to_python_names(canonical_or_none(body) or body)
    name = str(declaration.get("name", ""))
    if strip_prefix and name.startswith(strip_prefix):
        declaration["name"] = name[len(strip_prefix) :]
    return declaration


def export_all(
    groups: list[dict[str, Any]],
    read: Callable[[int], dict[str, Any]],
    directory: Path,
    strip_prefix: str = "",
    schema: str | None = None,
    till: int | None = None,
) -> list[Path]:
    """One milestone file per group, named from the milestone name."""
    directory.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    written = []
    for group in sorted(groups, key=lambda g: (str(g.get("name", "")), g.get("id", 0))):
        recorded = read(group["id"])
        declaration = exported(recorded, strip_prefix, till)
        path = directory / _file_name(str(declaration.get("name", "")), taken)
        path.write_text(file_text(declaration, recorded, schema), encoding="utf-8")
        written.append(path)
    return written
