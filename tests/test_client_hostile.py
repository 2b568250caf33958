"""The client against servers that are not Capillary: dripping, silent, huge, lying, chatty."""

from __future__ import annotations

import gzip
import json
import ssl
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.api.settings import load_settings
from pulumi_capillary.apply import Applier
from pulumi_capillary.dynamic.provider import TargetGroupProvider
from pulumi_capillary.exceptions import (
    APIError,
    DeadlineExceededError,
    UnexpectedAnswerError,
)
from tests.hostile import HostileServer, drip, fixed, silent
from tests.support import canonical, seed

PASSWORD = "Hostile-Secret-991"
DEADLINE = 1.5


def _settings(url: str, **extra: str):
    environ = {
        "CAPILLARY_BASE_URL": url,
        "CAPILLARY_USERNAME": "till",
        "CAPILLARY_PASSWORD": PASSWORD,
        "CAPILLARY_TIMEOUT_SECONDS": "5",  # longer than the deadline: only it can stop a drip
        "CAPILLARY_RETRY_DEADLINE_SECONDS": str(DEADLINE),
        "CAPILLARY_REQUESTS_PER_MINUTE": "100000",
        "CAPILLARY_RETRY_BACKOFF_SECONDS": "0.05",
        **extra,
    }
    return load_settings(None, environ)


def _timed(call) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        call()
    except Exception as error:
        return time.monotonic() - started, error
    return time.monotonic() - started, None


HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"


@pytest.mark.parametrize(
    ("name", "respond"),
    [
        ("drips its headers", drip(HEADERS + b"{" * 500)),
        ("drips its body", drip(b"{" * 500, prefix=HEADERS)),
        ("never answers", silent),
    ],
    ids=["headers", "body", "silent"],
)
def test_every_call_ends_by_its_deadline(name, respond, figure):
    with HostileServer(respond) as server, ThreadPoolExecutor(2) as pool:
        client = CapillaryClient(_settings(server.url))
        reading = pool.submit(_timed, lambda: client.read(1))
        creating = pool.submit(
            _timed, lambda: Applier(client, print).create(canonical("be01.request"))
        )
        (elapsed, error), (created, create_error) = reading.result(), creating.result()
    figure(f"deadline.longest_call ({name})", f"{max(elapsed, created) / DEADLINE:.2f}x deadline")
    assert isinstance(error, DeadlineExceededError), error
    assert isinstance(create_error, DeadlineExceededError), create_error
    assert "1.5 s deadline" in str(error)
    assert elapsed < DEADLINE + 1.0 and created < DEADLINE + 1.0


def test_a_redirect_is_not_followed_and_not_trusted():
    headers = {"Location": "https://login.example.test/"}
    with HostileServer(fixed("302 Found", b"", headers)) as server:
        with pytest.raises(UnexpectedAnswerError, match="redirect") as caught:
            CapillaryClient(_settings(server.url)).read(1)
        assert len(server.requests) == 1
    assert "check capillary:baseUrl" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "mode"),
    [
        ("https://eu.api.capillarytech.com", ssl.CERT_REQUIRED),
        ("http://127.0.0.1:9", ssl.CERT_NONE),
    ],
)
def test_https_is_verified_and_plain_http_sets_up_no_tls(url, mode):
    client = CapillaryClient(_settings(url))
    try:  # httpx keeps the context on its pool (as deadline.transport reads the backend)
        assert client._http._transport._pool._ssl_context.verify_mode == mode
    finally:
        client.close()


def test_a_bare_404_is_not_a_missing_group():
    """A wrong path prefix or a proxy: never "deleted" — refresh and destroy must fail."""
    with HostileServer(fixed("404 Not Found", b"<html>not here</html>")) as server:
        client = CapillaryClient(_settings(server.url + "/wrong"))
        with pytest.raises(UnexpectedAnswerError) as caught:
            client.read(2911)
        assert "check capillary:baseUrl" in str(caught.value)
        assert "/wrong/v3/targetGroups/2911" in str(caught.value)
        with pytest.raises(UnexpectedAnswerError):
            client.delete(2911)
        provider = TargetGroupProvider()
        provider.core.use(_settings(server.url))
        with pytest.raises(UnexpectedAnswerError):
            provider.read("2911", {})  # refresh: an error, not "gone"
        outs = dict(seed("be01.response")["data"], deletionPolicy="delete")
        with pytest.raises(UnexpectedAnswerError):
            provider.delete("2911", outs)  # destroy: an error, not "already gone"


def test_a_404_in_capillarys_envelope_with_its_code_is_gone():
    body = json.dumps(
        {"data": None, "errors": [{"code": 310017, "message": "gone"}], "warnings": None}
    ).encode()
    with HostileServer(fixed("404 Not Found", body)) as server:
        provider = TargetGroupProvider()
        provider.core.use(_settings(server.url))
        assert provider.read("2911", {}).id == ""


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"ok"',
        b'{"data": "a string", "errors": null}',
        b'{"data": {"name": "no id"}, "errors": null}',
        b'{"data": {"id": 5, "periods": ["x"], "targets": [1]}, "errors": null}',
        b'{"data": {"id": true}, "errors": null}',
        b"{not json",
    ],
)
def test_answers_of_the_wrong_shape_are_typed_errors(body):
    with HostileServer(fixed("200 OK", body)) as server:
        client = CapillaryClient(_settings(server.url))
        with pytest.raises(APIError):
            client.read(1)
        with pytest.raises(APIError):
            Applier(client, print).create(canonical("be01.request"))


@pytest.mark.parametrize(
    "data",
    [None, {"accessToken": 5}, {"accessToken": "t", "ttlSeconds": "NaN"}, {"ttlSeconds": 300}],
)
def test_a_garbage_token_answer_is_a_typed_error(data):
    body = json.dumps({"data": data, "errors": None}).encode()
    with HostileServer(fixed("200 OK", body)) as server:
        settings = _settings(
            server.url,
            CAPILLARY_USERNAME="",
            CAPILLARY_PASSWORD="",
            CAPILLARY_OAUTH_KEY="key",
            CAPILLARY_OAUTH_SECRET="oauth-" + PASSWORD,
        )
        client = CapillaryClient(settings)
        with pytest.raises(UnexpectedAnswerError, match="token answer"):
            client.read(1)


def test_answers_are_bounded_after_decompression(figure):
    bomb = gzip.compress(b"0" * (64 << 20))  # 64 MiB of zeros in about 64 KB
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    with HostileServer(fixed("200 OK", bomb, headers)) as server:
        client = CapillaryClient(_settings(server.url), max_answer_bytes=1 << 20)
        elapsed, error = _timed(lambda: client.read(1))
        with HostileServer(fixed("500 Internal Server Error", b"x" * (4 << 20))) as big:
            error_page = CapillaryClient(_settings(big.url), max_answer_bytes=1 << 20)
            _, big_error = _timed(lambda: error_page.read(1))
            downloads = len(big.requests)
    figure("bounded.gzip_bomb", f"{len(bomb)} bytes refused in {elapsed:.2f}s")
    assert isinstance(error, UnexpectedAnswerError) and "larger than the 1 MiB cap" in str(error)
    assert "raise capillary:maxAnswerMegabytes" in str(error)
    assert isinstance(big_error, UnexpectedAnswerError)
    assert downloads == 1  # a too-large answer is not retried


def test_server_text_never_carries_a_credential_back():
    """A gateway echoing the request's Authorization header into its error message."""

    def echo(request, conn, stop):
        header = next(
            (line for line in request.split(b"\r\n") if line.lower().startswith(b"authorization")),
            b"",
        ).decode()
        value = header.split(":", 1)[-1].strip()
        message = f"bad request from {value} (digest {value.split()[-1]}) pw={PASSWORD}"
        body = json.dumps({"data": None, "errors": [{"code": 1, "message": message}]}).encode()
        fixed("400 Bad Request", body)(request, conn, stop)

    with HostileServer(echo) as server:
        client = CapillaryClient(_settings(server.url))
        with pytest.raises(APIError) as caught:
            client.read(1)
    text = str(caught.value)
    assert "[redacted]" in text
    for needle in client.auth.secrets():
        assert needle not in text
