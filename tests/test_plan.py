"""The verdict, through the real provider server, for what the engine and Capillary really send:
floats at every depth, unknowns in any input, naive times, hostile text, fields left out of
Capillary's answers."""

from __future__ import annotations

import copy
import time as _time
from datetime import datetime

import pytest

from pulumi_capillary import TargetGroupArgs, TargetGroupProvider
from pulumi_capillary.diff import ChangeSet
from pulumi_capillary.plan import Action, Policies, plan
from pulumi_capillary.sdk.args_base import _wire
from tests.engine import UNKNOWN, CheckFailed
from tests.support import api_calls, seed


def _with_filters(body: dict) -> dict:
    body["targets"][0]["filters"] = [{"entityType": "STORE", "entityIds": [101, 102]}]
    return body


# -- 1. numbers arrive as floats at every depth ------------------------------------------------


def test_ids_inside_lists_come_back_as_floats_and_a_rename_still_applies(engine, api):
    body = _with_filters(seed("be01.request"))
    created = engine.register("m", body)
    assert created.outputs["targets"][0]["filters"][0]["entityIds"] == [101.0, 102.0]
    assert engine.register("m", body).op == "same"
    renamed = dict(body, name="renamed")
    assert engine.register("m", renamed, preview=True).op == "update"
    assert engine.register("m", renamed).op == "update"
    assert api.get("/v3/targetGroups/2911").json()["data"]["name"] == "renamed"
    assert engine.register("m", renamed).op == "same"


# -- 2. unknown values in any input -------------------------------------------------------------


@pytest.mark.parametrize("key", ["onImmutableChange", "deletionPolicy", "adoptExistingId"])
def test_an_unknown_provider_only_input_is_kept_and_never_no_change(engine, server, key):
    engine.register("m", seed("be01.request"))
    body = dict(seed("be01.request"), **{key: UNKNOWN})
    step = engine.register("m", body, preview=True)
    assert step.op == "update"  # never "same" while an input is unknown
    assert step.inputs[key] == UNKNOWN  # check kept it as it is
    fresh = dict(seed("be02.request"), **{key: UNKNOWN})
    assert engine.register("new", fresh, preview=True).inputs[key] == UNKNOWN


def test_an_immutable_change_under_an_unknown_policy_waits_for_up(engine, control):
    engine.register("m", seed("be01.request"))
    body = dict(seed("be01.request"), onImmutableChange=UNKNOWN, toDate="2026-03-01T00:00:00Z")
    assert engine.register("m", body, preview=True).op == "update"  # not refused at preview
    body["onImmutableChange"] = "fail"
    with pytest.raises(CheckFailed) as caught:  # known at up: decided then
        engine.register("m", body)
    assert list(caught.value.by_path) == ["toDate"]


def test_a_declared_text_like_the_unknown_marker_is_a_real_value(engine):
    engine.register("m", seed("be01.request"))
    body = dict(seed("be01.request"), description="(known after apply)")
    with pytest.raises(CheckFailed) as caught:
        engine.register("m", body, preview=True)
    assert list(caught.value.by_path) == ["description"]


# -- 3. time --------------------------------------------------------------------------------------


def test_naive_python_times_mean_utc_on_any_machine(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    _time.tzset()
    try:
        assert _wire(datetime(2027, 1, 1, 0, 30)) == "2027-01-01T00:30:00Z"
    finally:
        monkeypatch.delenv("TZ")
        _time.tzset()


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:30"])
def test_a_time_outside_the_years_1_to_9999_in_utc_is_refused_at_check(engine, control, value):
    body = dict(seed("be01.request"), toDate=value)
    with pytest.raises(CheckFailed) as caught:
        engine.register("m", body, preview=True)
    assert caught.value.by_path["toDate"].startswith("must lie between the years 1 and")
    assert api_calls(control) == []


# -- 4. hostile input never crashes check -----------------------------------------------------


def test_hostile_input_gets_a_failure_with_its_path(engine, control):
    body = seed("be01.request")
    body["name"] = "x" * 1_000_000
    body["targets"][0]["name"] = "nul\x00byte"
    body["targets"][0]["expressionJson"] = "[" * 100_000 + "]" * 100_000
    with pytest.raises(CheckFailed) as caught:
        engine.register("m", body, preview=True)
    failures = caught.value.by_path
    assert set(failures) == {"name", "targets[0].name", "targets[0].expressionJson"}
    assert "control characters" in failures["targets[0].name"]
    assert "nested too deeply" in failures["targets[0].expressionJson"]
    assert all(len(reason) < 400 for reason in failures.values())  # values quoted short
    assert api_calls(control) == []


# -- 5. every problem at once ---------------------------------------------------------------------


def test_field_and_cross_field_problems_are_reported_together(engine):
    body = seed("be01.request")
    body["name"] = ""  # field-level
    body["totalPeriods"] = 3  # cross-field
    body["periods"][1]["startDate"] = "2025-07-18T12:00:00Z"  # overlap: cross-field
    body["targets"][0]["targetType"] = "SALES"  # cross-field
    body["targets"][0]["defaultValues"].append({"defaultValue": "x"})  # both
    with pytest.raises(CheckFailed) as caught:
        engine.register("m", body, preview=True)
    assert set(caught.value.by_path) >= {
        "name",
        "totalPeriods",
        "periods[1].startDate",
        "targets[0].targetType",
        "targets[0].defaultValues",
        "targets[0].defaultValues[2].defaultValue",
    }


# -- 6. the validator agrees with the documentation ----------------------------------------------


def test_every_documented_request_key_is_accepted_and_no_undocumented_limit_applies(engine):
    body = seed("be01.request")
    target = body["targets"][0]
    target["targetGroupId"] = 1
    target["defaultValues"][0].update(periodId=5, targetName="t")
    target["eventName"] = "e" * 300
    target["description"] = "d" * 300
    target["defaultValues"][1]["defaultValue"] = 5e15
    body["periods"][0]["refCode"] = "r" * 300
    body["frequency"] = -1
    assert engine.register("m", body).op == "create"
    assert engine.register("m", body).op == "same"


# -- 7. a field absent from Capillary's answer is not a change ----------------------------------

OPTIONAL = {
    "description": lambda b: b.update(description="group text"),
    "frequencyType": lambda b: b.update(frequencyType="MONTHLY"),
    "targets[].description": lambda b: b["targets"][0].update(description="target text"),
    "periods[].description": lambda b: b["periods"][0].update(description="period text"),
}


@pytest.mark.parametrize("field", sorted(OPTIONAL))
def test_a_field_capillary_does_not_echo_never_makes_a_diff(engine, control, api, field):
    control.put("/echo", json={"omit": [field]})
    body = seed("be01.request")
    OPTIONAL[field](body)
    engine.register("m", body)
    assert engine.register("m", body).op == "same"
    renamed = dict(body, name="renamed")
    assert engine.register("m", renamed).op == "update"  # the edit does not trip on it
    assert engine.register("m", renamed).op == "same"
    engine.refresh()
    assert engine.register("m", renamed, preview=True).op == "same"  # nor does refresh


def test_a_changed_value_of_a_field_not_echoed_is_still_refused(engine, control):
    control.put("/echo", json={"omit": ["description"]})
    engine.register("m", dict(seed("be01.request"), description="first"))
    with pytest.raises(CheckFailed) as caught:
        engine.register("m", dict(seed("be01.request"), description="second"), preview=True)
    assert list(caught.value.by_path) == ["description"]


# -- 8. what the user wrote ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["be01", "be02", "body-params"])
def test_a_documented_body_is_a_valid_declaration(engine, name):
    args = TargetGroupArgs.from_body(seed(f"{name}.request"))
    assert engine.register(name, args.to_inputs()).op == "create"
    assert engine.register(name, seed(f"{name}.request")).op == "same"


def test_a_change_is_reported_under_the_key_the_user_declared(engine):
    body = seed("be02.request")
    del body["targetCycleStartDate"]
    engine.register("m", body)
    changed = dict(body, targetCycleStartDateISO="2026-01-05T00:00:00Z")
    with pytest.raises(CheckFailed) as caught:
        engine.register("m", changed, preview=True)
    assert list(caught.value.by_path) == ["targetCycleStartDateISO"]
    engine.register("m", dict(body, onImmutableChange="replace", deletionPolicy="delete"))
    step = engine.register(
        "m", dict(changed, onImmutableChange="replace", deletionPolicy="delete"), preview=True
    )
    assert list(step.diff.replaces) == ["targetCycleStartDateISO"]


# -- the verdict itself -------------------------------------------------------------------------


def test_no_changes_and_nothing_unknown_is_the_only_no_op():
    assert plan(ChangeSet(), "a", {"name": "a"}, Policies()).action is Action.NONE
    assert plan(ChangeSet(), "a", {"name": UNKNOWN}, Policies()).action is Action.UPDATE
    assert plan(ChangeSet(), "a", {"name": "a"}, Policies(), True).action is Action.UPDATE


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    if path:
        yield path


def _with_unknown(body: dict, path: tuple, unknown) -> dict:
    body = copy.deepcopy(body)
    holder = body
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = unknown
    return body


def _options(body: dict) -> dict:
    return dict(body, onImmutableChange="replace", deletionPolicy="delete", adoptExistingId=5)


def test_an_unknown_at_any_depth_is_never_a_failure():
    """Every position of a declaration, provider-only inputs and list items included."""
    from pulumi.output import Unknown

    provider = TargetGroupProvider()
    base = _options(_with_filters(seed("be01.request")))
    old = provider.check({}, base).inputs
    positions = list(_leaves(base))
    assert len(positions) > 50
    for path in positions:
        body = _with_unknown(base, path, Unknown())
        for olds in ({}, old):
            result = provider.check(olds, body)
            assert not result.failures, (path, [f.reason for f in result.failures])


@pytest.mark.parametrize(
    "path",
    [
        ("targets", 0, "filters", 0, "entityIds", 1),
        ("targets", 0, "extendedFieldInfo", "name"),
        ("targets", 0, "defaultValues", 1, "defaultValue"),
        ("periods", 1, "startDate"),
        ("deletionPolicy",),
    ],
    ids=lambda p: ".".join(map(str, p)),
)
def test_an_unknown_deep_inside_previews_as_a_possible_change(engine, control, path):
    body = _options(_with_filters(seed("be01.request")))
    del body["adoptExistingId"]
    engine.register("m", body)
    before = len(api_calls(control))
    step = engine.register("m", _with_unknown(body, path, UNKNOWN), preview=True)
    assert step.op == "update" and not list(step.diff.replaces)
    assert len(api_calls(control)) == before
