"""The GitOps workflow examples: valid GitHub Actions, and wired the way the README says.

actionlint, built from its pinned Go module (``tools/actionlint``; ``make test`` builds it
and passes its path), lints the workflows as GitHub would run them: expressions, contexts,
job needs, action inputs. They are also checked against the GitHub workflow JSON schema
vendored in check-jsonschema (the composite action too), plus the structure asserted below.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.engine import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SETUP = ROOT / ".github" / "actions" / "setup" / "action.yml"
CHECK = str(Path(sys.executable).parent / "check-jsonschema")


def test_actionlint_finds_nothing():
    actionlint = os.environ.get("CAPILLARY_ACTIONLINT", "")
    if not actionlint:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("actionlint was not built (tools/actionlint/build.sh)", pytrace=False)
        pytest.skip("actionlint is built by `make test` (tools/actionlint/build.sh)")
    result = subprocess.run(
        [actionlint, "-no-color", *map(str, WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def _steps(job: dict) -> list[dict]:
    return job["steps"]


def _pulumi_step(job: dict) -> dict:
    (step,) = [s for s in _steps(job) if s.get("uses", "").startswith("pulumi/actions@")]
    return step


def _pulumi(job: dict) -> dict:
    return _pulumi_step(job)["with"]


def _every_pulumi_job() -> list[tuple[str, dict, dict]]:
    """(workflow file, workflow, job) for every job that runs a Pulumi step."""
    found = []
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        for job in workflow["jobs"].values():
            if any(s.get("uses", "").startswith("pulumi/actions@") for s in _steps(job)):
                found.append((path.name, workflow, job))
    return found


def _stacks(job: dict) -> list[str]:
    """The stacks a job runs on: its matrix's, or the one it names."""
    matrix = job.get("strategy", {}).get("matrix", {})
    if "stack" in matrix:
        return list(matrix["stack"])
    if "include" in matrix:
        return [m["stack"] for m in matrix["include"]]
    return [_pulumi(job)["stack-name"]]


def _runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in _steps(job))


def _secrets(job: dict) -> set[str]:
    """Every secret a job can read: in its steps' env and inputs, and in the workflow's env."""
    text = yaml.safe_dump(job)
    return {part.split("}}")[0].strip() for part in text.split("secrets.")[1:]}


@pytest.mark.parametrize(
    ("path", "schema"),
    [*((p, "vendor.github-workflows") for p in WORKFLOWS), (SETUP, "vendor.github-actions")],
    ids=[*(p.name for p in WORKFLOWS), "actions/setup"],
)
def test_schema(path, schema):
    result = subprocess.run(
        [CHECK, "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pull_requests_validate_then_preview_every_stack_with_the_policy_pack():
    jobs = _load("preview.yml")["jobs"]
    assert "capillary-milestones validate" in _runs(jobs["validate"])
    assert jobs["preview"]["needs"] == "validate"
    assert _stacks(jobs["preview"]) == ["uat", "prod-eu", "prod-us"]
    settings = _pulumi(jobs["preview"])
    assert settings["command"] == "preview" and settings["comment-on-pr"] is True
    assert settings["policyPacks"] == "programs/policy"


def test_pull_request_previews_hold_no_capillary_credential():
    """A preview makes no API call; code from a pull request's branch gets no org secret."""
    workflow = _load("preview.yml")
    for job in workflow["jobs"].values():
        assert not {s for s in _secrets(job) if "CAPILLARY" in s}
    assert "CAPILLARY" not in yaml.safe_dump(workflow.get("env", {}))


def test_merge_promotes_uat_then_reviewed_production():
    workflow = _load("up.yml")
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML reads `on` as True
    jobs = workflow["jobs"]
    assert "capillary-milestones review --stack uat" in _runs(jobs["uat"])
    assert "capillary-milestones apply --stack uat" in _runs(jobs["uat"])
    order = [("review-prod-eu", "uat"), ("prod-eu", "review-prod-eu")]
    order += [("review-prod-us", "prod-eu"), ("prod-us", "review-prod-us")]
    for job, needs in order:
        assert jobs[job]["needs"] == needs, job
    assert jobs["prod-eu"]["environment"] == "production-eu"
    assert jobs["prod-us"]["environment"] == "production-us"


@pytest.mark.parametrize("stack", ["prod-eu", "prod-us"])
def test_production_is_reviewed_before_approval_and_applies_only_that_plan(stack):
    jobs = _load("up.yml")["jobs"]
    review, gated = jobs[f"review-{stack}"], jobs[stack]
    assert "environment" not in review  # nobody approves before the report exists
    plan = f"plan-{stack}.json"
    runs = _runs(review)
    assert f"capillary-milestones review --stack {stack} --plan-file {plan}" in runs
    assert "--policy-pack programs/policy" in runs and '--summary "$GITHUB_STEP_SUMMARY"' in runs
    upload = next(
        s for s in _steps(review) if s.get("uses", "").startswith("actions/upload-artifact")
    )
    download = next(
        s for s in _steps(gated) if s.get("uses", "").startswith("actions/download-artifact")
    )
    assert upload["with"] == {"name": f"plan-{stack}", "path": plan}
    assert download["with"]["name"] == f"plan-{stack}"
    assert f"capillary-milestones apply --stack {stack} --plan-file {plan}" in _runs(gated)
    assert not any(s.get("uses", "").startswith("pulumi/actions@") for s in _steps(gated))


@pytest.mark.parametrize("stack", ["prod-eu", "prod-us"])
def test_production_reviews_hold_only_a_read_scoped_client(stack):
    jobs = _load("up.yml")["jobs"]
    prefix = stack.replace("-", "_").upper()
    assert {s for s in _secrets(jobs[f"review-{stack}"]) if "CAPILLARY" in s} == {
        f"{prefix}_CAPILLARY_READ_OAUTH_SECRET"
    }
    assert {s for s in _secrets(jobs[stack]) if "CAPILLARY" in s} == {
        f"{prefix}_CAPILLARY_OAUTH_SECRET"
    }


def test_scheduled_drift_alarm():
    workflow = _load("drift.yml")
    assert workflow[True]["schedule"][0]["cron"]
    settings = _pulumi(workflow["jobs"]["drift"])
    assert settings["refresh"] is True and settings["expect-no-changes"] is True


def test_every_stack_in_the_workflows_has_a_stack_file():
    stacks = {stack for _, _, job in _every_pulumi_job() for stack in _stacks(job)}
    assert stacks == {"uat", "prod-eu", "prod-us"}
    for stack in stacks:
        assert (ROOT / f"Pulumi.{stack}.yaml").exists()


def test_every_pulumi_step_creates_a_missing_stack_and_can_reach_the_backend():
    for name, workflow, job in _every_pulumi_job():
        assert _pulumi(job)["upsert"] is True, name  # the first run has no stack yet
        env = {**workflow.get("env", {}), **_pulumi_step(job).get("env", {})}
        assert env["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}", name
        assert env["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}", name
    for path in WORKFLOWS:
        env = yaml.safe_load(path.read_text()).get("env", {})
        assert env["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}", path.name
        assert env["PGPASSWORD"] == "${{ secrets.PULUMI_BACKEND_PGPASSWORD }}", path.name


def test_every_job_sets_up_first_and_refuses_a_backend_on_the_runners_disk():
    for path in WORKFLOWS:
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            uses = [s.get("uses") for s in _steps(job)]
            assert uses[:2] == ["actions/checkout@v4", "./.github/actions/setup"], name
    check = next(
        s
        for s in yaml.safe_load(SETUP.read_text())["runs"]["steps"]
        if s.get("name") == "Check the state backend"
    )
    for backend, ok in [
        ("", True),
        ("postgres://pulumi@db:5432/pulumi?sslmode=require", True),
        ("s3://bucket", True),
        ("gs://b", True),
        ("azblob://c", True),
        ("file:///tmp/state", False),
        ("/tmp", False),
    ]:
        result = subprocess.run(
            ["bash", "-c", check["run"]],
            env={"BACKEND": backend},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert (result.returncode == 0) is ok, backend
