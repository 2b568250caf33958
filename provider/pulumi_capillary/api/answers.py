"""What Capillary answers: its envelope, the shapes we accept, and a typed error for each
error answer. Nothing in an answer is trusted: its text reaches a message only redacted and
cut short, and a shape we do not know is an error, not a ``KeyError``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import httpx

from ..exceptions import (
    APIError,
    AuthenticationError,
    NameTakenError,
    NotFoundError,
    PhasedOutError,
    RateLimitedError,
    ReadsPhasedOutError,
    RequestRejectedError,
    UnavailableError,
    UnexpectedAnswerError,
    reads_phased_out,
)
from .settings import Naming

PHASED_OUT = (
    "Capillary no longer creates milestones through the target-group API (it has been phased "
    "out); create this one as a Loyalty Promotion with POST v3/promotions instead."
)
NOT_FOUND = 310017


def _retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return max(0.0, value) if math.isfinite(value) else None


def all_objects(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(item, dict) for item in items)


def _objects(holder: dict[str, Any], key: str) -> bool:
    """``holder[key]``, if present, is a list of objects (periods, targets)."""
    return holder.get(key) is None or all_objects(holder[key])


def is_group(group: dict[str, Any]) -> bool:
    """A recorded group: a positive integer id, and lists of objects where lists belong."""
    group_id = group.get("id")
    return (
        isinstance(group_id, int)
        and not isinstance(group_id, bool)
        and group_id > 0
        and _objects(group, "periods")
        and _objects(group, "targets")
    )


def is_whole(group: dict[str, Any]) -> bool:
    """A listed group that carries its periods and its targets (a tolerant reader: the list
    may leave either out, and then the group is read on its own)."""
    return isinstance(group.get("periods"), list) and isinstance(group.get("targets"), list)


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


def error_for(
    response: httpx.Response,
    payload: Any,
    where: str,
    redact: Callable[[str], str],
    base_url: str,
    naming: Naming,
) -> APIError:
    """The typed exception for an error answer; its text is redacted and cut short."""
    say = naming.short
    status = response.status_code
    code, raw = _server_message(payload, response)
    message = redact(raw)
    kw: dict[str, Any] = {"status": status, "code": code}
    if status == 410 or (
        status in (400, 403) and any(w in message.lower() for w in ("phase", "promotion"))
    ):
        if where.startswith("GET ") or where.endswith("/isValidName"):
            cannot = f"{where} is refused (HTTP {status})"
            return ReadsPhasedOutError(reads_phased_out(cannot), **kw)
        return PhasedOutError(PHASED_OUT, **kw)
    if status == 401:
        return AuthenticationError(
            f"Capillary rejected the credentials (HTTP 401 on {where}); check "
            f"{say('username')}/{say('password')} or {say('oauth_key')}/{say('oauth_secret')}.",
            **kw,
        )
    if status == 403:
        return AuthenticationError(
            f"Capillary refused {where} (HTTP 403: {message}); the till or OAuth client of "
            f"{say('username')} or {say('oauth_key')} needs access to target groups: use "
            "credentials that have it.",
            **kw,
        )
    if code == NOT_FOUND:
        return NotFoundError(
            f"Target group not found or deactivated ({where}){naming.gone}",
            **kw,
        )
    if 300 <= status < 400:
        return UnexpectedAnswerError(
            f"{where} was answered with a redirect (HTTP {status}), which Capillary's API "
            f"does not send; check {say('base_url')} (a proxy or a login page may answer).",
            **kw,
        )
    if status == 404:
        return UnexpectedAnswerError(
            f"{base_url}{where.split(' ', 1)[1]} answered HTTP 404 without "
            f"Capillary's error code for a missing group; check {say('base_url')} (it must "
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
            f"again later or raise {say('retry_deadline_seconds')}.",
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


def shaped(
    data: Any, kind: type, where: str, setting: str, check: Callable[[Any], bool] = bool
) -> Any:
    """``data`` if it has the documented shape; ``setting`` names the base URL's setting."""
    if not isinstance(data, kind) or not check(data):
        raise UnexpectedAnswerError(
            f"Capillary's answer to {where} does not have the documented shape; check {setting}."
        )
    return data
