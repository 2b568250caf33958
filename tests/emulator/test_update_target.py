"""``PUT v3/targetGroups/{groupId}/targets/{targetId}``: the update-target call, as documented
on Capillary's "Edit streak" page."""

from __future__ import annotations

import json

import pytest

from tests.support import seed


def _whole_target(recorded: dict) -> dict:
    """One whole target in the request shape, as the page's example sends it."""
    keys = ("active", "description", "expression", "expressionJson", "filters", "name")
    body = {k: recorded[k] for k in keys if k in recorded}
    body.update(targetEntity=recorded["targetEntity"], targetType=recorded["targetType"])
    body["defaultValues"] = [{"defaultValue": v["defaultValue"]} for v in recorded["defaultValues"]]
    return body


@pytest.fixture
def created(api) -> dict:
    return api.post("/v3/targetGroups", json=seed("be01.request")).json()["data"]


def test_edits_the_four_fields_and_keeps_everything_else(api, created):
    target = created["targets"][0]
    body = _whole_target(target)
    body.update(
        expression="false",
        expressionJson='{"arity":"literal","value":"false"}',
        filters=[{"entityType": "store", "entityIds": [101, 102]}],
        defaultValues=[{"defaultValue": "5"}, {"defaultValue": 1.0}],
        name="ignored",
        eventName="ignored too",
    )
    url = f"/v3/targetGroups/{created['id']}/targets/{target['id']}"
    answer = api.put(url, json=body)
    assert answer.status_code == 200
    updated = answer.json()["data"]
    assert updated["expression"] == "false"
    assert updated["filters"] == [{"entityType": "STORE", "entityIds": [101, 102]}]
    assert [v["defaultValue"] for v in updated["defaultValues"]] == [5, 1]
    assert (updated["name"], updated["eventName"]) == (target["name"], target["eventName"])
    read = api.get(f"/v3/targetGroups/{created['id']}/targets").json()["data"][0]
    assert read == updated
    # the value ids stay those of their periods, and the map agrees with the list
    assert [v["id"] for v in read["defaultValues"]] == [v["id"] for v in target["defaultValues"]]
    assert read["targetPeriodDefaultValuesMap"] == {
        str(v["periodId"]): v for v in read["defaultValues"]
    }


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda b: b.update(defaultValues=[{"defaultValue": 1}]), "2 periods"),
        (lambda b: b["defaultValues"][0].update(defaultValue="lots"), "not a number"),
        (lambda b: b["defaultValues"][0].update(defaultValue=float("inf")), "Infinity"),
        (lambda b: b.update(filters=[{"entityType": "CITY", "entityIds": [1]}]), "STORE"),
        (lambda b: b.update(expressionJson="{oops"), "not valid JSON"),
    ],
)
def test_is_validated_as_on_create(api, created, mutate, words):
    target = created["targets"][0]
    body = _whole_target(target)
    mutate(body)
    url = f"/v3/targetGroups/{created['id']}/targets/{target['id']}"
    answer = api.put(url, content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert words in answer.json()["errors"][0]["message"]
    unchanged = api.get(f"/v3/targetGroups/{created['id']}/targets").json()["data"][0]
    assert unchanged == target


def test_unknown_group_target_or_a_target_of_another_group_is_not_found(api, created):
    other = api.post("/v3/targetGroups", json=seed("be02.request")).json()["data"]
    body = _whole_target(created["targets"][0])
    for url in (
        f"/v3/targetGroups/999/targets/{created['targets'][0]['id']}",
        f"/v3/targetGroups/{created['id']}/targets/999",
        f"/v3/targetGroups/{created['id']}/targets/{other['targets'][0]['id']}",
    ):
        answer = api.put(url, json=body)
        assert answer.status_code == 404
        assert answer.json()["errors"][0]["code"] == 310017
