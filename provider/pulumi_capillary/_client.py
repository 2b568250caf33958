"""The Capillary target-group API over httpx: one keep-alive client per provider process.

Reads, edits and deletes are retried on transient failures (connection errors, 429 with its
``Retry-After``, 500/502/503/504) with capped exponential backoff, jitter and an overall
deadline. A create is never blindly retried: its answer may be lost after Capillary has
committed it, so before every retry — and when the name is reported taken — the client
looks the name up and adopts the group it finds, if and only if it matches the declaration.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_before_delay
from tenacity.wait import wait_base, wait_exponential, wait_random

from ._auth import Md5BasicAuth, OAuthTokenAuth
from ._config import Settings
from ._diff import compare_to_record
from ._exceptions import (
    AdoptionMismatchError,
    APIError,
    AuthenticationError,
    EditNotAppliedError,
    NameTakenError,
    NotFoundError,
    PhasedOutError,
    RateLimitedError,
    RequestRejectedError,
    TransientError,
    TransportError,
    UnavailableError,
)
from ._fields import apply_updates

GROUPS = "/v3/targetGroups"
PHASED_OUT = (
    "Capillary no longer creates milestones through the target-group API (it has been phased "
    "out); create this one as a Loyalty Promotion with POST v3/promotions instead."
)


class Created(NamedTuple):
    recorded: dict[str, Any]
    adopted: bool


class _Backoff(wait_base):
    """Exponential with jitter, but never sooner than a 429's ``Retry-After``."""

    def __init__(self, initial: float) -> None:
        self._exponential = wait_exponential(multiplier=initial, max=10.0) + wait_random(0, initial)

    def __call__(self, retry_state) -> float:
        wait = self._exponential(retry_state)
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            wait = max(wait, error.retry_after)
        return wait


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _error(response: httpx.Response, method: str, path: str) -> APIError:
    """Turn an error answer into the typed exception; messages carry no request headers."""
    status = response.status_code
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        errors = []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    message = str(first.get("message") or response.reason_phrase or "no message")[:300]
    where = f"{method} {path}"
    if status == 410 or (
        status in (400, 403) and any(word in message.lower() for word in ("phase", "promotion"))
    ):
        return PhasedOutError(PHASED_OUT, status=status, code=code)
    if status == 401:
        return AuthenticationError(
            f"Capillary rejected the credentials (HTTP 401 on {where}); check "
            "capillary:username/password or capillary:oauthKey/oauthSecret.",
            status=status,
            code=code,
        )
    if status == 403:
        return AuthenticationError(
            f"Capillary refused {where} (HTTP 403: {message}); the till or OAuth client needs "
            "access to target groups.",
            status=status,
            code=code,
        )
    if status == 404 or code == 310017:
        return NotFoundError(
            f"Target group not found or deactivated ({where}); run `pulumi refresh` to drop "
            "it from the stack.",
            status=status,
            code=code,
        )
    if code == 310069:
        return NameTakenError(
            f"A target group with this name already exists in this org ({message}); choose "
            "another name, or take that group over with adoptExistingId.",
            status=status,
            code=code,
        )
    if status == 429:
        return RateLimitedError(
            f"Capillary rate-limited {where} (HTTP 429) until the retry deadline; run again "
            "later or raise capillary:retryDeadlineSeconds.",
            status=status,
            code=code,
            retry_after=_retry_after(response),
        )
    if status >= 500:
        return UnavailableError(
            f"Capillary failed on {where} (HTTP {status}: {message}) until the retry deadline; "
            "run again later.",
            status=status,
            code=code,
        )
    return RequestRejectedError(
        f"Capillary rejected {where} (HTTP {status}, code {code}: {message}); fix the "
        "declaration and run again.",
        status=status,
        code=code,
    )


class CapillaryClient:
    """Thread-safe: the provider server calls it from up to four threads at once."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        settings.require_connection()
        self._settings = settings
        self._http = httpx.Client(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={"Accept": "application/json", "Content-Type": "application/json"},
            limits=httpx.Limits(
                max_connections=16, max_keepalive_connections=8, keepalive_expiry=30.0
            ),
            transport=transport,
        )
        self.auth: httpx.Auth
        if settings.uses_oauth:
            self.auth = OAuthTokenAuth(self._generate_token)
        else:
            self.auth = Md5BasicAuth(settings.username or "", settings.password)
        self._http.auth = self.auth

    def close(self) -> None:
        self._http.close()

    # -- transport -----------------------------------------------------------------------
    def _generate_token(self) -> tuple[str, float]:
        secret = self._settings.oauth_secret.get_secret_value()
        data = self._once(
            "POST",
            "/v3/oauth/token/generate",
            auth=None,  # the token call itself carries no token
            json={"key": self._settings.oauth_key, "secret": secret},
        )
        return data["accessToken"], float(data.get("ttlSeconds") or 300)

    def _once(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise TransportError(
                f"Capillary did not answer {method} {path} in time; check the network or "
                "raise capillary:timeoutSeconds."
            ) from None
        except httpx.TransportError as exc:
            raise TransportError(
                f"The connection to Capillary failed during {method} {path} "
                f"({type(exc).__name__}); check capillary:region/baseUrl and the network."
            ) from None
        if response.is_success:
            try:
                payload = response.json()
            except ValueError:
                raise UnavailableError(
                    f"Capillary answered {method} {path} with non-JSON.",
                    status=response.status_code,
                ) from None
            if isinstance(payload, dict) and payload.get("errors"):
                raise _error(response, method, path)
            return payload.get("data") if isinstance(payload, dict) else payload
        raise _error(response, method, path)

    def _retrying(self) -> Retrying:
        return Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_before_delay(self._settings.retry_deadline) | stop_after_attempt(12),
            wait=_Backoff(self._settings.retry_backoff),
            reraise=True,
            sleep=time.sleep,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in self._retrying():
            with attempt:
                return self._once(method, path, **kwargs)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the API -------------------------------------------------------------------------
    def read(self, group_id: int | str) -> dict[str, Any]:
        """The group with its periods and its targets, as Capillary records them."""
        group = self._call("GET", f"{GROUPS}/{group_id}", params={"includePeriods": "true"})
        targets = self._call("GET", f"{GROUPS}/{group_id}/targets")
        return {**group, "targets": targets}

    def list_groups(self, include_periods: bool = False) -> list[dict[str, Any]]:
        """Every group of the org, UI-made and inactive ones included (not paginated)."""
        params = {
            "includePeriods": str(include_periods).lower(),
            "includeUserCreatedTargetGroups": "true",
            "includeOnlyActive": "false",
        }
        return self._call("GET", GROUPS, params=params) or []

    def find_by_name(self, name: str) -> dict[str, Any] | None:
        """The group named ``name`` (case-insensitively, as Capillary compares), if any."""
        folded = name.casefold()
        return next(
            (g for g in self.list_groups() if str(g.get("name", "")).casefold() == folded), None
        )

    def adopt(self, group_id: int | str, declared: dict[str, Any], why: str) -> dict[str, Any]:
        """Read a group and return it if it matches the declaration; fail with the differences."""
        recorded = self.read(group_id)
        plan = compare_to_record(recorded, declared)
        if plan:
            raise AdoptionMismatchError(
                int(group_id), recorded.get("name", ""), [str(c) for c in plan.changes], why
            )
        return recorded

    def create(self, declared: dict[str, Any]) -> Created:
        """POST once; before any retry, and on 310069, look the name up and adopt."""
        attempted = False
        for attempt in self._retrying():
            with attempt:
                if attempted:
                    found = self.find_by_name(declared["name"])
                    if found is not None:
                        why = "was created by an earlier attempt whose answer was lost"
                        return Created(self.adopt(found["id"], declared, why), True)
                attempted = True
                try:
                    return Created(self._once("POST", GROUPS, json=declared), False)
                except NameTakenError:
                    found = self.find_by_name(declared["name"])
                    if found is None:
                        raise
                    return Created(self.adopt(found["id"], declared, "already has this name"), True)
        raise AssertionError("unreachable")  # pragma: no cover

    def edit(self, group_id: int | str, declared: dict[str, Any]) -> dict[str, Any]:
        """Apply the declaration's editable fields, then read back and verify they took."""
        body = apply_updates(self.read(group_id), declared)
        self._call("PUT", f"{GROUPS}/editTargetGroup/{group_id}", json=body)
        after = self.read(group_id)
        pending = compare_to_record(after, declared).updates
        if pending:
            listed = "; ".join(str(c) for c in pending)
            raise EditNotAppliedError(
                f"Capillary accepted the edit of target group {group_id} but did not apply "
                f"it ({listed}); the milestone is unchanged, check it in Capillary and retry."
            )
        return after

    def delete(self, group_id: int | str) -> bool:
        """Deactivate the group; ``False`` when it was already gone."""
        try:
            self._call("DELETE", f"{GROUPS}/{group_id}")
        except NotFoundError:
            return False
        return True
