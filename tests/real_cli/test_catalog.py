"""The milestone catalog through the real Pulumi CLI: preview, up, no perpetual diff."""

from __future__ import annotations

from tests.support import api_calls

CATALOG = {
    "monthly-store-check-ins",
    "product-reviews",
    "profile-picture-updated",
    "steps-5000-in-2-days",
}
NAMES = {
    "monthly-store-check-ins",
    "three-product-reviews-a-quarter",
    "profile-picture-updated-twice-a-month",
    "steps-5000-in-2-days",
}


def writes(control) -> list[tuple[str, str]]:
    """The calls that may change the org (isValidName is a POST that only reads)."""
    return [c for c in api_calls(control) if c[0] != "GET" and not c[1].endswith("/isValidName")]


def groups(api) -> list[dict]:
    return api.get("/v3/targetGroups", params={"includePeriods": "true"}).json()["data"]


def test_the_catalog_on_a_fresh_stack_converges(project, api, control):
    project.init("dev")
    preview = project.preview("dev")
    assert preview.ops() == dict.fromkeys(CATALOG, "create")
    assert api_calls(control) == []  # a preview of creates makes no API call

    up = project.up("dev")
    assert up.ops() == dict.fromkeys(CATALOG, "create")
    assert sorted(g["name"] for g in groups(api)) == sorted(NAMES)  # exactly one group each
    assert writes(control) == [("POST", "/v3/targetGroups")] * len(CATALOG)
    state = project.resources("dev")
    assert set(state) == CATALOG
    assert {str(g["id"]) for g in groups(api)} == {r["id"] for r in state.values()}

    before = len(api_calls(control))
    project.preview("dev", "--expect-no-changes")
    project.refresh("dev", "--expect-no-changes")
    again = project.preview("dev")
    assert again.ops() == dict.fromkeys(CATALOG, "same")
    assert writes(control)[len(CATALOG) :] == []  # nothing written after the first up
    assert len(api_calls(control)) > before  # the refresh did read the org
