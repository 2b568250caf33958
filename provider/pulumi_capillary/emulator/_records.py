"""What the emulated server records for a valid request, and what it answers with.

Deliberately independent of the provider side (``declaration/``, ``fields.py``, ``diff.py``): the
transformations below are written out from the seed page's request → response pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from ._validation import Rejected, parse_instant, validate_editable

NextId = Callable[[str], int]  # the store's id counters, by kind


def iso_z(moment: datetime, millis: bool) -> str:
    """``2026-02-01T05:00:00.000Z`` (millis) or ``2026-02-01T05:00:00Z``."""
    moment = moment.astimezone(timezone.utc)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def attribution_stamp(moment: datetime) -> tuple[str, str]:
    """The two spellings of a timestamp in ``attribution``."""
    moment = moment.astimezone(timezone.utc)
    legacy = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
    return legacy, iso_z(moment, millis=False)


def number(value: Any) -> int | float:
    """A JSON number as the server answers it: integral values without a fraction."""
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def period_status(start: str, end: str, today: date) -> str:
    """Recomputed on every answer from the recorded days and the server's clock."""
    if date.fromisoformat(end) < today:
        return "ENDED"
    if date.fromisoformat(start) > today:
        return "NOT_STARTED"
    return "RUNNING"


def record_group(
    body: dict[str, Any], group_id: int, next_id: NextId, attribution: dict[str, Any]
) -> dict[str, Any]:
    """The recorded group (without computed ``periodStatus``), key order as the server's."""
    group: dict[str, Any] = {"id": group_id, "name": body["name"]}
    if body.get("description") is not None:
        group["description"] = body["description"]
    if body.get("fromDate"):
        group["fromDate"] = parse_instant(body["fromDate"], "fromDate").date().isoformat()
    if body.get("toDate"):
        group["toDate"] = parse_instant(body["toDate"], "toDate").date().isoformat()
    group["active"] = body.get("active", True)
    if body.get("preferredTillId") is not None:
        group["preferredTillId"] = int(float(body["preferredTillId"]))
    periods = []
    for period in body["periods"]:
        recorded = {
            "id": next_id("period"),
            "attribution": attribution,
            "startDate": parse_instant(period["startDate"], "").date().isoformat(),
            "endDate": parse_instant(period["endDate"], "").date().isoformat(),
        }
        if period.get("refCode") is not None:
            recorded["refCode"] = period["refCode"]
        recorded["periodStatus"] = None  # computed when answering
        recorded["targetGroupId"] = group_id
        if period.get("description") is not None:
            recorded["description"] = period["description"]
        recorded["active"] = period.get("active", True)
        periods.append(recorded)
    group["periods"] = periods
    group["totalPeriods"] = len(periods)
    for key in ("targetEvaluationType", "recurringCycles", "frequency", "frequencyType"):
        if body.get(key) is not None:
            value = body[key]
            group[key] = value.upper() if isinstance(value, str) else int(float(value))
    group.update(_cycle_dates(body))
    if body.get("trackingType") is not None:
        group["trackingType"] = body["trackingType"].upper()
    group["targets"] = [
        _record_target(target, group_id, periods, next_id, attribution)
        for target in body["targets"]
    ]
    group["leaderboardEnabled"] = False
    group["userCreated"] = False
    group["timeZoneName"] = "GMT"
    return group


def _cycle_dates(body: dict[str, Any]) -> dict[str, Any]:
    """The legacy field wins when both spellings are sent; ISO values are converted to UTC."""
    dates: dict[str, str] = {}
    for legacy_key, iso_key in (
        ("targetCycleStartDate", "targetCycleStartDateISO"),
        ("targetCycleEndDate", "targetCycleEndDateISO"),
    ):
        if body.get(legacy_key):
            moment = parse_instant(body[legacy_key], legacy_key)
            dates[legacy_key] = body[legacy_key]
        elif body.get(iso_key):
            moment = parse_instant(body[iso_key], iso_key)
            dates[legacy_key] = iso_z(moment, millis=True)
        else:
            continue
        dates[iso_key] = iso_z(moment, millis=False)
    order = (
        "targetCycleStartDate",
        "targetCycleEndDate",
        "targetCycleStartDateISO",
        "targetCycleEndDateISO",
    )
    return {key: dates[key] for key in order if key in dates}


def _record_target(
    target: dict[str, Any],
    group_id: int,
    periods: list[Any],
    next_id: NextId,
    attribution: dict[str, Any],
) -> dict[str, Any]:
    target_id = next_id("target")
    values = [
        {
            "id": next_id("value"),
            "periodId": period["id"],
            "defaultValue": number(entry["defaultValue"]),
        }
        for period, entry in zip(periods, target["defaultValues"], strict=True)
    ]
    recorded: dict[str, Any] = {
        "id": target_id,
        "attribution": attribution,
        "name": target["name"],
        "emfRuleSetId": next_id("ruleset"),
        "targetType": target["targetType"].upper(),
        "targetEntity": target["targetEntity"].upper(),
    }
    if target.get("eventName") is not None:
        recorded["eventName"] = target["eventName"]
    recorded["targetGroupId"] = group_id
    if target.get("description") is not None:
        recorded["description"] = target["description"]
    recorded["active"] = target.get("active", True)
    for key in ("expression", "expressionJson"):
        if target.get(key) is not None:
            recorded[key] = target[key]
    recorded["filters"] = [
        {"entityType": f["entityType"].upper(), "entityIds": f["entityIds"]}
        for f in target.get("filters") or []
    ]
    if target.get("enrolmentMethod") is not None:
        recorded["enrolmentMethod"] = target["enrolmentMethod"].upper()
    recorded["defaultValues"] = values
    recorded["targetPeriodDefaultValuesMap"] = {str(v["periodId"]): dict(v) for v in values}
    if target.get("extendedFieldInfo") is not None:
        info = target["extendedFieldInfo"]
        recorded["extendedFieldInfo"] = {
            "name": info["name"],
            "aggregateFunction": info["aggregateFunction"].upper(),
        }
    return recorded


def apply_target_edit(
    recorded: dict[str, Any], body: Any, periods: list[Any], stamp: dict[str, Any]
) -> None:
    """The update-target call: ``expression``, ``expressionJson``, ``filters`` and
    ``defaultValues`` (one per period, in period order) from ``body``; the rest is kept.

    The ids of the default values stay those of their periods, so the map stays consistent.
    """
    if not isinstance(body, dict):
        raise Rejected(300004, "request body must be a JSON object")
    validate_editable(body, "", len(periods))
    for key in ("expression", "expressionJson"):
        if body.get(key) is not None:
            recorded[key] = body[key]
    if body.get("filters") is not None:
        recorded["filters"] = [
            {"entityType": f["entityType"].upper(), "entityIds": f["entityIds"]}
            for f in body["filters"]
        ]
    by_period = {v["periodId"]: v for v in recorded["defaultValues"]}
    values = []
    for period, entry in zip(periods, body["defaultValues"], strict=True):
        kept = by_period.get(period["id"], {})
        values.append(
            {
                "id": kept.get("id"),
                "periodId": period["id"],
                "defaultValue": number(entry["defaultValue"]),
            }
        )
    recorded["defaultValues"] = values
    recorded["targetPeriodDefaultValuesMap"] = {str(v["periodId"]): dict(v) for v in values}
    recorded["attribution"] = {
        **recorded["attribution"],
        **{k: v for k, v in stamp.items() if "last" in k},
    }
