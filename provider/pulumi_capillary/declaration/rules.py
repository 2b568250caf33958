"""The cross-field rules of a declaration, run on the raw (camelCase) body.

pydantic skips ``after`` model validators once a field fails, which would hide these
problems until the next run; here every rule runs on what was declared, reading each
value it needs through the field's own type and passing over values that are invalid or
unknown (their own problem is reported by the model). So one ``check`` reports all.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..exceptions import Violation
from .values import TARGET_TYPES, TargetEntity, TargetType, WholeNumber, utc_moment

Rule = Callable[[dict[str, Any]], Iterator[Violation]]
RULES: list[Rule] = []


def _rule(function: Rule) -> Rule:
    RULES.append(function)
    return function


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def _read(kind: Any, value: Any) -> Any:
    """The value in its canonical form, or ``None`` when it is missing, invalid or unknown."""
    if value is None:
        return None
    try:
        return _adapter(kind).validate_python(value)
    except (ValidationError, TypeError, RecursionError):
        return None


def _moment(value: Any) -> datetime | None:
    """The declared text as a moment in UTC, ``None`` if it is not one (or not known)."""
    if not isinstance(value, str):
        return None
    try:
        return utc_moment(value)
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    moment = _moment(value)
    return None if moment is None else moment.date()


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _problem(loc: tuple[Any, ...], value: Any, rule: str) -> Violation:
    return Violation(tuple(loc), value, rule)


@_rule
def _dates_in_order(body: dict[str, Any]) -> Iterator[Violation]:
    start, end = _moment(body.get("fromDate")), _moment(body.get("toDate"))
    if start and end and end < start:
        yield _problem(
            ("toDate",), body["toDate"], f"must not be before fromDate {body['fromDate']}"
        )


@_rule
def _periods_end_after_start(body: dict[str, Any]) -> Iterator[Violation]:
    for index, period in _items(body.get("periods")):
        start, end = _moment(period.get("startDate")), _moment(period.get("endDate"))
        if start and end and end <= start:
            yield _problem(
                ("periods", index, "endDate"),
                period["endDate"],
                f"must be after startDate {period['startDate']}",
            )


@_rule
def _periods_do_not_overlap(body: dict[str, Any]) -> Iterator[Violation]:
    periods = _items(body.get("periods"))
    for (previous, before), (index, period) in itertools.pairwise(periods):
        previous_end, start = _day(before.get("endDate")), _day(period.get("startDate"))
        if previous_end and start and start <= previous_end:
            yield _problem(
                ("periods", index, "startDate"),
                period["startDate"],
                f"must be on a later day than periods[{previous}].endDate "
                f"{before['endDate']}: periods are ordered and do not overlap",
            )


@_rule
def _ref_codes_unique(body: dict[str, Any]) -> Iterator[Violation]:
    seen: dict[Any, int] = {}
    for index, period in _items(body.get("periods")):
        code = period.get("refCode")
        if not isinstance(code, str):
            continue
        if code in seen:
            yield _problem(
                ("periods", index, "refCode"),
                code,
                f"is already used by periods[{seen[code]}]; refCodes are unique",
            )
        seen.setdefault(code, index)


@_rule
def _total_matches(body: dict[str, Any]) -> Iterator[Violation]:
    total, periods = _read(WholeNumber, body.get("totalPeriods")), body.get("periods")
    if total is not None and isinstance(periods, list) and total != len(periods):
        yield _problem(
            ("totalPeriods",), total, f"must equal the number of periods ({len(periods)})"
        )


@_rule
def _one_value_per_period(body: dict[str, Any]) -> Iterator[Violation]:
    periods = body.get("periods")
    if not isinstance(periods, list) or not periods:
        return
    for index, target in _items(body.get("targets")):
        values = target.get("defaultValues")
        if isinstance(values, list) and len(values) != len(periods):
            yield _problem(
                ("targets", index, "defaultValues"),
                len(values),
                f"must have exactly one entry per period ({len(periods)})",
            )


@_rule
def _no_leaderboard(body: dict[str, Any]) -> Iterator[Violation]:
    if body.get("leaderboardEnabled") is True:
        yield _problem(
            ("leaderboardEnabled",),
            True,
            "leaderboards cannot be declared here (Capillary answers 310133/310132)",
        )


@_rule
def _target_kinds(body: dict[str, Any]) -> Iterator[Violation]:
    for index, target in _items(body.get("targets")):
        entity = _read(TargetEntity, target.get("targetEntity"))
        kind = _read(TargetType, target.get("targetType"))
        if entity and kind and kind not in TARGET_TYPES[entity]:
            yield _problem(
                ("targets", index, "targetType"),
                target["targetType"],
                f"is not valid for targetEntity {entity}; use one of "
                f"{', '.join(sorted(TARGET_TYPES[entity]))}",
            )
        if entity == "EVENT" and not target.get("eventName"):
            yield _problem(
                ("targets", index, "eventName"), None, "is required when targetEntity is EVENT"
            )
        if kind == "EVENT_ATTRIBUTE" and target.get("extendedFieldInfo") is None:
            yield _problem(
                ("targets", index, "extendedFieldInfo"),
                None,
                "is required when targetType is EVENT_ATTRIBUTE: "
                "{name: <event attribute>, aggregateFunction: SUM}",
            )


def cross_field_violations(body: dict[str, Any]) -> list[Violation]:
    """Every cross-field problem of a raw declaration (nulls count as not declared)."""
    return [violation for rule in RULES for violation in rule(body)]
