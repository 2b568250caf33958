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
import time
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base, wait_exponential, wait_random

from . import _deadline
from ._auth import Md5BasicAuth, OAuthTokenAuth
from ._config import Settings
from ._deadline import Deadline
from ._exceptions import (
    APIError,
    AuthenticationError,
    DeadlineExceededError,
    NameTakenError,
    NotFoundError,
    PhasedOutError,
    RateLimitedError,
    RequestRejectedError,
    TransientError,
    TransportError,
    UnavailableError,
    UnexpectedAnswerError,
)

GROUPS = "/v3/targetGroups"
MAX_ANSWER_BYTES = 32 << 20  # decompressed; an org's whole list is far below this
PHASED_OUT = (
    "Capillary no longer creates milestones through the target-group API (it has been phased "
    "out); create this one as a Loyalty Promotion with POST v3/promotions instead."
)
NOT_FOUND = 310017


_LAST_TRY = 0.05  # seconds: with less left, no attempt is started (the last error stands)


class _Backoff(wait_base):
    """Exponential with jitter, never sooner than a 429's ``Retry-After``, never past the
    deadline: the last wait is cut so that one more attempt still has ``_LAST_TRY``."""

    def __init__(self, initial: float, deadline: Deadline) -> None:
        self._exponential = wait_exponential(multiplier=initial, max=10.0) + wait_random(0, initial)
        self._deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> float:
        wait = self._exponential(retry_state)
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            wait = max(wait, error.retry_after)
        return max(0.0, min(wait, self._deadline.remaining() - _LAST_TRY))


class _StopAtDeadline(stop_base):
    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._deadline.remaining() <= _LAST_TRY


def _retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return max(0.0, value) if math.isfinite(value) else None


def _all_objects(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(item, dict) for item in items)


def _objects(holder: dict[str, Any], key: str) -> bool:
    """``holder[key]``, if present, is a list of objects (periods, targets)."""
    return holder.get(key) is None or _all_objects(holder[key])


def _a_group(group: dict[str, Any]) -> bool:
    """A recorded group: a positive integer id, and lists of objects where lists belong."""
    group_id = group.get("id")
    return (
        isinstance(group_id, int)
        and not isinstance(group_id, bool)
        and group_id > 0
        and _objects(group, "periods")
        and _objects(group, "targets")
    )


def _server_message(payload: Any, response: httpx.Response) -> tuple[int | None, str]:
    """Capillary's own error code and message, if the answer is its envelope."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    message = first.get("message")
    if not isinstance(message, str) or not message:
        message = response.reason_phrase or "no message"
    return code, message


class CapillaryClient:
    """Thread-safe: the provider server calls it from up to four threads at once."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        settings.require_connection()
        self._settings = settings
        self._max_answer_bytes = max_answer_bytes
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=8, keepalive_expiry=30)
        self._http = httpx.Client(
            base_url=settings.base_url or "",
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={"Accept": "application/json", "Content-Type": "application/json"},
            transport=transport or _deadline.transport(limits),
            follow_redirects=False,
        )
        self.auth: Md5BasicAuth | OAuthTokenAuth
        if settings.uses_oauth:
            self.auth = OAuthTokenAuth(self._generate_token)
        else:
            assert settings.password is not None
            self.auth = Md5BasicAuth(settings.username or "", settings.password)
        self._http.auth = self.auth

    def close(self) -> None:
        self._http.close()

    def deadline(self) -> Deadline:
        """A fresh deadline for one call (or one create with its look-ups)."""
        return Deadline.after(self._settings.retry_deadline)

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
                "accessToken and ttlSeconds; check capillary:baseUrl and the OAuth client."
            )
        return token, float(ttl)

    def _read_body(self, response: httpx.Response, where: str) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_answer_bytes:
                raise UnexpectedAnswerError(
                    f"Capillary's answer to {where} is larger than "
                    f"{self._max_answer_bytes >> 20} MiB; check capillary:baseUrl (a proxy "
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
            try:
                request = self._http.build_request(
                    method, path, **{k: v for k, v in kwargs.items() if k != "auth"}
                )
                auth = kwargs.get("auth", self.auth)
                response = self._http.send(request, stream=True, auth=auth)
                try:
                    body = self._read_body(response, where)
                finally:
                    response.close()
            except httpx.TimeoutException:
                if bound.passed():
                    raise self._late(where, bound) from None
                raise TransportError(
                    f"Capillary did not answer {where} in time; check the network or raise "
                    "capillary:timeoutSeconds."
                ) from None
            except httpx.TransportError as exc:
                raise TransportError(
                    f"The connection to Capillary failed during {where} "
                    f"({type(exc).__name__}); check capillary:region/baseUrl and the network."
                ) from None
        try:
            payload = json.loads(body) if body else None
        except (ValueError, RecursionError):
            payload = None
        if response.is_success and isinstance(payload, dict) and "data" in payload:
            if payload.get("errors"):
                raise self._error(response, payload, where)
            return payload["data"]
        if response.is_success:
            raise UnexpectedAnswerError(
                f"Capillary answered {where} (HTTP {response.status_code}) with something "
                "other than its JSON envelope; check capillary:baseUrl.",
                status=response.status_code,
            )
        raise self._error(response, payload, where)

    def _late(self, where: str, deadline: Deadline) -> DeadlineExceededError:
        return DeadlineExceededError(
            f"Capillary did not complete {where} within the call's {deadline.seconds:g} s "
            "deadline; run again later, or raise capillary:retryDeadlineSeconds."
        )

    def _error(self, response: httpx.Response, payload: Any, where: str) -> APIError:
        """The typed exception for an error answer; its text is redacted and cut short."""
        status = response.status_code
        code, raw = _server_message(payload, response)
        message = self.redact(raw)
        kw: dict[str, Any] = {"status": status, "code": code}
        if status == 410 or (
            status in (400, 403) and any(w in message.lower() for w in ("phase", "promotion"))
        ):
            return PhasedOutError(PHASED_OUT, **kw)
        if status == 401:
            return AuthenticationError(
                f"Capillary rejected the credentials (HTTP 401 on {where}); check "
                "capillary:username/password or capillary:oauthKey/oauthSecret.",
                **kw,
            )
        if status == 403:
            return AuthenticationError(
                f"Capillary refused {where} (HTTP 403: {message}); the till or OAuth client "
                "needs access to target groups.",
                **kw,
            )
        if code == NOT_FOUND:
            return NotFoundError(
                f"Target group not found or deactivated ({where}); run `pulumi refresh` to "
                "drop it from the stack.",
                **kw,
            )
        if 300 <= status < 400:
            return UnexpectedAnswerError(
                f"{where} was answered with a redirect (HTTP {status}), which Capillary's API "
                "does not send; check capillary:baseUrl (a proxy or a login page may answer).",
                **kw,
            )
        if status == 404:
            return UnexpectedAnswerError(
                f"{self._settings.base_url}{where.split(' ', 1)[1]} answered HTTP 404 without "
                "Capillary's error code for a missing group; check capillary:baseUrl (it must "
                "be the API's root, such as https://eu.api.capillarytech.com).",
                **kw,
            )
        if code == 310069:
            return NameTakenError(
                f"A target group with this name already exists in this org ({message}); "
                "choose another name, or take that group over with adoptExistingId.",
                **kw,
            )
        if status == 429:
            return RateLimitedError(
                f"Capillary rate-limited {where} (HTTP 429) until the call's deadline; run "
                "again later or raise capillary:retryDeadlineSeconds.",
                retry_after=_retry_after(response),
                **kw,
            )
        if status in (500, 502, 503, 504):
            return UnavailableError(
                f"Capillary failed on {where} (HTTP {status}: {message}) until the call's "
                "deadline; run again later.",
                **kw,
            )
        return RequestRejectedError(
            f"Capillary rejected {where} (HTTP {status}, code {code}: {message}); fix the "
            "declaration and run again.",
            **kw,
        )

    def retrying(self, deadline: Deadline) -> Retrying:
        return Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=_StopAtDeadline(deadline) | stop_after_attempt(12),
            wait=_Backoff(self._settings.retry_backoff, deadline),
            reraise=True,
            sleep=time.sleep,
        )

    def call(self, method: str, path: str, deadline: Deadline | None = None, **kwargs: Any) -> Any:
        """One API call with retries on transient failures, all within ``deadline``."""
        deadline = deadline or self.deadline()
        for attempt in self.retrying(deadline):
            with attempt:
                return self._once(method, path, deadline, **kwargs)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _shaped(data: Any, kind: type, where: str, check: Callable[[Any], bool] = bool) -> Any:
        if not isinstance(data, kind) or not check(data):
            raise UnexpectedAnswerError(
                f"Capillary's answer to {where} does not have the documented shape; check "
                "capillary:baseUrl."
            )
        return data

    # -- the API -------------------------------------------------------------------------
    def read(self, group_id: int | str, deadline: Deadline | None = None) -> dict[str, Any]:
        """The group with its periods and its targets, as Capillary records them."""
        deadline = deadline or self.deadline()
        path = f"{GROUPS}/{group_id}"
        group = self.call("GET", path, deadline, params={"includePeriods": "true"})
        self._shaped(group, dict, f"GET {path}", _a_group)
        targets = self.call("GET", f"{path}/targets", deadline)
        self._shaped(targets, list, f"GET {path}/targets", _all_objects)
        return {**group, "targets": targets}

    def list_groups(
        self, include_periods: bool = False, deadline: Deadline | None = None
    ) -> list[dict[str, Any]]:
        """Every group of the org, UI-made and inactive ones included (not paginated)."""
        params = {
            "includePeriods": str(include_periods).lower(),
            "includeUserCreatedTargetGroups": "true",
            "includeOnlyActive": "false",
        }
        groups = self.call("GET", GROUPS, deadline, params=params)
        if groups is None:
            return []
        return [
            g
            for g in self._shaped(groups, list, f"GET {GROUPS}", lambda _: True)
            if isinstance(g, dict)
        ]

    def find_by_name(self, name: str, deadline: Deadline | None = None) -> dict[str, Any] | None:
        """The group named ``name`` (case-insensitively, as Capillary compares), if any."""
        folded = name.casefold()
        return next(
            (
                g
                for g in self.list_groups(deadline=deadline)
                if str(g.get("name", "")).casefold() == folded
            ),
            None,
        )

    def post_group(self, body: dict[str, Any], deadline: Deadline) -> dict[str, Any]:
        """``POST v3/targetGroups`` once, never retried here: the answer may be lost after
        Capillary committed it, and only the caller can tell a retry from a duplicate."""
        data = self._once("POST", GROUPS, deadline, json=body)
        group: dict[str, Any] = self._shaped(data, dict, f"POST {GROUPS}", _a_group)
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
