"""The one mutability table: complete, and right about how values compare."""

from __future__ import annotations

import pytest

import pulumi_capillary.apply as _apply
import pulumi_capillary.fields as _fields
import pulumi_capillary.records as _records
from pulumi_capillary.declaration.models import Period, Target, TargetGroupSpec
from pulumi_capillary.fields import FIELDS, Edit, Mutability
from tests.support import seed


def _declared_keys(parent: str, compared_only: bool = False) -> set[str]:
    return {
        k
        for f in FIELDS
        if f.parent == parent and not (compared_only and f.mutability is Mutability.SERVER)
        for k in f.declared_keys()
    }


@pytest.mark.parametrize(
    ("model", "parent"), [(TargetGroupSpec, ""), (Period, "periods[]"), (Target, "targets[]")]
)
def test_the_table_names_exactly_the_declared_fields(model, parent):
    """Every declared field has a row, and every compared row is a declared field (a
    declared field Capillary recomputes, such as periodStatus, has a server row)."""
    declared = {f.alias or n for n, f in model.model_fields.items() if not f.exclude}
    assert declared <= _declared_keys(parent)
    assert _declared_keys(parent, compared_only=True) <= declared


def _recorded_paths(value, prefix=""):
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else key
        yield path
        if isinstance(item, list) and item and isinstance(item[0], dict) and key != "filters":
            yield from _recorded_paths(item[0], path + "[]")


@pytest.mark.parametrize("name", ["be01.response", "be02.response"])
def test_every_recorded_field_has_a_row(name):
    known = {f"{f.parent}.{k}".lstrip(".") for f in FIELDS for k in f.recorded_keys() or ()}
    known |= {f.path for f in FIELDS if f.mutability is Mutability.SERVER}
    for path in _recorded_paths(seed(name)["data"]):
        if path.startswith(
            (
                "targets[].defaultValues[]",
                "periods[].attribution.",
                "targets[].attribution.",
                "attribution.",
            )
        ):
            continue  # inside a compared list or a server-managed object
        assert path.removesuffix("[]") in {k.removesuffix("[]") for k in known}, path


def test_only_the_documented_fields_are_updatable_each_by_its_call():
    updatable = {f.path: f.edit for f in FIELDS if f.mutability is Mutability.UPDATABLE}
    assert updatable == {
        "name": Edit.GROUP,  # editTargetGroup
        "targets[].expression": Edit.TARGET,  # the update-target call ("Edit streak" page)
        "targets[].expressionJson": Edit.TARGET,
        "targets[].filters": Edit.TARGET,
        "targets[].defaultValues": Edit.TARGET,
    }
    assert all(f.edit is None for f in FIELDS if f.mutability is not Mutability.UPDATABLE)


def test_comparisons():
    assert _fields.day("2026-01-01T23:30:00-05:00") == "2026-01-02"
    assert _fields.day("2026-01-01") == "2026-01-01"
    assert _fields.instant("2026-02-01T10:30:00+05:30") == _fields.instant(
        "2026-02-01T05:00:00.000Z"
    )
    assert _fields.instant("2025-07-17T00:00:00.529Z") == _fields.instant("2025-07-17T00:00:00Z")
    assert _fields.number("2") == _fields.number(2) == _fields.number(2.0)
    assert _fields.json_document('{"a": [1, 2]}') == _fields.json_document('{"a":[1,2]}')
    assert _fields.text("") == _fields.text(None)
    assert _fields.filters([{"entityType": "store", "entityIds": [2, 1]}]) == _fields.filters(
        [{"entityType": "STORE", "entityIds": ["1", "2"]}]
    )
    # Pulumi sends every number as a float, ids inside lists included
    assert _fields.filters([{"entityType": "STORE", "entityIds": [101.0, 102]}]) == (
        _fields.filters([{"entityType": "STORE", "entityIds": ["101", 102.0]}])
    )


def test_recorded_default_values_follow_period_order():
    recorded = seed("be01.response")["data"]
    recorded["targets"][0]["defaultValues"].reverse()
    ordered = _records.in_period_order(recorded)
    assert [v["defaultValue"] for v in ordered["targets"][0]["defaultValues"]] == [2, 3]


def test_group_edit_body_touches_only_the_group_edited_fields():
    recorded = seed("be01.response")["data"]
    declared = seed("be01.request")
    declared.update(name="renamed", fromDate="2030-01-01T00:00:00Z")
    declared["targets"][0].update(expression="false", eventName="other")
    body = _apply.group_edit_body(recorded, declared)
    assert body["name"] == "renamed" and body["fromDate"] == recorded["fromDate"]
    assert body["targets"] == recorded["targets"]  # targets go through their own call
    assert recorded["name"] == "uatTargetGroupBE01"  # not mutated


def test_target_edit_body_is_one_whole_target_in_the_request_shape():
    recorded = seed("be01.response")["data"]["targets"][0]
    declared = seed("be01.request")["targets"][0]
    declared.update(expression="false", eventName="other")
    declared["defaultValues"][1]["defaultValue"] = 7
    declared["filters"] = [{"entityType": "STORE", "entityIds": [101]}]
    body = _apply.target_edit_body(recorded, declared)
    assert body["expression"] == "false" and body["eventName"] == recorded["eventName"]
    assert body["defaultValues"] == [{"defaultValue": 2}, {"defaultValue": 7}]
    assert body["filters"] == [{"entityType": "STORE", "entityIds": [101]}]
    assert {"id", "emfRuleSetId", "targetPeriodDefaultValuesMap", "attribution"}.isdisjoint(body)


def test_fields_capillary_does_not_echo_are_taken_from_the_applied_declaration():
    recorded = seed("be01.response")["data"]
    applied = dict(seed("be01.request"), description="kept", frequencyType="MONTHLY")
    filled = _records.fill_absent(recorded, applied)
    assert (filled["description"], filled["frequencyType"]) == ("kept", "MONTHLY")
    assert filled["name"] == recorded["name"]  # present: the record wins
    assert "description" not in recorded


def test_declared_from_recorded_is_a_valid_declaration():
    declared = _records.declared_from_recorded(seed("be02.response")["data"])
    assert declared["targetCycleStartDate"] == "2025-07-17T00:00:00.529Z"
    assert declared["targets"][0]["defaultValues"] == [{"defaultValue": 2}, {"defaultValue": 3}]
    assert "id" not in declared and "periodStatus" not in declared["periods"][0]
    TargetGroupSpec.model_validate(declared)
