"""Our exceptions. Every message stands alone: what is wrong, then what to do.

Users meet these inside Pulumi's output (``Exception calling application: <message>``), so
no message depends on a traceback, and none ever contains a password, its md5, an
``Authorization`` header, an OAuth secret or a token.

    CapillaryError
    ├── ConfigurationError          settings missing or contradictory
    ├── DeclarationError            the declaration breaks a rule (all violations at once)
    ├── PlanError                   a change Capillary cannot make
    │   └── ImmutableChangeError    an immutable field changed, replacement not opted in
    ├── AdoptionMismatchError       an existing group differs from the declaration
    ├── EditNotAppliedError         an edit was accepted but did not take (or half of it)
    └── APIError                    Capillary answered with an error
        ├── AuthenticationError     401/403: credentials or permissions
        ├── NotFoundError           Capillary's own 310017: unknown or deactivated group
        ├── NameTakenError          310069: the name exists (case-insensitively)
        ├── RequestRejectedError    other validation codes (300004, 310008, 310033, ...)
        ├── PhasedOutError          creation switched off: use POST v3/promotions
        │   └── ReadsPhasedOutError reading milestones switched off
        ├── UnexpectedAnswerError   not Capillary's answer: a bare 404, a wrong shape, too big
        └── TransientError          worth retrying
            ├── RateLimitedError    429 (honours Retry-After)
            ├── UnavailableError    500/502/503/504
            └── TransportError      connection lost, timeout: the request may have happened
                ├── UnreachableError        nothing answers at the URL (connection refused)
                └── DeadlineExceededError   the call's total deadline passed
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

Loc = tuple[str | int, ...]  # where in a declaration: ("targets", 0, "defaultValues")
FILE: Loc = ("(file)",)  # the location of a problem with a data file as a whole


class CapillaryError(Exception):
    """Base of everything this package raises on purpose."""


class ConfigurationError(CapillaryError):
    pass


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (``loc``, a tuple until printed), what was given, the rule."""

    loc: Loc
    value: Any
    rule: str

    @property
    def path(self) -> str:
        return format_path(self.loc)

    def __str__(self) -> str:
        if self.loc == FILE:  # the file as a whole: its path is said where it is printed
            return self.rule
        shown = self.value if self.value == "(missing)" else quote(self.value)
        return f"{self.path}: {self.rule} (got {shown})"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show(value: Any, limit: int = 120) -> str:
    """A value as plain text in a one-line message (a change's old → new)."""
    if value is None:
        return "(not set)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if not isinstance(value, str):
        try:
            value = json.dumps(value, separators=(",", ":"))
        except (TypeError, ValueError):
            value = repr(value)  # the unknown shows as "(known after apply)"
    return _cut(value, limit)


def quote(value: Any, limit: int = 200) -> str:
    """``repr`` cut to about ``limit`` characters: a 1 MB value must not make a 2 MB message."""
    if isinstance(value, str) and len(value) > limit:
        value = value[:limit]  # cut before repr: never escape a megabyte to print 200 chars
        return repr(value)[: limit - 3] + "..."
    try:
        text = repr(value)
    except RecursionError:
        return "(too deeply nested to show)"
    return _cut(text, limit)


def nearest(given: Any, known: list[str]) -> str:
    """``"; did you mean 'MONTHLY'?"`` when one of ``known`` is close to ``given``, else ``""``."""
    import difflib  # only on the error path

    near = difflib.get_close_matches(str(given).strip().upper(), [k.upper() for k in known], n=1)
    if not near:
        near = difflib.get_close_matches(str(given), known, n=1, cutoff=0.6)
    match = next((k for k in known if k.upper() == near[0].upper()), near[0]) if near else None
    return f"; did you mean {match!r}?" if match else ""


def unknown_field(key: Any, known: list[str]) -> str:
    """The rule for a key no model has, with the nearest known name when one is close: first
    the same name in the other spelling (``onImmutableChange`` in a data file)."""
    if isinstance(key, str):
        import re  # only on the error path

        snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()
        camel = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), key)
        for other in (snake, camel):
            if other != key and other in known:
                return f"is not a known field; did you mean {other!r}?"
    return "is not a known field" + nearest(key, known)


def format_path(loc: Loc | list[Any]) -> str:
    """``("targets", 0, "defaultValues")`` → ``targets[0].defaultValues``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(declaration)"


def _bullets(items: list[Any]) -> str:
    return "".join(f"\n  - {item}" for item in items)


class DeclarationError(CapillaryError):
    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__(
            f"The milestone declaration has {len(violations)} problem(s); fix them and "
            f"run again:{_bullets(violations)}"
        )


class PlanError(CapillaryError):
    pass


class ImmutableChangeError(PlanError):
    pass


class AdoptionMismatchError(CapillaryError):
    def __init__(self, group_id: int, name: str, differences: list[str], why: str) -> None:
        self.group_id = group_id
        self.differences = differences
        super().__init__(
            f"Target group {group_id} ({name!r}) {why}, but it differs from the declaration; "
            f"align the declaration (or the group) and run again:{_bullets(differences)}"
        )


class EditNotAppliedError(CapillaryError):
    pass


class EditedInOrgError(PlanError):
    """The group changed in the org since the stack recorded it: an update is not made on
    top of a group nobody reviewed."""


class APIError(CapillaryError):
    """An answer from Capillary that is an error; ``code`` is Capillary's own."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class AuthenticationError(APIError):
    pass


class NotFoundError(APIError):
    pass


class NameTakenError(APIError):
    pass


class RequestRejectedError(APIError):
    pass


class PhasedOutError(APIError):
    pass


class ReadsPhasedOutError(PhasedOutError):
    """Capillary no longer answers reads of milestones through the target-group API."""

    def because(self, cannot: str) -> ReadsPhasedOutError:
        """The same error, saying what cannot be done now (one sentence with the rest)."""
        return ReadsPhasedOutError(reads_phased_out(cannot), status=self.status, code=self.code)


def reads_phased_out(cannot: str) -> str:
    """``cannot``: what the running command cannot do without reading, and what happened."""
    return (
        "Capillary has phased out reading milestones through the target-group API, so "
        f"{cannot}; what still works without reading: creating milestones, deleting them, "
        "and `pulumi preview` and `pulumi up` of milestones that do not change."
    )


class UnexpectedAnswerError(APIError):
    pass


class TransientError(APIError):
    pass


class RateLimitedError(TransientError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class UnavailableError(TransientError):
    pass


class TransportError(TransientError):
    pass


class UnreachableError(TransportError):
    pass


class DeadlineExceededError(TransportError):
    pass
