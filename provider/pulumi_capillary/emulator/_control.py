"""The control API under ``/__emulator__/``: what tests and demos use to steer the emulator.

Control calls are not authenticated, not logged and never subject to faults.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._faults import Faults
from ._reads import OPTIONAL
from ._store import Store
from ._validation import Rejected, parse_id, parse_instant, parse_json

# What the Capillary UI could change behind the API's back, with each value's type.
TAMPERABLE: dict[str, type] = {
    "name": str,
    "description": str,
    "fromDate": str,
    "toDate": str,
    "active": bool,
    "preferredTillId": int,
    "trackingType": str,
    "targetEvaluationType": str,
    "frequencyType": str,
    "frequency": int,
    "recurringCycles": int,
}


def control_routes(store: Store) -> list[Route]:
    async def body(request: Request) -> dict[str, Any]:
        data = parse_json(await request.body() or b"{}")
        if not isinstance(data, dict):
            raise Rejected(300004, "control body must be a JSON object")
        return data

    def guarded(
        handler: Callable[[Request], Awaitable[dict[str, Any]]],
    ) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def endpoint(request: Request) -> JSONResponse:
            try:
                return JSONResponse(await handler(request))
            except Rejected as rejected:
                return JSONResponse({"error": rejected.message}, status_code=400)
            except (KeyError, TypeError, ValueError, OverflowError, RecursionError) as exc:
                return JSONResponse({"error": f"bad control request: {exc}"}, status_code=400)

        return endpoint

    async def reset(request: Request) -> dict[str, Any]:
        store.reset()
        return {"reset": True}

    async def requests(request: Request) -> dict[str, Any]:
        with store.lock:
            return {"requests": list(store.log), "dropped": store.dropped}

    async def clock(request: Request) -> dict[str, Any]:
        data = await body(request)
        with store.lock:
            store.fixed_now = parse_instant(data["now"], "now") if data.get("now") else None
        return {"now": store.now().isoformat()}

    async def phase_out(request: Request) -> dict[str, Any]:
        """Switch creating and/or reading off (or on again), as Capillary's phase-out does."""
        data = await body(request)
        status = int(data.get("status", 410))
        if status not in (400, 403, 410):
            raise Rejected(300004, "status must be 400, 403 or 410")
        switches = {"creationDisabled", "readsDisabled"}
        if not switches & data.keys() or not all(
            isinstance(data[k], bool) for k in switches & data.keys()
        ):
            raise Rejected(300004, "give creationDisabled and/or readsDisabled, true or false")
        with store.lock:
            store.creation_disabled = data.get("creationDisabled", store.creation_disabled)
            store.reads_disabled = data.get("readsDisabled", store.reads_disabled)
            store.phase_out_status = status
            return {
                "creationDisabled": store.creation_disabled,
                "readsDisabled": store.reads_disabled,
                "status": status,
            }

    async def endpoints(request: Request) -> dict[str, Any]:
        """Answer 404 for the later-documented endpoints named, as an older cluster would."""
        absent = (await body(request)).get("absent", [])
        if not isinstance(absent, list) or not set(absent) <= set(OPTIONAL):
            raise Rejected(300004, f"absent must be a list of: {', '.join(OPTIONAL)}")
        with store.lock:
            store.absent = set(absent)
        return {"absent": sorted(store.absent)}

    async def faults(request: Request) -> dict[str, Any]:
        new = Faults.from_body(await body(request))
        with store.lock:
            store.faults = new
            store.fault_rng = random.Random(new.seed)
        return {"rate": new.rate, "kinds": new.kinds}

    async def token_ttl(request: Request) -> dict[str, Any]:
        data = await body(request)
        with store.lock:
            store.token_ttl = int(data["ttlSeconds"])
        return {"ttlSeconds": store.token_ttl}

    async def tamper(request: Request) -> dict[str, Any]:
        """Change a recorded group behind the API's back, as the Capillary UI could."""
        data = await body(request)
        group_id = parse_id(request.path_params["group_id"])
        with store.lock:
            group = store.find_live(group_id)
            if group is None:
                raise Rejected(310017, f"no live group {group_id}")
            for key, value in data.items():
                kind = TAMPERABLE.get(key)
                if kind is None:
                    raise Rejected(300004, f"{key} cannot be tampered with here")
                if isinstance(value, bool) is not (kind is bool) or not isinstance(value, kind):
                    raise Rejected(300004, f"{key} must be a {kind.__name__}")
                if key in ("fromDate", "toDate"):
                    parse_instant(value, key)
            group.update(data)
            store.save(group)
            return store.snapshot(group)

    async def echo(request: Request) -> dict[str, Any]:
        """Stop echoing the named fields (``description``, ``targets[].description``...)."""
        data = await body(request)
        omit = data.get("omit", [])
        if not isinstance(omit, list) or not all(isinstance(p, str) for p in omit):
            raise Rejected(300004, "omit must be a list of field paths")
        with store.lock:
            store.omitted = set(omit)
        return {"omit": sorted(store.omitted)}

    async def groups(request: Request) -> dict[str, Any]:
        """Every live group's id and name, without auth, logging or faults."""
        with store.lock:
            return {"groups": [{"id": g["id"], "name": g["name"]} for g in store.live()]}

    prefix = "/__emulator__/"
    return [
        Route(prefix + "reset", guarded(reset), methods=["POST"]),
        Route(prefix + "requests", guarded(requests), methods=["GET"]),
        Route(prefix + "clock", guarded(clock), methods=["PUT"]),
        Route(prefix + "phase-out", guarded(phase_out), methods=["PUT"]),
        Route(prefix + "endpoints", guarded(endpoints), methods=["PUT"]),
        Route(prefix + "faults", guarded(faults), methods=["PUT"]),
        Route(prefix + "token-ttl", guarded(token_ttl), methods=["PUT"]),
        Route(prefix + "groups", guarded(groups), methods=["GET"]),
        Route(prefix + "groups/{group_id}", guarded(tamper), methods=["PATCH"]),
        Route(prefix + "echo", guarded(echo), methods=["PUT"]),
    ]
