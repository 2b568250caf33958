"""What the emulated server does to a create body: validate it, then record it.

Deliberately independent of the provider side (``_spec``, ``_fields``, ``_diff``): this is
the oracle the provider is tested against, so its rules are written out again here from
the API reference instead of imported.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

NextId = Callable[[str], int]  # the store's id counters, by kind

TRACKING_TYPES = {"DEFAULT", "UNIFIED", "STREAKS", "CAPPING", "NON_CONTINUOUS_STREAKS"}
EVALUATION_TYPES = {"FIXED_CALENDAR_WINDOW", "CYCLIC_WINDOW", "PERIOD_AGNOSTIC_WINDOW"}
FREQUENCY_TYPES = {"DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "HALF_YEARLY", "YEARLY", "CUSTOM"}
TARGET_TYPES = {
    "EVENT": {"COUNT", "VISIT", "EVENT_ATTRIBUTE"},
    "TRANSACTION": {"QUANTITY", "SALES", "GROSS_SALES", "COUNT", "VISIT", "EXTENDED_FIELD"},
    "LINEITEM": {"QUANTITY", "SALES", "GROSS_SALES", "COUNT", "VISIT", "EXTENDED_FIELD"},
    "REWARDS": {"REGULAR_POINTS", "PROMOTIONAL_POINTS", "ALL_POINTS"},
}
ENROLMENT_METHODS = {"TRANSACTION", "IMPORT"}
FILTER_ENTITY_TYPES = {"STORE", "ZONE", "CONCEPT"}
PERIOD_STATUSES = {"RUNNING", "UPCOMING", "NOT_STARTED"}  # the request table's values
MAX_NESTING = 100  # deeper bodies are refused before anything is stored


class Rejected(Exception):
    """A request the server refuses: carries the HTTP status and the Capillary error code."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


_ID = re.compile(r"[1-9][0-9]{0,17}")  # ASCII digits only: "2_911", " 2911", "٢٩١١" are not ids


def parse_id(text: str) -> int:
    """A path's id, or -1 (no such group) for anything but a canonical decimal id."""
    return int(text) if _ID.fullmatch(text) else -1


def parse_instant(value: Any, field: str) -> datetime:
    """An ISO date or date-time; naive values are read as UTC (the server's zone is GMT)."""
    if not isinstance(value, str) or not value:
        raise Rejected(300004, f"{field}: expected an ISO 8601 date-time, got {value!r}")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Rejected(300004, f"{field}: {value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        raise Rejected(300004, f"{field}: {value!r} is out of range once in UTC") from None


def parse_json(raw: bytes) -> Any:
    """A request body, refused (never stored) if an answer could not carry it back:
    NaN or infinite numbers, lone surrogates, nesting deeper than ``MAX_NESTING``."""

    def no_constant(name: str) -> Any:
        raise Rejected(300004, f"request body holds {name}, which JSON does not allow")

    def finite(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise Rejected(300004, f"request body holds a number out of range ({text[:20]})")
        return value

    try:
        data = json.loads(raw or b"null", parse_constant=no_constant, parse_float=finite)
    except RecursionError:
        raise Rejected(300004, "request body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise Rejected(300004, "request body is not valid JSON") from None
    check_storable(data)
    return data


def check_storable(data: Any) -> None:
    """Iteratively: depth, finite numbers, strings that UTF-8 can carry."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            raise Rejected(300004, f"request body is nested deeper than {MAX_NESTING} levels")
        if isinstance(value, dict):
            stack += [(k, depth) for k in value] + [(v, depth + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, depth + 1) for v in value]
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise Rejected(300004, "request body holds an invalid character") from None
        elif isinstance(value, float) and not math.isfinite(value):
            raise Rejected(300004, "request body holds a number out of range")


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


def _expect(
    obj: dict[str, Any], key: str, kinds: tuple[type, ...], path: str, required: bool = False
) -> Any:
    value = obj.get(key)
    if value is None:
        if required:
            raise Rejected(300004, f"{path}{key} is required")
        return None
    if isinstance(value, bool) and bool not in kinds:
        raise Rejected(300004, f"{path}{key}: expected {kinds[0].__name__}, got {value!r}")
    if not isinstance(value, kinds):
        raise Rejected(300004, f"{path}{key}: expected {kinds[0].__name__}, got {value!r}")
    return value


def _printable(value: str | None, path: str) -> None:
    if value is not None and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise Rejected(300004, f"{path} must not contain control characters")


def _enum(
    obj: dict[str, Any], key: str, allowed: set[str], path: str, required: bool = False
) -> str | None:
    value = _expect(obj, key, (str,), path, required)
    if value is not None and value.upper() not in allowed:
        raise Rejected(300004, f"{path}{key}: {value!r} is not one of {sorted(allowed)}")
    return value.upper() if value is not None else None


def _integer(obj: dict[str, Any], key: str, path: str, required: bool = False) -> int | None:
    value = _expect(obj, key, (int, float, str), path, required)
    if value is None:
        return None
    try:
        as_float = float(value)
    except ValueError:
        raise Rejected(300004, f"{path}{key}: {value!r} is not a number") from None
    if not math.isfinite(as_float) or not as_float.is_integer() or abs(as_float) > 2**53:
        raise Rejected(300004, f"{path}{key}: {value!r} is not an integer")
    return int(as_float)


def validate_create(body: Any) -> None:
    """Raise :class:`Rejected` for the first problem, as the real server does."""
    if not isinstance(body, dict):
        raise Rejected(300004, "request body must be a JSON object")
    name = _expect(body, "name", (str,), "", required=True)
    if not name.strip():
        raise Rejected(300004, "name must not be empty")
    _printable(name, "name")
    if len(name) > 200:
        raise Rejected(310008, "Length of Target rule name cannot exceed 200")
    description = _expect(body, "description", (str,), "")
    if description is not None and len(description) > 255:
        raise Rejected(300004, "description cannot exceed 255 characters")
    for key in ("active", "leaderboardEnabled"):
        _expect(body, key, (bool,), "")
    if body.get("leaderboardEnabled"):
        raise Rejected(310133, "leaderboard is not enabled for the org")
    _enum(body, "trackingType", TRACKING_TYPES, "")
    _enum(body, "targetEvaluationType", EVALUATION_TYPES, "")
    _enum(body, "frequencyType", FREQUENCY_TYPES, "")
    for key in ("preferredTillId", "frequency"):
        _integer(body, key, "")
    recurring = _integer(body, "recurringCycles", "")
    if recurring is not None and recurring > 100:
        raise Rejected(300004, f"recurringCycles: {recurring} is more than 100")
    from_date = parse_instant(body["fromDate"], "fromDate") if body.get("fromDate") else None
    to_date = parse_instant(body["toDate"], "toDate") if body.get("toDate") else None
    if from_date and to_date and from_date > to_date:
        raise Rejected(300004, "fromDate must not be after toDate")
    for key in (
        "targetCycleStartDate",
        "targetCycleStartDateISO",
        "targetCycleEndDate",
        "targetCycleEndDateISO",
    ):
        if body.get(key) is not None:
            parse_instant(body[key], key)
    periods = _expect(body, "periods", (list,), "", required=True)
    if not periods:
        raise Rejected(300004, "periods must not be empty")
    total = _integer(body, "totalPeriods", "")
    if total is not None and total != len(periods):
        raise Rejected(300004, f"totalPeriods is {total} but {len(periods)} periods were sent")
    _validate_periods(periods)
    targets = _expect(body, "targets", (list,), "", required=True)
    if not targets:
        raise Rejected(300004, "targets must not be empty")
    for index, target in enumerate(targets):
        _validate_target(target, f"targets[{index}].", len(periods))


def _validate_periods(periods: list[Any]) -> None:
    previous_end: date | None = None
    ref_codes: set[str] = set()
    for index, period in enumerate(periods):
        path = f"periods[{index}]."
        if not isinstance(period, dict):
            raise Rejected(300004, f"periods[{index}] must be an object")
        start = parse_instant(period.get("startDate"), path + "startDate")
        end = parse_instant(period.get("endDate"), path + "endDate")
        if end <= start:
            raise Rejected(300004, f"{path}endDate must be after startDate")
        if previous_end is not None and start.date() <= previous_end:
            raise Rejected(300004, f"{path}startDate overlaps the previous period")
        previous_end = end.date()
        ref_code = _expect(period, "refCode", (str,), path)
        if ref_code is not None:
            if ref_code in ref_codes:
                raise Rejected(300004, f"{path}refCode {ref_code!r} is used twice")
            ref_codes.add(ref_code)
        _expect(period, "description", (str,), path)
        _expect(period, "active", (bool,), path)
        _enum(period, "periodStatus", PERIOD_STATUSES, path)


def _validate_target(target: Any, path: str, period_count: int) -> None:
    if not isinstance(target, dict):
        raise Rejected(300004, f"{path[:-1]} must be an object")
    name = _expect(target, "name", (str,), path, required=True)
    if not name.strip():
        raise Rejected(300004, f"{path}name must not be empty")
    _printable(name, f"{path}name")
    if len(name) > 200:
        raise Rejected(310008, "Length of Target rule name cannot exceed 200")
    entity = _expect(target, "targetEntity", (str,), path, required=True).upper()
    target_type = _expect(target, "targetType", (str,), path, required=True).upper()
    if target_type not in TARGET_TYPES.get(entity, set()):
        raise Rejected(310033, f"invalid targetEntity/targetType: {entity}/{target_type}")
    if entity == "EVENT" and not _expect(target, "eventName", (str,), path):
        raise Rejected(300004, f"{path}eventName is required for EVENT targets")
    info = _expect(target, "extendedFieldInfo", (dict,), path)
    if target_type == "EVENT_ATTRIBUTE" and info is None:
        raise Rejected(310092, f"{path}extendedFieldInfo is required for EVENT_ATTRIBUTE")
    if info is not None and (
        not isinstance(info.get("name"), str)
        or not info["name"]
        or str(info.get("aggregateFunction", "")).upper() != "SUM"
    ):
        raise Rejected(310092, f"{path}extendedFieldInfo: invalid extended field name or datatype")
    _enum(target, "enrolmentMethod", ENROLMENT_METHODS, path)
    _expect(target, "description", (str,), path)
    validate_editable(target, path, period_count)


def validate_editable(target: Any, path: str, period_count: int) -> None:
    """The four fields the update-target call edits, checked as on create."""
    _expect(target, "expression", (str,), path)
    expression_json = _expect(target, "expressionJson", (str,), path)
    if expression_json is not None:
        try:
            check_storable(json.loads(expression_json))
        except RecursionError:
            raise Rejected(300004, f"{path}expressionJson is nested too deeply") from None
        except ValueError:
            raise Rejected(300004, f"{path}expressionJson is not valid JSON") from None
    for f_index, item in enumerate(_expect(target, "filters", (list,), path) or []):
        where = f"{path}filters[{f_index}]."
        if not isinstance(item, dict) or str(item.get("entityType", "")).upper() not in (
            FILTER_ENTITY_TYPES
        ):
            raise Rejected(300004, f"{where}entityType must be STORE/ZONE/CONCEPT")
        ids = item.get("entityIds")
        if not isinstance(ids, list) or not ids:
            raise Rejected(300004, f"{where}entityIds must not be empty")
        if any(isinstance(i, bool) or not isinstance(i, (int, float, str)) for i in ids):
            raise Rejected(300004, f"{where}entityIds must hold ids (numbers or strings)")
    values = _expect(target, "defaultValues", (list,), path, required=True)
    if len(values) != period_count:
        raise Rejected(
            300004, f"{path}defaultValues has {len(values)} entries for {period_count} periods"
        )
    for v_index, entry in enumerate(values):
        entry_path = f"{path}defaultValues[{v_index}]."
        if not isinstance(entry, dict):
            raise Rejected(300004, f"{entry_path[:-1]} must be an object")
        value = _expect(entry, "defaultValue", (int, float, str), entry_path, required=True)
        try:
            as_float = float(value)
        except (ValueError, OverflowError):
            raise Rejected(300004, f"{entry_path}defaultValue {value!r} is not a number") from None
        if not math.isfinite(as_float):
            raise Rejected(300004, f"{entry_path}defaultValue must be a finite number")


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
