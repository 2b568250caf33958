"""Serving the emulator: in the foreground (the command) or on a background thread (tests)."""

from __future__ import annotations

import signal
import socket
import threading
import time
from datetime import datetime
from types import FrameType

import uvicorn

from ._app import Credentials, create_app
from ._store import Store


class _Server(uvicorn.Server):
    """Treats SIGINT/SIGTERM as a requested stop: shut down cleanly and exit 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True


class EmulatorServer:
    """A running emulator on 127.0.0.1; ``with EmulatorServer() as emu: emu.url``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        credentials: Credentials | None = None,
        now: datetime | None = None,
        state_file: str | None = None,
        token_ttl: int = 300,
        log_limit: int = 10_000,
    ) -> None:
        self.store = Store(state_file=state_file, now=now, log_limit=log_limit)
        self.store.token_ttl = token_ttl
        self.credentials = credentials or Credentials()
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
        # and without it every GET answer waits ~40 ms for a delayed ACK (Nagle).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(
            create_app(self.store, self.credentials),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            proxy_headers=False,
        )
        self._server = _Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        """Foreground; uvicorn turns SIGINT/SIGTERM into a clean shutdown."""
        self._server.run(sockets=[self._socket])

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
