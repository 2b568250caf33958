"""A provider process killed after Capillary committed a create, before the answer came back."""

from __future__ import annotations

import threading
import time

import pytest

from tests.engine import KINDS, Engine, ProviderError, ProviderProcess
from tests.support import seed, stack_config


@pytest.mark.parametrize("provider_kind", KINDS)
def test_rerun_after_a_crash_names_the_committed_group_then_adopts_it(
    emulator, control, tmp_path, figure, provider_kind
):
    """A new provider process cannot tell its predecessor's group from another owner's: the
    rerun refuses, naming the group and adoptExistingId; with it, the run converges."""
    control.put("/faults", json={"rate": 1.0, "kinds": ["slow-answer"], "latencyMs": 5000})
    state = tmp_path / "state.json"
    crashed = ProviderProcess(kind=provider_kind)
    try:
        crashed.configure(stack_config(emulator))
        engine = Engine(crashed, state)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                engine.register("steps", seed("be02.request"))
            except BaseException as error:  # the engine sees the plugin die
                errors.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 10
        while not control.get("/groups").json()["groups"]:
            assert time.monotonic() < deadline, "the create never reached the emulator"
            time.sleep(0.02)
        crashed.process.kill()  # after the POST committed, before its answer
        thread.join(10)
        assert errors and isinstance(errors[0], ProviderError)
    finally:
        crashed.stop()
    assert not state.exists() or "steps" not in state.read_text()  # nothing recorded
    control.put("/faults", json={"rate": 0})

    with ProviderProcess(kind=provider_kind) as process:  # the rerun, as the engine would
        process.configure(stack_config(emulator))
        engine = Engine(process, state)
        with pytest.raises(ProviderError) as caught:
            engine.register("steps", seed("be02.request"))
        (group,) = control.get("/groups").json()["groups"]
        assert f"adoptExistingId: {group['id']}" in caught.value.message
        step = engine.register("steps", dict(seed("be02.request"), adoptExistingId=group["id"]))
    groups = control.get("/groups").json()["groups"]
    figure(f"crash.groups_after_rerun ({provider_kind} provider)", len(groups))
    assert len(groups) == 1
    assert step.op == "create" and int(step.outputs["targetGroupId"]) == groups[0]["id"]
    posts = [r for r in control.get("/requests").json()["requests"] if r["method"] == "POST"]
    assert [r["status"] for r in posts][-1] == 400  # 310069: refused, not taken over


@pytest.mark.parametrize("provider_kind", KINDS)
@pytest.mark.parametrize("kind", ["commit-then-drop", "commit-then-504"])
def test_lost_answer_is_adopted_within_the_same_run(
    emulator, control, tmp_path, kind, provider_kind
):
    control.put("/faults", json={"rate": 1.0, "kinds": [kind]})
    outcome: list = []
    with ProviderProcess(kind=provider_kind) as process:
        process.configure(stack_config(emulator, retryDeadlineSeconds="20"))
        engine = Engine(process, tmp_path / "state.json")
        thread = threading.Thread(
            target=lambda: outcome.append(engine.register("steps", seed("be02.request")))
        )
        thread.start()
        while not control.get("/groups").json()["groups"]:
            time.sleep(0.02)
        control.put("/faults", json={"rate": 0})  # the network heals while retrying
        thread.join(30)
    (group,) = control.get("/groups").json()["groups"]
    assert outcome and int(outcome[0].outputs["targetGroupId"]) == group["id"]
