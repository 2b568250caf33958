"""The emulated Capillary target-group API, as a Starlette application."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._control import control_routes
from ._faults import FaultInjection
from ._reads import MilestoneReads, reading
from ._records import apply_target_edit, attribution_stamp, period_status, record_group
from ._store import Store
from ._validation import Rejected, parse_id, parse_instant, parse_json, validate_create

MAX_BODY_BYTES = 1 << 20
PHASE_OUT_MESSAGE = (
    "This API is being phased out and is no longer available for creating new milestones; "
    "use the Create a Loyalty Promotion API (POST v3/promotions) instead."
)


@dataclass(frozen=True)
class Credentials:
    """Who may call the emulator: one till (Basic) and one OAuth client."""

    username: str = "emulator.till"
    password: str = "emulator-password"
    oauth_key: str = "emulator-key"
    oauth_secret: str = "emulator-secret"

    @property
    def till_id(self) -> int:
        return 75_000_000 + zlib.crc32(self.username.encode()) % 1_000_000

    def basic_ok(self, header: str) -> bool:
        try:
            decoded = base64.b64decode(header, validate=True).decode()
        except (binascii.Error, ValueError):  # ValueError: non-ASCII text, bad UTF-8
            return False
        user, _, digest = decoded.partition(":")
        expected = hashlib.md5(self.password.encode()).hexdigest()
        return user == self.username and digest.lower() == expected


def envelope(data: Any = None, errors: list[Any] | None = None, status: int = 200) -> JSONResponse:
    return JSONResponse({"data": data, "errors": errors, "warnings": None}, status_code=status)


def error(code: int, message: str, status: int) -> JSONResponse:
    return envelope(errors=[{"code": code, "message": message}], status=status)


def without(data: Any, omitted: set[str], prefix: str = "") -> Any:
    """``data`` less the fields the control API told the emulator not to echo."""
    if not omitted:
        return data
    if isinstance(data, list):
        return [without(item, omitted, prefix + "[]") for item in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if path not in omitted:
            out[key] = without(value, omitted, path) if key in ("periods", "targets") else value
    return out


class _Api(MilestoneReads):
    """The endpoints; every handler runs under the store's lock (they are short)."""

    def __init__(self, store: Store, credentials: Credentials) -> None:
        self.store = store
        self.credentials = credentials

    # -- plumbing ------------------------------------------------------------------------
    def _authenticated(self, request: Request) -> bool:
        token = request.headers.get("x-cap-api-oauth-token")
        if token is not None:
            return self.store.token_valid(token)
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "basic" and self.credentials.basic_ok(value.strip())

    async def _json(self, request: Request) -> Any:
        size = 0
        chunks = []
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise Rejected(300004, f"request body is larger than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
        return parse_json(b"".join(chunks))

    def _attribution(self) -> dict[str, Any]:
        legacy, iso = attribution_stamp(self.store.now())
        till = {
            "id": self.credentials.till_id,
            "code": self.credentials.username,
            "description": "",
            "name": self.credentials.username,
            "type": "TILL",
        }
        return {
            "createdOn": legacy,
            "createdOnISO": iso,
            "lastUpdatedOn": legacy,
            "lastUpdatedOnISO": iso,
            "lastUpdatedBy": dict(till),
            "createdBy": dict(till),
        }

    def _group(self, request: Request) -> dict[str, Any]:
        group = self.store.find_live(parse_id(request.path_params["group_id"]))
        if group is None:
            raise Rejected(310017, "Target group not found or deactivated", status=404)
        return group

    def _periods(self, group: dict[str, Any]) -> list[dict[str, Any]]:
        today: date = self.store.now().date()
        periods: list[dict[str, Any]] = self.store.snapshot(group)["periods"]
        for period in periods:
            period["periodStatus"] = period_status(period["startDate"], period["endDate"], today)
        return periods

    def _render(
        self, group: dict[str, Any], periods: bool, targets: bool, attribution: bool
    ) -> dict[str, Any]:
        data = self.store.snapshot(group)
        data["periods"] = self._periods(group)
        if not periods:
            del data["periods"]
        if not targets:
            del data["targets"]
        if attribution:
            data = {"id": data.pop("id"), "attribution": group["_attribution"], **data}
        rendered: dict[str, Any] = without(data, self.store.omitted)
        return rendered

    def handler(
        self, method: Callable[[Request], Awaitable[JSONResponse]]
    ) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def endpoint(request: Request) -> JSONResponse:
            if not self._authenticated(request):
                return error(401, "Invalid or missing credentials", 401)
            try:
                return await method(request)
            except Rejected as rejected:
                return error(rejected.code, rejected.message, rejected.status)

        return endpoint

    # -- endpoints -----------------------------------------------------------------------
    async def token(self, request: Request) -> JSONResponse:
        try:
            body = await self._json(request)
        except Rejected as rejected:
            return error(rejected.code, rejected.message, 400)
        if not isinstance(body, dict) or (body.get("key"), body.get("secret")) != (
            self.credentials.oauth_key,
            self.credentials.oauth_secret,
        ):
            return error(401, "Invalid OAuth key or secret", 401)
        token, ttl = self.store.issue_token()
        return envelope({"accessToken": token, "ttlSeconds": ttl})

    async def create(self, request: Request) -> JSONResponse:
        body = await self._json(request)
        with self.store.lock:
            if self.store.creation_disabled:
                raise Rejected(300004, PHASE_OUT_MESSAGE, status=self.store.phase_out_status)
            validate_create(body)
            if self.store.name_taken(body["name"]):
                raise Rejected(310069, "Target group name already exists")
            attribution = self._attribution()
            group = record_group(body, self.store.next_id("group"), self.store.next_id, attribution)
            group["_attribution"] = attribution
            group["_createdOn"] = int(self.store.now().timestamp() * 1000)
            group["_deleted"] = False
            self.store.groups[group["id"]] = group
            self.store.save(group)
            return envelope(self._render(group, periods=True, targets=True, attribution=False))

    async def get(self, request: Request) -> JSONResponse:
        with self.store.lock:
            reading(self.store)
            group = self._group(request)
            periods = _flag(request, "includePeriods", False)
            return envelope(self._render(group, periods=periods, targets=False, attribution=True))

    async def targets(self, request: Request) -> JSONResponse:
        with self.store.lock:
            reading(self.store)
            targets = self.store.snapshot(self._group(request))["targets"]
            return envelope(without(targets, self.store.omitted, "targets"))

    async def target_periods(self, request: Request) -> JSONResponse:
        with self.store.lock:
            reading(self.store)
            return envelope(self._periods(self._group(request)))

    async def list(self, request: Request) -> JSONResponse:
        """Every live group. The texts are copied under the lock; rendering and encoding a
        long list run on a worker thread, so other requests are served meanwhile."""
        with_periods = _flag(request, "includePeriods", False)
        user_created = _flag(request, "includeUserCreatedTargetGroups", False)
        only_active = _flag(request, "includeOnlyActive", False)
        with self.store.lock:
            reading(self.store)
        texts = self.store.frozen()

        def answer() -> JSONResponse:
            items = []
            for group in map(json.loads, texts):
                if (group["userCreated"] and not user_created) or (
                    only_active and not group["active"]
                ):
                    continue
                data = self._render(group, periods=True, targets=True, attribution=False)
                running = [p for p in data["periods"] if p["periodStatus"] == "RUNNING"]
                data["activePeriod"] = running[0] if running else None
                data["createdOn"] = group["_createdOn"]
                if not with_periods:
                    del data["periods"]
                items.append(data)
            return envelope(items)

        return await run_in_threadpool(answer)

    async def edit(self, request: Request) -> JSONResponse:
        body = await self._json(request)
        with self.store.lock:
            group = self._group(request)
            if not isinstance(body, dict):
                raise Rejected(300004, "request body must be a JSON object")
            name = body.get("name", group["name"])
            if not isinstance(name, str) or not name.strip():
                raise Rejected(300004, "name must be a non-empty string")
            if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
                raise Rejected(300004, "name must not contain control characters")
            if len(name) > 200:
                raise Rejected(310008, "Length of Target rule name cannot exceed 200")
            if self.store.name_taken(name, except_id=group["id"]):
                raise Rejected(310069, "Target group name already exists")
            edits = _target_edits(body.get("targets"), group)
            group["name"] = name
            stamp = self._attribution()
            for target in group["targets"]:
                for key, value in edits.get(target["id"], {}).items():
                    target[key] = value
                    target["attribution"] = {
                        **target["attribution"],
                        **{k: v for k, v in stamp.items() if "last" in k},
                    }
            self.store.save(group)
            return envelope(self._render(group, periods=True, targets=True, attribution=False))

    async def update_target(self, request: Request) -> JSONResponse:
        """``PUT v3/targetGroups/{id}/targets/{targetId}``: one whole target; only its
        expression, expressionJson, filters and defaultValues change."""
        body = await self._json(request)
        with self.store.lock:
            group = self._group(request)
            target_id = parse_id(request.path_params["target_id"])
            target = next((t for t in group["targets"] if t["id"] == target_id), None)
            if target is None:
                raise Rejected(310017, "Target not found in this target group", status=404)
            apply_target_edit(target, body, group["periods"], self._attribution())
            self.store.save(group)
            index = group["targets"].index(target)
            rendered = self.store.snapshot(group)["targets"][index]
            return envelope(without(rendered, self.store.omitted, "targets[]"))

    async def delete(self, request: Request) -> JSONResponse:
        with self.store.lock:
            group = self._group(request)
            group["_deleted"] = True
            group["active"] = False
            self.store.save(group)
        return envelope(True)


def _target_edits(targets: Any, group: dict[str, Any]) -> dict[int, dict[str, str]]:
    """Only ``expression`` and ``expressionJson`` of known targets; the rest is ignored."""
    known = {t["id"] for t in group["targets"]}
    edits: dict[int, dict[str, str]] = {}
    for target in targets if isinstance(targets, list) else []:
        if not isinstance(target, dict) or target.get("id") not in known:
            continue
        change = {}
        for key in ("expression", "expressionJson"):
            value = target.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                raise Rejected(300004, f"targets[].{key} must be a string")
            if key == "expressionJson":
                try:
                    json.loads(value)
                except ValueError:
                    raise Rejected(300004, "targets[].expressionJson is not valid JSON") from None
            change[key] = value
        edits[target["id"]] = change
    return edits


def _flag(request: Request, name: str, default: bool) -> bool:
    value = request.query_params.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes")


def create_app(
    store: Store | None = None, credentials: Credentials | None = None
) -> FaultInjection:
    """The ASGI application: the API, the control API, and fault injection around both."""
    store = store or Store()
    api = _Api(store, credentials or Credentials())
    group = "/v3/targetGroups/{group_id}"
    routes = [
        Route("/v3/oauth/token/generate", api.token, methods=["POST"]),
        Route("/v3/targetGroups", api.handler(api.create), methods=["POST"]),
        Route("/v3/targetGroups", api.handler(api.list), methods=["GET"]),
        Route("/v3/milestones", api.handler(api.milestones), methods=["GET"]),
        Route("/v3/targetGroups/isValidName", api.handler(api.is_valid_name), methods=["POST"]),
        Route(
            "/v3/targetGroups/editTargetGroup/{group_id}", api.handler(api.edit), methods=["PUT"]
        ),
        Route(group, api.handler(api.get), methods=["GET"]),
        Route(group, api.handler(api.delete), methods=["DELETE"]),
        Route(group + "/targets", api.handler(api.targets), methods=["GET"]),
        Route(group + "/targets/{target_id}", api.handler(api.update_target), methods=["PUT"]),
        Route(group + "/targetPeriods", api.handler(api.target_periods), methods=["GET"]),
        *control_routes(store),
    ]

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return error(300004, f"no such endpoint: {request.method} {request.url.path}", 404)

    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        return error(300004, f"method not allowed: {request.method} {request.url.path}", 405)

    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        return error(500, "internal error in the emulator", 500)

    app = Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: method_not_allowed, 500: server_error},
    )
    app.state.store = store
    return FaultInjection(app, store)


def parse_now(value: str) -> datetime:
    """``--now`` and ``PUT clock``: an ISO date-time with an offset (or ``Z``)."""
    return parse_instant(value, "now")
