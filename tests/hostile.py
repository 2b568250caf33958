"""Small misbehaving HTTP servers on 127.0.0.1, for the client's hostile-server tests.

Each serves raw bytes from a function of the request, so a test can drip headers, hold a
connection open, or answer what no Capillary would. Every server stops when its ``with``
block ends, and every loop it runs is bounded in time.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

Respond = Callable[[bytes, socket.socket, threading.Event], None]


class HostileServer:
    """``with HostileServer(respond) as server: server.url``."""

    def __init__(self, respond: Respond) -> None:
        self._respond = respond
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.requests: list[bytes] = []
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            request = b""
            while b"\r\n\r\n" not in request and not self._stop.is_set():
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            self.requests.append(request)
            self._respond(request, conn, self._stop)
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self) -> HostileServer:
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for thread in self._threads:
            thread.join(5)
        self._listener.close()


def drip(body: bytes, every: float = 0.2, limit: float = 60.0, prefix: bytes = b"") -> Respond:
    """Send ``prefix`` at once, then ``body`` one byte at a time, ``every`` seconds apart
    (for at most ``limit`` seconds)."""

    def respond(_: bytes, conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(prefix)
        ends = time.monotonic() + limit
        for byte in _bytes(body):
            if stop.is_set() or time.monotonic() > ends:
                return
            conn.sendall(byte)
            stop.wait(every)

    return respond


def _bytes(data: bytes) -> Iterator[bytes]:
    for index in range(len(data)):
        yield data[index : index + 1]


def silent(_: bytes, conn: socket.socket, stop: threading.Event) -> None:
    """A black hole: accept, read, never answer (until the test ends)."""
    stop.wait(60)


def fixed(status: str, body: bytes, headers: dict[str, str] | None = None) -> Respond:
    """One whole answer, sent at once."""

    def respond(_: bytes, conn: socket.socket, stop: threading.Event) -> None:
        lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    return respond
