"""The two ways Capillary authenticates, as ``httpx.Auth`` flows.

Secrets live only here, in memory, and never in a ``repr``.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable, Generator

import httpx
from pydantic import SecretStr

TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"


class Md5BasicAuth(httpx.Auth):
    """``Basic base64(username:md5_hex(password))``: the password itself is never sent."""

    def __init__(self, username: str, password: SecretStr) -> None:
        digest = hashlib.md5(password.get_secret_value().encode()).hexdigest()
        self.username = username
        self.__password = password
        self.__digest = digest
        self.__header = "Basic " + base64.b64encode(f"{username}:{digest}".encode()).decode()

    def secrets(self) -> list[str]:
        """Every form of the credential that could come back in a server's text."""
        value = self.__header.split(" ", 1)[1]
        return [self.__password.get_secret_value(), self.__digest, self.__header, value]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.__header
        yield request

    def __repr__(self) -> str:
        return f"Md5BasicAuth(username={self.username!r})"


class OAuthTokenAuth(httpx.Auth):
    """A cached token, renewed before it expires and once after a 401; one renewal at a time.

    ``fetch()`` returns ``(token, ttl_seconds)``. ``generations`` counts renewals.
    """

    def __init__(
        self, fetch: Callable[[], tuple[str, float]], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.RLock()  # redact() reads secrets() while a renewal runs
        self.__token: str | None = None
        self.__issued: list[str] = []
        self._renew_at = 0.0
        self.generations = 0

    def secrets(self) -> list[str]:
        """The tokens issued to this process (a gateway may echo an expired one)."""
        with self._lock:
            return list(self.__issued)

    def token(self, stale: str | None = None) -> str:
        with self._lock:
            current = self.__token
            if current is not None and self._clock() < self._renew_at and current != stale:
                return current
            token, ttl = self._fetch()
            self.__token = token
            self.__issued = [*self.__issued[-15:], token]
            self._renew_at = self._clock() + ttl - min(30.0, ttl / 5)
            self.generations += 1
            return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token()
        request.headers[TOKEN_HEADER] = token
        response = yield request
        if response.status_code == 401:
            request.headers[TOKEN_HEADER] = self.token(stale=token)
            yield request

    def __repr__(self) -> str:
        return f"OAuthTokenAuth(generations={self.generations})"
