"""What only the resource provider ``capillary`` says: field-level diffs, its schema, its own
configuration (an org change refused, a credential change no change), secrets kept — through
its real server process, over gRPC, as the engine calls it. (Everything both providers do is
tested on both: the ``server`` fixture runs each provider test on each.)"""

from __future__ import annotations

import json

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from tests.engine import SECRET_SIG, Engine, ProviderProcess, _struct, secret
from tests.support import seed, stack_config

KIND = provider_pb2.PropertyDiff.Kind


@pytest.fixture
def plugin(emulator):
    with ProviderProcess(kind="plugin") as process:
        process.configure(stack_config(emulator))
        yield process


@pytest.fixture
def plugin_engine(plugin, tmp_path) -> Engine:
    return Engine(plugin, tmp_path / "state.json")


def _detailed(step) -> dict[str, tuple[str, bool]]:
    return {
        path: (KIND.Name(diff.kind), diff.inputDiff)
        for path, diff in step.diff.detailedDiff.items()
    }


def test_a_preview_names_each_changed_leaf(plugin_engine):
    body = seed("be01.request")
    plugin_engine.register("m", body)
    body["name"] = "renamed"
    body["targets"][0]["defaultValues"][1]["defaultValue"] = 5
    body["targets"][0]["filters"] = [{"entityType": "STORE", "entityIds": [101]}]
    step = plugin_engine.register("m", body, preview=True)
    assert step.op == "update"
    assert step.diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert step.diff.hasDetailedDiff
    assert _detailed(step) == {
        "name": ("UPDATE", True),
        "targets[0].defaultValues[1].defaultValue": ("UPDATE", True),
        "targets[0].filters": ("UPDATE", True),
    }
    assert list(step.diff.replaces) == []


def test_a_replacement_marks_what_forces_it(plugin_engine):
    body = seed("be01.request")
    body.update(onImmutableChange="replace", deletionPolicy="delete")
    plugin_engine.register("m", body)
    body["name"] = "uatTargetGroupBE01-v2"
    body["periods"][1]["endDate"] = "2025-07-21T00:00:00Z"
    body["targets"][0]["expression"] = "false"
    step = plugin_engine.register("m", body, preview=True)
    assert step.op == "replace"
    assert _detailed(step) == {
        "name": ("UPDATE", True),
        "periods[1].endDate": ("UPDATE_REPLACE", True),
        "targets[0].expression": ("UPDATE", True),
    }
    assert list(step.diff.replaces) == ["periods"]


def test_only_real_differences_appear(plugin_engine):
    """A value Capillary records in another form is no change: a date as a day, a number as
    a float, expressionJson re-ordered; nor before or after a refresh."""
    body = seed("be01.request")
    plugin_engine.register("m", body)
    again = seed("be01.request")
    again["targets"][0]["expressionJson"] = json.dumps(
        dict(reversed(json.loads(body["targets"][0]["expressionJson"]).items())), indent=4
    )
    again["targets"][0]["defaultValues"][0]["defaultValue"] = "2"
    again["periods"][0]["endDate"] = "2025-07-18T05:00:00Z"  # the same day
    assert plugin_engine.register("m", again, preview=True).op == "same"
    plugin_engine.refresh()
    step = plugin_engine.register("m", again, preview=True)
    assert step.op == "same" and dict(step.diff.detailedDiff) == {}


def test_a_changed_policy_is_an_update_naming_it(plugin_engine):
    body = seed("be01.request")
    plugin_engine.register("m", body)
    step = plugin_engine.register("m", {**body, "deletionPolicy": "delete"}, preview=True)
    assert step.op == "update" and _detailed(step) == {"deletionPolicy": ("UPDATE", True)}


def test_the_schema_is_served_and_typed(plugin):
    schema = json.loads(plugin.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)
    resource = schema["resources"]["capillary:index:TargetGroup"]
    assert resource["requiredInputs"] == ["name", "periods", "targets"]
    assert all(p.get("description") for p in resource["inputProperties"].values())
    assert all(p.get("description") for p in resource["properties"].values())
    assert schema["config"]["variables"]["password"]["secret"] is True
    assert schema["config"]["variables"]["oauthSecret"]["secret"] is True
    tracking = schema["types"]["capillary:index:TrackingType"]["enum"]
    assert {e["value"] for e in tracking} >= {"DEFAULT", "STREAKS"}
    assert schema["language"]["python"]["packageName"] == "pulumi_capillary.plugin"


def _check_config(plugin, olds: dict, news: dict, urn: str = "default_0_1_0"):
    return plugin.stub.CheckConfig(
        provider_pb2.CheckRequest(
            urn=f"urn:pulumi:dev::p::pulumi:providers:capillary::{urn}",
            olds=_struct(olds),
            news=_struct(news),
        )
    )


def test_pointing_a_provider_at_another_org_is_refused(plugin):
    refused = _check_config(plugin, {"region": "eu"}, {"region": "us"})
    ((failure),) = refused.failures
    assert failure.property == "region"
    assert failure.reason.startswith(
        "This provider's org changed (https://eu.api.capillarytech.com → "
        "https://us.api.capillarytech.com)"
    )
    assert "put capillary:region back" in failure.reason
    explicit = _check_config(
        plugin, {"baseUrl": "https://a.example"}, {"baseUrl": "https://b.example"}, "prod"
    )
    assert "put baseUrl back" in explicit.failures[0].reason
    same_org = _check_config(
        plugin, {"region": "eu"}, {"baseUrl": "https://eu.api.capillarytech.com/"}
    )
    assert list(same_org.failures) == []
    credentials = _check_config(
        plugin,
        {"region": "eu", "password": secret("old")},
        {"region": "eu", "password": secret("new")},
    )
    assert list(credentials.failures) == []


def test_a_credential_change_updates_the_provider_and_another_org_is_one_sentence(plugin):
    def diff_config(olds: dict, news: dict):
        return plugin.stub.DiffConfig(
            provider_pb2.DiffRequest(
                urn="urn:pulumi:dev::p::pulumi:providers:capillary::prod",
                olds=_struct(olds),
                news=_struct(news),
            )
        )

    same = diff_config({"region": "eu", "password": secret("a")}, {"region": "eu", "password": "a"})
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE and list(same.replaces) == []
    rotated = diff_config({"region": "eu", "password": "a"}, {"region": "eu", "password": "b"})
    assert rotated.changes == provider_pb2.DiffResponse.DIFF_SOME  # used from this run on
    assert list(rotated.replaces) == []  # never a replacement of the milestones
    with pytest.raises(grpc.RpcError) as refused:
        diff_config({"region": "eu"}, {"region": "us"})
    assert refused.value.details().startswith("This provider's org changed")
    assert "Traceback" not in refused.value.details() and 'File "' not in refused.value.details()


def test_a_secret_input_stays_secret(plugin_engine):
    body = seed("be01.request")
    body["description"] = secret("not for the state in clear")
    step = plugin_engine.register("m", body, preview=True)
    raw = step.inputs["description"]
    assert isinstance(raw, dict) and raw.get(SECRET_SIG), raw


def test_settings_come_as_numbers_too(emulator, tmp_path):
    """A typed provider setting arrives as a number (8.0): read as the stack's text (8)."""
    with ProviderProcess(kind="plugin") as process:
        process.configure(
            stack_config(emulator, readsInFlight=8.0, retryDeadlineSeconds=20.0)  # type: ignore[arg-type]
        )
        engine = Engine(process, tmp_path / "s.json")
        step = engine.register("m", seed("be01.request"))
    assert step.op == "create"


def test_import_reads_a_group_as_its_declaration(plugin, api):
    created = api.post("/v3/targetGroups", json=seed("be02.request")).json()["data"]
    urn = "urn:pulumi:dev::p::capillary:index:TargetGroup::imported"
    found, outs, inputs = plugin.read(urn, str(created["id"]), {}, {})
    assert found == str(created["id"]) and inputs is not None
    assert inputs["periods"][0]["endDate"].endswith("T23:59:59Z")
    checked, failures = plugin.check(urn, {}, inputs)
    assert failures == []
    diff = plugin.diff(urn, found, outs, checked)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_NONE
    gone, _, _ = plugin.read(urn, "424242", {}, {})
    assert gone == ""  # Capillary's own "not found": the engine says it does not exist
