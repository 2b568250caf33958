"""The Capillary client: errors, retries, idempotent create (MockTransport and emulator)."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.api.settings import load_settings
from pulumi_capillary.exceptions import (
    AuthenticationError,
    NameTakenError,
    NotFoundError,
    PhasedOutError,
    RateLimitedError,
    RequestRejectedError,
    TransportError,
    UnavailableError,
    UnreachableError,
)
from tests.support import canonical, emulator_settings

_ENVIRON = {
    "CAPILLARY_BASE_URL": "https://capillary.test",
    "CAPILLARY_USERNAME": "till",
    "CAPILLARY_PASSWORD": "pw-secret",
    "CAPILLARY_RETRY_BACKOFF_SECONDS": "0.001",
    "CAPILLARY_RETRY_DEADLINE_SECONDS": "5",
    "CAPILLARY_REQUESTS_PER_MINUTE": "100000",  # the budget has tests of its own
}
SETTINGS = load_settings(None, _ENVIRON)


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
        client.post_group(canonical("be01.request"), client.deadline())


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
    retrying = client.retrying(client.deadline())
    retrying.sleep = waits.append
    retrying.stop = lambda state: state.attempt_number >= 3
    client.retrying = lambda deadline: retrying
    with pytest.raises(RateLimitedError):
        client.read(1)
    assert waits and all(w >= 2 for w in waits)


def test_retries_stop_at_the_deadline():
    settings = load_settings(
        None,
        {
            "CAPILLARY_BASE_URL": "https://capillary.test",
            "CAPILLARY_USERNAME": "u",
            "CAPILLARY_PASSWORD": "p",
            "CAPILLARY_RETRY_BACKOFF_SECONDS": "0.01",
            "CAPILLARY_RETRY_DEADLINE_SECONDS": "0.5",  # room for two tries on a busy machine
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

    with pytest.raises(UnreachableError) as caught:  # a TransportError: retried by default
        _client(handler).delete(1)
    assert isinstance(caught.value, TransportError)
    assert "Nothing answers at https://capillary.test" in str(caught.value)

    def dropped(request):
        raise httpx.ReadError("reset", request=request)

    with pytest.raises(TransportError) as caught:
        _client(dropped).delete(1)
    assert "connection to Capillary failed" in str(caught.value)


def test_a_command_can_fail_fast_on_a_refused_connection_and_hear_of_retries():
    calls, heard = [], []

    def refused(request):
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    client = CapillaryClient(
        SETTINGS, httpx.MockTransport(refused), retry_unreachable=False, on_retry=heard.append
    )
    with pytest.raises(UnreachableError):
        client.delete(1)
    assert len(calls) == 1 and heard == []  # no retry of a refused connection

    answers = iter([_envelope(status=503), _envelope(True)])
    client = CapillaryClient(
        SETTINGS, httpx.MockTransport(lambda r: next(answers)), on_retry=heard.append
    )
    assert client.delete(1) is True
    (notice,) = heard
    assert notice.startswith("waiting ") and "before retry 1" in notice and "503" in notice


def test_delete_of_a_missing_group_is_false():
    assert _client(lambda r: _envelope(code=310017, status=404)).delete(5) is False


# -- against the emulator --------------------------------------------------------------


def test_wrong_credentials(emulator):
    client = CapillaryClient(emulator_settings(emulator, CAPILLARY_PASSWORD="wrong-pw"))
    with pytest.raises(AuthenticationError) as caught:
        client.find_by_name("x")
    assert "wrong-pw" not in str(caught.value)


def test_oauth_renewal_under_four_threads(emulator, control):
    control.put("/token-ttl", json={"ttlSeconds": 2})
    control.put("/clock", json={"now": None})  # real time, so tokens really expire
    client = CapillaryClient(emulator_settings(emulator, oauth=True))
    group_id = client.post_group(canonical("be01.request"), client.deadline())["id"]

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


def _org(count: int, listed: set[str]):
    """A handler for an org of ``count`` groups whose list carries only the ``listed`` parts
    (of periods and targets); it counts the requests, and the most in flight at once."""
    import threading
    import time

    seen: dict[str, int] = {"GET group": 0, "GET targets": 0, "most in flight": 0}
    lock, in_flight = threading.Lock(), [0]
    period, target = {"id": 7, "startDate": "2026-01-01"}, {"id": 9, "name": "t"}

    def group(i: int, parts: set[str]) -> dict:
        found = {"id": i, "name": f"g{i}"}
        found |= {"periods": [period]} if "periods" in parts else {}
        return found | ({"targets": [target]} if "targets" in parts else {})

    def handler(request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if len(parts) == 2:
            return _envelope([group(i, listed) for i in range(1, count + 1)])
        with lock:
            in_flight[0] += 1
            seen["most in flight"] = max(seen["most in flight"], in_flight[0])
        time.sleep(0.02)
        with lock:
            in_flight[0] -= 1
            kind = "GET targets" if parts[-1] == "targets" else "GET group"
            seen[kind] += 1
        return _envelope([target] if kind == "GET targets" else group(int(parts[2]), {"periods"}))

    return handler, seen


@pytest.mark.parametrize(
    ("listed", "groups", "targets"),
    [({"periods", "targets"}, 0, 0), ({"periods"}, 0, 12), ({"targets"}, 12, 0), (set(), 12, 12)],
)
def test_a_listed_group_is_completed_with_only_what_the_list_left_out(listed, groups, targets):
    handler, seen = _org(12, listed)
    client = _client(handler)
    records = client.completed(client.list_groups(include_periods=True))
    assert sorted(records) == list(range(1, 13))
    assert all(r["periods"] and r["targets"] for r in records.values())
    assert (seen["GET group"], seen["GET targets"]) == (groups, targets)


def test_reads_of_what_the_list_left_out_are_bounded_in_flight():
    handler, seen = _org(24, {"periods"})
    settings = load_settings(None, {**_ENVIRON, "CAPILLARY_READS_IN_FLIGHT": "3"})
    client = CapillaryClient(settings, transport=httpx.MockTransport(handler))
    assert len(client.completed(client.list_groups(include_periods=True))) == 24
    assert seen["most in flight"] == 3  # in parallel, and never more than the setting
