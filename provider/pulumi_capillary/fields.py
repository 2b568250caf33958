"""The one table: for every field of a target group, whether it can change and how it compares.

The plan (no-op, update, replace or refuse), the apply layer (which edit call sends a
field) and refresh (the inputs that would recreate a recorded group) all read ``FIELDS``;
nothing else in the package knows a field's mutability. An updatable row names the call
that edits it: ``editTargetGroup`` for the group's name, the update-target call for a
target's expression, expressionJson, filters and default values.

A row's ``compare`` turns a value into the form two values are compared in: calendar days
in UTC (``fromDate`` is sent as a date-time and recorded as ``YYYY-MM-DD``), instants to the
second (ISO cycle dates are recorded in UTC without milliseconds), numbers by value
(``"2"``, ``2`` and ``2.0`` are equal), ``expressionJson`` as parsed JSON. A missing value
equals the row's ``default`` (what Capillary assumes). ``declared``/``recorded`` name the
keys a row reads on each side, first present wins: that is how the legacy
``targetCycleStartDate`` takes precedence over ``targetCycleStartDateISO``, as it does on
the server. A row with ``recorded=None`` is write-only: Capillary does not echo it, so it is
compared between declarations only.

Capillary may leave a field out of its answer. A field *absent* from the record is not a
change: :func:`fill_absent` takes it from the declaration last applied (kept in the
outputs), so only a value that is present and different counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache, cached_property
from typing import Any

from .declaration.values import integral, utc_moment


class Mutability(str, Enum):
    UPDATABLE = "updatable"  # edited in place (see ``Edit``)
    IMMUTABLE = "immutable"  # fixed at creation: a change needs a new milestone
    SERVER = "server"  # decided by Capillary: never a difference


class Edit(str, Enum):
    """The call that edits an updatable field in place."""

    GROUP = "PUT v3/targetGroups/editTargetGroup/{id}"
    TARGET = "PUT v3/targetGroups/{id}/targets/{targetId}"


def same(value: Any) -> Any:
    return value


def text(value: Any) -> Any:
    return value or None  # "" and missing are the same description


def day(value: Any) -> Any:
    return None if value is None else utc_moment(str(value)).date().isoformat()


def instant(value: Any) -> Any:
    if value is None:
        return None
    return utc_moment(str(value)).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value: Any) -> Any:
    return None if value is None else integral(float(value))


def json_document(value: Any) -> Any:
    if value is None or isinstance(value, (dict, list)):
        return value
    return json.loads(value)


def amounts(value: Any) -> Any:
    return [number(item.get("defaultValue")) for item in value or []]


def _entity_id(value: Any) -> str:
    """``101``, ``101.0`` and ``"101"`` are the same id (Pulumi sends every number as a float)."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return str(value)
    return str(int(number)) if number.is_integer() else str(value)


def extended_field(value: Any) -> Any:
    if not value:
        return None
    return {
        "name": value.get("name"),
        "aggregateFunction": str(value.get("aggregateFunction", "SUM")).upper(),
    }


def filters(value: Any) -> Any:
    return [
        {
            "entityType": str(f.get("entityType", "")).upper(),
            "entityIds": sorted(_entity_id(i) for i in f.get("entityIds") or []),
        }
        for f in value or []
    ]


def period_count(group: dict[str, Any]) -> int:
    """``totalPeriods`` when not declared: Capillary counts the periods."""
    periods = group.get("periods")
    return len(periods) if isinstance(periods, list) else 0


@dataclass(frozen=True)
class Field:
    path: str  # "name", "periods[]", "targets[].expression"
    mutability: Mutability
    compare: Callable[[Any], Any] = same
    default: Any = None  # a value, or a function of the object holding the field
    declared: tuple[str, ...] = ()
    recorded: tuple[str, ...] | None = ()
    edit: Edit | None = None  # for UPDATABLE rows: the call that edits the field
    itemwise: bool = False  # a list compared element by element (changes name the index)

    @cached_property
    def key(self) -> str:
        return self.path.rsplit(".", 1)[-1].removesuffix("[]")

    @cached_property
    def parent(self) -> str:
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""

    def default_for(self, holder: dict[str, Any]) -> Any:
        return self.default(holder) if callable(self.default) else self.default

    def declared_keys(self) -> tuple[str, ...]:
        return self.declared or (self.key,)

    def recorded_keys(self) -> tuple[str, ...] | None:
        return None if self.recorded is None else (self.recorded or self.declared_keys())


UPDATABLE, IMMUTABLE, SERVER = Mutability.UPDATABLE, Mutability.IMMUTABLE, Mutability.SERVER
GROUP, TARGET = Edit.GROUP, Edit.TARGET
_START = ("targetCycleStartDate", "targetCycleStartDateISO")
_END = ("targetCycleEndDate", "targetCycleEndDateISO")

FIELDS: tuple[Field, ...] = (
    # the group
    Field("name", UPDATABLE, edit=GROUP),
    Field("description", IMMUTABLE, text),
    Field("active", IMMUTABLE, default=True),
    Field("preferredTillId", IMMUTABLE, number),
    Field("fromDate", IMMUTABLE, day),
    Field("toDate", IMMUTABLE, day),
    Field("trackingType", IMMUTABLE),
    Field("targetEvaluationType", IMMUTABLE),
    Field("totalPeriods", IMMUTABLE, number, default=period_count),
    Field("frequency", IMMUTABLE, number),
    Field("frequencyType", IMMUTABLE),
    Field("recurringCycles", IMMUTABLE, number),
    Field("targetCycleStartDate", IMMUTABLE, instant, declared=_START, recorded=_START),
    Field("targetCycleEndDate", IMMUTABLE, instant, declared=_END, recorded=_END),
    Field("leaderboardEnabled", IMMUTABLE, default=False),
    # its periods, matched by position
    Field("periods[]", IMMUTABLE),
    Field("periods[].startDate", IMMUTABLE, day),
    Field("periods[].endDate", IMMUTABLE, day),
    Field("periods[].refCode", IMMUTABLE),
    Field("periods[].description", IMMUTABLE, text),
    Field("periods[].active", IMMUTABLE, default=True),
    Field("periods[].periodStatus", SERVER),  # recomputed by the server from its clock
    # its targets, matched by position
    Field("targets[]", IMMUTABLE),
    Field("targets[].name", IMMUTABLE),
    Field("targets[].targetEntity", IMMUTABLE),
    Field("targets[].targetType", IMMUTABLE),
    Field("targets[].eventName", IMMUTABLE),
    Field("targets[].extendedFieldInfo", IMMUTABLE, extended_field),
    Field("targets[].expression", UPDATABLE, edit=TARGET),
    Field("targets[].expressionJson", UPDATABLE, json_document, edit=TARGET),
    Field("targets[].filters", UPDATABLE, filters, default=[], edit=TARGET),
    Field("targets[].enrolmentMethod", IMMUTABLE),
    Field("targets[].active", IMMUTABLE, default=True),
    Field("targets[].description", IMMUTABLE, text),
    # one per period; recorded ones are put in period order
    Field("targets[].defaultValues", UPDATABLE, amounts, edit=TARGET, itemwise=True),
    Field("targets[].targetMilestoneTriggers", IMMUTABLE, default=[], recorded=None),
    # decided by Capillary
    *(
        Field(path, SERVER)
        for path in (
            "id",
            "targetGroupId",
            "attribution",
            "userCreated",
            "timeZoneName",
            "createdOn",
            "activePeriod",
            "periodIds",
            "targetIds",
            "periods[].id",
            "periods[].attribution",
            "periods[].targetGroupId",
            "targets[].id",
            "targets[].attribution",
            "targets[].emfRuleSetId",
            "targets[].targetGroupId",
            "targets[].targetPeriodDefaultValuesMap",
        )
    ),
)


@cache
def rows(parent: str = "") -> tuple[Field, ...]:
    """The compared (non-server) rows directly under ``parent`` ("" or "periods[]")."""
    return tuple(f for f in FIELDS if f.parent == parent and f.mutability is not SERVER)


def in_period_order(recorded: dict[str, Any]) -> dict[str, Any]:
    """Recorded ``defaultValues`` sorted by their period's position, as they were declared."""
    periods = recorded.get("periods")
    if not isinstance(periods, list):
        return recorded
    position = {p.get("id"): i for i, p in enumerate(periods)}
    targets = []
    for target in recorded.get("targets") or []:
        values = target.get("defaultValues")
        if isinstance(values, list):
            values = sorted(values, key=lambda v: position.get(v.get("periodId"), len(position)))
            target = {**target, "defaultValues": values}
        targets.append(target)
    return {**recorded, "targets": targets} if "targets" in recorded else recorded


def fill_absent(
    recorded: dict[str, Any], applied: dict[str, Any] | None, write_only: bool = False
) -> dict[str, Any]:
    """The record with every compared field it leaves out taken from ``applied``.

    ``applied`` is the declaration last applied (or, when none is known, the declaration
    compared against): a field Capillary does not echo then never shows as a change. With
    ``write_only``, the fields Capillary never echoes are taken from it too, so that a
    change of one is seen against what was applied.
    """
    if not applied:
        return recorded

    def fill(source: dict[str, Any], wanted: dict[str, Any], parent: str) -> dict[str, Any]:
        out = dict(source)
        for row in rows(parent):
            keys = row.recorded_keys()
            if keys is None and not write_only:
                continue  # write-only: compared between declarations only
            keys = keys or row.declared_keys()
            present = [k for k in keys if out.get(k) is not None]
            if row.path.endswith("[]"):
                mine, theirs = out.get(row.key), wanted.get(row.key)
                if mine is None and isinstance(theirs, list):
                    out[row.key] = theirs
                elif isinstance(mine, list) and isinstance(theirs, list):
                    out[row.key] = [
                        fill(item, other, row.path)
                        if isinstance(item, dict) and isinstance(other, dict)
                        else item
                        for item, other in zip(mine, theirs + [{}] * len(mine), strict=False)
                    ]
                continue
            if present:
                continue
            for key in row.declared_keys():
                if wanted.get(key) is not None:
                    out[key] = wanted[key]
                    break
        return out

    return fill(recorded, applied, "")


def edits_by_call(changes: list[Any]) -> dict[Edit, list[Any]]:
    """Changes (anything with a ``field``) grouped by the call that makes them."""
    calls: dict[Edit, list[Any]] = {}
    for change in changes:
        if change.field.edit is not None:
            calls.setdefault(change.field.edit, []).append(change)
    return calls


def group_edit_body(recorded: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """``editTargetGroup``'s body: the group as recorded, its GROUP-edited fields as declared."""
    body: dict[str, Any] = json.loads(json.dumps(recorded))
    for row in rows(""):
        if row.edit is GROUP and declared.get(row.key) is not None:
            body[row.key] = declared[row.key]
    return body


def target_edit_body(recorded: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """The update-target call's body: one whole target in the request shape, TARGET-edited
    fields as declared and the others as recorded (the call edits only the former)."""
    body: dict[str, Any] = {}
    for row in rows("targets[]"):
        if row.recorded is None:
            continue
        source = declared if row.edit is TARGET else recorded
        value = source.get(row.key)
        if value is None and row.edit is TARGET:
            value = recorded.get(row.key)
        if value is not None:
            body[row.key] = value
    body["defaultValues"] = [
        {"defaultValue": item.get("defaultValue")} for item in body.get("defaultValues") or []
    ]
    return body


def declared_from_recorded(
    recorded: dict[str, Any], applied: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The declaration that would recreate a recorded group (refresh's ``inputs``); fields
    Capillary left out of its answer are taken from ``applied``."""
    recorded = fill_absent(in_period_order(recorded), applied, write_only=True)

    def pick(source: dict[str, Any], parent: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in rows(parent):
            keys = row.recorded_keys() or row.declared_keys()  # write-only: as applied
            if row.path.endswith("[]"):
                child = row.path
                out[row.key] = [pick(item, child) for item in source.get(row.key) or []]
                continue
            key = next((k for k in keys if source.get(k) is not None), None)
            if key is not None:
                out[key if len(keys) > 1 else row.declared_keys()[0]] = source[key]
        return out

    declared = pick(recorded, "")
    for target in declared.get("targets", []):
        if "defaultValues" in target:
            target["defaultValues"] = [
                {"defaultValue": v["defaultValue"]} for v in target["defaultValues"]
            ]
    return declared
