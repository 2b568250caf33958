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
change: ``records.fill_absent`` takes it from the declaration last applied (kept in the
outputs), so only a value that is present and different counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache, cached_property, lru_cache
from typing import Any, NamedTuple

from .declaration.values import integral, utc_moment
from .unknown import UNKNOWN, is_unknown


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
    return None if value is None else _day(str(value))


def instant(value: Any) -> Any:
    return None if value is None else _instant(str(value))


# an org's milestones share their dates: each text is parsed once
@lru_cache(maxsize=4096)
def _day(text: str) -> str:
    return utc_moment(text).date().isoformat()


@lru_cache(maxsize=4096)
def _instant(text: str) -> str:
    return utc_moment(text).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_of_day(value: Any) -> Any:
    """A recorded day (``2027-03-31``) read back as the end it means, the day's last second:
    as a declaration's end, its first second would make a one-day period end as it starts."""
    if isinstance(value, str) and len(value.strip()) == 10:
        return value.strip() + "T23:59:59Z"
    return value


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


def period_count(group: dict[str, Any]) -> Any:
    """``totalPeriods`` when not declared: Capillary counts the periods (unknown while the
    list is: another resource computes it)."""
    periods = group.get("periods")
    if is_unknown(periods):
        return UNKNOWN
    return len(periods) if isinstance(periods, list) else 0


@dataclass(frozen=True)
class Row:
    """One field of the table: where it is, whether it can change, how it compares."""

    path: str  # "name", "periods[]", "targets[].expression"
    mutability: Mutability
    compare: Callable[[Any], Any] = same
    default: Any = None  # a value, or a function of the object holding the field
    declared: tuple[str, ...] = ()
    recorded: tuple[str, ...] | None = ()
    edit: Edit | None = None  # for UPDATABLE rows: the call that edits the field
    itemwise: bool = False  # a list compared element by element (changes name the index)
    restore: Callable[[Any], Any] = same  # a recorded value back as a declaration writes it
    kind: str = ""  # a SERVER field's JSON type, and what it is (the provider's schema)

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
# What Capillary decides and records: each field's JSON type and what it is.
_SERVER: dict[str, str] = {
    "id": "integer: the group's id",
    "targetGroupId": "integer: the group's id (the resource's id)",
    "attribution": "object: who created and last changed it, and when",
    "userCreated": "boolean: whether it was made in the Capillary UI",
    "timeZoneName": "string: the org's time zone",
    "createdOn": "integer: when it was created (epoch milliseconds)",
    "activePeriod": "object: the running period, if any",
    "periodIds": "array: the ids of its periods, in order",
    "targetIds": "array: the ids of its targets, in order",
    "periods[].id": "integer: the period's id",
    "periods[].attribution": "object: who created and last changed it, and when",
    "periods[].targetGroupId": "integer: its group's id",
    "periods[].periodStatus": "string: ENDED, RUNNING or NOT_STARTED, from the dates",
    "targets[].id": "integer: the target's id",
    "targets[].attribution": "object: who created and last changed it, and when",
    "targets[].emfRuleSetId": "integer: the id of its rule set",
    "targets[].targetGroupId": "integer: its group's id",
    "targets[].targetPeriodDefaultValuesMap": "object: its values by period id",
    "targets[].defaultValues[].id": "integer: the value's id",
    "targets[].defaultValues[].periodId": "integer: the id of the value's period",
}
GROUP, TARGET = Edit.GROUP, Edit.TARGET
_START = ("targetCycleStartDate", "targetCycleStartDateISO")
_END = ("targetCycleEndDate", "targetCycleEndDateISO")

FIELDS: tuple[Row, ...] = (
    # the group
    Row("name", UPDATABLE, edit=GROUP),
    Row("description", IMMUTABLE, text),
    Row("active", IMMUTABLE, default=True),
    Row("preferredTillId", IMMUTABLE, number),
    Row("fromDate", IMMUTABLE, day),
    Row("toDate", IMMUTABLE, day, restore=end_of_day),
    Row("trackingType", IMMUTABLE),
    Row("targetEvaluationType", IMMUTABLE),
    Row("totalPeriods", IMMUTABLE, number, default=period_count),
    Row("frequency", IMMUTABLE, number),
    Row("frequencyType", IMMUTABLE),
    Row("recurringCycles", IMMUTABLE, number),
    Row("targetCycleStartDate", IMMUTABLE, instant, declared=_START, recorded=_START),
    Row("targetCycleEndDate", IMMUTABLE, instant, declared=_END, recorded=_END),
    Row("leaderboardEnabled", IMMUTABLE, default=False),
    # its periods, matched by position
    Row("periods[]", IMMUTABLE),
    Row("periods[].startDate", IMMUTABLE, day),
    Row("periods[].endDate", IMMUTABLE, day, restore=end_of_day),
    Row("periods[].refCode", IMMUTABLE),
    Row("periods[].description", IMMUTABLE, text),
    Row("periods[].active", IMMUTABLE, default=True),
    # its targets, matched by position
    Row("targets[]", IMMUTABLE),
    Row("targets[].name", IMMUTABLE),
    Row("targets[].targetEntity", IMMUTABLE),
    Row("targets[].targetType", IMMUTABLE),
    Row("targets[].eventName", IMMUTABLE),
    Row("targets[].extendedFieldInfo", IMMUTABLE, extended_field),
    Row("targets[].expression", UPDATABLE, edit=TARGET),
    Row("targets[].expressionJson", UPDATABLE, json_document, edit=TARGET),
    Row("targets[].filters", UPDATABLE, filters, default=[], edit=TARGET),
    Row("targets[].enrolmentMethod", IMMUTABLE),
    Row("targets[].active", IMMUTABLE, default=True),
    Row("targets[].description", IMMUTABLE, text),
    # one per period; recorded ones are put in period order
    Row("targets[].defaultValues", UPDATABLE, amounts, edit=TARGET, itemwise=True),
    Row("targets[].targetMilestoneTriggers", IMMUTABLE, default=[], recorded=None),
    # decided by Capillary
    *(Row(path, SERVER, kind=kind) for path, kind in _SERVER.items()),
)


@cache
def rows(parent: str = "") -> tuple[Row, ...]:
    """The compared (non-server) rows directly under ``parent`` ("" or "periods[]")."""
    return tuple(f for f in FIELDS if f.parent == parent and f.mutability is not SERVER)


class Column(NamedTuple):
    """How one row is read from a declaration or a record: a function of the table, so
    computed once (the diff's views and the record's fill both read it)."""

    row: Row
    key: str
    keys: tuple[str, ...]  # the keys it reads, first present wins
    nests: bool  # a list of objects, read row by row
    as_is: str | None  # the one key of a row that compares values as given


@cache
def columns(parent: str, recorded: bool, write_only: bool) -> tuple[Column, ...]:
    """The rows under ``parent`` as read from a record (``recorded``) or a declaration;
    without ``write_only``, the rows Capillary never echoes are left out."""
    found = []
    for row in rows(parent):
        if row.recorded is None and not write_only:
            continue
        keys = (row.recorded_keys() if recorded else None) or row.declared_keys()
        as_is = keys[0] if row.compare is same and len(keys) == 1 else None
        found.append(Column(row, row.key, keys, row.path.endswith("[]"), as_is))
    return tuple(found)
