"""TargetGroupProvider's methods called directly, against the emulator."""

from __future__ import annotations

import pickle

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from pulumi_capillary import ConfigurationError, TargetGroupProvider
from pulumi_capillary.exceptions import AdoptionMismatchError, ImmutableChangeError
from pulumi_capillary.operations import outputs, recorded_of
from tests.support import seed, stack_config

PROVIDER_KEY = "__provider"


def _plain(config: dict) -> dict:
    return {k: v["value"] if isinstance(v, dict) else v for k, v in config.items()}


@pytest.fixture
def make(emulator):
    def build(**extra: str) -> TargetGroupProvider:
        provider = TargetGroupProvider()
        config = Config(_plain(stack_config(emulator, **extra)), "capillary-milestones")
        provider.configure(ConfigureRequest(config))
        return provider

    return build


@pytest.fixture
def provider(make):
    return make()


def _check(provider, olds, news):
    result = provider.check(olds, news)
    return result.inputs, [(f.property, f.reason) for f in result.failures]


def _create(provider, body):
    """Check and create; the outputs carry the pickled provider, as the SDK's server adds it
    (a state without it is one the resource provider wrote: see the last test)."""
    inputs, failures = _check(provider, {}, body)
    assert not failures
    created = provider.create(inputs)
    return inputs, created.id, {**created.outs, PROVIDER_KEY: "pickled"}


@pytest.mark.parametrize("name", ["be01", "be02"])
def test_seed_check_create_then_diff_is_empty(provider, name):
    inputs, id_, outs = _create(provider, seed(f"{name}.request"))
    assert id_ == "2911"
    diff = provider.diff(id_, outs, inputs)
    assert diff.changes is False


@pytest.mark.parametrize("name", ["be01", "be02"])
def test_seed_documented_response_vs_seed_request_is_empty(provider, name):
    response = seed(f"{name}.response")["data"]
    inputs, _ = _check(provider, {}, seed(f"{name}.request"))
    outs = {**outputs(response, {}), PROVIDER_KEY: "pickled"}  # as the SDK server adds it
    assert provider.diff(str(response["id"]), outs, inputs).changes is False


def test_check_returns_canonical_inputs_with_ints(provider):
    body = seed("body-params.request")
    body["preferredTillId"] = 50692127.0
    body["totalPeriods"] = 2.0
    inputs, failures = _check(provider, {}, body)
    assert not failures
    assert inputs["preferredTillId"] == 50692127 and isinstance(inputs["preferredTillId"], int)
    assert inputs["targets"][0]["defaultValues"] == [{"defaultValue": 2}, {"defaultValue": 3}]


def test_check_tolerates_unknowns(provider):
    body = seed("be01.request")
    body["preferredTillId"] = Unknown()
    body["targets"][0]["expression"] = Unknown()
    inputs, failures = _check(provider, seed("be01.request"), body)
    assert not failures and inputs == body  # unknowns kept as they are
    assert inputs["preferredTillId"] is body["preferredTillId"]


def test_diff_with_unknowns_says_changes(provider):
    inputs, id_, outs = _create(provider, seed("be01.request"))
    news = dict(inputs, periods=Unknown())
    diff = provider.diff(id_, outs, news)
    assert diff.changes is True and not diff.replaces


def test_diff_classifies_update_and_replace(make):
    provider = make(onImmutableChange="replace", deletionPolicy="delete")
    inputs, id_, outs = _create(provider, seed("be01.request"))
    renamed = dict(inputs, name="other")
    diff = provider.diff(id_, outs, renamed)
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, [], False)
    moved = dict(inputs, fromDate="2025-12-01T00:00:00Z")
    diff = provider.diff(id_, outs, moved)
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, ["fromDate"], True)
    diff = provider.diff(id_, outs, dict(moved, name="v2"))
    assert diff.replaces == ["fromDate"] and diff.delete_before_replace is False


@pytest.mark.parametrize(
    ("stack", "resource", "expected"),
    [
        ({}, {}, "refused"),
        ({"onImmutableChange": "replace"}, {}, "keep-name refused"),
        ({"onImmutableChange": "replace", "deletionPolicy": "delete"}, {}, "ok"),
        ({}, {"onImmutableChange": "replace", "deletionPolicy": "delete"}, "ok"),
        ({"onImmutableChange": "replace"}, {"deletionPolicy": "delete"}, "ok"),
        (
            {"onImmutableChange": "replace", "deletionPolicy": "delete"},
            {"onImmutableChange": "fail"},
            "refused",
        ),
        (
            {"onImmutableChange": "replace", "deletionPolicy": "delete"},
            {"deletionPolicy": "abandon"},
            "keep-name refused",
        ),
    ],
)
def test_policy_combinations_at_check(make, stack, resource, expected):
    provider = make(**stack)
    old, _ = _check(provider, {}, {**seed("be01.request"), **resource})
    new_body = {**seed("be01.request"), **resource, "toDate": "2026-01-09T00:00:00Z"}
    _, failures = _check(provider, old, new_body)
    if expected == "ok":
        assert failures == []
    elif expected == "refused":
        assert [p for p, _ in failures] == ["toDate"]
    else:
        assert [p for p, _ in failures] == ["name"]
    renamed = dict(new_body, name="new name")  # a new name is always possible with replace
    _, failures = _check(provider, old, renamed)
    assert (failures == []) == (expected != "refused")


def test_policy_switched_in_the_same_run_as_a_kept_name_replace_is_refused(make):
    provider = make(onImmutableChange="replace")
    old, _ = _check(provider, {}, seed("be01.request"))  # created under abandon
    new = {**seed("be01.request"), "deletionPolicy": "delete", "toDate": "2026-01-09T00:00:00Z"}
    _, failures = _check(provider, old, new)
    assert [p for p, _ in failures] == ["name"]


def test_update_edits_and_returns_the_whole_record(provider):
    inputs, id_, outs = _create(provider, seed("be01.request"))
    news = dict(inputs, name="renamed")
    result = provider.update(id_, outs, news)
    assert result.outs["name"] == "renamed"
    assert result.outs["targetGroupId"] == 2911 and len(result.outs["periods"]) == 2


def test_update_with_only_a_policy_change_makes_no_call(provider, control):
    inputs, id_, outs = _create(provider, seed("be01.request"))
    before = len(control.get("/requests").json()["requests"])
    news = dict(inputs, deletionPolicy="delete")
    assert provider.diff(id_, outs, news).changes is True
    result = provider.update(id_, outs, news)
    assert result.outs["deletionPolicy"] == "delete"
    assert len(control.get("/requests").json()["requests"]) == before


def test_update_refuses_an_immutable_change(provider):
    inputs, id_, outs = _create(provider, seed("be01.request"))
    with pytest.raises(ImmutableChangeError, match="cannot change"):
        provider.update(id_, outs, dict(inputs, fromDate="2025-12-01T00:00:00Z"))


def test_adoption_match_and_mismatch(provider, api):
    existing = api.post("/v3/targetGroups", json=seed("be02.request")).json()["data"]
    body = dict(seed("be02.request"), adoptExistingId=float(existing["id"]))
    inputs, _failures = _check(provider, {}, body)
    created = provider.create(inputs)
    assert created.id == str(existing["id"])
    outs = {**created.outs, PROVIDER_KEY: "pickled"}
    assert provider.diff(created.id, outs, inputs).changes is False
    other = seed("be02.request")
    other["targets"][0]["eventName"] = "somethingElse"
    inputs, _ = _check(provider, {}, dict(other, adoptExistingId=existing["id"]))
    with pytest.raises(AdoptionMismatchError) as caught:
        provider.create(inputs)
    assert "targets[0].eventName: TestingEvent_FE → somethingElse" in str(caught.value)


def test_read_gone_and_drift(provider, api, control):
    _inputs, id_, outs = _create(provider, seed("be01.request"))
    same = provider.read(id_, outs)
    assert same.id == id_ and same.inputs is None
    control.patch(f"/groups/{id_}", json={"name": "ui"})
    drifted = provider.read(id_, outs)
    assert drifted.outs["name"] == "ui" and drifted.inputs["name"] == "ui"
    api.delete(f"/v3/targetGroups/{id_}")
    gone = provider.read(id_, outs)
    assert gone.id == ""


def test_delete_policies(make, api, capsys):
    provider = make()
    _, id_, outs = _create(provider, seed("be01.request"))
    provider.delete(id_, outs)
    assert "keeps running in Capillary" in capsys.readouterr().err
    assert len(api.get("/v3/targetGroups").json()["data"]) == 1
    provider.delete(id_, dict(outs, deletionPolicy="delete"))
    assert api.get("/v3/targetGroups").json()["data"] == []
    provider.delete(id_, dict(outs, deletionPolicy="delete"))
    assert "already gone" in capsys.readouterr().err


def test_bad_policy_in_stack_config_is_reported_at_check(make):
    provider = make(deletionPolicy="sometimes")
    old, _ = _check(provider, {}, seed("be01.request"))
    with pytest.raises(ConfigurationError, match="capillary:deletionPolicy"):
        provider.check(old, dict(seed("be01.request"), toDate="2026-02-09T00:00:00Z"))


def test_outputs_round_trip():
    recorded = seed("be01.response")["data"]
    outs = outputs(recorded, {"deletionPolicy": "delete"})
    assert "id" not in outs and outs["targetGroupId"] == 2911
    assert recorded_of({**outs, PROVIDER_KEY: "x"}) == recorded


def test_provider_pickles_by_reference_without_state(provider):
    blob = pickle.dumps(provider)
    assert len(blob) < 200 and b"emulator" not in blob
    assert pickle.loads(blob).__dict__ == {}


def test_outputs_the_resource_provider_wrote_are_updated_once(provider):
    """A stack moved back from the resource provider: its outputs lack this provider's
    pickle, which refresh and destroy need, so the diff asks for an update (no API call)."""
    inputs, id_, outs = _create(provider, seed("be01.request"))
    without = {k: v for k, v in outs.items() if k != PROVIDER_KEY}
    diff = provider.diff(id_, without, inputs)
    assert (diff.changes, diff.replaces) == (True, [])
    assert provider.update(id_, without, inputs).outs["targetGroupId"] == int(id_)
