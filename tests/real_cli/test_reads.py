"""Capillary's reads through the real CLI, on both providers: a taken name is looked up in one
page of ``GET v3/milestones``; and once reads are phased out, preview and an unchanged up
still succeed, a refresh fails in one sentence, an edit is refused before any write, a new
milestone is still created, and the review says what it could not compare."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.real_cli.test_catalog import CATALOG, writes
from tests.support import seed

PHASED_OUT = "Capillary has phased out reading milestones through the target-group API, so "


def _requests(control) -> list[dict]:
    return list(control.get("/requests").json()["requests"])


def _values(project, values: list[int]) -> None:
    path = project.data_dir / "product-reviews.yaml"
    data = yaml.safe_load(path.read_text())
    data["targets"][0]["default_values"] = values
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_taken_name_is_looked_up_in_one_page(project, api, control):
    taken = api.post(
        "/v3/targetGroups", json={**seed("be01.request"), "name": "steps-5000-in-2-days"}
    )
    group_id = taken.json()["data"]["id"]
    project.init("dev")
    before = len(_requests(control))
    up = project.up("dev", check=False)
    assert up.returncode != 0
    assert any(
        f"A target group named 'steps-5000-in-2-days' already exists in this org (target group "
        f"{group_id})" in m
        for m in up.diagnostics("error")
    ), up.output
    reads = [r for r in _requests(control)[before:] if r["method"] == "GET"]
    assert [r["path"] for r in reads] == ["/v3/milestones"]
    assert "name=steps-5000-in-2-days" in reads[0]["query"]


def test_with_reads_phased_out(project, api, control, tmp_path):
    project.init("dev")
    project.up("dev")
    control.put("/phase-out", json={"readsDisabled": True, "status": 410}).raise_for_status()

    before = len(_requests(control))
    project.preview("dev", "--expect-no-changes")
    assert project.up("dev").ops() == dict.fromkeys(CATALOG, "same")
    assert _requests(control)[before:] == []  # neither needs a read

    refresh = project.refresh("dev", check=False)
    assert refresh.returncode != 0
    assert any(PHASED_OUT in m for m in refresh.diagnostics("error"))  # after "Preview failed: "
    assert "Traceback" not in refresh.output

    _values(project, [5])
    before = len(writes(control))
    edit = project.up("dev", check=False)
    assert edit.returncode != 0
    assert any(
        "could not be verified after it is made, so it was not made and nothing was written" in m
        for m in edit.diagnostics("error")
    ), edit.output
    assert writes(control)[before:] == []  # refused before any write

    review = subprocess.run(
        [
            str(Path(sys.executable).parent / "capillary-milestones"),
            "review",
            "--stack",
            "dev",
            "--plan-file",
            str(tmp_path / "plan.json"),
        ],
        cwd=project.directory,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert review.returncode == 1, review.stdout + review.stderr
    assert review.stdout.startswith(
        "Do not approve stack dev: applying would be refused: Capillary has phased out reading "
        "milestones through its API, so the edit of product-reviews (target group"
    )
    assert "the org was not compared with the stack" in review.stdout
    assert len(groups_now := _live(control)) == len(CATALOG), groups_now


def _live(control) -> list[dict]:
    return list(control.get("/groups").json()["groups"])
