"""The later-documented reads: ``GET v3/milestones`` (paginated), ``POST
v3/targetGroups/isValidName``, DELETE's body, and reading phased out."""

from __future__ import annotations

import httpx
import pytest

from tests.support import seed

READS = [
    ("GET", "/v3/targetGroups", None),
    ("GET", "/v3/targetGroups/{id}", None),
    ("GET", "/v3/targetGroups/{id}/targets", None),
    ("GET", "/v3/targetGroups/{id}/targetPeriods", None),
    ("GET", "/v3/milestones", None),
    ("POST", "/v3/targetGroups/isValidName", {"type": "targetGroupName", "value": "x"}),
]


def _make(api: httpx.Client, count: int, **changes) -> list[int]:
    ids = []
    for index in range(count):
        body = seed("be01.request")
        body["name"] = f"milestone-{index:03}"
        body["targets"][0]["name"] = f"target-{index:03}"
        body.update(changes)
        answer = api.post("/v3/targetGroups", json=body)
        assert answer.status_code == 200, answer.text
        ids.append(answer.json()["data"]["id"])
    return ids


def _page(api: httpx.Client, **params) -> dict:
    answer = api.get("/v3/milestones", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_pages_cover_the_org_newest_first_with_the_documented_envelope(api):
    ids = _make(api, 23)
    seen = []
    for offset in (0, 10, 20):
        page = _page(api, limit=10, offset=offset)
        assert page["pagination"] == {"limit": 10, "offset": offset, "total": 23}
        assert page["errors"] is None and page["warnings"] is None
        seen += [item["id"] for item in page["data"]]
    assert seen == sorted(ids, reverse=True)
    item = _page(api, limit=1)["data"][0]
    assert "periods" not in item and item["targets"][0]["defaultValues"]
    assert isinstance(item["createdOn"], int) and item["attribution"]["createdBy"]
    assert list(item)[:2] == ["id", "attribution"]
    with_periods = _page(api, limit=1, **{"require-periods": "true"})["data"][0]
    assert [p["refCode"] for p in with_periods["periods"]] == ["Cycle_1", "Cycle_2"]
    assert _page(api)["pagination"]["limit"] == 10  # the example's page size (assumed)
    assert _page(api, offset=30)["data"] == []


def test_a_name_matches_a_whole_name_case_insensitively(api):
    _make(api, 3)
    found = _page(api, name="MILESTONE-001")
    assert [g["name"] for g in found["data"]] == ["milestone-001"]
    assert found["pagination"]["total"] == 1
    assert _page(api, name="milestone-00")["data"] == []  # no substring match (assumed)


def test_filters(api, control):
    first, second = _make(api, 2, toDate="2026-12-31T10:30:00Z")
    control.patch(f"/groups/{first}", json={"active": False})
    assert [g["id"] for g in _page(api, status="STOPPED")["data"]] == [first]
    assert [g["id"] for g in _page(api, status="live")["data"]] == [second]  # 2026-01-13
    assert _page(api, status="UPCOMING")["data"] == []
    control.patch(f"/groups/{second}", json={"toDate": "2026-01-12"})
    assert [g["id"] for g in _page(api, status="ENDED")["data"]] == [second]
    assert len(_page(api, type="DEFAULT")["data"]) == 2
    assert _page(api, type="UNIFIED")["data"] == []
    assert len(_page(api, **{"target-on": "COUNT"})["data"]) == 2
    assert _page(api, **{"target-on": "SALES"})["data"] == []
    assert len(_page(api, **{"start-date": "2026-01-12"})["data"]) == 2
    assert _page(api, **{"start-date": "2030-01-01"})["data"] == []
    assert _page(api, **{"end-date": "2020-01-01"})["data"] == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("status", "RUNNING"),
        ("type", "WEEKLY"),
        ("target-on", "POINTS"),
        ("limit", "0"),
        ("limit", "ten"),
        ("offset", "-1"),
        ("require-periods", "yes"),
        ("includeUserCreatedTargetGroups", "1"),
        ("start-date", "13/01/2026"),
    ],
)
def test_a_query_the_docs_do_not_allow_is_refused(api, name, value):
    answer = api.get("/v3/milestones", params={name: value})
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["code"] == 300004 and name in error["message"]


def test_is_valid_name(api):
    _make(api, 1)

    def valid(kind: str, value: str) -> bool | None:
        answer = api.post("/v3/targetGroups/isValidName", json={"type": kind, "value": value})
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]

    assert valid("targetGroupName", "Milestone-000") is False  # case-insensitive
    assert valid("targetGroupName", "milestone-999") is True
    assert valid("targetName", "TARGET-000") is False
    assert valid("periodName", "cycle_2") is False
    assert valid("periodName", "Cycle_9") is True
    assert valid("streakName", "milestone-000") is True
    refused = api.post("/v3/targetGroups/isValidName", json={"type": "group", "value": "x"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"code": 310145, "message": "Invalid key is passed"}]
    missing = api.post("/v3/targetGroups/isValidName", json={"type": "targetName"})
    assert missing.status_code == 400 and missing.json()["errors"][0]["code"] == 300004


def test_a_deleted_name_is_free_again_as_for_a_create(api):
    (group,) = _make(api, 1)
    answer = api.delete(f"/v3/targetGroups/{group}")
    assert answer.json() == {"data": True, "errors": None, "warnings": None}  # documented
    payload = {"type": "targetGroupName", "value": "milestone-000"}
    assert api.post("/v3/targetGroups/isValidName", json=payload).json()["data"] is True


def test_reads_phased_out_answer_as_the_creation_phase_out_does(api, control):
    (group,) = _make(api, 1)
    assert control.put("/phase-out", json={"readsDisabled": True, "status": 403}).is_success
    for method, path, body in READS:
        answer = api.request(method, path.format(id=group), json=body)
        assert answer.status_code == 403, (method, path)
        assert "phased out" in answer.json()["errors"][0]["message"]
    # writes still work: an edit, a create, a delete
    edit = api.put(f"/v3/targetGroups/editTargetGroup/{group}", json={"name": "renamed"})
    assert edit.status_code == 200
    assert _make(api, 1) and api.delete(f"/v3/targetGroups/{group}").status_code == 200
    control.put("/phase-out", json={"readsDisabled": False})
    assert api.get("/v3/milestones").status_code == 200
    assert control.put("/phase-out", json={"status": 410}).status_code == 400  # no switch


def test_an_older_cluster_without_the_new_endpoints(api, control):
    absent = ["GET /v3/milestones", "POST /v3/targetGroups/isValidName"]
    assert control.put("/endpoints", json={"absent": absent}).json() == {"absent": absent}
    assert api.get("/v3/milestones").status_code == 404
    payload = {"type": "targetGroupName", "value": "x"}
    assert api.post("/v3/targetGroups/isValidName", json=payload).status_code == 404
    assert api.get("/v3/targetGroups").status_code == 200
    assert control.put("/endpoints", json={"absent": ["GET /v3/targetGroups"]}).status_code == 400
    control.post("/reset")
    assert api.get("/v3/milestones").status_code == 200
