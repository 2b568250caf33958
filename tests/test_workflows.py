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
    matrix = job.get("strategy", {}).get("matrix", {}).get("include")
    return [m["stack"] for m in matrix] if matrix else [_pulumi(job)["stack-name"]]


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


def test_pull_requests_validate_then_preview_every_stack_with_a_comment():
    jobs = _load("preview.yml")["jobs"]
    assert any(
        "capillary-milestones validate" in s.get("run", "") for s in _steps(jobs["validate"])
    )
    assert jobs["preview"]["needs"] == "validate"
    assert [m["stack"] for m in jobs["preview"]["strategy"]["matrix"]["include"]] == [
        "uat",
        "prod-eu",
        "prod-us",
    ]
    settings = _pulumi(jobs["preview"])
    assert settings["command"] == "preview" and settings["comment-on-pr"] is True


def test_merge_promotes_uat_then_gated_production():
    workflow = _load("up.yml")
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML reads `on` as True
    jobs = workflow["jobs"]
    assert (jobs["prod-eu"]["needs"], jobs["prod-us"]["needs"]) == ("uat", "prod-eu")
    assert jobs["prod-eu"]["environment"] == "production-eu"
    assert jobs["prod-us"]["environment"] == "production-us"
    for name in ("uat", "prod-eu", "prod-us"):
        assert (_pulumi(jobs[name])["command"], _pulumi(jobs[name])["stack-name"]) == ("up", name)


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


def test_every_pulumi_step_creates_a_missing_stack_and_can_reach_pulumi_cloud():
    for name, workflow, job in _every_pulumi_job():
        assert _pulumi(job)["upsert"] is True, name  # the first run has no stack yet
        env = {**workflow.get("env", {}), **_pulumi_step(job).get("env", {})}
        assert env["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}", name
        assert env["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}", name


def test_every_pulumi_job_refuses_a_backend_on_the_runners_disk():
    for name, _, job in _every_pulumi_job():
        uses = [s.get("uses") for s in _steps(job)]
        assert uses.index("./.github/actions/setup") < uses.index(_pulumi_step(job)["uses"]), name
    check = next(
        s
        for s in yaml.safe_load(SETUP.read_text())["runs"]["steps"]
        if s.get("name") == "Check the state backend"
    )
    for backend, ok in [
        ("", True),
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


def test_production_jobs_audit_their_org_before_up():
    jobs = _load("up.yml")["jobs"]
    for name in ("prod-eu", "prod-us"):
        runs = [s.get("run", "") for s in _steps(jobs[name])]
        audit = next(i for i, r in enumerate(runs) if "capillary-milestones diff" in r)
        assert f"--stack {name}" in runs[audit] and "GITHUB_STEP_SUMMARY" in runs[audit]
        assert "--markdown" in runs[audit]  # a report that renders in the job summary
        assert audit < [s.get("uses", "") for s in _steps(jobs[name])].index(
            _pulumi_step(jobs[name])["uses"]
        )
