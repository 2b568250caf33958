"""A total deadline for an API call, enforced at every socket operation.

httpx's timeouts apply to each socket read or write, so a server that drips its headers or
its body one byte at a time is never cut off. Here every connect, read and write of a
connection is given at most the time left before the current call's deadline (a context
variable: each of the provider's threads has its own), so a call — retries, name look-ups
and token renewals included — ends by its deadline whatever the server does.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

_CURRENT: ContextVar[Deadline | None] = ContextVar("capillary_deadline", default=None)


@dataclass(frozen=True)
class Deadline:
    """A moment on the monotonic clock by which a whole call must have ended."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return self.remaining() <= 0


def current() -> Deadline | None:
    return _CURRENT.get()


@contextlib.contextmanager
def applying(deadline: Deadline) -> Iterator[Deadline]:
    """Every socket operation in this block ends by ``deadline`` (the earlier one wins)."""
    outer = _CURRENT.get()
    if outer is not None and outer.at < deadline.at:
        deadline = outer
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)


def _bounded(timeout: float | None) -> float | None:
    deadline = _CURRENT.get()
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if left <= 0:
        raise httpcore.ReadTimeout("the call's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.connect_tcp(host, port, _bounded(timeout), local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport(limits: httpx.Limits, tls: bool = True) -> httpx.HTTPTransport:
    """httpx's own transport, its connections bounded by the current deadline.

    httpx does not expose httpcore's ``network_backend``; the pool's is wrapped in place
    (tests/test_client_hostile.py fails if an httpx release moves it). Without ``tls`` (a
    plain-HTTP base URL; requests never leave it) no CA bundle is loaded: 30 ms of every
    CLI command.
    """
    http = httpx.HTTPTransport(limits=limits, verify=tls)
    pool = http._pool
    pool._network_backend = _Backend(pool._network_backend)
    return http
