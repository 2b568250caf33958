"""Promotion you can trust, through the real CLI on both providers: the review says first
whether applying would overwrite an edit made in the org or be refused, makes no write, and
saves the plan; ``apply`` applies exactly that plan, or writes nothing and says to review
again; the policy pack refuses what production must not do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.real_cli.test_catalog import groups, writes
from tests.support import seed

COMMAND = str(Path(sys.executable).parent / "capillary-milestones")
PROD = {"capillary:deletionPolicy": "abandon", "capillary-milestones:preferredTillId": "75155297"}


def _milestones(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [COMMAND, *args],
        cwd=project.directory,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _review(project, stack: str, plan: Path) -> subprocess.CompletedProcess:
    return _milestones(
        project,
        "review",
        "--stack",
        stack,
        "--plan-file",
        str(plan),
        "--policy-pack",
        "programs/policy",
    )


def _values(project, values: list[int]) -> None:
    path = project.data_dir / "product-reviews.yaml"
    data = yaml.safe_load(path.read_text())
    data["targets"][0]["default_values"] = values
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_the_reviewed_plan_is_the_plan_that_runs(project, api, control, tmp_path):
    project.init("prod-test", PROD)
    plan = tmp_path / "plan.json"
    first = _review(project, "prod-test", plan)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("Stack prod-test is ready to approve")
    assert writes(control) == []  # a review writes nothing
    applied = _milestones(project, "apply", "--stack", "prod-test", "--plan-file", str(plan))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert len(groups(api)) == 4

    _values(project, [5])
    again = _review(project, "prod-test", plan)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "update product-reviews: three-product-reviews-a-quarter" in again.stdout
    assert "targets[0].default_values[0]: 3 → 5  [in place]" in again.stdout
    before = len(writes(control))
    _values(project, [6])  # merged after the review: not what the approver read
    stale = _milestones(project, "apply", "--stack", "prod-test", "--plan-file", str(plan))
    assert stale.returncode == 1
    assert "changed since the review (product-reviews)" in stale.stderr
    assert "nothing was written: run the review again" in stale.stderr
    assert writes(control)[before:] == []
    _values(project, [5])  # back to what was reviewed: that plan applies
    applied = _milestones(project, "apply", "--stack", "prod-test", "--plan-file", str(plan))
    assert applied.returncode == 0, applied.stderr
    assert [w[0] for w in writes(control)[before:]] == ["PUT"]
    project.preview("prod-test", "--expect-no-changes")


def test_the_review_says_first_that_an_edit_in_the_org_would_be_overwritten(
    project, api, control, tmp_path
):
    project.init("prod-test", PROD)
    project.up("prod-test")
    reviews = next(g for g in groups(api) if g["name"] == "three-product-reviews-a-quarter")
    control.patch(f"/groups/{reviews['id']}", json={"name": "renamed in the UI"})
    _values(project, [5])
    found = _review(project, "prod-test", tmp_path / "plan.json")
    assert found.returncode == 1
    first = found.stdout.splitlines()[0]
    assert first.startswith(
        "Do not approve stack prod-test: applying would overwrite an edit made in the org: "
        f"product-reviews (target group {reviews['id']}) changed since the last up (name: "
    )
    assert "renamed in the UI" in first


def test_the_review_says_first_that_a_name_is_taken(project, api, tmp_path):
    project.init("prod-test", PROD)
    taken = api.post(
        "/v3/targetGroups", json={**seed("be02.request"), "name": "steps-5000-in-2-days"}
    ).json()["data"]
    found = _review(project, "prod-test", tmp_path / "plan.json")
    assert found.returncode == 1
    assert found.stdout.splitlines()[0] == (
        "Do not approve stack prod-test: applying would be refused: steps-5000-in-2-days "
        f"creates 'steps-5000-in-2-days', a name target group {taken['id']} already has in the "
        "org; adopt it (capillary-milestones:adoptExistingIds) or choose another name."
    )


def test_the_policy_pack_refuses_deletion_on_production_and_names_the_rule(project, tmp_path):
    project.init("prod-test", {**PROD, "capillary:deletionPolicy": "delete"})
    found = _review(project, "prod-test", tmp_path / "plan.json")
    assert found.returncode == 1
    first = found.stdout.splitlines()[0]
    assert first.startswith(
        "Do not approve stack prod-test: a mandatory policy production-deletion-policy on "
    )
    assert "deletionPolicy is delete by" in first and "Set deletionPolicy to abandon" in first
    refused = project.preview("prod-test", "--policy-pack", "programs/policy", check=False)
    assert refused.returncode != 0
    project.init("dev-test", {**PROD, "capillary:deletionPolicy": "delete"})
    project.preview("dev-test", "--policy-pack", "programs/policy")  # not a production stack


def test_the_packs_settings_change_what_it_enforces(project, tmp_path):
    project.init("live-eu", {**PROD, "capillary:deletionPolicy": "delete"})
    settings = tmp_path / "policy-config.json"
    settings.write_text('{"production-deletion-policy": {"productionStacks": "live-*"}}')
    plan = str(tmp_path / "plan.json")
    args = ["review", "--stack", "live-eu", "--plan-file", plan, "--policy-pack"]
    assert _milestones(project, *args, "programs/policy").returncode == 0  # not "prod*"
    configured = [*args, "programs/policy", "--policy-pack-config", str(settings)]
    found = _milestones(project, *configured)
    assert found.returncode == 1 and "production-deletion-policy" in found.stdout.splitlines()[0]

    settings.write_text('{"production-deletion-policy": {"enforcementLevel": "advisory"}}')
    project.init("prod-eu2", {**PROD, "capillary:deletionPolicy": "delete"})
    args = ["review", "--stack", "prod-eu2", "--plan-file", plan, "--policy-pack"]
    advised = _milestones(project, *args, "programs/policy", "--policy-pack-config", str(settings))
    assert advised.returncode == 0, advised.stdout
    assert "advisory policy production-deletion-policy" in advised.stdout


def test_policies_never_print_an_input(project, tmp_path):
    """A policy sees secrets in plain text: a violation names the milestone, never its other
    inputs (a description stands for any of them, a secret one included; the name breaks the
    advisory naming rule)."""
    secret = "a-secret-description-2026"
    path = project.data_dir / "product-reviews.yaml"
    data = yaml.safe_load(path.read_text())
    data["name"] = "Reviews With Capitals"
    data["description"] = secret
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    project.init("prod-test", PROD)
    shown = project.preview("prod-test", "--policy-pack", "programs/policy")
    advisory = [m for m in shown.events if "policyEvent" in m]
    assert any("milestone-names" in str(e) for e in advisory), shown.output
    assert secret not in shown.output and secret not in str(advisory)
