"""Each injected fault does what it says."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support import seed


def _faults(control: httpx.Client, kind: str, **extra) -> None:
    response = control.put("/faults", json={"rate": 1.0, "kinds": [kind], "seed": 1, **extra})
    assert response.status_code == 200, response.text


def _count(api: httpx.Client) -> int:
    return len(api.get("/v3/targetGroups").json()["data"])


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors_do_not_create(api, control, kind):
    _faults(control, kind)
    response = api.post("/v3/targetGroups", json=seed("be01.request"))
    assert response.status_code == int(kind)
    control.put("/faults", json={"rate": 0})
    assert _count(api) == 0


def test_429_carries_retry_after(api, control):
    _faults(control, "429", retryAfter=7)
    response = api.get("/v3/targetGroups")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


def test_reset_drops_the_connection(api, control):
    _faults(control, "reset")
    with pytest.raises(httpx.TransportError):
        api.post("/v3/targetGroups", json=seed("be01.request"))
    control.put("/faults", json={"rate": 0})
    assert _count(api) == 0


def test_commit_then_drop_creates_but_loses_the_answer(api, control):
    _faults(control, "commit-then-drop")
    with pytest.raises(httpx.TransportError):
        api.post("/v3/targetGroups", json=seed("be01.request"))
    control.put("/faults", json={"rate": 0})
    assert _count(api) == 1
    log = control.get("/requests").json()["requests"]
    assert log[0]["fault"] == "commit-then-drop" and log[0]["status"] is None


def test_commit_then_504_creates_but_answers_504(api, control):
    _faults(control, "commit-then-504")
    assert api.post("/v3/targetGroups", json=seed("be01.request")).status_code == 504
    control.put("/faults", json={"rate": 0})
    assert _count(api) == 1


def test_latency_is_added(api, control):
    _faults(control, "latency", latencyMs=200)
    started = time.monotonic()
    assert api.get("/v3/targetGroups").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_rate_and_seed_make_a_repeatable_mix(api, control):
    def statuses() -> list[int]:
        control.put("/faults", json={"rate": 0.5, "kinds": ["500", "503"], "seed": 42})
        return [api.get("/v3/targetGroups").status_code for _ in range(30)]

    first = statuses()
    assert first == statuses()
    assert 5 < first.count(200) < 25


def test_bad_fault_requests_are_refused(control):
    assert control.put("/faults", json={"kinds": ["meteor"]}).status_code == 400
    assert control.put("/faults", json={"rate": 2}).status_code == 400


def test_slow_answer_commits_then_answers_late(api, control):
    _faults(control, "slow-answer", latencyMs=300)
    started = time.monotonic()
    response = api.post("/v3/targetGroups", json=seed("be01.request"))
    assert response.status_code == 200 and time.monotonic() - started >= 0.3
    assert [g["name"] for g in control.get("/groups").json()["groups"]] == ["uatTargetGroupBE01"]


def test_log_names_the_client_connection(api, control):
    api.get("/v3/targetGroups")
    api.get("/v3/targetGroups")
    clients = {r["client"] for r in control.get("/requests").json()["requests"]}
    assert len(clients) == 1 and next(iter(clients)).startswith("127.0.0.1:")


@pytest.mark.parametrize("kind", [None, "500", "429", "slow-answer", "commit-then-504"])
def test_a_request_is_logged_before_its_answer_ends(kind):
    """A client that has its answer finds its request in the log (no race with the log)."""
    import asyncio

    from pulumi_capillary.emulator._faults import FaultInjection
    from pulumi_capillary.emulator._store import Store

    store = Store()
    if kind:
        store.faults.kinds, store.faults.rate, store.faults.latency_ms = [kind], 1.0, 1
    logged_at_end: list[int] = []

    async def app(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def send(message) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            logged_at_end.append(len(store.log))

    scope = {"type": "http", "method": "GET", "path": "/v3/targetGroups", "query_string": b""}
    loop = asyncio.new_event_loop()  # not asyncio.run: it would unset this thread's loop
    try:
        loop.run_until_complete(FaultInjection(app, store)(scope, None, send))
    finally:
        loop.close()
    assert logged_at_end == [1] and len(store.log) == 1
