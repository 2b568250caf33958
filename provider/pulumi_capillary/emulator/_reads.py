"""The reads Capillary documented later: the paginated ``GET v3/milestones``, ``POST
v3/targetGroups/isValidName``, and the phase-out of reading (``readsDisabled``).

Where the pages are explicit, the emulator is as strict: the enums of ``status``, ``type`` and
``target-on``, integer ``limit`` and ``offset``, boolean flags, dates as days, 310145 for an
unknown name type. Where they are silent, the choice is the README's (assumed): ``name``
matches a whole name, case-insensitively; ``limit`` defaults to 10 (the example's); newest
first (the example's order); ``start-date``/``end-date`` keep the milestones active on or
after / on or before the day; an item is the group as the list renders it, with its
attribution, its ``activePeriod`` when one runs, ``createdOn`` in epoch milliseconds, and
``periods`` only with ``require-periods=true``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from ._validation import Rejected

if TYPE_CHECKING:
    from ._store import Store

READS_PHASED_OUT = (
    "This API is being phased out and will no longer be available for viewing milestones. To "
    "view milestones, use the Get Details of all Loyalty Promotions API."
)
STATUSES = ("LIVE", "UPCOMING", "ENDED", "STOPPED")
TYPES = ("DEFAULT", "CAPPING", "UNIFIED", "STREAKS")
TARGET_ON = (
    "QUANTITY",
    "SALES",
    "COUNT",
    "VISIT",
    "GROSS_SALES",
    "REGULAR_POINTS",
    "PROMOTIONAL_POINTS",
    "ALL_POINTS",
    "EXTENDED_FIELD",
    "EVENT_ATTRIBUTE",
)
NAME_TYPES = ("targetGroupName", "targetName", "streakName", "streakLevelName", "periodName")
# the endpoints an older cluster does not have (PUT /__emulator__/endpoints)
OPTIONAL = ("GET /v3/milestones", "POST /v3/targetGroups/isValidName")
DEFAULT_LIMIT = 10


def reading(store: Store, endpoint: str | None = None) -> None:
    """Refuse a read when reads are phased out, or ``endpoint`` is absent on this cluster."""
    if endpoint is not None and endpoint in store.absent:
        method, path = endpoint.split(" ", 1)
        raise Rejected(300004, f"no such endpoint: {method} {path}", status=404)
    if store.reads_disabled:
        raise Rejected(300004, READS_PHASED_OUT, status=store.phase_out_status)


def _choice(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if value.upper() not in allowed:
        raise Rejected(300004, f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value.upper()


def _whole(request: Request, name: str, default: int, least: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < least:
        raise Rejected(300004, f"{name} must be a whole number of at least {least}, got {value!r}")
    return int(value)


def _boolean(request: Request, name: str) -> bool:
    value = request.query_params.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise Rejected(300004, f"{name} must be true or false, got {value!r}")
    return value.lower() == "true"


def _day(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Rejected(300004, f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None


def _span(group: dict[str, Any]) -> tuple[date | None, date | None]:
    """The days a group runs: its own dates, else its periods'."""
    days = [p for p in group.get("periods") or [] if p.get("startDate") and p.get("endDate")]
    start = group.get("fromDate") or min((p["startDate"] for p in days), default=None)
    end = group.get("toDate") or max((p["endDate"] for p in days), default=None)
    return (
        date.fromisoformat(start[:10]) if start else None,
        date.fromisoformat(end[:10]) if end else None,
    )


def status_of(group: dict[str, Any], today: date) -> str:
    """LIVE, UPCOMING, ENDED or STOPPED (a deactivated milestone)."""
    if not group.get("active", True):
        return "STOPPED"
    start, end = _span(group)
    if start is not None and today < start:
        return "UPCOMING"
    if end is not None and today > end:
        return "ENDED"
    return "LIVE"


class Filter:
    """What a ``GET v3/milestones`` asks for, read (and refused) from its query."""

    def __init__(self, request: Request) -> None:
        self.name = request.query_params.get("name")
        self.status = _choice(request, "status", STATUSES)
        self.type = _choice(request, "type", TYPES)
        self.target_on = _choice(request, "target-on", TARGET_ON)
        self.start, self.end = _day(request, "start-date"), _day(request, "end-date")
        self.limit = _whole(request, "limit", DEFAULT_LIMIT, 1)
        self.offset = _whole(request, "offset", 0, 0)
        self.periods = _boolean(request, "require-periods")
        self.user_created = _boolean(request, "includeUserCreatedTargetGroups")

    def keeps(self, group: dict[str, Any], today: date) -> bool:
        if group.get("userCreated") and not self.user_created:
            return False
        if self.status and status_of(group, today) != self.status:
            return False
        if self.type and str(group.get("trackingType", "")).upper() != self.type:
            return False
        targets = group.get("targets") or []
        if self.target_on and all(t.get("targetType") != self.target_on for t in targets):
            return False
        if not (self.start or self.end):
            return True  # the days are worked out only when asked about: every page asks
        start, end = _span(group)
        if self.start and end is not None and end < self.start:
            return False
        return not (self.end and start is not None and start > self.end)


class MilestoneReads:
    """The endpoints, mixed into the API (which provides ``store`` and ``_render``)."""

    store: Store

    def _render(
        self, group: dict[str, Any], periods: bool, targets: bool, attribution: bool
    ) -> dict[str, Any]:
        raise NotImplementedError  # the API's

    async def _json(self, request: Request) -> Any:
        raise NotImplementedError  # the API's

    async def milestones(self, request: Request) -> JSONResponse:
        """One page of the org's milestones, newest first. Only the page is rendered, off
        the lock; a name is found through the store's index, whatever the org's size."""
        wanted = Filter(request)
        with self.store.lock:
            reading(self.store, "GET /v3/milestones")
            today = self.store.now().date()
            if wanted.name is not None:
                candidates = [self.store.groups[i] for i in self.store.named(wanted.name)]
            else:
                candidates = self.store.live()
            kept = sorted((g["id"] for g in candidates if wanted.keeps(g, today)), reverse=True)
            page = kept[wanted.offset : wanted.offset + wanted.limit]
            texts = [self.store.text(i) for i in page]

        def answer() -> JSONResponse:
            items = [self._item(json.loads(text), wanted.periods) for text in texts]
            pagination = {"limit": wanted.limit, "offset": wanted.offset, "total": len(kept)}
            body = {"pagination": pagination, "data": items, "errors": None, "warnings": None}
            return JSONResponse(body)

        return await run_in_threadpool(answer)

    def _item(self, group: dict[str, Any], periods: bool) -> dict[str, Any]:
        data = self._render(group, periods=True, targets=True, attribution=True)
        running = [p for p in data["periods"] if p["periodStatus"] == "RUNNING"]
        if running:
            data["activePeriod"] = running[0]
        data["createdOn"] = group["_createdOn"]
        if not periods:
            del data["periods"]
        return data

    async def is_valid_name(self, request: Request) -> JSONResponse:
        """``{"type", "value"}`` → ``data: true`` when no milestone of the org has that name
        (case-insensitively) where the type says: the name a create would accept."""
        body = await self._json(request)
        with self.store.lock:
            reading(self.store, "POST /v3/targetGroups/isValidName")
            if not isinstance(body, dict) or not isinstance(body.get("value"), str):
                raise Rejected(300004, "type and value are required; value must be a string")
            kind, folded = body.get("type"), body["value"].casefold()
            if kind not in NAME_TYPES:
                raise Rejected(310145, "Invalid key is passed")
            if kind == "targetGroupName":
                taken = self.store.name_taken(body["value"])
            else:
                taken = any(folded in _names(g, kind) for g in self.store.live())
        return JSONResponse({"data": not taken, "errors": None, "warnings": None})


def _names(group: dict[str, Any], kind: str) -> set[str]:
    """A group's names of one kind, folded (streaks are not recorded here: none)."""
    if kind == "targetName":
        return {str(t.get("name", "")).casefold() for t in group.get("targets") or []}
    if kind == "periodName":
        return {str(p.get("refCode", "")).casefold() for p in group.get("periods") or []}
    return set()
