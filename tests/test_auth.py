"""Basic (md5) and OAuth flows."""

from __future__ import annotations

import base64
import hashlib
import threading

import httpx
from pydantic import SecretStr

from pulumi_capillary.api.auth import Md5BasicAuth, OAuthTokenAuth


def _header(auth: httpx.Auth) -> str:
    return next(auth.auth_flow(httpx.Request("GET", "http://x"))).headers["Authorization"]


def test_basic_is_base64_of_user_and_md5_hex():
    # The docs' worked example encodes store123:bdc87b9c... as below; note that
    # md5("Pass123") is really 2f23fa35..., so the docs' digest is of some other string.
    documented = "Basic c3RvcmUxMjM6YmRjODdiOWM4OTRkYTUxNjgwNTllMDBlYmZmYjkwNzc="
    assert base64.b64decode(documented[6:]) == b"store123:bdc87b9c894da5168059e00ebffb9077"
    auth = Md5BasicAuth("store123", SecretStr("Pass123"))
    expected = base64.b64encode(
        b"store123:" + hashlib.md5(b"Pass123").hexdigest().encode()
    ).decode()
    assert _header(auth) == "Basic " + expected
    assert "Pass123" not in repr(auth) and "2f23fa35" not in repr(auth)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_is_cached_and_renewed_before_expiry():
    clock = _Clock()
    issued = []

    def fetch():
        issued.append(f"t{len(issued)}")
        return issued[-1], 100.0

    auth = OAuthTokenAuth(fetch, clock)
    assert auth.token() == auth.token() == "t0"
    clock.now = 79.0
    assert auth.token() == "t0"
    clock.now = 80.5  # within the renewal margin (ttl/5)
    assert auth.token() == "t1"
    assert auth.generations == 2


def test_a_401_renews_once_and_replays():
    issued = []

    def fetch():
        issued.append(f"t{len(issued)}")
        return issued[-1], 300.0

    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["X-CAP-API-OAUTH-TOKEN"])
        return httpx.Response(401 if len(seen) == 1 else 200, json={"data": 1})

    auth = OAuthTokenAuth(fetch)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert client.get("http://x/", auth=auth).status_code == 200
    assert seen == ["t0", "t1"]


def test_concurrent_callers_share_one_generation():
    gate = threading.Event()
    calls = []

    def fetch():
        calls.append(1)
        gate.wait(0.2)
        return "tok", 300.0

    auth = OAuthTokenAuth(fetch)
    threads = [threading.Thread(target=auth.token) for _ in range(8)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
