"""Declared vs recorded (and declared vs declared): the changes that matter, classified.

Both sides are first projected onto a *view* built from the fields table: only compared
fields, each in its comparison form (numbers by value at every depth), defaults filled in,
fields Capillary left out of its answer taken from the declaration last applied. Equal
views mean no change (the common case, and a cheap ``==``); otherwise the views are walked
row by row, so each difference is found together with the row that classifies it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .declaration.values import integral
from .exceptions import Loc, format_path, show
from .fields import Mutability, Row, columns, rows
from .records import fill_absent, in_period_order
from .unknown import UNKNOWN, contains_unknown, is_unknown


@dataclass(frozen=True)
class Change:
    """One field that differs: where (``loc``, spelt only when printed), the row that
    classifies it, and the two values in their comparison form."""

    loc: Loc
    row: Row
    old: Any
    new: Any

    @property
    def path(self) -> str:
        return format_path(self.loc)

    @property
    def mutability(self) -> Mutability:
        return self.row.mutability

    @property
    def unknown(self) -> bool:
        return self.new is UNKNOWN or self.old is UNKNOWN

    @property
    def top_level(self) -> str:
        return str(self.loc[0])

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


_AS_IS = frozenset({str, int, bool})  # compared as given by a row that compares as given


def _value(source: dict[str, Any], row: Row, keys: tuple[str, ...]) -> Any:
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
    if default is None or default is UNKNOWN:
        return default
    return integral(row.compare(default))


def _view(source: Any, parent: str, recorded: bool, write_only: bool) -> Any:
    if is_unknown(source):
        return UNKNOWN
    if not isinstance(source, dict):
        return source
    view: dict[str, Any] = {}
    for row, key, keys, nests, as_is in columns(parent, recorded, write_only):
        if nests:
            items = source.get(key)
            if is_unknown(items):
                view[key] = UNKNOWN
            else:
                view[key] = [_view(i, row.path, recorded, write_only) for i in items or []]
        elif as_is is not None and type(value := source.get(as_is)) in _AS_IS:
            view[key] = UNKNOWN if is_unknown(value) else value  # most fields: a cheap path
        else:
            view[key] = _value(source, row, keys)
    return view


_Found = tuple[Row, list[Any], Any, Any]  # a row, where, and the two values


def _differences(old: Any, new: Any, parent: str, at: list[Any]) -> Iterator[_Found]:
    """Walks two views row by row, so each difference comes with the row that governs it:
    a whole field, an item of an itemwise list, or an item added or removed."""
    for row in rows(parent):
        before, after = old.get(row.key), new.get(row.key)
        if before == after:
            continue
        path = [*at, row.key]
        nested = row.path.endswith("[]")
        if not (nested or row.itemwise) or not (
            isinstance(before, list) and isinstance(after, list)
        ):
            yield row, path, before, after
            continue
        for index in range(max(len(before), len(after))):
            item_before = before[index] if index < len(before) else None
            item_after = after[index] if index < len(after) else None
            if item_before == item_after:
                continue
            if nested and isinstance(item_before, dict) and isinstance(item_after, dict):
                yield from _differences(item_before, item_after, row.path, [*path, index])
            else:
                yield row, [*path, index], item_before, item_after


def _declared_name(row: Row, parts: list[Any], *sources: dict[str, Any]) -> list[Any]:
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
    if old_view == new_view:  # the common case
        return ChangeSet()
    changes: dict[Loc, Change] = {}
    for row, parts, old, new in _differences(old_view, new_view, "", []):
        loc = tuple(_declared_name(row, parts, *declarations))
        changes.setdefault(loc, Change(loc, row, old, new))
    return ChangeSet(tuple(sorted(changes.values(), key=_in_order)))


def _in_order(change: Change) -> list[tuple[bool, Any]]:
    """By location, indexes as numbers: ``periods[2]`` comes before ``periods[10]``."""
    return [(isinstance(part, str), part) for part in change.loc]


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
