"""The Capillary target-group API over httpx: one keep-alive client per provider process.

The client wraps the API and decides nothing about milestones: auth, a total deadline per
call, retries, bounded answers and typed errors. Reads, edits and deletes are retried on
transient failures (connection errors, 429 with its ``Retry-After``, 500/502/503/504) with
capped exponential backoff and jitter, until the call's deadline. A create is posted once:
whether and how to retry it is the apply layer's decision (its answer may be lost after
Capillary committed it).

Nothing the server says is trusted: its text is cut short and any credential it echoes is
redacted before it reaches a message; an answer of the wrong shape is an error, not a
``KeyError``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import Retrying

from ..exceptions import (
    APIError,
    DeadlineExceededError,
    NotFoundError,
    TransportError,
    UnexpectedAnswerError,
    UnreachableError,
)
from . import deadline as _deadline
from .answers import error_for, is_group, shaped
from .auth import Md5BasicAuth, OAuthTokenAuth
from .budget import shared
from .deadline import Deadline
from .reads import GROUPS, Reads
from .retries import retrying
from .settings import Settings

_OURS = ("auth", "cap", "whole")  # our keywords of a call, not httpx's


def _tls_failure(error: BaseException) -> bool:
    """Whether a connection failed in its TLS handshake (``ssl.SSLError`` somewhere in it)."""
    import ssl

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or any(isinstance(a, ssl.SSLError) for a in seen.args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class CapillaryClient(Reads):
    """Thread-safe: the provider server calls it from up to four threads at once."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        max_answer_bytes: int | None = None,
        retry_unreachable: bool = True,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        settings.require_connection()
        self._settings = settings
        self._naming = settings.naming
        self._retry_unreachable, self._on_retry = retry_unreachable, on_retry
        self._say = settings.naming.short
        self._caps = {
            "answer": max_answer_bytes or int(settings.max_answer_megabytes * (1 << 20)),
            "list": int(settings.max_list_megabytes * (1 << 20)),
        }
        plain = (settings.base_url or "").lower().startswith("http://")  # no TLS to set up
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=8, keepalive_expiry=30)
        self._http = httpx.Client(
            base_url=settings.base_url or "",
            timeout=httpx.Timeout(
                settings.timeout_seconds, connect=settings.connect_timeout_seconds
            ),
            headers={"Accept": "application/json", "Content-Type": "application/json"},
            transport=transport or _deadline.transport(limits, tls=not plain),
            follow_redirects=False,
        )
        self.auth: Md5BasicAuth | OAuthTokenAuth
        if settings.uses_oauth:
            self.auth = OAuthTokenAuth(self._generate_token)
        else:
            assert settings.password is not None
            self.auth = Md5BasicAuth(settings.username or "", settings.password)
        self._http.auth = self.auth
        identity = settings.oauth_key if settings.uses_oauth else settings.username
        self._budget = shared(settings.base_url or "", identity or "", settings.requests_per_minute)

    def close(self) -> None:
        self._http.close()

    def deadline(self) -> Deadline:
        """A fresh deadline for one call (or one create with its look-ups)."""
        return Deadline.after(self._settings.retry_deadline_seconds)

    # -- what the server says is not trusted ---------------------------------------------
    def redact(self, text: str) -> str:
        """``text`` cut to 300 characters, with every credential in any known form removed."""
        secrets = self.auth.secrets()
        if self._settings.oauth_secret is not None:
            secrets.append(self._settings.oauth_secret.get_secret_value())
        text = text[:2000]
        for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
            text = text.replace(secret, "[redacted]")
        return text[:300]

    # -- transport -----------------------------------------------------------------------
    def _generate_token(self) -> tuple[str, float]:
        assert self._settings.oauth_secret is not None
        secret = self._settings.oauth_secret.get_secret_value()
        data = self._once(
            "POST",
            "/v3/oauth/token/generate",
            _deadline.current() or self.deadline(),
            auth=None,  # the token call itself carries no token
            json={"key": self._settings.oauth_key, "secret": secret},
        )
        token = data.get("accessToken") if isinstance(data, dict) else None
        ttl = data.get("ttlSeconds", 300) if isinstance(data, dict) else None
        if (
            not isinstance(token, str)
            or not token.strip()
            or not token.isprintable()
            or isinstance(ttl, bool)
            or not isinstance(ttl, (int, float))
            or not math.isfinite(ttl)
            or ttl <= 0
        ):
            raise UnexpectedAnswerError(
                "Capillary's token answer (POST v3/oauth/token/generate) holds no usable "
                f"accessToken and ttlSeconds; check {self._say('base_url')} and the OAuth client."
            )
        return token, float(ttl)

    def _read_body(self, response: httpx.Response, where: str, cap: str) -> bytes:
        """The answer, decompressed, refused as it streams in past its cap (a gzip bomb, a
        huge error page): the message says which cap, how large, and how to raise it."""
        limit, chunks, size = self._caps[cap], [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                announced = response.headers.get("content-length", "")
                told = (
                    f"; it announced {int(announced) / (1 << 20):.0f} MiB"
                    if (announced.isdigit() and "content-encoding" not in response.headers)
                    else ""
                )
                setting = "max_list_megabytes" if cap == "list" else "max_answer_megabytes"
                raise UnexpectedAnswerError(
                    f"Capillary's answer to {where} is larger than the {limit / (1 << 20):g} "
                    f"MiB cap on {'a list' if cap == 'list' else 'an answer'} (more than "
                    f"{size / (1 << 20):.1f} MiB decompressed{told}); if it is Capillary's, "
                    f"raise {self._say(setting)}, else check {self._say('base_url')} (a proxy "
                    "or a wrong host may be answering)."
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _once(self, method: str, path: str, deadline: Deadline, **kwargs: Any) -> Any:
        """One request, bounded by ``deadline``; the envelope's ``data``, or a typed error."""
        where = f"{method} {path}"
        with _deadline.applying(deadline) as bound:
            if bound.passed():
                raise self._late(where, bound)
            if not self._budget.take(bound, self._tell_budget):
                raise self._spent(where, bound)
            try:
                request = self._http.build_request(
                    method, path, **{k: v for k, v in kwargs.items() if k not in _OURS}
                )
                auth = kwargs.get("auth", self.auth)
                response = self._http.send(request, stream=True, auth=auth)
                try:
                    body = self._read_body(response, where, kwargs.get("cap", "answer"))
                finally:
                    response.close()
            except httpx.TimeoutException:
                if bound.passed():
                    raise self._late(where, bound) from None
                raise TransportError(
                    f"Capillary did not answer {where} in time; check the network or raise "
                    f"{self._say('timeout_seconds')}."
                ) from None
            except httpx.ConnectError as exc:
                if _tls_failure(exc):
                    raise self._tls(where, exc) from None
                raise UnreachableError(
                    f"Nothing answers at {self._settings.base_url} ({type(exc).__name__} "
                    f"during {where}); check {self._say('region')}/{self._say('base_url')} and "
                    "the network."
                ) from None
            except httpx.TransportError as exc:
                raise TransportError(
                    f"The connection to Capillary failed during {where} "
                    f"({type(exc).__name__}); check {self._say('region')}/"
                    f"{self._say('base_url')} and the network."
                ) from None
        try:
            payload = json.loads(body) if body else None
        except (ValueError, RecursionError):
            payload = None
        if response.is_success and isinstance(payload, dict) and "data" in payload:
            if payload.get("errors"):
                raise self._error(response, payload, where)
            return payload if kwargs.get("whole") else payload["data"]
        if response.is_success:
            raise UnexpectedAnswerError(
                f"Capillary answered {where} (HTTP {response.status_code}) with something "
                f"other than its JSON envelope; check {self._say('base_url')}.",
                status=response.status_code,
            )
        raise self._error(response, payload, where)

    def _tls(self, where: str, error: httpx.ConnectError) -> UnexpectedAnswerError:
        """A TLS handshake that failed: a certificate not trusted, or no TLS at all (an
        ``https://`` URL for a plain-HTTP server such as the emulator)."""
        url, setting = self._settings.base_url, self._say("base_url")
        if "CERTIFICATE_VERIFY_FAILED" in str(error):
            return UnexpectedAnswerError(
                f"The certificate of {url} could not be verified during {where}; check "
                f"{setting} (a proxy may be answering in Capillary's place)."
            )
        return UnexpectedAnswerError(
            f"The server at {url} does not answer in TLS during {where} (it looks like plain "
            f"HTTP); for the emulator on this machine use http:// in {setting}, otherwise "
            f"check {setting}."
        )

    def _tell_budget(self, wait: float) -> None:
        if self._on_retry is not None:
            self._on_retry(
                f"waiting {wait:.1f} s: {self._budget.per_minute} requests a minute is the "
                f"budget ({self._say('requests_per_minute')})"
            )

    def _spent(self, where: str, deadline: Deadline) -> DeadlineExceededError:
        return DeadlineExceededError(
            f"{where} could not be sent within the call's {deadline.seconds:g} s deadline: the "
            f"budget of {self._budget.per_minute} requests a minute to Capillary is spent; run "
            f"again in a minute, or raise {self._say('requests_per_minute')} if Capillary's "
            "limit for this API key allows it."
        )

    def _late(self, where: str, deadline: Deadline) -> DeadlineExceededError:
        return DeadlineExceededError(
            f"Capillary did not complete {where} within the call's {deadline.seconds:g} s "
            f"deadline; run again later, or raise {self._say('retry_deadline_seconds')}."
        )

    def _error(self, response: httpx.Response, payload: Any, where: str) -> APIError:
        return error_for(
            response, payload, where, self.redact, self._settings.base_url or "", self._naming
        )

    def retrying(self, deadline: Deadline) -> Retrying:
        return retrying(
            deadline,
            self._settings.retry_backoff_seconds,
            self._retry_unreachable,
            self._on_retry,
        )

    def call(self, method: str, path: str, deadline: Deadline | None = None, **kwargs: Any) -> Any:
        """One API call with retries on transient failures, all within ``deadline``."""
        deadline = deadline or self.deadline()
        for attempt in self.retrying(deadline):
            with attempt:
                return self._once(method, path, deadline, **kwargs)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the API's writes (its reads: ``reads.Reads``) ------------------------------------
    def post_group(self, body: dict[str, Any], deadline: Deadline) -> dict[str, Any]:
        """``POST v3/targetGroups`` once, never retried here: the answer may be lost after
        Capillary committed it, and only the caller can tell a retry from a duplicate."""
        data = self._once("POST", GROUPS, deadline, json=body)
        group: dict[str, Any] = shaped(
            data, dict, f"POST {GROUPS}", self._say("base_url"), is_group
        )
        return group

    def edit_group(self, group_id: int | str, body: dict[str, Any]) -> Any:
        return self.call("PUT", f"{GROUPS}/editTargetGroup/{group_id}", json=body)

    def update_target(self, group_id: int | str, target_id: int | str, body: dict[str, Any]) -> Any:
        return self.call("PUT", f"{GROUPS}/{group_id}/targets/{target_id}", json=body)

    def delete(self, group_id: int | str) -> bool:
        """Deactivate the group; ``False`` when Capillary says it was already gone."""
        try:
            self.call("DELETE", f"{GROUPS}/{group_id}")
        except NotFoundError:
            return False
        return True
