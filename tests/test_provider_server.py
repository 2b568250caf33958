"""The provider through the real ``python -m pulumi.dynamic`` server, driven as the engine does.

Sequences of the engine (pulumi/pulumi: pkg/resource/deploy/step_generator.go), held against
the real CLI in tests/real_cli/test_double.py.
"""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from pulumi_capillary.emulator import Credentials, EmulatorServer
from tests.engine import UNKNOWN, CheckFailed, Engine, ProviderError, ProviderProcess
from tests.support import SEED_NOW, api_calls, seed, stack_config


def test_create_then_no_change_makes_no_api_call(engine, control):
    created = engine.register("be01", seed("be01.request"))
    assert created.op == "create"
    assert created.outputs["targetGroupId"] == 2911.0
    assert created.outputs["periodIds"] == [31623.0, 31624.0]
    assert api_calls(control) == [("POST", "/v3/targetGroups")]  # exactly one POST
    before = len(api_calls(control))
    step = engine.register("be01", seed("be01.request"), preview=True)
    assert step.op == "same"
    step = engine.register("be01", seed("be01.request"))
    assert step.op == "same"
    assert len(api_calls(control)) == before  # no API call for a no-change preview or up
    stored = engine.resources["be01"]
    assert stored["outputs"] == created.outputs  # state keeps the old outputs
    assert stored["inputs"]["name"] == "uatTargetGroupBE01"


def test_update_of_an_expression(engine, control, api):
    engine.register("be02", seed("be02.request"))
    body = seed("be02.request")
    body["targets"][0]["expression"] = "false"
    body["targets"][0]["expressionJson"] = '{"arity":"literal","value":"false"}'
    assert engine.register("be02", body, preview=True).op == "update"
    step = engine.register("be02", body)
    assert step.op == "update"
    assert step.outputs["targets"][0]["expression"] == "false"
    assert step.outputs["targetGroupId"] == 2911.0  # the whole recorded state
    recorded = api.get("/v3/targetGroups/2911/targets").json()["data"][0]
    assert recorded["expressionJson"] == '{"arity":"literal","value":"false"}'
    # a target's expression is edited by the update-target call; the group call is for its name
    assert ("PUT", "/v3/targetGroups/2911/targets/3147") in api_calls(control)
    assert ("PUT", "/v3/targetGroups/editTargetGroup/2911") not in api_calls(control)
    assert engine.register("be02", body).op == "same"


def test_immutable_change_is_refused_at_check_before_any_call(engine, control):
    engine.register("be01", seed("be01.request"))
    before = len(api_calls(control))
    body = seed("be01.request")
    body["periods"][0]["startDate"] = "2025-07-16T00:00:00Z"
    body["fromDate"] = "2025-12-31T00:00:00Z"
    with pytest.raises(CheckFailed) as caught:
        engine.register("be01", body, preview=True)
    failures = caught.value.by_path
    assert set(failures) == {"periods[0].startDate", "fromDate"}
    reason = failures["periods[0].startDate"]
    assert "Capillary cannot change periods[0].startDate" in reason
    assert "2025-07-17 → 2025-07-16" in reason
    assert "new name" in reason and "set onImmutableChange to replace on it" in reason
    assert "resets every customer's progress" in reason
    assert len(api_calls(control)) == before


def test_replace_with_a_new_name_creates_before_deleting(engine, control, api):
    body = seed("be01.request")
    body.update(onImmutableChange="replace", deletionPolicy="delete")
    engine.register("m", body)
    body["name"] = "uatTargetGroupBE01-v2"
    body["periods"][0]["description"] = "changed"
    step = engine.register("m", body)
    assert step.op == "replace"
    assert list(step.diff.replaces) == ["periods"] and not step.diff.deleteBeforeReplace
    log = api_calls(control)
    assert log.index(("POST", "/v3/targetGroups"), 1) < log.index(
        ("DELETE", "/v3/targetGroups/2911")
    )
    names = [g["name"] for g in api.get("/v3/targetGroups").json()["data"]]
    assert names == ["uatTargetGroupBE01-v2"]


def test_replace_keeping_the_name_deletes_first(engine, control, api):
    body = seed("be01.request")
    body.update(onImmutableChange="replace", deletionPolicy="delete")
    engine.register("m", body)
    body["periods"][0]["description"] = "changed"
    step = engine.register("m", body)
    assert step.op == "replace" and step.diff.deleteBeforeReplace
    groups = api.get("/v3/targetGroups").json()["data"]
    assert [(g["name"], g["id"]) for g in groups] == [("uatTargetGroupBE01", 2912)]
    assert engine.resources["m"]["id"] == "2912"


def test_replace_keeping_the_name_under_abandon_is_refused(engine, control):
    body = seed("be01.request")
    body.update(onImmutableChange="replace")
    engine.register("m", body)
    body["periods"][0]["description"] = "changed"
    with pytest.raises(CheckFailed) as caught:
        engine.register("m", body, preview=True)
    ((path, reason),) = caught.value.failures
    assert path == "name" and "deletionPolicy: abandon" in reason


def test_refresh_records_drift_and_next_up_puts_the_name_back(engine, control, api):
    engine.register("be01", seed("be01.request"))
    control.patch("/groups/2911", json={"name": "renamed in the UI"})
    steps = engine.refresh()
    assert steps[0].outputs["name"] == "renamed in the UI"
    assert engine.resources["be01"]["inputs"]["name"] == "renamed in the UI"
    step = engine.register("be01", seed("be01.request"))
    assert step.op == "update"
    assert api.get("/v3/targetGroups/2911").json()["data"]["name"] == "uatTargetGroupBE01"


def test_refresh_of_an_immutable_drift_then_preview_refuses(engine, control):
    engine.register("be01", seed("be01.request"))
    control.patch("/groups/2911", json={"fromDate": "2026-01-05"})
    engine.refresh()
    with pytest.raises(CheckFailed) as caught:
        engine.register("be01", seed("be01.request"), preview=True)
    assert caught.value.failures[0][0] == "fromDate"


def test_refresh_without_drift_keeps_the_declared_inputs(engine):
    engine.register("be01", seed("be01.request"))
    inputs = engine.resources["be01"]["inputs"]
    engine.refresh()
    assert engine.resources["be01"]["inputs"] == inputs


def test_refresh_of_a_deleted_group_says_gone(engine, api):
    engine.register("be01", seed("be01.request"))
    api.delete("/v3/targetGroups/2911")
    assert [s.op for s in engine.refresh()] == ["gone"]
    assert engine.resources == {}


def test_delete_under_abandon_warns_and_keeps_the_group(engine, server, api):
    engine.register("be01", seed("be01.request"))
    engine.destroy()
    assert len(api.get("/v3/targetGroups").json()["data"]) == 1
    warning = server.stderr()
    assert "target group 2911 ('uatTargetGroupBE01')" in warning
    assert "keeps running in Capillary" in warning


def test_delete_under_delete_policy_calls_the_api(engine, control, api):
    body = seed("be01.request")
    body["deletionPolicy"] = "delete"
    engine.register("be01", body)
    engine.destroy()
    assert api.get("/v3/targetGroups").json()["data"] == []
    assert ("DELETE", "/v3/targetGroups/2911") in api_calls(control)


def test_four_concurrent_creates(engine, control):
    def create(index: int):
        body = seed("be02.request")
        body["name"] = f"concurrent-{index}"
        return engine.register(f"m{index}", body)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        steps = list(pool.map(create, range(4)))
    assert len({s.outputs["targetGroupId"] for s in steps}) == 4
    assert [m for m, _ in api_calls(control)].count("POST") == 4


def test_preview_with_unknown_values(engine, control):
    engine.register("be01", seed("be01.request"))
    body = seed("be01.request")
    body["preferredTillId"] = UNKNOWN
    step = engine.register("be01", body, preview=True)
    assert step.op == "update"  # possibly changed: never a false "no change"
    fresh = seed("be02.request")
    fresh["targets"][0]["eventName"] = UNKNOWN
    assert engine.register("new", fresh, preview=True).op == "create"


def test_numbers_arrive_as_floats_and_go_out_as_ints(engine, api):
    step = engine.register("be01", seed("be01.request"))
    assert step.inputs["preferredTillId"] == 75155297.0  # a Struct number
    assert api.get("/v3/targetGroups/2911").json()["data"]["preferredTillId"] == 75155297


def test_phase_out_fails_create_with_one_sentence(engine, control):
    control.put("/phase-out", json={"creationDisabled": True})
    with pytest.raises(ProviderError) as caught:
        engine.register("be01", seed("be01.request"))
    assert "create this one as a Loyalty Promotion with POST v3/promotions" in caught.value.message
    assert engine.resources == {}


def test_invalid_declaration_fails_check_with_paths(engine, control):
    body = seed("be01.request")
    body["targets"][0]["defaultValues"][1]["defaultValue"] = "lots"
    body["totalPeriods"] = "two"
    with pytest.raises(CheckFailed) as caught:
        engine.register("bad", body, preview=True)
    assert set(caught.value.by_path) == {
        "targets[0].defaultValues[1].defaultValue",
        "totalPeriods",
    }
    assert api_calls(control) == []


def test_missing_configuration_is_one_clear_error(emulator, tmp_path):
    with ProviderProcess() as process:
        process.configure({"capillary:baseUrl": emulator.url})
        engine = Engine(process, tmp_path / "s.json")
        with pytest.raises(ProviderError) as caught:
            engine.register("be01", seed("be01.request"))
    message = caught.value.message
    assert "no credentials: set capillary:username (or CAPILLARY_USERNAME)" in message


def test_static_get_reads_an_existing_group(engine, api):
    created = api.post("/v3/targetGroups", json=seed("be02.request")).json()["data"]
    found, outs = engine.static_get("existing", str(created["id"]))
    assert found == str(created["id"]) and outs["name"] == "uatTargetGroupBE02"


def test_oauth_configuration(emulator, tmp_path):
    with ProviderProcess() as process:
        process.configure(stack_config(emulator, oauth=True))
        step = Engine(process, tmp_path / "s.json").register("be01", seed("be01.request"))
    assert step.outputs["targetGroupId"] == 2911.0


def test_promotion_to_two_orgs_keeps_states_apart(tmp_path):
    """The same declaration applied to two orgs with different credentials."""
    orgs = [Credentials("till-eu", "pw-eu"), Credentials("till-us", "pw-us")]
    for index, creds in enumerate(orgs):
        with EmulatorServer(now=SEED_NOW, credentials=creds) as emu, ProviderProcess() as p:
            p.configure(stack_config(emu))
            engine = Engine(p, tmp_path / f"state-{index}.json", stack=f"prod-{index}")
            assert engine.register("be01", seed("be01.request")).op == "create"
            assert engine.register("be01", seed("be01.request")).op == "same"
            listed = httpx.get(emu.url + "/__emulator__/requests").json()["requests"]
            assert [r["method"] for r in listed] == ["POST"]


def test_an_expected_failure_is_its_sentence_and_a_bug_keeps_its_traceback(engine, control):
    """The SDK's server sends ``traceback.format_exc()``; ours is the message alone."""
    control.put("/phase-out", json={"creationDisabled": True, "status": 410})
    with pytest.raises(ProviderError) as expected:
        engine.register("be01", seed("be01.request"))
    assert expected.value.details.startswith("Capillary no longer creates milestones")
    assert "Traceback" not in expected.value.details


def test_a_bug_keeps_its_traceback_in_the_provider_server():
    import traceback

    from pulumi_capillary.dynamic.provider import _PlainTraceback
    from pulumi_capillary.exceptions import NameTakenError

    shown = _PlainTraceback(traceback)
    try:
        {}["missing"]
    except KeyError:
        bug = shown.format_exc()
    try:
        raise NameTakenError("A target group named 'x' already exists.")
    except NameTakenError:
        expected = shown.format_exc()
    assert bug.startswith("Traceback (most recent call last)") and "KeyError" in bug
    assert expected == "A target group named 'x' already exists."
    assert shown.format_exception is traceback.format_exception  # the rest is the module's


@pytest.mark.parametrize("whole_list", ["periods", "targets"])
def test_an_unknown_whole_list_stays_unknown_at_preview(engine, control, whole_list):
    """Computed by another resource, a whole list is the engine's sentinel at preview: no
    count is derived from it (totalPeriods), no refusal, and never "no change"."""
    created = engine.register("be01", seed("be01.request"))
    body = seed("be01.request")
    body[whole_list] = UNKNOWN
    body.pop("totalPeriods", None)
    step = engine.register("be01", body, preview=True)
    assert step.op in ("update", "replace")  # not "same", and not refused
    assert step.inputs[whole_list] == UNKNOWN
    assert created.outputs["totalPeriods"] == 2.0
