"""Changes to a declaration through the real CLI: in place, refused, replaced, and drift."""

from __future__ import annotations

import yaml

from tests.real_cli.test_catalog import CATALOG, groups, writes
from tests.support import api_calls


def _edit(project, change) -> None:
    path = project.data_dir / "product-reviews.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _group(api, name: str) -> dict:
    found = [g for g in groups(api) if g["name"] == name]
    assert len(found) == 1, found
    return found[0]


def _created(project, control) -> int:
    project.init("dev")
    project.up("dev")
    return len(api_calls(control))


def test_a_target_value_changes_in_place(project, api, control):
    _created(project, control)
    group = _group(api, "three-product-reviews-a-quarter")
    target = api.get(f"/v3/targetGroups/{group['id']}/targets").json()["data"][0]

    def five(data):
        data["targets"][0]["default_values"] = [5]

    _edit(project, five)
    before = len(writes(control))
    preview = project.preview("dev")
    assert preview.ops() == {**dict.fromkeys(CATALOG, "same"), "product-reviews": "update"}
    meta = preview.step_metadata("product-reviews")[0]
    old, new = meta["old"]["inputs"], meta["new"]["inputs"]
    assert [k for k in sorted({*old, *new}) if old.get(k) != new.get(k)] == ["targets"]
    assert new["targets"][0]["defaultValues"] == [{"defaultValue": 5}]
    assert "~targets" in preview.stdout  # the CLI names the field
    assert len(writes(control)) == before  # a preview writes nothing

    up = project.up("dev")
    assert up.ops()["product-reviews"] == "update"
    assert writes(control)[before:] == [
        ("PUT", f"/v3/targetGroups/{group['id']}/targets/{target['id']}")
    ]
    after = api.get(f"/v3/targetGroups/{group['id']}/targets").json()["data"][0]
    assert [v["defaultValue"] for v in after["defaultValues"]] == [5]
    project.preview("dev", "--expect-no-changes")


def test_an_immutable_change_is_refused_at_preview_with_our_message(project, api, control):
    _created(project, control)

    def streaks(data):
        data["tracking_type"] = "STREAKS"

    _edit(project, streaks)
    before = len(writes(control))
    preview = project.preview("dev", check=False)
    assert preview.returncode != 0
    errors = [m for m in preview.diagnostics("error") if "product-reviews" in m]
    assert any(  # in the data file's own spelling, and a way out from where the user is
        "resource 'product-reviews' has a problem: tracking_type: Capillary cannot change "
        "tracking_type after a milestone is created (DEFAULT → STREAKS). Keep the recorded "
        "value and declare the change as a new milestone under a new name, or opt in to "
        "replacing this one: set on_immutable_change to replace on it, or `pulumi config set "
        "capillary:onImmutableChange replace` for the whole stack" in m
        for m in errors
    ), errors
    assert "Traceback" not in preview.output
    up = project.up("dev", check=False)
    assert up.returncode != 0
    assert writes(control)[before:] == []  # refused before any call, at up too


def test_a_replacement_opted_in_under_a_new_name_creates_before_deleting(project, api, control):
    _created(project, control)
    old = _group(api, "three-product-reviews-a-quarter")
    project.run(
        "config", "set", "--stack", "dev", "capillary:onImmutableChange", "replace", events=False
    )

    def renamed_streaks(data):
        data["name"] = "three-product-reviews-a-quarter-v2"
        data["tracking_type"] = "STREAKS"

    _edit(project, renamed_streaks)
    before = len(writes(control))
    preview = project.preview("dev")
    assert preview.ops()["product-reviews"] == "create-replacement+replace+delete-replaced"
    up = project.up("dev")
    ops = [m["op"] for m in up.step_metadata("product-reviews")]
    assert ops == ["create-replacement", "replace", "delete-replaced"]
    assert writes(control)[before:] == [
        ("POST", "/v3/targetGroups"),
        ("DELETE", f"/v3/targetGroups/{old['id']}"),
    ]
    new = _group(api, "three-product-reviews-a-quarter-v2")
    assert new["trackingType"] == "STREAKS"
    assert "three-product-reviews-a-quarter" not in {g["name"] for g in groups(api)}
    project.preview("dev", "--expect-no-changes")


def test_drift_is_recorded_by_refresh_and_put_back_by_up(project, api, control):
    _created(project, control)
    group = _group(api, "steps-5000-in-2-days")
    control.patch(f"/groups/{group['id']}", json={"name": "steps renamed in the UI"})

    refresh = project.refresh("dev")
    assert refresh.summary()["update"] == 1, refresh.summary()
    recorded = project.resources("dev")["steps-5000-in-2-days"]
    assert recorded["outputs"]["name"] == "steps renamed in the UI"
    assert recorded["inputs"]["name"] == "steps renamed in the UI"

    drifted = project.preview("dev", "--expect-no-changes", "--diff", check=False)
    assert drifted.returncode != 0
    assert drifted.ops()["steps-5000-in-2-days"] == "update"
    # only the real drift shows: refresh kept every input whose recorded value still says
    # what was declared (a day is not a change of the declared instant)
    meta = drifted.step_metadata("steps-5000-in-2-days")[0]
    old, new = meta["old"]["inputs"], meta["new"]["inputs"]
    assert [k for k in sorted({*old, *new}) if old.get(k) != new.get(k)] == ["name"]
    changed = [" ".join(line.split()) for line in drifted.stdout.splitlines() if "=>" in line]
    assert [line.replace(" :", ":") for line in changed] == [
        '~ name: "steps renamed in the UI" => "steps-5000-in-2-days"'
    ]

    before = len(writes(control))
    project.up("dev")
    assert writes(control)[before:] == [("PUT", f"/v3/targetGroups/editTargetGroup/{group['id']}")]
    assert _group(api, "steps-5000-in-2-days")["id"] == group["id"]
    project.preview("dev", "--expect-no-changes")
