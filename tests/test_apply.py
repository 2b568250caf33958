"""The apply layer: create-or-adopt, and edit-then-verify (MockTransport and emulator)."""

from __future__ import annotations

import json

import httpx
import pytest

from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.apply import Applier
from pulumi_capillary.diff import compare_to_record
from pulumi_capillary.exceptions import (
    AdoptionMismatchError,
    EditNotAppliedError,
    NameTakenError,
    NotFoundError,
    PhasedOutError,
)
from tests.support import canonical, emulator_settings, seed
from tests.test_client import SETTINGS, _envelope

ALL_KINDS = ["500", "503", "429", "reset", "commit-then-drop", "commit-then-504", "latency"]


def _applier(client: CapillaryClient, warnings: list[str] | None = None) -> Applier:
    return Applier(client, (warnings if warnings is not None else []).append)


def _mocked(handler, warnings: list[str] | None = None) -> Applier:
    return _applier(CapillaryClient(SETTINGS, transport=httpx.MockTransport(handler)), warnings)


def test_create_is_never_blindly_retried():
    """After a 503 the name is looked up before posting again."""
    calls = []

    def handler(request):
        calls.append((request.method, request.url.path))
        if request.method == "POST":
            if len(calls) == 1:
                return _envelope(code=503, status=503)
            return _envelope(seed("be01.response")["data"])
        return _envelope([])  # the name's page: nothing was created

    warnings: list[str] = []
    created = _mocked(handler, warnings).create(canonical("be01.request"))
    assert created["id"] == 2911 and warnings == []
    assert calls == [
        ("POST", "/v3/targetGroups"),
        ("GET", "/v3/milestones"),
        ("POST", "/v3/targetGroups"),
    ]


def test_a_create_answer_that_is_not_a_group_is_never_recorded():
    applier = _mocked(lambda request: _envelope(None))
    with pytest.raises(Exception) as caught:
        applier.create(canonical("be01.request"))
    assert "documented shape" in str(caught.value)


def test_edit_that_does_not_take_is_an_error():
    recorded = seed("be01.response")["data"]

    def handler(request):
        path = request.url.path
        if path.endswith("/targets"):
            return _envelope(recorded["targets"])
        if request.method == "PUT":
            assert json.loads(request.content)["name"] == "renamed"
            return _envelope(recorded)  # accepted, ignored
        return _envelope({k: v for k, v in recorded.items() if k != "targets"})

    declared = canonical("be01.request")
    declared["name"] = "renamed"
    changes = compare_to_record(recorded, declared)
    with pytest.raises(EditNotAppliedError, match="did not apply"):
        _mocked(handler).update("2911", recorded, declared, changes)


# -- against the emulator --------------------------------------------------------------


@pytest.mark.parametrize("oauth", [False, True])
def test_create_read_edit_delete(emulator, control, oauth):
    client = CapillaryClient(emulator_settings(emulator, oauth=oauth))
    applier = _applier(client)
    declared = canonical("be01.request")
    created = applier.create(declared)
    group_id = created["id"]
    assert client.read(group_id)["targets"][0]["id"] == created["targets"][0]["id"]
    declared["name"] = "renamed"
    declared["targets"][0]["expression"] = "false"
    declared["targets"][0]["defaultValues"][1]["defaultValue"] = 5
    changes = compare_to_record(created, declared)
    edited = applier.update(str(group_id), created, declared, changes)
    assert (edited["name"], edited["targets"][0]["expression"]) == ("renamed", "false")
    assert [v["defaultValue"] for v in edited["targets"][0]["defaultValues"]] == [2, 5]
    puts = [r["path"] for r in control.get("/requests").json()["requests"] if r["method"] == "PUT"]
    assert puts == [
        f"/v3/targetGroups/editTargetGroup/{group_id}",
        f"/v3/targetGroups/{group_id}/targets/{created['targets'][0]['id']}",
    ]
    assert client.find_by_name("RENAMED")["id"] == group_id
    assert applier.delete(str(group_id)) is True
    with pytest.raises(NotFoundError):
        client.read(group_id)
    assert client.find_by_name("renamed") is None


def test_a_name_taken_by_another_owner_is_refused_naming_the_group(emulator):
    """Two stacks declaring one name: the second is never silently given the first's group."""
    client = CapillaryClient(emulator_settings(emulator))
    first = _applier(client).create(canonical("be01.request"))
    warnings: list[str] = []
    with pytest.raises(NameTakenError) as caught:
        _applier(client, warnings).create(canonical("be01.request"))
    message = str(caught.value)
    assert f"target group {first['id']}" in message
    assert f"adoptExistingId: {first['id']}" in message
    assert len(client.list_groups()) == 1 and warnings == []


def test_adoption_refuses_a_different_group(emulator):
    client = CapillaryClient(emulator_settings(emulator))
    first = _applier(client).create(canonical("be01.request"))
    different = canonical("be01.request")
    different["periods"][0]["description"] = "changed"
    with pytest.raises(AdoptionMismatchError) as caught:
        _applier(client).adopt(first["id"], different, "was named by adoptExistingId")
    assert "periods[0].description: p1 → changed" in str(caught.value)


@pytest.mark.parametrize("kind", ["commit-then-drop", "commit-then-504"])
def test_our_own_lost_create_is_adopted_and_announced(emulator, control, kind):
    control.put("/faults", json={"rate": 1.0, "kinds": [kind]})
    client = CapillaryClient(emulator_settings(emulator))
    warnings: list[str] = []
    applier = _applier(client, warnings)
    calls = {"n": 0}
    find = client.find_by_name

    def healing_find(name, deadline=None):  # the network heals after the first answer is lost
        calls["n"] += 1
        control.put("/faults", json={"rate": 0})
        return find(name, deadline)

    client.find_by_name = healing_find
    created = applier.create(canonical("be02.request"))
    assert calls["n"] == 1 and len(client.list_groups()) == 1
    (warning,) = warnings
    assert "create of 'uatTargetGroupBE02' was lost" in warning
    assert f"target group {created['id']} now carries that name" in warning
    # what is known, not more: another stack's simultaneous create cannot be told apart
    assert "Capillary records nothing that tells it from a group another stack" in warning
    assert "created by an earlier attempt" not in warning


def test_phase_out_through_the_emulator(emulator, control):
    client = CapillaryClient(emulator_settings(emulator))
    for status in (410, 403, 400):
        control.put("/phase-out", json={"creationDisabled": True, "status": status})
        with pytest.raises(PhasedOutError):
            _applier(client).create(canonical("be01.request"))
    assert client.find_by_name("uatTargetGroupBE01") is None


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_create_under_each_fault_kind_makes_exactly_one_group(emulator, control, kind):
    client = CapillaryClient(emulator_settings(emulator))
    applier = _applier(client)
    control.put(
        "/faults", json={"rate": 0.5, "kinds": [kind], "seed": 7, "retryAfter": 0, "latencyMs": 5}
    )
    ids = set()
    for index in range(6):
        declared = canonical("be01.request")
        declared["name"] = f"fault-{kind}-{index}"
        ids.add(applier.create(declared)["id"])
    control.put("/faults", json={"rate": 0})
    names = [g["name"] for g in client.list_groups()]
    assert len(ids) == 6 and sorted(names) == sorted(f"fault-{kind}-{i}" for i in range(6))


def test_fifty_creates_at_thirty_percent_faults(emulator, control):
    client = CapillaryClient(emulator_settings(emulator))
    applier = _applier(client)
    control.put(
        "/faults",
        json={"rate": 0.3, "seed": 11, "retryAfter": 0, "latencyMs": 2, "kinds": ALL_KINDS},
    )
    mapping = {}
    for index in range(50):
        declared = canonical("be02.request")
        declared["name"] = f"bulk-{index}"
        mapping[declared["name"]] = applier.create(declared)["id"]
    control.put("/faults", json={"rate": 0})
    groups = client.list_groups()
    assert len(groups) == 50
    assert {g["name"]: g["id"] for g in groups} == mapping
    faults = [r for r in control.get("/requests").json()["requests"] if r["fault"]]
    assert len(faults) > 10


def test_refused_credentials_half_way_say_to_fix_them():
    recorded = seed("be01.response")["data"]
    recorded["targets"].append(dict(recorded["targets"][0], id=3148, name="second"))

    def handler(request):
        if request.method == "GET" and request.url.path.endswith("/targets"):
            return _envelope(recorded["targets"])
        if request.method == "GET":
            return _envelope({k: v for k, v in recorded.items() if k != "targets"})
        if request.url.path.endswith("/3148"):
            return httpx.Response(401, json={"data": None, "errors": None})
        return _envelope(recorded["targets"][0])

    declared = canonical("be01.request")
    declared["targets"].append(dict(declared["targets"][0], name="second"))
    for target in declared["targets"]:
        target["defaultValues"][1]["defaultValue"] = 7
    changes = compare_to_record(recorded, declared)
    with pytest.raises(EditNotAppliedError) as caught:
        _mocked(handler).update("2911", recorded, declared, changes)
    message = str(caught.value)
    assert "stopped at targets[1]: Capillary rejected the credentials (HTTP 401" in message
    assert "Changed: targets[0]; not changed: targets[1]" in message
    assert message.endswith("Fix the credentials as it says, then run `pulumi up` again to finish.")
    assert "safe to repeat" not in message


def test_an_adopted_id_missing_from_the_org_says_so(emulator):
    with pytest.raises(NotFoundError) as caught:
        _applier(CapillaryClient(emulator_settings(emulator))).adopt(
            424242, canonical("be01.request"), "was named by adoptExistingId"
        )
    message = str(caught.value)
    assert message.startswith("Target group 424242, which adoptExistingId names, does not exist")
    assert "in this org" in message and "pulumi refresh" not in message
