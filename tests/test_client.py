"""The Capillary client: errors, retries, idempotent create (MockTransport and emulator)."""

from __future__ import annotations

import concurrent.futures
import json

import httpx
import pytest

from pulumi_capillary._client import CapillaryClient
from pulumi_capillary._config import load_settings
from pulumi_capillary._exceptions import (
    AdoptionMismatchError,
    AuthenticationError,
    EditNotAppliedError,
    NameTakenError,
    NotFoundError,
    PhasedOutError,
    RateLimitedError,
    RequestRejectedError,
    TransportError,
    UnavailableError,
)
from tests.support import canonical, emulator_settings, seed

SETTINGS = load_settings(
    None,
    {
        "CAPILLARY_BASE_URL": "http://capillary.test",
        "CAPILLARY_USERNAME": "till",
        "CAPILLARY_PASSWORD": "pw-secret",
        "CAPILLARY_RETRY_BACKOFF_SECONDS": "0.001",
        "CAPILLARY_RETRY_DEADLINE_SECONDS": "5",
    },
)


def _envelope(data=None, code=None, message="m", status=200, headers=None):
    errors = [{"code": code, "message": message}] if code is not None else None
    return httpx.Response(
        status, json={"data": data, "errors": errors, "warnings": None}, headers=headers
    )


def _client(handler) -> CapillaryClient:
    return CapillaryClient(SETTINGS, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (_envelope(code=401, status=401), AuthenticationError),
        (_envelope(code=403, status=403, message="forbidden"), AuthenticationError),
        (_envelope(code=310017, status=404), NotFoundError),
        (_envelope(code=310017, status=400), NotFoundError),
        (_envelope(code=310069, status=400), NameTakenError),
        (_envelope(code=310033, status=400, message="bad combination"), RequestRejectedError),
        (_envelope(code=300004, status=410), PhasedOutError),
        (
            _envelope(code=1, status=403, message="API phased out; use v3/promotions"),
            PhasedOutError,
        ),
        (_envelope(code=1, status=400, message="This API is being phased out"), PhasedOutError),
        (_envelope(code=310008, status=200), RequestRejectedError),  # errors in a 200
    ],
)
def test_errors_are_typed(response, error):
    client = _client(lambda request: response)
    with pytest.raises(error) as caught:
        client.read(1)
    assert "pw-secret" not in str(caught.value)


def test_phased_out_message_points_to_promotions():
    client = _client(lambda request: _envelope(code=1, status=410))
    with pytest.raises(PhasedOutError, match=r"POST v3/promotions"):
        client.create(canonical("be01.request"))


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_reads_are_retried_on_transient_failures(status):
    calls = []

    def handler(request):
        calls.append(request.url.path)
        if len(calls) < 3:
            return _envelope(code=status, status=status, headers={"Retry-After": "0"})
        return _envelope({"id": 1, "name": "x"} if "targets" not in request.url.path else [])

    assert _client(handler).read(1)["name"] == "x"
    assert len(calls) == 4  # two failures, then group and targets


def test_retry_after_is_honoured():
    waits = []
    client = _client(lambda r: _envelope(code=429, status=429, headers={"Retry-After": "2"}))
    retrying = client._retrying()
    retrying.sleep = waits.append
    retrying.stop = lambda state: state.attempt_number >= 3
    client._retrying = lambda: retrying
    with pytest.raises(RateLimitedError):
        client.read(1)
    assert waits and all(w >= 2 for w in waits)


def test_retries_stop_at_the_deadline():
    settings = load_settings(
        None,
        {
            "CAPILLARY_BASE_URL": "http://capillary.test",
            "CAPILLARY_USERNAME": "u",
            "CAPILLARY_PASSWORD": "p",
            "CAPILLARY_RETRY_BACKOFF_SECONDS": "0.01",
            "CAPILLARY_RETRY_DEADLINE_SECONDS": "0.2",
        },
    )
    calls = []

    def handler(request):
        calls.append(1)
        return _envelope(code=503, status=503)

    client = CapillaryClient(settings, transport=httpx.MockTransport(handler))
    with pytest.raises(UnavailableError):
        client.read(1)
    assert 2 <= len(calls) < 12


def test_connection_errors_become_transport_errors():
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(TransportError) as caught:
        _client(handler).delete(1)
    assert "connection to Capillary failed" in str(caught.value)


def test_create_is_never_blindly_retried():
    """After a 503 the client looks the name up before posting again."""
    calls = []

    def handler(request):
        calls.append((request.method, request.url.path))
        if request.method == "POST":
            if len(calls) == 1:
                return _envelope(code=503, status=503)
            return _envelope(seed("be01.response")["data"])
        return _envelope([])  # the list: nothing was created

    created = _client(handler).create(canonical("be01.request"))
    assert not created.adopted
    assert calls == [
        ("POST", "/v3/targetGroups"),
        ("GET", "/v3/targetGroups"),
        ("POST", "/v3/targetGroups"),
    ]


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
    with pytest.raises(EditNotAppliedError, match="did not apply it"):
        _client(handler).edit(2911, declared)


def test_delete_of_a_missing_group_is_false():
    assert _client(lambda r: _envelope(code=310017, status=404)).delete(5) is False


# -- against the emulator --------------------------------------------------------------


@pytest.mark.parametrize("oauth", [False, True])
def test_create_read_edit_delete(emulator, oauth):
    client = CapillaryClient(emulator_settings(emulator, oauth=oauth))
    declared = canonical("be01.request")
    created = client.create(declared)
    assert not created.adopted
    group_id = created.recorded["id"]
    assert client.read(group_id)["targets"][0]["id"] == created.recorded["targets"][0]["id"]
    declared["name"] = "renamed"
    declared["targets"][0]["expression"] = "false"
    edited = client.edit(group_id, declared)
    assert (edited["name"], edited["targets"][0]["expression"]) == ("renamed", "false")
    assert client.find_by_name("RENAMED")["id"] == group_id
    assert client.delete(group_id) is True
    with pytest.raises(NotFoundError):
        client.read(group_id)
    assert client.find_by_name("renamed") is None


def test_wrong_credentials(emulator):
    client = CapillaryClient(emulator_settings(emulator, CAPILLARY_PASSWORD="wrong-pw"))
    with pytest.raises(AuthenticationError) as caught:
        client.find_by_name("x")
    assert "wrong-pw" not in str(caught.value)


def test_310069_adopts_a_matching_group_and_refuses_a_different_one(emulator):
    client = CapillaryClient(emulator_settings(emulator))
    first = client.create(canonical("be01.request")).recorded
    again = client.create(canonical("be01.request"))
    assert again.adopted and again.recorded["id"] == first["id"]
    different = canonical("be01.request")
    different["periods"][0]["description"] = "changed"
    with pytest.raises(AdoptionMismatchError) as caught:
        client.create(different)
    assert "periods[0].description: p1 → changed" in str(caught.value)


def test_phase_out_through_the_emulator(emulator, control):
    client = CapillaryClient(emulator_settings(emulator))
    for status in (410, 403, 400):
        control.put("/phase-out", json={"creationDisabled": True, "status": status})
        with pytest.raises(PhasedOutError):
            client.create(canonical("be01.request"))
    assert client.find_by_name("uatTargetGroupBE01") is None


@pytest.mark.parametrize(
    "kind", ["500", "503", "429", "reset", "commit-then-drop", "commit-then-504", "latency"]
)
def test_create_under_each_fault_kind_makes_exactly_one_group(emulator, control, kind):
    client = CapillaryClient(emulator_settings(emulator))
    control.put(
        "/faults", json={"rate": 0.5, "kinds": [kind], "seed": 7, "retryAfter": 0, "latencyMs": 5}
    )
    ids = set()
    for index in range(6):
        declared = canonical("be01.request")
        declared["name"] = f"fault-{kind}-{index}"
        ids.add(client.create(declared).recorded["id"])
    control.put("/faults", json={"rate": 0})
    names = [g["name"] for g in emulator_groups(client)]
    assert len(ids) == 6 and sorted(names) == sorted(f"fault-{kind}-{i}" for i in range(6))


def emulator_groups(client: CapillaryClient) -> list[dict]:
    return client.list_groups()


def test_fifty_creates_at_thirty_percent_faults(emulator, control):
    client = CapillaryClient(emulator_settings(emulator))
    control.put(
        "/faults",
        json={
            "rate": 0.3,
            "seed": 11,
            "retryAfter": 0,
            "latencyMs": 2,
            "kinds": [
                "500",
                "503",
                "429",
                "reset",
                "commit-then-drop",
                "commit-then-504",
                "latency",
            ],
        },
    )
    mapping = {}
    for index in range(50):
        declared = canonical("be02.request")
        declared["name"] = f"bulk-{index}"
        mapping[declared["name"]] = client.create(declared).recorded["id"]
    control.put("/faults", json={"rate": 0})
    groups = emulator_groups(client)
    print(f"faults: 50 creates at 30% → {len(groups)} groups")
    assert len(groups) == 50
    assert {g["name"]: g["id"] for g in groups} == mapping
    faults = [r for r in control.get("/requests").json()["requests"] if r["fault"]]
    assert len(faults) > 10


def test_oauth_renewal_under_four_threads(emulator, control):
    control.put("/token-ttl", json={"ttlSeconds": 2})
    control.put("/clock", json={"now": None})  # real time, so tokens really expire
    client = CapillaryClient(emulator_settings(emulator, oauth=True))
    group_id = client.create(canonical("be01.request")).recorded["id"]

    def work(_):
        for _ in range(6):
            client.read(group_id)
        return True

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert all(pool.map(work, range(4)))
    log = control.get("/requests").json()["requests"]
    generated = [r for r in log if r["path"] == "/v3/oauth/token/generate"]
    rejected = [r for r in log if r["status"] == 401]
    assert len(generated) == client.auth.generations
    assert not rejected  # renewed before expiry, never by a 401
