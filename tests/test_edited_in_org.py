"""An edit made in the Capillary UI between two ``up``s never sticks a stack.

An update reads the group before it writes; if the org changed it since the stack recorded
it (in a field it compares, editable or not), the update is refused with nothing written and
the fields named. A refresh then takes the edit in, and the preview judges it as it judges
any change: an immutable one refused at check, an editable one updated back. A server-managed
field (Capillary's own) is never an edit. And a state an earlier release left with the org's
edit in its outputs but not its inputs is mended by one refresh. On both providers."""

from __future__ import annotations

import pytest

from tests.engine import CheckFailed, ProviderError
from tests.support import seed


def _writes(control, start: int) -> list[tuple[str, str]]:
    log = control.get("/requests").json()["requests"][start:]
    return [(r["method"], r["path"]) for r in log if r["method"] in ("POST", "PUT", "DELETE")]


def _mark(control) -> int:
    return len(control.get("/requests").json()["requests"])


def _edited_value(body: dict) -> dict:
    """The declaration with its first target's second value changed (an in-place edit)."""
    body["targets"][0]["defaultValues"][1]["defaultValue"] = 7
    return body


@pytest.mark.parametrize(
    ("field", "value", "immutable"),
    [("name", "renamed in the UI", False), ("description", "edited in the UI", True)],
)
def test_an_update_after_an_org_edit_writes_nothing_and_refresh_then_judges_it(
    engine, control, api, field, value, immutable
):
    body = seed("be01.request")
    created = engine.register("m", body)
    group_id = created.outputs["targetGroupId"]
    control.patch(f"/groups/{int(group_id)}", json={field: value})
    start = _mark(control)
    with pytest.raises(ProviderError) as refused:
        engine.register("m", _edited_value(seed("be01.request")))
    message = str(refused.value)
    assert f"Target group {int(group_id)} " in message
    assert "was changed in Capillary since this stack last recorded it" in message
    assert f"{field}: " in message and value in message
    assert "nothing was written: run `pulumi refresh`" in message
    assert _writes(control, start) == []  # refused before any write
    assert engine.resources["m"]["outputs"].get(field) == body.get(field)  # the state as it was

    engine.refresh()
    assert engine.resources["m"]["inputs"][field] == value  # the org's edit, said
    declared = _edited_value(seed("be01.request"))
    if immutable:
        with pytest.raises(CheckFailed) as caught:
            engine.register("m", declared, preview=True)
        assert "Capillary cannot change description after a milestone is created" in str(
            caught.value.failures
        )
    else:
        step = engine.register("m", declared)
        assert step.op == "update" and step.outputs["name"] == body["name"]
        assert engine.register("m", declared, preview=True).op == "same"


def test_a_server_managed_field_changed_in_the_org_is_no_edit(engine, control, api):
    created = engine.register("m", seed("be01.request"))
    group_id = int(created.outputs["targetGroupId"])
    control.patch(f"/groups/{group_id}", json={"userCreated": True, "timeZoneName": "UTC"})
    step = engine.register("m", _edited_value(seed("be01.request")))
    assert step.op == "update"
    assert engine.register("m", _edited_value(seed("be01.request")), preview=True).op == "same"


def test_an_org_edit_already_as_declared_is_no_conflict(engine, control, api):
    """The same edit made in the UI (or by an earlier run that stopped half-way)."""
    created = engine.register("m", seed("be01.request"))
    group_id = int(created.outputs["targetGroupId"])
    control.patch(f"/groups/{group_id}", json={"name": "renamed in both"})
    declared = {**_edited_value(seed("be01.request")), "name": "renamed in both"}
    assert engine.register("m", declared).op == "update"
    assert engine.register("m", declared, preview=True).op == "same"


def test_a_state_holding_the_orgs_edit_in_its_outputs_is_mended_by_refresh(
    engine, control, api
):
    """What an earlier release's read-back left: the UI's description recorded in the
    outputs, the declared one in the inputs (every apply failed; refresh changed nothing)."""
    body = seed("be01.request")
    created = engine.register("m", body)
    group_id = int(created.outputs["targetGroupId"])
    control.patch(f"/groups/{group_id}", json={"description": "edited in the UI"})
    engine.resources["m"]["outputs"]["description"] = "edited in the UI"
    engine.refresh()
    assert engine.resources["m"]["inputs"]["description"] == "edited in the UI"
    with pytest.raises(CheckFailed) as caught:
        engine.register("m", seed("be01.request"), preview=True)
    assert "description" in str(caught.value.failures)
