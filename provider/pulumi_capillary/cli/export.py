"""``capillary-milestones export``: existing target groups as milestone files.

An exported file is environment-neutral, as the catalog is: the org's name prefix is
stripped, a till equal to the org's own is left out, and it reads as a file of the catalog
(the schema line, then the fields in the schema's order).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..declaration.catalog import dump_yaml
from ..declaration.models import ResourceOptions, canonical_or_none
from ..declaration.names import to_python_names
from ..records import declared_from_recorded

if TYPE_CHECKING:
    from ..api.client import CapillaryClient

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
    declaration = _quiet(to_python_names(canonical_or_none(body) or body))
    name = str(declaration.get("name", ""))
    if strip_prefix and name.startswith(strip_prefix):
        declaration["name"] = name[len(strip_prefix) :]
    return in_reading_order(declaration)


def export_all(
    pages: Iterable[list[dict[str, Any]]],
    complete: Callable[[list[dict[str, Any]]], dict[int, dict[str, Any]]],
    directory: Path,
    strip_prefix: str = "",
    schema: str | None = None,
    till: int | None = None,
) -> dict[Path, int]:
    """One milestone file per group, named from the milestone name, a page of the org at a
    time (a page is held, not the org); ``complete``: the listed groups whole, by id
    (``CapillaryClient.completed``). Returns each file's group id."""
    directory.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    written = {}
    for page in pages:
        records = complete(page)
        for group in sorted(page, key=lambda g: (str(g.get("name", "")), g.get("id", 0))):
            recorded = records[group["id"]]
            declaration = exported(recorded, strip_prefix, till)
            path = directory / _file_name(str(declaration.get("name", "")), taken)
            path.write_text(file_text(declaration, recorded, schema), encoding="utf-8")
            written[path] = int(group["id"])
    return written


# The order a person reads a milestone in ("*": the other keys, in the model's order).
_READING_ORDER: dict[str, tuple[str, ...]] = {
    "": ("name", "description", "from_date", "to_date", "*", "periods", "targets"),
    "periods": ("start_date", "end_date", "ref_code", "description", "*"),
    "targets": (
        "name",
        "description",
        "target_entity",
        "target_type",
        "event_name",
        "extended_field_info",
        "default_values",
        "filters",
        "expression",
        "expression_json",
        "*",
    ),
}


def in_reading_order(declaration: dict[str, Any], parent: str = "") -> dict[str, Any]:
    """A declaration's keys in the order a person reads them: name, description, dates,
    then periods and targets (each in its own order); provider-only inputs last."""
    order = _READING_ORDER.get(parent, ("*",))
    others = [k for k in declaration if k not in order and k not in _OPTIONS]
    keys: list[str] = []
    for part in order:
        keys += others if part == "*" else [part] if part in declaration else []
    keys += [k for k in declaration if k in _OPTIONS]
    out = {}
    for key in keys:
        value = declaration[key]
        if key in _READING_ORDER and isinstance(value, list):
            value = [in_reading_order(v, key) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


def _quiet(declaration: dict[str, Any]) -> dict[str, Any]:
    """Without the fields that only repeat their default (``active: true``, ``filters: []``):
    what the file leaves out means the same, as the fields table says."""

    def strip(value: dict[str, Any], parent: str) -> dict[str, Any]:
        out = {}
        for name, item in value.items():
            row = _ROWS.get((parent, name))
            if row is not None and not callable(row.default) and row.default == item:
                continue
            if isinstance(item, list) and (parent, name) in _NESTED:
                item = [strip(i, _NESTED[parent, name]) if isinstance(i, dict) else i for i in item]
            out[name] = item
        return out

    return strip(declaration, "")


def _python_rows() -> tuple[dict[tuple[str, str], Any], dict[tuple[str, str], str]]:
    """The table's rows by (parent, key) in a data file's spelling, and the nested lists."""
    from ..declaration.names import python_loc
    from ..fields import FIELDS

    rows, nested = {}, {}
    for row in FIELDS:
        parent = str(python_loc((row.parent.removesuffix("[]"),))[0]) if row.parent else ""
        key = str(python_loc((row.key,))[0])
        rows[parent, key] = row
        if row.path.endswith("[]"):
            nested[parent, key] = key
    return rows, nested


_ROWS, _NESTED = _python_rows()
_OPTIONS = frozenset(ResourceOptions.model_fields)


def schema_from(folder: Path) -> str | None:
    """The ``$schema`` of a file written in ``folder``: the project's milestone schema, found
    from that folder up (or from here), as a path relative to the folder; ``None`` when no
    project is there."""
    from .org import SCHEMA_FILE

    folder = folder.resolve()
    for root in (folder, *folder.parents, Path.cwd()):
        if (root / SCHEMA_FILE).is_file():
            return os.path.relpath(root / SCHEMA_FILE, folder)
    return None


def run(args: argparse.Namespace) -> int:
    from ..exceptions import CapillaryError
    from .org import PREFIX, TILL, client, stack_config

    if args.all and (args.id is not None or args.adopt):
        what = "--id names one group" if args.id is not None else "--adopt adopts one group"
        raise CapillaryError(f"export --all writes every group: {what}; use one or the other.")
    if not args.all and args.id is None:
        raise CapillaryError("export needs --id ID (one group) or --all (every group).")
    if args.all and not args.output:
        raise CapillaryError("export --all writes one file per group: name a folder with -o.")
    config = stack_config(args)
    org = client(args, config)
    till = int(config[TILL]) if config.get(TILL) is not None else None
    strip = args.strip_prefix if args.strip_prefix is not None else config.get(PREFIX) or ""
    written = _every_group(args, org, strip, till) if args.all else _one(args, org, strip, till)
    if args.import_file:
        from .import_file import import_file

        import_file(Path(args.import_file), written, args.stack)
    return 0


def _every_group(
    args: argparse.Namespace, org: CapillaryClient, strip: str, till: int | None
) -> dict[Path, int]:
    from .org import progress

    pages = org.pages(include_periods=True, progress=progress("exported"))
    if args.active_only:
        pages = ([g for g in page if g.get("active", True)] for page in pages)
    folder = Path(args.output)
    written = export_all(pages, org.completed, folder, strip, schema_from(folder), till)
    print(f"wrote {len(written)} milestone file(s) to {folder}")
    return written


def _one(
    args: argparse.Namespace, org: CapillaryClient, strip: str, till: int | None
) -> dict[Path, int]:
    from .org import notice

    recorded = org.read(args.id)
    declaration = exported(recorded, strip, till)
    output = Path(args.output) if args.output else None
    if args.adopt:
        declaration["adopt_existing_id"] = int(args.id)
        key = output.stem if output else "<milestone>"
        stack = f" --stack {args.stack}" if args.stack else ""
        notice(
            f"adopt_existing_id {args.id} names a group of this org only: a file that keeps "
            "it cannot be promoted to another org. To promote it, leave it out of the file and "
            "declare the adoption for this stack instead: pulumi config set --path "
            f"'capillary-milestones:adoptExistingIds[\"{key}\"]' {args.id}{stack}"
        )
    if output is None:
        sys.stdout.write(file_text(declaration, recorded, "../milestone.schema.json"))
        return {}
    output.parent.mkdir(parents=True, exist_ok=True)
    text = file_text(declaration, recorded, schema_from(output.parent))
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return {output: int(args.id)}
