"""The GitOps workflow examples: valid GitHub Actions, and wired the way the README says.

actionlint's PyPI wrapper downloads its binary from GitHub at install time, which this
project's machines cannot reach; the workflows are checked against the GitHub workflow
JSON schema vendored in check-jsonschema instead, plus the structure asserted below.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.engine import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
CHECK = str(Path(sys.executable).parent / "check-jsonschema")


def _load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def _steps(job: dict) -> list[dict]:
    return job["steps"]


def _pulumi(job: dict) -> dict:
    (step,) = [s for s in _steps(job) if s.get("uses", "").startswith("pulumi/actions@")]
    return step["with"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_schema(path):
    result = subprocess.run(
        [CHECK, "--builtin-schema", "vendor.github-workflows", str(path)],
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
    for stack in ("uat", "prod-eu", "prod-us", "dev"):
        assert (ROOT / f"Pulumi.{stack}.yaml").exists()
