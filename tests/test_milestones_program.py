"""The milestones program end to end: preview, up, refresh, destroy, promotion.

Each scenario runs the real program (programs/milestones) under the engine double against
its own emulator.
"""

from __future__ import annotations

import httpx
import pulumi
import pytest
import yaml

from pulumi_capillary.emulator import Credentials, EmulatorServer
from tests.engine import CheckFailed, ProviderError
from tests.program import ProgramStack, copy_project
from tests.support import SEED_NOW

CATALOG = {
    "monthly-store-check-ins",
    "product-reviews",
    "profile-picture-updated",
    "steps-5000-in-2-days",
}


@pytest.fixture
def project(tmp_path):
    directory = tmp_path / "project"
    directory.mkdir()
    return copy_project(directory)


def _dev(project, emulator, tmp_path, **overrides) -> ProgramStack:
    creds = emulator.credentials
    return ProgramStack(
        project,
        "dev",
        tmp_path,
        overrides={
            "capillary:baseUrl": emulator.url,
            "capillary:retryBackoffSeconds": "0.01",
            **overrides,
        },
        env={"CAPILLARY_USERNAME": creds.username, "CAPILLARY_PASSWORD": creds.password},
    )


def _log(control) -> list[dict]:
    return control.get("/requests").json()["requests"]


def _groups(api) -> dict[str, dict]:
    return {
        g["name"]: g
        for g in api.get("/v3/targetGroups", params={"includePeriods": "true"}).json()["data"]
    }


def _edit(project, file: str, change) -> None:
    path = project / "programs" / "milestones" / "milestones" / file
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_up_creates_the_catalog_then_preview_is_quiet(project, emulator, api, control, tmp_path):
    stack = _dev(project, emulator, tmp_path)
    run = stack.up()
    assert run.ops() == dict.fromkeys(CATALOG, "create")
    assert set(_groups(api)) == {
        "monthly-store-check-ins",
        "three-product-reviews-a-quarter",
        "profile-picture-updated-twice-a-month",
        "steps-5000-in-2-days",
    }
    assert {k: v["name"] for k, v in run.outputs["milestones"].items()}["product-reviews"] == (
        "three-product-reviews-a-quarter"
    )
    assert all(isinstance(v["id"], int | float) for v in run.outputs["milestones"].values())
    assert len(_groups(api)["monthly-store-check-ins"]["periods"]) == 6
    assert all(g["preferredTillId"] == 75155297 for g in _groups(api).values())
    calls = len(_log(control))
    preview = stack.preview()
    assert preview.changes() == {}
    assert len(_log(control)) == calls  # zero API calls


def test_expression_edit_is_one_update(project, emulator, api, control, tmp_path):
    stack = _dev(project, emulator, tmp_path)
    stack.up()

    def change(data):
        data["targets"][0]["expression"] = "event.reviewLength > 50"
        data["targets"][0]["expression_json"] = (
            '{"arity":"binary","operator":">","left":"reviewLength","right":50}'
        )

    _edit(project, "product-reviews.yaml", change)
    assert stack.preview().changes() == {"product-reviews": "update"}
    assert stack.up().changes() == {"product-reviews": "update"}
    group = _groups(api)["three-product-reviews-a-quarter"]
    targets = api.get(f"/v3/targetGroups/{group['id']}/targets").json()["data"]
    assert targets[0]["expression"] == "event.reviewLength > 50"
    assert stack.preview().changes() == {}


def test_period_date_edit_is_refused_then_replaced_when_opted_in(
    project, emulator, api, control, tmp_path
):
    stack = _dev(project, emulator, tmp_path)
    stack.up()
    calls = len(_log(control))
    _edit(
        project,
        "steps-5000-in-2-days.yaml",
        lambda d: d["periods"][0].update(end_date="2027-02-03T23:59:59Z"),
    )
    with pytest.raises(CheckFailed) as caught:
        stack.preview()
    ((path, reason),) = caught.value.by_path.items()  # in the data file's own spelling
    assert path == "periods[0].end_date"
    assert "cannot change periods[0].end_date after a milestone is created" in reason
    assert "set on_immutable_change to replace on it" in reason
    assert len(_log(control)) == calls
    old_id = _groups(api)["steps-5000-in-2-days"]["id"]
    _edit(
        project,
        "steps-5000-in-2-days.yaml",
        lambda d: d.update(on_immutable_change="replace", to_date="2027-02-03T23:59:59Z"),
    )
    run = stack.up()  # dev: deletionPolicy delete, so the kept name is freed first
    assert run.changes() == {"steps-5000-in-2-days": "replace"}
    group = _groups(api)["steps-5000-in-2-days"]
    assert group["id"] != old_id and group["periods"][0]["endDate"] == "2027-02-03"
    assert stack.preview().changes() == {}


def test_drift_is_refreshed_then_put_back(project, emulator, api, control, tmp_path):
    stack = _dev(project, emulator, tmp_path)
    stack.up()
    group_id = _groups(api)["steps-5000-in-2-days"]["id"]
    control.patch(f"/groups/{group_id}", json={"name": "Steps (edited in the UI)"})
    steps = {s.name: s for s in stack.refresh()}
    assert steps["steps-5000-in-2-days"].outputs["name"] == "Steps (edited in the UI)"
    assert stack.resources["steps-5000-in-2-days"]["inputs"]["name"] == "Steps (edited in the UI)"
    assert stack.up().changes() == {"steps-5000-in-2-days": "update"}
    assert api.get(f"/v3/targetGroups/{group_id}").json()["data"]["name"] == (
        "steps-5000-in-2-days"
    )


def test_promotion_to_two_production_orgs(project, tmp_path):
    orgs = {
        "prod-eu": Credentials("eu-till", "eu-pw", "prod-eu-milestones", "eu-oauth-secret"),
        "prod-us": Credentials("us-till", "us-pw", "prod-us-milestones", "us-oauth-secret"),
    }
    seen = {}
    with (
        EmulatorServer(now=SEED_NOW, credentials=orgs["prod-eu"]) as eu,
        EmulatorServer(now=SEED_NOW, credentials=orgs["prod-us"]) as us,
    ):
        for name, emu in (("prod-eu", eu), ("prod-us", us)):
            stack = ProgramStack(
                project,
                name,
                tmp_path,
                overrides={"capillary:baseUrl": emu.url, "capillary:retryBackoffSeconds": "0.01"},
                env={"CAPILLARY_OAUTH_SECRET": orgs[name].oauth_secret},
            )
            assert set(stack.up().ops().values()) == {"create"}
            assert stack.up().changes() == {}
            listed = httpx.get(emu.url + "/__emulator__/requests").json()["requests"]
            assert [r["method"] for r in listed].count("POST") == 5  # 4 creates + 1 token
            token = httpx.post(
                emu.url + "/v3/oauth/token/generate",
                json={"key": orgs[name].oauth_key, "secret": orgs[name].oauth_secret},
            ).json()
            groups = httpx.get(
                emu.url + "/v3/targetGroups",
                headers={"X-CAP-API-OAUTH-TOKEN": token["data"]["accessToken"]},
            ).json()["data"]
            seen[name] = {g["name"]: g["preferredTillId"] for g in groups}
    assert set(seen["prod-eu"]) == set(seen["prod-us"]) and len(seen["prod-eu"]) == 4
    assert set(seen["prod-eu"].values()) == {50692127}
    assert set(seen["prod-us"].values()) == {61234567}
    assert (tmp_path / "prod-eu.json").read_text() != (tmp_path / "prod-us.json").read_text()


def test_removed_milestone_under_abandon_and_delete(project, emulator, api, tmp_path):
    creds = emulator.credentials
    abandon = ProgramStack(
        project,
        "dev",
        tmp_path,
        overrides={"capillary:baseUrl": emulator.url, "capillary:deletionPolicy": "abandon"},
        env={"CAPILLARY_USERNAME": creds.username, "CAPILLARY_PASSWORD": creds.password},
    )
    abandon.up()
    (project / "programs" / "milestones" / "milestones" / "product-reviews.yaml").unlink()
    run = abandon.up()
    assert run.deleted == ["product-reviews"]
    assert "three-product-reviews-a-quarter" in _groups(api)
    assert "keeps running in Capillary" in run.stderr
    steps, stderr = abandon.destroy()
    assert len(steps) == 3 and stderr.count("keeps running in Capillary") == 3
    assert len(_groups(api)) == 4

    api.post("/__emulator__/reset", headers={})
    deleting = _dev(project, emulator, tmp_path / "second")  # dev: deletionPolicy delete
    (tmp_path / "second").mkdir(exist_ok=True)
    deleting.up()
    (project / "programs" / "milestones" / "milestones" / "steps-5000-in-2-days.yaml").unlink()
    assert deleting.up().deleted == ["steps-5000-in-2-days"]
    assert "steps-5000-in-2-days" not in _groups(api)
    deleting.destroy()
    assert _groups(api) == {}


def test_lost_create_answer_then_rerun_refuses_without_duplicates(
    project, emulator, api, control, tmp_path
):
    stack = _dev(project, emulator, tmp_path, **{"capillary:retryDeadlineSeconds": "1"})
    control.put("/faults", json={"rate": 1.0, "kinds": ["commit-then-drop"], "seed": 3})
    with pytest.raises(ProviderError):
        stack.up(skip_preview=True)
    control.put("/faults", json={"rate": 0})
    committed = len(_groups(api))
    assert committed >= 1  # committed, answer lost
    # A new run cannot tell these from another owner's groups: it refuses, never duplicates,
    # and names adoptExistingId (README: "Who owns a name").
    with pytest.raises(ProviderError) as caught:
        stack.up()
    assert "adoptExistingId: " in caught.value.message
    assert len(_groups(api)) == committed


def test_a_broken_data_file_is_named_and_nothing_is_registered(project, emulator, api, tmp_path):
    path = project / "programs" / "milestones" / "milestones" / "product-reviews.yaml"
    path.write_text(path.read_text().replace("tracking_type:", "trackin_type:"))
    with pytest.raises(pulumi.RunError) as caught:
        _dev(project, emulator, tmp_path).up()
    message = str(caught.value)
    assert message.startswith("milestones/product-reviews.yaml: The milestone declaration")
    assert "trackin_type: is not a known field; did you mean 'tracking_type'?" in message
    assert _groups(api) == {}
