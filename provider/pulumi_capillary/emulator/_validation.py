"""What the emulated server refuses: a request is validated whole before anything is stored.

Deliberately independent of the provider side (``declaration/``): this is the
oracle the provider is tested against, so its rules are written out again here from the API
reference instead of imported. It is as strict as the documentation where the documentation is
explicit, and it refuses what it could not answer with later.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timezone
from typing import Any

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
