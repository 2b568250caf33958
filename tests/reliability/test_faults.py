"""200 creates through the provider server at a 30% mix of every fault kind."""

from __future__ import annotations

import concurrent.futures
import json

import httpx
import pytest

from tests.engine import KINDS, Engine, ProviderProcess
from tests.support import seed, stack_config

ALL_FAULTS = ["500", "503", "429", "reset", "latency", "commit-then-drop", "commit-then-504"]


def _numbers_as_floats(value):
    return json.loads(json.dumps(value), parse_int=float)


@pytest.mark.parametrize("kind", KINDS)
def test_two_hundred_creates_under_faults(emulator, control, api, tmp_path, figure, kind):
    control.put(
        "/faults",
        json={"rate": 0.3, "kinds": ALL_FAULTS, "seed": 2026, "retryAfter": 0, "latencyMs": 5},
    )
    with ProviderProcess(kind=kind) as process:
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
    figure(f"faults.groups ({kind} provider)", f"{len(groups)} for 200 declarations")
    figure(f"faults.duplicates ({kind} provider)", duplicates)
    figure(f"faults.injected ({kind} provider)", injected)
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
                "keySpelling",
            )
        }
        expected = {k: v for k, v in live.items() if k not in ("id", "attribution")}
        mismatched += _numbers_as_floats(recorded) != _numbers_as_floats(expected)
    figure(f"faults.state_mismatches ({kind} provider)", mismatched)
    assert mismatched == 0
    assert httpx.get(emulator.url + "/__emulator__/requests").status_code == 200
