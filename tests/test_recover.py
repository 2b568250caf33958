"""``capillary-milestones recover``'s decisions, on stack states as ``pulumi stack export``
writes them (the whole command runs through the real CLI in tests/real_cli/test_recover.py)."""

from __future__ import annotations

import copy

import pytest

from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.cli.recover import plan_recovery, recovered
from pulumi_capillary.sdk.types import DYNAMIC_TYPE as TYPE
from tests.engine import PROVIDER_BLOB
from tests.support import canonical, emulator_settings


def _pending(name: str, inputs: dict) -> dict:
    urn = f"urn:pulumi:dev::capillary-milestones::{TYPE}::{name}"
    resource = {"urn": urn, "custom": True, "type": TYPE, "inputs": inputs}
    return {"resource": resource, "type": "creating"}


@pytest.fixture
def org(emulator, api):
    client = CapillaryClient(emulator_settings(emulator))
    declared = {**canonical("be01.request"), "__provider": PROVIDER_BLOB}
    group = api.post("/v3/targetGroups", json=canonical("be01.request")).json()["data"]
    yield client, declared, group
    client.close()


def _deployment(*pending: dict, resources: list[dict] | None = None) -> dict:
    return {"resources": resources or [], "pending_operations": list(pending)}


def test_one_matching_group_is_recorded_with_the_outputs_of_an_adoption(org):
    client, declared, group = org
    deployment = _deployment(_pending("be01", declared))
    (finding,) = plan_recovery(deployment, client.find_by_name, client.read)
    assert finding.record is not None and finding.group_id == group["id"]
    outputs = finding.record["outputs"]
    assert outputs["targetGroupId"] == group["id"] and outputs["__provider"] == PROVIDER_BLOB
    assert outputs["appliedDeclaration"]["name"] == declared["name"]
    after = recovered(copy.deepcopy(deployment), [finding])
    assert after["pending_operations"] == [] and after["resources"][0]["id"] == str(group["id"])


def test_a_group_that_differs_is_left_alone_and_named(org):
    client, declared, _ = org
    changed = copy.deepcopy(declared)
    changed["targets"][0]["defaultValues"][0]["defaultValue"] = 99
    (finding,) = plan_recovery(
        _deployment(_pending("be01", changed)), client.find_by_name, client.read
    )
    assert finding.record is None and "differs from the declaration" in finding.reason
    assert "targets[0].defaultValues[0]" in finding.reason


def test_no_group_or_a_managed_group_are_left_alone(org, api, control):
    client, declared, group = org
    missing = {**declared, "name": "never-created"}
    (none,) = plan_recovery(_deployment(_pending("x", missing)), client.find_by_name, client.read)
    assert none.record is None and "never reached Capillary" in none.reason
    lookups = [r for r in control.get("/requests").json()["requests"] if r["method"] == "GET"]
    assert [(r["path"], "name=never-created" in r["query"]) for r in lookups] == [
        ("/v3/milestones", True)  # one page, not the org
    ]

    other = {"urn": "urn:pulumi:dev::p::t::other", "type": TYPE, "id": str(group["id"])}
    deployment = _deployment(_pending("be01", declared), resources=[other])
    (managed,) = plan_recovery(deployment, client.find_by_name, client.read)
    assert managed.record is None and "already managed by other" in managed.reason


def test_a_pending_adoption_is_matched_by_its_id(org):
    client, declared, group = org
    adoption = {**declared, "name": declared["name"], "adoptExistingId": float(group["id"])}
    (finding,) = plan_recovery(
        _deployment(_pending("be01", adoption)), lambda name: None, client.read
    )
    assert finding.record is not None and finding.group_id == group["id"]
    assert finding.record["outputs"]["adoptExistingId"] == float(group["id"])
