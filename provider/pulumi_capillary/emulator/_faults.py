"""Faults: the kinds, what ``PUT /__emulator__/faults`` asks for, and their injection with
the request log, wrapped around the whole application (pure ASGI).

Dropping a connection needs the socket: uvicorn's ``send`` is a bound method of its
request cycle, which holds the transport. Where that is not available (another server),
a dropped connection degrades to a 504, which a client cannot tell apart either.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._validation import Rejected

if TYPE_CHECKING:
    from ._store import Store

CONTROL_PREFIX = "/__emulator__/"
FAULT_KINDS = {
    "500",
    "503",
    "429",
    "reset",
    "latency",
    "commit-then-drop",
    "commit-then-504",
    "slow-answer",
}


@dataclass
class Faults:
    """What ``PUT /__emulator__/faults`` asked for."""

    rate: float = 0.0
    kinds: list[str] = field(default_factory=list)
    seed: int | None = None
    latency_ms: int = 0
    retry_after: int = 1
    paths: list[str] = field(default_factory=list)  # only these paths (all when empty)
    limit: int | None = None  # at most this many faults, then none

    @classmethod
    def from_body(cls, data: dict[str, Any]) -> Faults:
        """The faults a control call asks for; refused (300004) when it asks for nonsense."""
        kinds = list(data.get("kinds", []))
        unknown = set(kinds) - FAULT_KINDS
        if unknown:
            raise Rejected(
                300004, f"unknown fault kinds {sorted(unknown)}; use {sorted(FAULT_KINDS)}"
            )
        rate = float(data.get("rate", 0.0))
        if not 0.0 <= rate <= 1.0:
            raise Rejected(300004, "rate must be between 0 and 1")
        paths = data.get("paths", [])
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise Rejected(300004, "paths must be a list of request paths")
        limit = data.get("limit")
        return cls(
            rate=rate,
            kinds=kinds,
            seed=data.get("seed"),
            latency_ms=int(data.get("latencyMs", 0)),
            retry_after=int(data.get("retryAfter", 1)),
            paths=paths,
            limit=None if limit is None else int(limit),
        )


def _error_body(code: int, message: str) -> bytes:
    return json.dumps(
        {"data": None, "errors": [{"code": code, "message": message}], "warnings": None}
    ).encode()


async def _respond(send: Send, status: int, body: bytes, headers: list[Any] | None = None) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _drop(send: Send, before: Callable[[], None]) -> bool:
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        return False
    before()
    transport.abort()
    for _ in range(3):  # let uvicorn see the disconnect before the app returns
        await asyncio.sleep(0)
    return True


class FaultInjection:
    """Draws a fault per API request (seeded), applies it, and logs the request.

    ``slow-answer`` commits the request, then holds the answer for ``latencyMs``: the window
    in which a client can die after Capillary acted but before it learnt so.
    """

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    def _draw(self, path: str) -> str | None:
        with self.store.lock:
            faults = self.store.faults
            if not faults.kinds or (faults.paths and path not in faults.paths):
                return None
            if faults.limit is not None and faults.limit <= 0:
                return None
            if self.store.fault_rng.random() >= faults.rate:
                return None
            if faults.limit is not None:
                faults.limit -= 1
            return self.store.fault_rng.choice(faults.kinds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        kind = self._draw(scope["path"])
        status: list[int | None] = [None]
        done = [False]
        method, path = scope["method"], scope["path"]
        client = "{}:{}".format(*scope["client"]) if scope.get("client") else None
        query = scope.get("query_string", b"").decode()

        def record() -> None:
            """Once, before the client can see the end of the answer (or the drop), so the
            log never lags behind what the client knows."""
            if not done[0]:
                done[0] = True
                self.store.record_request(method, path, query, status[0], kind, client)

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                record()
            await send(message)

        def dropping() -> None:
            status[0] = None
            record()

        async def drop() -> bool:
            return await _drop(send, dropping)

        try:
            if kind == "latency":
                await asyncio.sleep(self.store.faults.latency_ms / 1000)
            if kind in ("500", "503", "429"):
                code = int(kind)
                headers = [(b"retry-after", str(self.store.faults.retry_after).encode())]
                await _respond(
                    logged_send,
                    code,
                    _error_body(code, f"injected fault {kind}"),
                    headers if code == 429 else None,
                )
                return
            if kind == "reset":
                if not await drop():
                    await _respond(logged_send, 504, _error_body(504, "gateway timeout"))
                return
            committing = kind in ("commit-then-drop", "commit-then-504", "slow-answer")

            held: list[Message] = []

            async def tracking_send(message: Message) -> None:
                if committing:
                    held.append(message)
                else:
                    await logged_send(message)

            await self.app(scope, receive, tracking_send)
            if kind == "slow-answer":
                await asyncio.sleep(self.store.faults.latency_ms / 1000)
                for message in held:
                    await logged_send(message)
            elif kind == "commit-then-504" or (committing and not await drop()):
                await _respond(logged_send, 504, _error_body(504, "gateway timeout"))
        finally:
            record()
