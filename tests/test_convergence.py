"""Convergence, the rule Terraform's acceptance harness applies to every resource.

For generated valid declarations and single-field mutations drawn from the fields table, all
through the real provider server against the emulator: ``check → diff → update | replace |
refused``, as the table says; after an apply, a refresh and a new plan show no change; a
refused mutation made no API call.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pulumi_capillary.declaration.models import parse_inputs
from pulumi_capillary.declaration.values import TARGET_TYPES
from pulumi_capillary.emulator import EmulatorServer
from pulumi_capillary.fields import FIELDS, Mutability
from tests.declarations import declarations
from tests.engine import KINDS, CheckFailed, Engine, ProviderProcess
from tests.support import SEED_NOW, stack_config

EXAMPLES = 110
MUTATIONS_PER_EXAMPLE = 5
_serial = itertools.count()
_outcomes: Counter[str] = Counter()

Draw = Callable[[Any], Any]


def _shift(text: str, **delta: float) -> str:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return (moment + timedelta(**delta)).isoformat()


def _other(current: Any, choices: list[str], draw: Draw) -> str:
    return draw(st.sampled_from([c for c in choices if c != str(current).upper()]))


def _target(body: dict, draw: Draw) -> dict:
    return body["targets"][draw(st.integers(0, len(body["targets"]) - 1))]


def _period(body: dict, draw: Draw) -> dict:
    return body["periods"][draw(st.integers(0, len(body["periods"]) - 1))]


def _cycle(legacy: str, iso: str, default: str) -> Callable[[dict, Draw], None]:
    def mutate(body: dict, draw: Draw) -> None:
        key = legacy if body.get(legacy) or not body.get(iso) else iso
        body[key] = _shift(body.get(key) or default, hours=draw(st.integers(1, 48)))

    return mutate


def _add_period(body: dict, draw: Draw) -> None:
    end = body["periods"][-1]["endDate"]
    body["periods"].append({"startDate": _shift(end, days=2), "endDate": _shift(end, days=3)})
    for target in body["targets"]:
        target["defaultValues"].append({"defaultValue": 1})
    if "totalPeriods" in body:
        body["totalPeriods"] = len(body["periods"])


def _entity(body: dict, draw: Draw) -> None:
    target = _target(body, draw)
    entity = _other(target["targetEntity"], sorted(TARGET_TYPES), draw)
    target["targetEntity"] = entity
    target["targetType"] = draw(st.sampled_from(sorted(TARGET_TYPES[entity] - {"EVENT_ATTRIBUTE"})))
    target.setdefault("eventName", "anEvent")


def _kind(body: dict, draw: Draw) -> None:
    target = _target(body, draw)
    kinds = sorted(TARGET_TYPES[target["targetEntity"]])
    target["targetType"] = _other(target["targetType"], kinds, draw)
    if target["targetType"] == "EVENT_ATTRIBUTE":
        target.setdefault("extendedFieldInfo", {"name": "attr", "aggregateFunction": "SUM"})


def _value(body: dict, draw: Draw) -> None:
    values = _target(body, draw)["defaultValues"]
    entry = values[draw(st.integers(0, len(values) - 1))]
    entry["defaultValue"] = float(entry["defaultValue"]) + draw(st.integers(1, 50))


def _set(key: str, make: Callable[[int], Any]) -> Callable[[dict, Draw], None]:
    return lambda body, draw: body.update({key: make(next(_serial))})


def _set_in(pick, key: str, make: Callable[[int], Any]) -> Callable[[dict, Draw], None]:
    return lambda body, draw: pick(body, draw).update({key: make(next(_serial))})


def _flip(pick, key: str) -> Callable[[dict, Draw], None]:
    def mutate(body: dict, draw: Draw) -> None:
        holder = pick(body, draw)
        holder[key] = not holder.get(key, True)

    return mutate


def _top(body: dict, draw: Draw) -> dict:
    return body


# One mutator per compared row of the fields table (a test below proves none is missing).
MUTATORS: dict[str, Callable[[dict, Draw], None] | None] = {
    "name": _set("name", lambda n: f"renamed-{n}"),
    "description": _set("description", lambda n: f"about {n}"),
    "active": _flip(_top, "active"),
    "preferredTillId": _set("preferredTillId", lambda n: 5_000_000 + n),
    "fromDate": lambda b, d: b.update(
        fromDate=_shift(b.get("fromDate") or b["periods"][0]["startDate"], days=-1)
    ),
    "toDate": lambda b, d: b.update(
        toDate=_shift(b.get("toDate") or b["periods"][-1]["endDate"], days=1)
    ),
    "trackingType": lambda b, d: b.update(
        trackingType=_other(b.get("trackingType"), ["DEFAULT", "UNIFIED", "CAPPING"], d)
    ),
    "targetEvaluationType": lambda b, d: b.update(
        targetEvaluationType=_other(
            b.get("targetEvaluationType"), ["FIXED_CALENDAR_WINDOW", "CYCLIC_WINDOW"], d
        )
    ),
    "totalPeriods": None,  # must equal the number of periods: changed with periods[]
    "frequency": _set("frequency", lambda n: 20 + n % 50),
    "frequencyType": lambda b, d: b.update(
        frequencyType=_other(b.get("frequencyType"), ["WEEKLY", "YEARLY", "CUSTOM"], d)
    ),
    "recurringCycles": lambda b, d: b.update(
        recurringCycles=(b.get("recurringCycles", 0) + 1) % 101
    ),
    "targetCycleStartDate": _cycle(
        "targetCycleStartDate", "targetCycleStartDateISO", "2025-01-01T00:00:00Z"
    ),
    "targetCycleEndDate": _cycle(
        "targetCycleEndDate", "targetCycleEndDateISO", "2027-01-01T00:00:00Z"
    ),
    "leaderboardEnabled": None,  # cannot be declared true (310133)
    "periods[]": _add_period,
    "periods[].startDate": lambda b, d: b["periods"][0].update(
        startDate=_shift(b["periods"][0]["startDate"], days=-1)
    ),
    "periods[].endDate": lambda b, d: b["periods"][-1].update(
        endDate=_shift(b["periods"][-1]["endDate"], days=1)
    ),
    "periods[].refCode": _set_in(_period, "refCode", lambda n: f"R{n}"),
    "periods[].description": _set_in(_period, "description", lambda n: f"period {n}"),
    "periods[].active": _flip(_period, "active"),
    "targets[]": lambda b, d: b["targets"].append(
        dict(copy.deepcopy(b["targets"][0]), name=f"added-{next(_serial)}")
    ),
    "targets[].name": _set_in(_target, "name", lambda n: f"target-{n}"),
    "targets[].targetEntity": _entity,
    "targets[].targetType": _kind,
    "targets[].eventName": _set_in(_target, "eventName", lambda n: f"event{n}"),
    "targets[].extendedFieldInfo": _set_in(
        _target, "extendedFieldInfo", lambda n: {"name": f"field{n}", "aggregateFunction": "SUM"}
    ),
    "targets[].expression": _set_in(_target, "expression", lambda n: f"event.size > {n}"),
    "targets[].expressionJson": _set_in(
        _target, "expressionJson", lambda n: json.dumps({"arity": "literal", "value": n})
    ),
    "targets[].filters": _set_in(
        _target, "filters", lambda n: [{"entityType": "STORE", "entityIds": [n, n + 1]}]
    ),
    "targets[].enrolmentMethod": lambda b, d: (
        lambda t: t.update(
            enrolmentMethod=_other(t.get("enrolmentMethod"), ["TRANSACTION", "IMPORT"], d)
        )
    )(_target(b, d)),
    "targets[].active": _flip(_target, "active"),
    "targets[].description": _set_in(_target, "description", lambda n: f"target about {n}"),
    "targets[].defaultValues": _value,
    "targets[].targetMilestoneTriggers": _set_in(
        _target, "targetMilestoneTriggers", lambda n: [{"afterCycles": n}]
    ),
}
COMPARED = [f.path for f in FIELDS if f.mutability is not Mutability.SERVER]
DRAWN = sorted(path for path, mutate in MUTATORS.items() if mutate is not None)


def test_every_compared_row_of_the_table_has_a_mutator():
    assert sorted(MUTATORS) == sorted(COMPARED)


@pytest.fixture(scope="module", params=KINDS)
def harness(request, tmp_path_factory):
    with EmulatorServer(now=SEED_NOW) as emulator, ProviderProcess(kind=request.param) as process:
        process.configure(stack_config(emulator))
        engine = Engine(process, tmp_path_factory.mktemp("convergence") / "state.json")
        yield emulator, engine


def _api_calls(emulator: EmulatorServer) -> int:
    with emulator.store.lock:
        return len(emulator.store.log)


def _valid(body: dict) -> bool:
    try:
        return parse_inputs(body)[0] is not None
    except Exception:
        return False


@given(
    body=declarations(),
    replace=st.booleans(),
    paths=st.lists(
        st.sampled_from(DRAWN), min_size=MUTATIONS_PER_EXAMPLE, max_size=MUTATIONS_PER_EXAMPLE
    ),
    data=st.data(),
)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # each example changes the org: no replay
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def _converges(harness, body, replace, paths, data) -> None:
    emulator, engine = harness
    engine.resources.clear()  # one milestone at a time: refresh reads only this one
    resource = f"r{next(_serial)}"
    body["name"] = f"conv-{resource}-{body['name']}"
    if replace:
        body.update(onImmutableChange="replace", deletionPolicy="delete")
    assert engine.register(resource, body).op == "create"
    for path in paths:
        mutated = copy.deepcopy(body)
        MUTATORS[path](mutated, data.draw)
        if not _valid(mutated):
            _outcomes["invalid (skipped)"] += 1
            continue
        kind = next(f for f in FIELDS if f.path == path).mutability
        before = _api_calls(emulator)
        try:
            preview = engine.register(resource, mutated, preview=True)
        except CheckFailed as refused:
            assert kind is Mutability.IMMUTABLE and not replace, (path, refused.failures)
            assert _api_calls(emulator) == before, "a refused change made an API call"
            _outcomes["refused"] += 1
            continue
        expected = "update" if kind is Mutability.UPDATABLE else "replace"
        assert preview.op in (expected, "same"), (path, preview.op)
        step = engine.register(resource, mutated)
        assert step.op == preview.op, (path, step.op, preview.op)
        _outcomes[step.op if step.op != "same" else "no-op"] += 1
        engine.refresh()
        again = engine.register(resource, mutated, preview=True)
        assert again.op == "same", (path, "no convergence after refresh")
        body = mutated


def test_every_mutation_converges(harness, figure):
    _outcomes.clear()
    _converges(harness)
    pairs = sum(count for outcome, count in _outcomes.items() if outcome != "invalid (skipped)")
    kind = harness[1].provider.kind
    figure(
        f"convergence.pairs ({kind} provider)",
        f"{pairs} (" + ", ".join(f"{k}: {v}" for k, v in sorted(_outcomes.items())) + ")",
    )
    assert pairs >= 500
