"""200 creates through the provider server at a 30% mix of every fault kind."""

from __future__ import annotations

import concurrent.futures
import json

import httpx

from tests.engine import Engine, ProviderProcess
from tests.support import seed, stack_config

ALL_FAULTS = ["500", "503", "429", "reset", "latency", "commit-then-drop", "commit-then-504"]


def _numbers_as_floats(value):
    return json.loads(json.dumps(value), parse_int=float)


def test_two_hundred_creates_under_faults(emulator, control, api, tmp_path, figure):
    control.put(
        "/faults",
        json={"rate": 0.3, "kinds": ALL_FAULTS, "seed": 2026, "retryAfter": 0, "latencyMs": 5},
    )
    with ProviderProcess() as process:
        process.configure(stack_config(emulator, retryDeadlineSeconds="60"))
        engine = Engine(process, tmp_path / "state.json")

        def create(index: int):
            body = seed("be02.request")
            body["name"] = f"faults-{index:03d}"
            return engine.register(f"m{index:03d}", body)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            steps = list(pool.map(create, range(200)))
    control.put("/faults", json={"rate": 0})
    injected = sum(1 for r in control.get("/requests").json()["requests"] if r["fault"])
    groups = control.get("/groups").json()["groups"]
    names = [g["name"] for g in groups]
    duplicates = len(names) - len(set(names))
    figure("faults.groups", f"{len(groups)} for 200 declarations")
    figure("faults.duplicates", duplicates)
    figure("faults.injected", injected)
    assert len(groups) == 200 and duplicates == 0 and injected >= 60
    mismatched = 0
    for step in steps:
        outs = step.outputs
        group_id = int(outs["targetGroupId"])
        live = api.get(f"/v3/targetGroups/{group_id}", params={"includePeriods": "true"})
        targets = api.get(f"/v3/targetGroups/{group_id}/targets").json()["data"]
        live = {**live.json()["data"], "targets": targets}
        recorded = {
            k: v
            for k, v in outs.items()
            if k
            not in (
                "targetGroupId",
                "periodIds",
                "targetIds",
                "__provider",
                "attribution",
                "appliedDeclaration",
            )
        }
        expected = {k: v for k, v in live.items() if k not in ("id", "attribution")}
        mismatched += _numbers_as_floats(recorded) != _numbers_as_floats(expected)
    figure("faults.state_mismatches", mismatched)
    assert mismatched == 0
    assert httpx.get(emulator.url + "/__emulator__/requests").status_code == 200
