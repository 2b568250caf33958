"""A no-change ``check`` + ``diff`` per resource: 1,000 declarations of 12 periods each.

Against the floor of comparing the same two canonical JSON documents for equality
(serialising both with sorted keys, then comparing the strings). Goal: at most 1 ms per
resource. Also printed: the same with one target value changed (a preview that shows an
update), which must find where the two differ.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta, timezone

import _common  # noqa: F401 - puts the repository on sys.path
from _common import ratios, report, spread

from pulumi_capillary import TargetGroupProvider
from pulumi_capillary.emulator._records import record_group
from pulumi_capillary.operations import outputs

COUNT, PERIODS = 1000, 12
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))


def declaration(index: int) -> dict:
    start = datetime(2027, 1, 1, tzinfo=timezone.utc)
    periods = []
    for month in range(PERIODS):
        begin = start + timedelta(days=31 * month)
        periods.append(
            {
                "startDate": begin.isoformat().replace("+00:00", "Z"),
                "endDate": (begin + timedelta(days=29)).isoformat().replace("+00:00", "Z"),
                "refCode": f"M{month + 1}",
                "description": f"month {month + 1}",
            }
        )
    return {
        "name": f"milestone-{index}",
        "preferredTillId": 75155297,
        "fromDate": periods[0]["startDate"],
        "toDate": periods[-1]["endDate"],
        "trackingType": "DEFAULT",
        "targetEvaluationType": "FIXED_CALENDAR_WINDOW",
        "frequencyType": "MONTHLY",
        "frequency": 1,
        "recurringCycles": PERIODS,
        "targetCycleStartDateISO": periods[0]["startDate"],
        "periods": periods,
        "targets": [
            {
                "name": f"target-{index}",
                "targetEntity": "EVENT",
                "targetType": "COUNT",
                "eventName": "productReviewed",
                "expression": "true",
                "expressionJson": '{"arity":"literal","value":"true","type":"boolean:primitive"}',
                "defaultValues": [{"defaultValue": 3} for _ in periods],
                "enrolmentMethod": "TRANSACTION",
            }
        ],
    }


def as_the_engine_sends(value: dict) -> dict:
    return json.loads(json.dumps(value), parse_int=float)  # protobuf Struct: numbers are floats


def main() -> None:
    provider = TargetGroupProvider()
    counter = iter(range(10**9))
    attribution = {"createdOn": "2027-01-01T00:00:00.000+0000"}
    cases = []
    for index in range(COUNT):
        declared = declaration(index)
        stored = provider.check({}, declared).inputs
        recorded = record_group(stored, 5000 + index, lambda kind: next(counter), attribution)
        for period in recorded["periods"]:
            period["periodStatus"] = "NOT_STARTED"
        cases.append(
            (
                as_the_engine_sends(stored),
                as_the_engine_sends(declared),
                as_the_engine_sends(outputs(recorded, {})),
            )
        )

    def no_change() -> float:
        started = time.perf_counter()
        for stored, declared, outs in cases:
            checked = provider.check(stored, declared)
            assert not checked.failures
            assert provider.diff(str(outs["targetGroupId"]), outs, checked.inputs).changes is False
        return (time.perf_counter() - started) / COUNT * 1000

    def one_changed() -> float:
        started = time.perf_counter()
        for stored, declared, outs in cases:
            changed = json.loads(json.dumps(declared))
            changed["targets"][0]["defaultValues"][5]["defaultValue"] = 4.0
            checked = provider.check(stored, changed)
            diff = provider.diff(str(outs["targetGroupId"]), outs, checked.inputs)
            assert diff.changes and diff.replaces == []
        return (time.perf_counter() - started) / COUNT * 1000

    def equality() -> float:
        started = time.perf_counter()
        for stored, declared, _ in cases:
            json.dumps(stored, sort_keys=True) == json.dumps(declared, sort_keys=True)  # noqa: B015
        return (time.perf_counter() - started) / COUNT * 1000

    floor, ours, changed = [], [], []
    for _ in range(SAMPLES):  # interleaved: a noisy moment hits all three
        floor.append(equality())
        ours.append(no_change())
        changed.append(one_changed())
    report("diff.resources", f"{COUNT} x {PERIODS} periods, {SAMPLES} samples")
    report("diff.floor_per_resource", spread(floor, "ms"))
    report("diff.check_plus_diff_per_resource", f"{spread(ours, 'ms')} (goal: at most 1 ms)")
    report("diff.ratio", ratios(ours, floor, "—"))
    report("diff.one_value_changed_per_resource", spread(changed, "ms"))
    report("diff.one_value_changed_ratio", ratios(changed, floor, "—"))


if __name__ == "__main__":
    main()
