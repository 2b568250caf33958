"""Declared vs recorded (and declared vs declared): the changes that matter, classified.

Both sides are first projected onto a *view* built from the fields table: only compared
fields, each in its comparison form (numbers by value at every depth), defaults filled in,
fields Capillary left out of its answer taken from the declaration last applied. Equal
views mean no change (the common case, and a cheap ``==``); otherwise deepdiff says where
they differ, and each difference is classified by the table row that governs its path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ._exceptions import format_path
from ._fields import Field, Mutability, field_for, fill_absent, in_period_order, rows
from ._unknown import contains_unknown, is_unknown
from ._values import integral


class _Unknown:
    """A value another resource computes: no string a user can declare is ever equal to it."""

    def __repr__(self) -> str:
        return "(known after apply)"

    def __deepcopy__(self, memo: Any) -> _Unknown:
        return self


UNKNOWN: Any = _Unknown()
_NOT_SET = "(not set)"


def show(value: Any, limit: int = 120) -> str:
    """A value fit to print in a one-line message."""
    if value is None or type(value).__name__ == "NotPresent":
        return _NOT_SET
    if value is UNKNOWN:
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Change:
    path: str
    field: Field
    old: Any
    new: Any

    @property
    def mutability(self) -> Mutability:
        return self.field.mutability

    @property
    def unknown(self) -> bool:
        return self.new is UNKNOWN or self.old is UNKNOWN

    @property
    def top_level(self) -> str:
        return self.path.split(".", 1)[0].split("[", 1)[0]

    def __str__(self) -> str:
        return f"{self.path}: {show(self.old)} → {show(self.new)}"


@dataclass(frozen=True)
class ChangeSet:
    """The changes between two states of one milestone."""

    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    @cached_property
    def updates(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.mutability is Mutability.UPDATABLE)

    @cached_property
    def immutable(self) -> tuple[Change, ...]:
        """Known changes Capillary cannot make."""
        return tuple(
            c for c in self.changes if c.mutability is Mutability.IMMUTABLE and not c.unknown
        )

    def top_level(self, changes: Iterable[Change]) -> list[str]:
        return sorted({c.top_level for c in changes})


def _value(source: dict[str, Any], row: Field, keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = source.get(key)
        if contains_unknown(value):  # at any depth: an unknown id inside a filter too
            return UNKNOWN
        if value is not None:
            try:
                return integral(row.compare(value))
            except (TypeError, ValueError, AttributeError, RecursionError):
                return value  # malformed: compared as given, so it shows as a change
    default = row.default_for(source)
    return integral(row.compare(default)) if default is not None else None


def _view(source: Any, parent: str, recorded: bool, write_only: bool) -> Any:
    if is_unknown(source):
        return UNKNOWN
    if not isinstance(source, dict):
        return source
    view: dict[str, Any] = {}
    for row in rows(parent):
        if row.recorded is None and not write_only:
            continue  # write-only: Capillary does not echo it
        keys = (row.recorded_keys() if recorded else None) or row.declared_keys()
        if row.path.endswith("[]"):
            items = source.get(row.key)
            if is_unknown(items):
                view[row.key] = UNKNOWN
            else:
                view[row.key] = [_view(i, row.path, recorded, write_only) for i in items or []]
            continue
        view[row.key] = _value(source, row, keys)
    return view


def _path(parts: list[Any]) -> str:
    return format_path(parts) if parts else ""


def _row_path(parts: list[Any]) -> tuple[Field, list[Any]]:
    """The governing row and the concrete path to it (``targets[0].expressionJson.type``
    is a change of ``targets[0].expressionJson``; an itemwise row keeps its index)."""
    row = field_for(_path(parts))
    for length in range(1, len(parts) + 1):
        pattern = _path(["[]" if isinstance(p, int) else p for p in parts[:length]])
        pattern = pattern.replace("[[]]", "[]").replace(".[]", "[]")
        whole_list = pattern == row.path.removesuffix("[]") and length == len(parts)
        if pattern == row.path or whole_list:
            if row.itemwise and length < len(parts) and isinstance(parts[length], int):
                length += 1
            return row, parts[:length]
    return row, parts


def _at(view: Any, parts: list[Any]) -> Any:
    for part in parts:
        try:
            view = view[part]
        except (KeyError, IndexError, TypeError):
            return None
    return view


def _indexed(value: Any) -> Any:
    """Lists as ``{"0": ...}``: deepdiff renders an int path element with ast.literal_eval,
    which CPython 3.11.7 can fail under threads ("AST constructor recursion depth mismatch");
    string keys never reach it."""
    if isinstance(value, list):
        return {str(i): _indexed(item) for i, item in enumerate(value)}
    if isinstance(value, dict):
        return {key: _indexed(item) for key, item in value.items()}
    return value


def _declared_name(row: Field, parts: list[Any], *sources: dict[str, Any]) -> list[Any]:
    """A row read from several keys (``targetCycleStartDate`` or its ISO twin) is reported
    under the key the declaration uses, not under one the user never wrote."""
    if len(parts) != 1 or len(row.declared_keys()) < 2:
        return parts
    for source in sources:
        used = next((k for k in row.declared_keys() if source.get(k) is not None), None)
        if used is not None:
            return [used]
    return parts


def _plan(
    old_view: dict[str, Any], new_view: dict[str, Any], *declarations: dict[str, Any]
) -> ChangeSet:
    if old_view == new_view:
        return ChangeSet()
    from deepdiff import DeepDiff  # imported when needed: keeps provider start-up light

    tree = DeepDiff(_indexed(old_view), _indexed(new_view), view="tree", verbose_level=2)
    changes: dict[str, Change] = {}
    for report in tree.values():
        for level in report:
            parts = [
                int(p) if isinstance(p, str) and p.isdigit() else p
                for p in level.path(output_format="list")
            ]
            row, parts = _row_path(parts)
            old, new = _at(old_view, parts), _at(new_view, parts)
            path = _path(_declared_name(row, parts, *declarations))
            changes.setdefault(path, Change(path, row, old, new))
    return ChangeSet(tuple(changes[p] for p in sorted(changes)))


def compare_declarations(old: dict[str, Any], new: dict[str, Any]) -> ChangeSet:
    """Two declarations in canonical form (check's old and new inputs), write-only included."""
    if old == new:  # the common case; views are functions of the values (1.0 == 1 too)
        return ChangeSet()
    return _plan(_view(old, "", False, True), _view(new, "", False, True), new, old)


def compare_to_record(
    recorded: dict[str, Any], declared: dict[str, Any], applied: dict[str, Any] | None = None
) -> ChangeSet:
    """What Capillary recorded vs a declaration in canonical form (``old`` is the record).

    A field absent from the record is compared as ``applied`` declared it (the declaration
    last applied; by default ``declared`` itself: absent is then never a change). Fields
    Capillary never echoes are compared with ``applied`` alone.
    """
    fallback = declared if applied is None else applied
    recorded = fill_absent(in_period_order(recorded), fallback, write_only=True)
    return _plan(_view(recorded, "", True, True), _view(declared, "", False, True), declared)
