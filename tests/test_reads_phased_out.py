"""When Capillary stops answering reads (the emulator's ``readsDisabled``), on both providers:
what needs no read still works, each thing that needs one fails in one sentence, before any
write, and nothing is half-applied."""

from __future__ import annotations

import copy

import pytest

from tests.engine import ProviderError
from tests.support import api_calls, seed

PHASED_OUT = "Capillary has phased out reading milestones through the target-group API, so "
STILL_WORKS = (
    "what still works without reading: creating milestones, deleting them, and `pulumi "
    "preview` and `pulumi up` of milestones that do not change."
)


def _writes(control) -> list[tuple[str, str]]:
    return [c for c in api_calls(control) if c[0] != "GET" and not c[1].endswith("isValidName")]


@pytest.fixture
def applied(engine, control):
    engine.register("be01", seed("be01.request"))
    control.put("/phase-out", json={"readsDisabled": True}).raise_for_status()
    return engine


def test_preview_and_an_unchanged_up_need_no_read(applied, control):
    before = len(api_calls(control))
    assert applied.register("be01", seed("be01.request"), preview=True).op == "same"
    assert applied.register("be01", seed("be01.request")).op == "same"
    assert api_calls(control)[before:] == []


def test_refresh_fails_in_one_sentence_and_keeps_the_state(applied):
    kept = copy.deepcopy(applied.resources)
    with pytest.raises(ProviderError) as caught:
        applied.refresh()
    message = caught.value.message
    assert message == (
        f"{PHASED_OUT}target group 2911 cannot be read (`pulumi refresh`, `pulumi import`) and "
        f"the stack keeps what it last recorded of it; {STILL_WORKS}"
    )
    assert applied.resources == kept


def test_an_edit_is_refused_before_any_write(applied, control):
    changed = seed("be01.request")
    changed["targets"][0]["defaultValues"][0]["defaultValue"] = 7
    before = len(_writes(control))
    with pytest.raises(ProviderError) as caught:
        applied.register("be01", changed)
    assert caught.value.message.startswith(
        f"{PHASED_OUT}the edit of target group 2911 ('uatTargetGroupBE01') could not be "
        "verified after it is made, so it was not made and nothing was written;"
    )
    assert _writes(control)[before:] == []


def test_a_create_and_a_delete_still_work(applied, control):
    body = dict(seed("be02.request"), deletionPolicy="delete")
    assert applied.register("be02", body).op == "create"
    applied.remove("be02")
    assert _writes(control)[-2:] == [
        ("POST", "/v3/targetGroups"),
        ("DELETE", "/v3/targetGroups/2912"),
    ]


def test_adoption_says_it_cannot_check_the_group(applied, control):
    body = dict(seed("be02.request"), adoptExistingId=2911.0)
    with pytest.raises(ProviderError) as caught:
        applied.register("adopted", body)
    assert caught.value.message.startswith(
        f"{PHASED_OUT}adoptExistingId cannot check that target group 2911 matches the "
        "declaration, and nothing was taken over or written;"
    )
    assert "adopted" not in applied.resources


def test_a_taken_name_is_still_refused_without_naming_the_group(applied):
    with pytest.raises(ProviderError) as caught:
        applied.register("again", seed("be01.request"))
    assert caught.value.message.startswith(
        "A target group named 'uatTargetGroupBE01' already exists in this org and this stack"
    )
