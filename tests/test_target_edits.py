"""Target values and filters changed in place through the real provider server: one update-target
call per changed target, the group call only for the name, one read-back, and a run that fails
half-way is finished by the next one."""

from __future__ import annotations

import copy

import pytest

from tests.engine import KINDS, Engine, ProviderError, ProviderProcess
from tests.support import seed, stack_config


@pytest.fixture(params=KINDS)
def server(request, emulator):
    with ProviderProcess(kind=request.param) as process:
        process.configure(stack_config(emulator, retryDeadlineSeconds="2"))
        yield process


@pytest.fixture
def engine(server, tmp_path):
    return Engine(server, tmp_path / "state.json")


def _two_targets() -> dict:
    body = seed("be01.request")
    second = copy.deepcopy(body["targets"][0])
    second.update(name="second_target", eventName="OtherEvent")
    second["defaultValues"] = [{"defaultValue": 7}, {"defaultValue": 8}]
    body["targets"].append(second)
    return body


def _calls_since(control, start: int) -> list[tuple[str, str]]:
    log = control.get("/requests").json()["requests"][start:]
    return [(r["method"], r["path"]) for r in log]


def _mark(control) -> int:
    return len(control.get("/requests").json()["requests"])


def _values(api, group_id: int = 2911) -> list[list[float]]:
    targets = api.get(f"/v3/targetGroups/{group_id}/targets").json()["data"]
    return [[v["defaultValue"] for v in t["defaultValues"]] for t in targets]


def test_one_period_value_is_an_update_naming_the_period(engine, control, api):
    body = seed("be01.request")
    engine.register("m", body)
    body["targets"][0]["defaultValues"][1]["defaultValue"] = 5
    step = engine.register("m", body, preview=True)
    assert step.op == "update" and not list(step.diff.replaces)  # never a replacement
    start = _mark(control)
    assert engine.register("m", body).op == "update"
    assert _calls_since(control, start) == [
        # before any write: the group as it is now (an edit in the org since is refused) ...
        ("GET", "/v3/targetGroups/2911"),
        ("GET", "/v3/targetGroups/2911/targets"),
        ("PUT", "/v3/targetGroups/2911/targets/3147"),  # one call for the one target
        ("GET", "/v3/targetGroups/2911"),  # one read-back
        ("GET", "/v3/targetGroups/2911/targets"),
    ]
    assert _values(api) == [[2, 5]]
    assert engine.register("m", body).op == "same"


def test_all_values_and_the_change_text(engine, api):
    from pulumi_capillary.diff import compare_to_record
    from pulumi_capillary.operations import recorded_of

    body = seed("be01.request")
    engine.register("m", body)
    body["targets"][0]["defaultValues"] = [{"defaultValue": 10}, {"defaultValue": 20}]
    changes = compare_to_record(recorded_of(engine.resources["m"]["outputs"]), body)
    assert [str(c) for c in changes.changes] == [
        "targets[0].defaultValues[0]: 2 → 10",
        "targets[0].defaultValues[1]: 3 → 20",
    ]
    assert engine.register("m", body).op == "update"
    assert _values(api) == [[10, 20]]
    assert engine.register("m", body).op == "same"


def test_add_then_remove_a_filter(engine, api):
    body = seed("be01.request")
    engine.register("m", body)
    body["targets"][0]["filters"] = [{"entityType": "STORE", "entityIds": [101]}]
    assert engine.register("m", body).op == "update"
    body["targets"][0]["filters"].append({"entityType": "ZONE", "entityIds": ["north"]})
    assert engine.register("m", body).op == "update"
    recorded = api.get("/v3/targetGroups/2911/targets").json()["data"][0]["filters"]
    assert recorded == [
        {"entityType": "STORE", "entityIds": [101]},
        {"entityType": "ZONE", "entityIds": ["north"]},
    ]
    assert engine.register("m", body).op == "same"
    body["targets"][0]["filters"] = []
    assert engine.register("m", body).op == "update"
    assert api.get("/v3/targetGroups/2911/targets").json()["data"][0]["filters"] == []
    assert engine.register("m", body).op == "same"


def test_values_of_two_targets_at_once(engine, control, api):
    body = _two_targets()
    engine.register("m", body)
    body["targets"][0]["defaultValues"][0]["defaultValue"] = 4
    body["targets"][1]["defaultValues"][1]["defaultValue"] = 9
    start = _mark(control)
    assert engine.register("m", body).op == "update"
    puts = [c for c in _calls_since(control, start) if c[0] == "PUT"]
    assert puts == [
        ("PUT", "/v3/targetGroups/2911/targets/3147"),
        ("PUT", "/v3/targetGroups/2911/targets/3148"),
    ]
    assert _values(api) == [[4, 3], [7, 9]]


def test_an_unchanged_target_gets_no_call(engine, control):
    body = _two_targets()
    engine.register("m", body)
    body["targets"][1]["expression"] = "false"
    start = _mark(control)
    engine.register("m", body)
    puts = [c for c in _calls_since(control, start) if c[0] == "PUT"]
    assert puts == [("PUT", "/v3/targetGroups/2911/targets/3148")]


def test_value_and_name_together_are_two_calls_and_one_read_back(engine, control, api):
    body = seed("be01.request")
    engine.register("m", body)
    body["name"] = "renamed"
    body["targets"][0]["defaultValues"][0]["defaultValue"] = 6
    start = _mark(control)
    step = engine.register("m", body)
    assert step.outputs["name"] == "renamed"
    calls = _calls_since(control, start)
    assert [c for c in calls if c[0] == "PUT"] == [
        ("PUT", "/v3/targetGroups/editTargetGroup/2911"),
        ("PUT", "/v3/targetGroups/2911/targets/3147"),
    ]
    after_last_put = calls[calls.index(("PUT", "/v3/targetGroups/2911/targets/3147")) + 1 :]
    assert after_last_put == [
        ("GET", "/v3/targetGroups/2911"),
        ("GET", "/v3/targetGroups/2911/targets"),
    ]
    assert _values(api) == [[6, 3]]


def test_a_target_call_that_fails_once_is_retried(engine, control, api):
    body = seed("be01.request")
    engine.register("m", body)
    body["targets"][0]["defaultValues"][1]["defaultValue"] = 11
    path = "/v3/targetGroups/2911/targets/3147"
    control.put("/faults", json={"rate": 1.0, "kinds": ["503"], "paths": [path], "limit": 1})
    start = _mark(control)
    assert engine.register("m", body).op == "update"
    puts = [r for r in control.get("/requests").json()["requests"][start:] if r["method"] == "PUT"]
    assert [r["status"] for r in puts] == [503, 200]
    assert _values(api) == [[2, 11]]


def test_a_failure_half_way_names_what_changed_and_the_next_up_converges(engine, control, api):
    body = _two_targets()
    engine.register("m", body)
    body["targets"][0]["defaultValues"][0]["defaultValue"] = 40
    body["targets"][1]["defaultValues"][0]["defaultValue"] = 70
    second = "/v3/targetGroups/2911/targets/3148"  # fails until the deadline
    control.put("/faults", json={"rate": 1.0, "kinds": ["500"], "paths": [second]})
    with pytest.raises(ProviderError) as caught:
        engine.register("m", body)
    message = caught.value.message
    assert "stopped at targets[1]" in message
    assert "Changed: targets[0]; not changed: targets[1]" in message
    assert "run `pulumi up` again" in message
    assert _values(api) == [[40, 3], [7, 8]]
    control.put("/faults", json={"rate": 0})
    assert engine.register("m", body).op == "update"  # the next `pulumi up`
    assert _values(api) == [[40, 3], [70, 8]]
    assert engine.register("m", body).op == "same"
