"""The emulator cannot be poisoned, answers 4xx (never 500) to bad input, and is as strict as
the documentation where the documentation is explicit."""

from __future__ import annotations

import json

import httpx
import pytest

from pulumi_capillary.emulator import EmulatorServer
from tests.support import SEED_NOW, basic_header, seed


def _post_raw(api: httpx.Client, text: str) -> httpx.Response:
    return api.post(
        "/v3/targetGroups", content=text.encode(), headers={"Content-Type": "application/json"}
    )


def _seed_text(**replacements: str) -> str:
    text = json.dumps(seed("be01.request"))
    for old, new in replacements.items():
        text = text.replace(old, new, 1)
    return text


POISONS = {
    "NaN in a target description": _seed_text(
        **{'"name": "uat_target_group_be_01"': '"name": "t", "description": NaN'}
    ),
    "1e400 in entityIds": _seed_text(
        **{'"filters": []': '"filters": [{"entityType": "STORE", "entityIds": [1e400]}]'}
    ),
    "a lone surrogate in the name": _seed_text(**{"uatTargetGroupBE01": "bad\\ud800name"}),
    "600 levels in a description": _seed_text(
        **{'"active": true': '"active": true, "description": ' + "[" * 600 + "]" * 600}
    ),
    "10,000 levels": "[" * 10_000 + "]" * 10_000,
}


@pytest.mark.parametrize("text", POISONS.values(), ids=list(POISONS))
def test_bad_bodies_are_refused_and_nothing_is_stored(api, text):
    response = _post_raw(api, text)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["code"] == 300004
    listed = api.get("/v3/targetGroups")
    assert listed.status_code == 200 and listed.json()["data"] == []


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda b: b["periods"][0].update(periodStatus="DONE"), "periodStatus"),
        (lambda b: b["targets"][0].update(name="   "), "name must not be empty"),
        (lambda b: b["targets"][0].update(name="t\x00x"), "control characters"),
        (lambda b: b.update(name="group\x07"), "control characters"),
        (
            lambda b: b["targets"][0].update(filters=[{"entityType": "STORE", "entityIds": [[1]]}]),
            "entityIds must hold ids",
        ),
        (lambda b: b.update(fromDate="9999-12-31T23:59:59-05:00"), "out of range"),
    ],
)
def test_documented_rules_are_enforced_with_300004(api, mutate, words):
    body = seed("be01.request")
    mutate(body)
    response = api.post("/v3/targetGroups", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 300004
    assert words in response.json()["errors"][0]["message"]


def test_no_undocumented_limits(api):
    body = seed("be01.request")
    body["targets"][0]["defaultValues"][0]["defaultValue"] = -5  # no range is documented
    body["targets"][0]["eventName"] = "e" * 300
    body["periods"][0]["refCode"] = "r" * 300
    body["frequency"] = -1
    assert api.post("/v3/targetGroups", json=body).status_code == 200


def test_control_api_cannot_poison_either(api, control):
    created = api.post("/v3/targetGroups", json=seed("be01.request")).json()["data"]
    for bad in ({"name": 123}, {"name": None}, {"active": "yes"}, {"fromDate": "soon"}):
        assert control.patch(f"/groups/{created['id']}", json=bad).status_code == 400
    assert control.put("/clock", json={"now": "9999-12-31T23:59:59-05:00"}).status_code == 400
    assert api.get("/v3/targetGroups").status_code == 200
    assert api.get(f"/v3/targetGroups/{created['id']}").json()["data"]["name"] == (
        "uatTargetGroupBE01"
    )


def test_non_latin1_authorization_is_a_401(emulator):
    response = httpx.get(
        emulator.url + "/v3/targetGroups",
        headers=[(b"Authorization", "Basic \u00e9\u00e9".encode())],
    )
    assert response.status_code == 401
    response = httpx.get(
        emulator.url + "/v3/targetGroups", headers=[(b"Authorization", b"Basic \xff\xfe")]
    )
    assert response.status_code == 401


@pytest.mark.parametrize("spelling", ["2_911", "%202911", "%D9%A2%D9%A9%D9%A1%D9%A1", "02911"])
def test_ids_are_canonical(api, spelling):
    api.post("/v3/targetGroups", json=seed("be01.request"))
    assert api.get("/v3/targetGroups/2911").status_code == 200
    response = api.get(f"/v3/targetGroups/{spelling}")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == 310017


def test_a_sigkill_loses_no_acknowledged_write(tmp_path):
    """Every answered write was committed first: killed at once, the org is all there."""
    import signal
    import subprocess
    import sys

    state = tmp_path / "state.db"
    command = [
        sys.executable,
        "-m",
        "pulumi_capillary.emulator",
        "--port",
        "0",
        "--state",
        str(state),
        "--now",
        "2026-01-13T05:13:18Z",
    ]
    header = {"Authorization": basic_header("emulator.till", "emulator-password")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        with httpx.Client(base_url=url, headers=header, timeout=10) as client:
            for i in range(20):
                body = dict(seed("be01.request"), name=f"kill-{i}")
                assert client.post("/v3/targetGroups", json=body).status_code == 200
            first = client.get("/v3/targetGroups").json()["data"][0]
            edited = {"name": "renamed before the kill", "targets": []}
            assert client.put(f"/v3/targetGroups/editTargetGroup/{first['id']}", json=edited)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
    with EmulatorServer(now=SEED_NOW, state_file=str(state)) as emu:
        names = {g["name"] for g in emu.store.live()}
    assert len(names) == 20 and "renamed before the kill" in names


def test_a_json_state_file_of_an_earlier_version_is_moved_into_the_database(tmp_path):
    state = tmp_path / "state.json"
    with EmulatorServer(now=SEED_NOW) as emu:
        header = {"Authorization": basic_header("emulator.till", "emulator-password")}
        httpx.post(emu.url + "/v3/targetGroups", json=seed("be01.request"), headers=header)
        legacy = {"groups": list(emu.store.groups.values()), "nextIds": emu.store.next_ids}
    state.write_text(json.dumps(legacy))
    with EmulatorServer(now=SEED_NOW, state_file=str(state)) as emu:
        assert [g["name"] for g in emu.store.live()] == ["uatTargetGroupBE01"]
    assert state.read_bytes().startswith(b"SQLite format 3")


def test_the_request_log_is_bounded_and_counts_what_it_dropped(api, control, emulator):
    limit = emulator.store.log.maxlen
    with emulator.store.lock:
        emulator.store.log = type(emulator.store.log)(maxlen=5)
    try:
        for _ in range(8):
            api.get("/v3/targetGroups")
        log = control.get("/requests").json()
        assert len(log["requests"]) == 5 and log["dropped"] == 3
    finally:
        with emulator.store.lock:
            emulator.store.log = type(emulator.store.log)(maxlen=limit)


def test_fields_can_be_left_out_of_answers(api, control):
    body = dict(seed("be01.request"), description="d", frequencyType="MONTHLY")
    body["targets"][0]["description"] = "td"
    created = api.post("/v3/targetGroups", json=body).json()["data"]
    assert created["description"] == "d" and created["targets"][0]["description"] == "td"
    omit = ["description", "frequencyType", "targets[].description", "periods[].description"]
    assert control.put("/echo", json={"omit": omit}).status_code == 200
    group = api.get(f"/v3/targetGroups/{created['id']}", params={"includePeriods": True})
    data = group.json()["data"]
    assert "description" not in data and "frequencyType" not in data
    assert all("description" not in p for p in data["periods"])
    targets = api.get(f"/v3/targetGroups/{created['id']}/targets").json()["data"]
    assert "description" not in targets[0] and targets[0]["name"] == "uat_target_group_be_01"
    listed = api.get("/v3/targetGroups").json()["data"]
    assert "description" not in listed[0] and "description" not in listed[0]["targets"][0]
