"""The one table: for every field of a target group, whether it can change and how it compares.

Check (immutable changes), diff (update or replace), the client's edit (which fields to
send) and refresh (the inputs that would recreate a recorded group) all read ``FIELDS``;
nothing else in the package knows a field's mutability.

A row's ``compare`` turns a value into the form two values are compared in: calendar days
in UTC (``fromDate`` is sent as a date-time and recorded as ``YYYY-MM-DD``), instants to the
second (ISO cycle dates are recorded in UTC without milliseconds), numbers by value
(``"2"``, ``2`` and ``2.0`` are equal), ``expressionJson`` as parsed JSON. A missing value
equals the row's ``default`` (what Capillary assumes). ``declared``/``recorded`` name the
keys a row reads on each side, first present wins: that is how the legacy
``targetCycleStartDate`` takes precedence over ``targetCycleStartDateISO``, as it does on
the server. A row with ``recorded=None`` is write-only: Capillary does not echo it, so it is
compared between declarations only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from functools import cache, cached_property
from typing import Any


class Mutability(str, Enum):
    UPDATABLE = "updatable"  # edited in place through editTargetGroup
    IMMUTABLE = "immutable"  # fixed at creation: a change needs a new milestone
    SERVER = "server"  # decided by Capillary: never a difference


def _moment(value: Any) -> datetime:
    text = str(value).strip()
    if len(text) == 10:  # a recorded YYYY-MM-DD
        text += "T00:00:00"
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(
        timezone.utc
    )


def same(value: Any) -> Any:
    return value


def text(value: Any) -> Any:
    return value or None  # "" and missing are the same description


def day(value: Any) -> Any:
    return None if value is None else _moment(value).date().isoformat()


def instant(value: Any) -> Any:
    if value is None:
        return None
    return _moment(value).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value: Any) -> Any:
    return None if value is None else float(value)


def json_document(value: Any) -> Any:
    if value is None or isinstance(value, (dict, list)):
        return value
    return json.loads(value)


def amounts(value: Any) -> Any:
    return [number(item.get("defaultValue")) for item in value or []]


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
            "entityIds": sorted(str(i) for i in f.get("entityIds") or []),
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
    why: str = field(default="", compare=False)

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
_START = ("targetCycleStartDate", "targetCycleStartDateISO")
_END = ("targetCycleEndDate", "targetCycleEndDateISO")

FIELDS: tuple[Field, ...] = (
    # the group
    Field("name", UPDATABLE),
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
    Field("targets[].expression", UPDATABLE),
    Field("targets[].expressionJson", UPDATABLE, json_document),
    Field("targets[].filters", IMMUTABLE, filters, default=[]),
    Field("targets[].enrolmentMethod", IMMUTABLE),
    Field("targets[].active", IMMUTABLE, default=True),
    Field("targets[].description", IMMUTABLE, text),
    Field("targets[].defaultValues", IMMUTABLE, amounts),  # recorded ones are put in period order
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

BY_PATH: dict[str, Field] = {f.path: f for f in FIELDS}


@cache
def rows(parent: str = "") -> tuple[Field, ...]:
    """The compared (non-server) rows directly under ``parent`` ("" or "periods[]")."""
    return tuple(f for f in FIELDS if f.parent == parent and f.mutability is not SERVER)


def field_for(path: str) -> Field:
    """The row governing a concrete path such as ``targets[0].defaultValues[1]``."""
    pattern = re.sub(r"\[\d+\]", "[]", path)
    while pattern not in BY_PATH:
        if pattern + "[]" in BY_PATH:
            return BY_PATH[pattern + "[]"]
        if pattern.endswith("[]"):
            pattern = pattern[:-2]
        elif "." in pattern:
            pattern = pattern.rsplit(".", 1)[0]
        else:
            raise KeyError(path)
    return BY_PATH[pattern]


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


def apply_updates(recorded: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """The recorded group with every UPDATABLE field set from the declaration (edit body)."""
    body = json.loads(json.dumps(recorded))
    for row in FIELDS:
        if row.mutability is not UPDATABLE:
            continue
        if not row.parent:
            if declared.get(row.key) is not None:
                body[row.key] = declared[row.key]
            continue
        list_key = row.parent.removesuffix("[]")
        for item, wanted in zip(
            body.get(list_key) or [], declared.get(list_key) or [], strict=False
        ):
            if wanted.get(row.key) is not None:
                item[row.key] = wanted[row.key]
    return body


def declared_from_recorded(recorded: dict[str, Any]) -> dict[str, Any]:
    """The declaration that would recreate a recorded group (refresh's ``inputs``)."""
    recorded = in_period_order(recorded)

    def pick(source: dict[str, Any], parent: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in rows(parent):
            keys = row.recorded_keys()
            if keys is None:
                continue
            if row.path.endswith("[]"):
                child = row.path
                out[row.key] = [pick(item, child) for item in source.get(row.key) or []]
                continue
            value = next((source[k] for k in keys if source.get(k) is not None), None)
            if value is not None:
                out[row.declared_keys()[0]] = value
        return out

    declared = pick(recorded, "")
    for target in declared.get("targets", []):
        if "defaultValues" in target:
            target["defaultValues"] = [
                {"defaultValue": v["defaultValue"]} for v in target["defaultValues"]
            ]
    return declared
