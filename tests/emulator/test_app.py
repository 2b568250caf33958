"""The emulator's endpoints, shapes, codes and server-side transformations."""

from __future__ import annotations

import concurrent.futures
import socket
from typing import Any

import httpx
import pytest

from pulumi_capillary.emulator import Credentials, EmulatorServer
from tests.support import SEED_NOW, basic_header, seed

ID_KEYS = {"id", "periodId", "targetGroupId", "emfRuleSetId"}


def _shape(value: Any, key: str = "") -> Any:
    """Ids and attribution timestamps replaced by their type; everything else kept."""
    if key == "attribution":
        return {
            k: type(v).__name__ if k.endswith(("On", "ISO")) else _shape(v, k)
            for k, v in value.items()
        }
    if key in ("createdBy", "lastUpdatedBy"):
        return {k: type(v).__name__ if k in ("id", "code", "name") else v for k, v in value.items()}
    if isinstance(value, dict):
        if key == "targetPeriodDefaultValuesMap":
            return [_shape(v) for v in value.values()]
        return {k: type(v).__name__ if k in ID_KEYS else _shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


def _create(api: httpx.Client, body: dict) -> httpx.Response:
    return api.post("/v3/targetGroups", json=body)


@pytest.mark.parametrize("name", ["be01", "be02"])
def test_seed_request_yields_the_documented_response(api, name):
    response = _create(api, seed(f"{name}.request"))
    assert response.status_code == 200, response.text
    documented = seed(f"{name}.response")
    got = response.json()
    assert list(got) == list(documented)
    assert _shape(got["data"]) == _shape(documented["data"])
    # key order too, as the server writes it
    assert list(got["data"]) == list(documented["data"])
    assert list(got["data"]["targets"][0]) == list(documented["data"]["targets"][0])


def test_first_seed_create_gets_the_seed_ids(api):
    data = _create(api, seed("be01.request")).json()["data"]
    documented = seed("be01.response")["data"]
    assert data["id"] == documented["id"]
    assert [p["id"] for p in data["periods"]] == [p["id"] for p in documented["periods"]]
    assert data["targets"][0]["targetPeriodDefaultValuesMap"].keys() == (
        documented["targets"][0]["targetPeriodDefaultValuesMap"].keys()
    )


def test_body_params_example_is_accepted(api):
    data = _create(api, seed("body-params.request")).json()["data"]
    target = data["targets"][0]
    assert [v["defaultValue"] for v in target["defaultValues"]] == [2, 3]
    assert "targetMilestoneTriggers" not in target
    assert data["periods"][0]["endDate"] == "2024-02-22"  # naive date-time read as UTC
    assert "targetCycleEndDate" not in data


def test_attribution_names_the_authenticated_till():
    creds = Credentials(username="naman_doc", password="pw")
    with (
        EmulatorServer(now=SEED_NOW, credentials=creds) as emu,
        httpx.Client(
            base_url=emu.url, headers={"Authorization": basic_header("naman_doc", "pw")}
        ) as api,
    ):
        data = _create(api, seed("be01.request")).json()["data"]
    assert data["periods"][0]["attribution"]["createdBy"]["code"] == "naman_doc"
    assert data["periods"][0]["attribution"]["createdOnISO"] == "2026-01-13T05:13:18Z"


def test_period_status_follows_the_clock(api, control):
    body = seed("be01.request")
    group_id = _create(api, body).json()["data"]["id"]
    control.put("/clock", json={"now": "2025-07-17T12:00:00Z"})
    periods = api.get(f"/v3/targetGroups/{group_id}/targetPeriods").json()["data"]
    assert [p["periodStatus"] for p in periods] == ["RUNNING", "NOT_STARTED"]
    control.put("/clock", json={"now": "2025-07-19T00:00:00Z"})
    periods = api.get(f"/v3/targetGroups/{group_id}/targetPeriods").json()["data"]
    assert [p["periodStatus"] for p in periods] == ["ENDED", "RUNNING"]


def test_get_with_and_without_periods(api):
    group_id = _create(api, seed("be01.request")).json()["data"]["id"]
    bare = api.get(f"/v3/targetGroups/{group_id}").json()["data"]
    assert "periods" not in bare and "targets" not in bare and "attribution" in bare
    full = api.get(f"/v3/targetGroups/{group_id}", params={"includePeriods": "true"}).json()
    assert len(full["data"]["periods"]) == 2
    targets = api.get(f"/v3/targetGroups/{group_id}/targets").json()["data"]
    assert targets[0]["name"] == "uat_target_group_be_01"


def test_list_flags(api, control):
    first = seed("be01.request")
    second = seed("be02.request")
    second["active"] = False
    _create(api, first)
    _create(api, second)
    control.put("/clock", json={"now": "2025-07-17T12:00:00Z"})
    items = api.get("/v3/targetGroups").json()["data"]
    assert {i["name"] for i in items} == {"uatTargetGroupBE01", "uatTargetGroupBE02"}
    assert all("periods" not in i and "targets" in i and "createdOn" in i for i in items)
    assert items[0]["activePeriod"]["refCode"] == "Cycle_1"
    assert isinstance(items[0]["createdOn"], int)
    active = api.get("/v3/targetGroups", params={"includeOnlyActive": "true"}).json()["data"]
    assert [i["name"] for i in active] == ["uatTargetGroupBE01"]
    with_periods = api.get("/v3/targetGroups", params={"includePeriods": "true"}).json()["data"]
    assert all(len(i["periods"]) == 2 for i in with_periods)


def test_edit_applies_only_editable_fields(api):
    created = _create(api, seed("be01.request")).json()["data"]
    body = api.get(f"/v3/targetGroups/{created['id']}", params={"includePeriods": "true"}).json()
    body = body["data"]
    body["targets"] = api.get(f"/v3/targetGroups/{created['id']}/targets").json()["data"]
    body["name"] = "renamed"
    body["fromDate"] = "2030-01-01"
    body["periods"][0]["refCode"] = "changed"
    body["targets"][0]["expression"] = "false"
    body["targets"][0]["eventName"] = "other"
    response = api.put(f"/v3/targetGroups/editTargetGroup/{created['id']}", json=body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["name"] == "renamed"
    assert data["fromDate"] == "2026-01-01"
    assert data["periods"][0]["refCode"] == "Cycle_1"
    assert data["targets"][0]["expression"] == "false"
    assert data["targets"][0]["eventName"] == "TestingEvent_FE"


def test_edit_to_a_taken_name_is_refused(api):
    first = _create(api, seed("be01.request")).json()["data"]
    _create(api, seed("be02.request"))
    response = api.put(
        f"/v3/targetGroups/editTargetGroup/{first['id']}", json={"name": "UATTARGETGROUPBE02"}
    )
    assert response.json()["errors"][0]["code"] == 310069


def test_delete_then_get_is_310017_and_frees_the_name(api):
    group_id = _create(api, seed("be01.request")).json()["data"]["id"]
    assert api.delete(f"/v3/targetGroups/{group_id}").json()["data"] is True
    response = api.get(f"/v3/targetGroups/{group_id}")
    assert response.status_code == 404
    assert response.json() == {
        "data": None,
        "errors": [{"code": 310017, "message": "Target group not found or deactivated"}],
        "warnings": None,
    }
    assert api.get("/v3/targetGroups").json()["data"] == []
    assert _create(api, seed("be01.request")).status_code == 200


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda b: b.update(name="x" * 201), 310008),
        (lambda b: b["targets"][0].update(name="x" * 201), 310008),
        (lambda b: b["targets"][0].update(targetType="SALES"), 310033),
        (lambda b: b["targets"][0].update(targetEntity="REWARDS"), 310033),
        (lambda b: b["targets"][0].pop("extendedFieldInfo"), 310092),
        (lambda b: b.update(leaderboardEnabled=True), 310133),
        (lambda b: b.pop("name"), 300004),
        (lambda b: b.update(totalPeriods=3), 300004),
        (lambda b: b.update(fromDate="yesterday"), 300004),
        (lambda b: b["targets"][0].update(defaultValues=[{"defaultValue": 1}]), 300004),
        (lambda b: b["targets"][0].update(expressionJson="{"), 300004),
        (lambda b: b["targets"][0].pop("eventName"), 300004),
        (lambda b: b["periods"][1].update(startDate="2025-07-18T00:00:00Z"), 300004),
        (lambda b: b.update(preferredTillId="abc"), 300004),
        (lambda b: b.update(recurringCycles=101), 300004),
        (lambda b: b.update(description="d" * 256), 300004),
    ],
)
def test_validation_codes(api, mutate, code):
    body = seed("be02.request")
    mutate(body)
    response = _create(api, body)
    assert response.status_code == 400
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["code"] == code


def test_duplicate_name_is_310069_case_insensitively(api):
    _create(api, seed("be01.request"))
    body = seed("be01.request")
    body["name"] = body["name"].upper()
    response = _create(api, body)
    assert response.json()["errors"][0]["code"] == 310069


def test_validation_message_names_the_field(api):
    body = seed("be01.request")
    body["periods"][0]["endDate"] = "not a date"
    message = _create(api, body).json()["errors"][0]["message"]
    assert "periods[0].endDate" in message


@pytest.mark.parametrize(
    "content", [b"{not json", b"[]", b"null", b'"text"', b"\xff\xfe", b"{" * 100_000]
)
def test_malformed_bodies_are_400_never_500(api, content):
    response = api.post(
        "/v3/targetGroups", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 300004


def test_huge_body_is_refused(api):
    body = seed("be01.request")
    body["description"] = "x" * (2 << 20)
    response = _create(api, body)
    assert response.status_code == 400
    assert "larger than" in response.json()["errors"][0]["message"]


def test_wrong_types_are_400(api):
    body = seed("be01.request")
    body["periods"] = "two"
    assert _create(api, body).status_code == 400
    body = seed("be01.request")
    body["targets"][0]["defaultValues"][0] = {"defaultValue": [1]}
    assert _create(api, body).status_code == 400


def test_unknown_id_and_bad_id(api):
    assert api.get("/v3/targetGroups/999999").json()["errors"][0]["code"] == 310017
    assert api.get("/v3/targetGroups/abc/targets").json()["errors"][0]["code"] == 310017
    assert api.delete("/v3/targetGroups/999999").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": basic_header("emulator.till", "wrong")},
        {"Authorization": basic_header("someone", "emulator-password")},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Bearer abc"},
        {"X-CAP-API-OAUTH-TOKEN": "forged"},
    ],
)
def test_auth_is_enforced(emulator, headers):
    response = httpx.get(emulator.url + "/v3/targetGroups", headers=headers)
    assert response.status_code == 401
    assert response.json()["data"] is None and response.json()["errors"][0]["code"] == 401


def test_oauth_token_and_its_expiry(emulator, control):
    creds = emulator.credentials
    bad = httpx.post(
        emulator.url + "/v3/oauth/token/generate", json={"key": creds.oauth_key, "secret": "nope"}
    )
    assert bad.status_code == 401
    token = httpx.post(
        emulator.url + "/v3/oauth/token/generate",
        json={"key": creds.oauth_key, "secret": creds.oauth_secret},
    ).json()["data"]
    assert token["ttlSeconds"] == 300
    headers = {"X-CAP-API-OAUTH-TOKEN": token["accessToken"]}
    assert httpx.get(emulator.url + "/v3/targetGroups", headers=headers).status_code == 200
    control.put("/clock", json={"now": "2026-01-13T05:18:19Z"})
    assert httpx.get(emulator.url + "/v3/targetGroups", headers=headers).status_code == 401


def test_sixteen_concurrent_creates_make_sixteen_groups(api, emulator):
    def create(index: int) -> int:
        body = seed("be01.request")
        body["name"] = f"concurrent-{index}"
        with httpx.Client(base_url=emulator.url, headers=api.headers) as client:
            response = _create(client, body)
        assert response.status_code == 200
        return response.json()["data"]["id"]

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(create, range(16)))
    assert len(set(ids)) == 16
    listed = api.get("/v3/targetGroups").json()["data"]
    assert sorted(i["id"] for i in listed) == sorted(ids)


def test_state_file_survives_restart(tmp_path):
    state = tmp_path / "state.json"
    header = {"Authorization": basic_header("emulator.till", "emulator-password")}
    with EmulatorServer(now=SEED_NOW, state_file=str(state)) as emu:
        created = httpx.post(
            emu.url + "/v3/targetGroups", json=seed("be01.request"), headers=header
        ).json()["data"]
    assert not list(tmp_path.glob("*.tmp"))
    with EmulatorServer(now=SEED_NOW, state_file=str(state)) as emu:
        again = httpx.get(
            f"{emu.url}/v3/targetGroups/{created['id']}",
            params={"includePeriods": "true"},
            headers=header,
        ).json()["data"]
        assert again["name"] == created["name"]
        assert again["periods"] == created["periods"]
        second = httpx.post(
            emu.url + "/v3/targetGroups", json=seed("be02.request"), headers=header
        ).json()["data"]
        assert second["id"] == created["id"] + 1


def test_phase_out(api, control):
    for status in (410, 403, 400):
        control.put("/phase-out", json={"creationDisabled": True, "status": status})
        response = _create(api, seed("be01.request"))
        assert response.status_code == status
        assert "phased out" in response.json()["errors"][0]["message"]
    control.put("/phase-out", json={"creationDisabled": False})
    assert _create(api, seed("be01.request")).status_code == 200


def test_request_log_excludes_control_calls(api, control):
    _create(api, seed("be01.request"))
    api.get("/v3/targetGroups/1")
    log = control.get("/requests").json()["requests"]
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("POST", "/v3/targetGroups", 200),
        ("GET", "/v3/targetGroups/1", 404),
    ]
    assert all(isinstance(r["time"], float) for r in log)
    control.post("/reset")
    assert control.get("/requests").json()["requests"] == []
    assert api.get("/v3/targetGroups").json()["data"] == []


def test_tamper_changes_a_group_behind_the_apis_back(api, control):
    group_id = _create(api, seed("be01.request")).json()["data"]["id"]
    control.patch(f"/groups/{group_id}", json={"name": "changed in the UI"})
    assert api.get(f"/v3/targetGroups/{group_id}").json()["data"]["name"] == "changed in the UI"
    assert control.patch(f"/groups/{group_id}", json={"id": 1}).status_code == 400


def test_unknown_endpoint_is_an_envelope(api):
    response = api.get("/v3/nothing")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == 300004


def test_answers_are_not_held_back_by_nagle(api, emulator):
    """Each answer is written as headers then body; without TCP_NODELAY the body waits for
    the client's delayed ACK (about 40 ms a call)."""
    api.get("/v3/targetGroups").raise_for_status()
    sockets = [
        connection.transport.get_extra_info("socket")
        for connection in list(emulator._server.server_state.connections)
        if not connection.transport.is_closing()  # another test's, on its way out
    ]
    assert sockets
    for sock in sockets:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
