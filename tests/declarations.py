"""Hypothesis strategies for valid milestone declarations (request bodies)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

_BASE = datetime(2025, 1, 1, tzinfo=timezone.utc)
_ZONES = [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7))]
_COMBOS = [
    ("EVENT", "COUNT"),
    ("EVENT", "VISIT"),
    ("EVENT", "EVENT_ATTRIBUTE"),
    ("TRANSACTION", "SALES"),
    ("LINEITEM", "QUANTITY"),
    ("REWARDS", "ALL_POINTS"),
]
_names = st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=30)


@st.composite
def moment_text(draw, day: datetime, earliest: int = 0, latest: int = 86_399) -> str:
    """A date-time on ``day`` (UTC), spelled with a random offset, with or without millis."""
    seconds = draw(st.integers(earliest, latest - 1))
    millis = draw(st.sampled_from([0, 0, 529, 63]))
    moment = day + timedelta(seconds=seconds, milliseconds=millis)
    zone = draw(st.sampled_from(_ZONES))
    local = moment.astimezone(zone)
    text = local.isoformat(timespec="milliseconds" if millis else "seconds")
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


@st.composite
def periods(draw, count: int) -> list[dict]:
    """Periods in order, without overlap; some last one day (start and end on the same day,
    as Capillary then records them)."""
    found, day = [], _BASE + timedelta(days=draw(st.integers(0, 400)))
    for index in range(count):
        length = draw(st.integers(0, 40))
        start, end = day, day + timedelta(days=length)
        if length == 0:  # one day: the end after the start, on that day
            first = draw(moment_text(start, latest=43_199))
            last = draw(moment_text(start, earliest=43_200))
            period = {"startDate": first, "endDate": last}
        else:
            period = {"startDate": draw(moment_text(start)), "endDate": draw(moment_text(end))}
        if draw(st.booleans()):
            period["refCode"] = f"Cycle_{index + 1}"
        if draw(st.booleans()):
            period["description"] = draw(_names)
        if draw(st.booleans()):
            period["periodStatus"] = draw(st.sampled_from(["RUNNING", "NOT_STARTED", "UPCOMING"]))
        found.append(period)
        day = end + timedelta(days=draw(st.integers(1, 5)))
    return found


_amount = st.one_of(
    st.integers(0, 100_000),
    st.integers(0, 1000).map(str),
    st.integers(0, 10_000).map(lambda n: n / 4),
)
_expression = st.dictionaries(
    st.sampled_from(["arity", "value", "type", "left", "right"]),
    st.one_of(st.text(max_size=10), st.integers(), st.booleans()),
    max_size=4,
)


@st.composite
def targets(draw, count: int) -> dict:
    entity, target_type = draw(st.sampled_from(_COMBOS))
    target = {
        "name": draw(_names),
        "targetEntity": entity,
        "targetType": target_type,
        "defaultValues": [{"defaultValue": draw(_amount)} for _ in range(count)],
    }
    if entity == "EVENT":
        target["eventName"] = draw(_names)
    if target_type == "EVENT_ATTRIBUTE" or draw(st.booleans()):
        target["extendedFieldInfo"] = {"name": draw(_names), "aggregateFunction": "SUM"}
    if draw(st.booleans()):
        target["expression"] = draw(st.sampled_from(["true", "false", "a > 1"]))
        expression = draw(_expression)
        target["expressionJson"] = json.dumps(expression, indent=draw(st.sampled_from([None, 2])))
    if draw(st.booleans()):
        target["filters"] = [
            {
                "entityType": draw(st.sampled_from(["STORE", "ZONE", "CONCEPT"])),
                "entityIds": draw(st.lists(st.integers(1, 999), min_size=1, max_size=3)),
            }
        ]
    target["enrolmentMethod"] = draw(st.sampled_from(["TRANSACTION", "IMPORT"]))
    if draw(st.booleans()):
        target["targetMilestoneTriggers"] = []
    return target


@st.composite
def declarations(draw) -> dict:
    count = draw(st.integers(1, 4))
    body: dict = {
        "name": draw(_names),
        "periods": draw(periods(count)),
        "targets": [draw(targets(count)) for _ in range(draw(st.integers(1, 3)))],
    }
    start = body["periods"][0]["startDate"]
    optional = {
        "active": st.booleans(),
        "description": _names,
        "preferredTillId": st.integers(1, 10**9),
        "trackingType": st.sampled_from(["DEFAULT", "Streak", "UNIFIED", "CAPPING"]),
        "targetEvaluationType": st.sampled_from(
            ["FIXED_CALENDAR_WINDOW", "CYCLIC_WINDOW", "PERIOD_AGNOSTIC_WINDOW"]
        ),
        "frequency": st.integers(1, 12),
        "frequencyType": st.sampled_from(["Monthly", "QUARTERLY", "Half-yearly", "DAILY"]),
        "recurringCycles": st.integers(0, 100),
        "totalPeriods": st.just(count),
        "fromDate": st.just(start),
        "targetCycleStartDate": st.just(start),
        "targetCycleStartDateISO": st.just(start),
        "targetCycleEndDateISO": st.just(body["periods"][-1]["endDate"]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    if "fromDate" in body:
        body["toDate"] = body["periods"][-1]["endDate"]
    return body
