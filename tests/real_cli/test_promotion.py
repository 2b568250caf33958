"""Promotion through the real CLI: one program, a UAT stack and a production stack, two orgs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from pulumi_capillary.emulator import Credentials, EmulatorServer
from tests.real_cli.test_catalog import CATALOG, NAMES
from tests.support import SEED_NOW, basic_header

UAT = Credentials(username="uat.milestones.till", password="uat-password")
PROD_US = Credentials(oauth_key="prod-us-milestones", oauth_secret="prod-us-secret")


def _org(server: EmulatorServer) -> list[dict]:
    creds = server.credentials
    headers = {"Authorization": basic_header(creds.username, creds.password)}
    answer = httpx.get(
        server.url + "/v3/targetGroups",
        params={"includePeriods": "true"},
        headers=headers,
        timeout=10,
    )
    return list(answer.json()["data"])


def _milestones(project, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    command = Path(sys.executable).parent / "capillary-milestones"
    return subprocess.run(
        [str(command), *args],
        cwd=project.directory,
        env={**project.env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_one_program_on_two_stacks_converges_and_the_orgs_audit_the_same(
    project, tmp_path, emulator_env
):
    with (
        EmulatorServer(now=SEED_NOW, credentials=UAT) as uat_org,
        EmulatorServer(now=SEED_NOW, credentials=PROD_US) as prod_org,
    ):
        uat = {
            **emulator_env(uat_org),
            "CAPILLARY_USERNAME": "",  # Pulumi.uat.yaml names the till
            "CAPILLARY_PASSWORD": "uat-password",
            "CAPILLARY_OAUTH_SECRET": "",
        }
        prod = {
            **emulator_env(prod_org),
            "CAPILLARY_USERNAME": "",
            "CAPILLARY_PASSWORD": "",
            "CAPILLARY_OAUTH_SECRET": "prod-us-secret",
        }
        for stack, env in (("uat", uat), ("prod-us", prod)):
            project.init(stack)
            up = project.run("up", "--yes", "--stack", stack, env=env)
            assert set(up.ops().values()) == {"create"}
            project.run("preview", "--stack", stack, "--expect-no-changes", env=env)

        assert sorted(g["name"] for g in _org(uat_org)) == sorted(f"uat-{n}" for n in NAMES)
        assert sorted(g["name"] for g in _org(prod_org)) == sorted(NAMES)
        assert {g["preferredTillId"] for g in _org(uat_org)} == {75155297}
        assert {g["preferredTillId"] for g in _org(prod_org)} == {61234567}

        exported = tmp_path / "from-uat" / "milestones"  # a folder that does not exist yet
        export = _milestones(
            project, ["export", "--all", "--stack", "uat", "-o", str(exported)], uat
        )
        assert export.returncode == 0, export.stderr
        audit = _milestones(project, ["diff", str(exported), "--stack", "prod-us", "--json"], prod)
        report = json.loads(audit.stdout)
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert {m["status"] for m in report["milestones"]} == {"same"}
        assert len(report["milestones"]) == len(NAMES) and report["undeclared"] == []

        # the audit of what the program declares for each stack, its Python milestone too
        for stack, env in (("uat", uat), ("prod-us", prod)):
            audit = _milestones(project, ["diff", "--stack", stack, "--json"], env)
            report = json.loads(audit.stdout)
            assert audit.returncode == 0, audit.stdout + audit.stderr
            assert {m["source"] for m in report["milestones"]} == CATALOG
            assert {m["status"] for m in report["milestones"]} == {"same"}
            assert report["undeclared"] == []
