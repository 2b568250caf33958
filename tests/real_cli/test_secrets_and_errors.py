"""What the user reads through the real CLI: no secret anywhere, and our sentence, not a
traceback, for every failure we expect."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from pulumi_capillary.emulator import Credentials, EmulatorServer
from tests.real_cli.test_catalog import writes
from tests.support import SEED_NOW, basic_header

PASSWORD = "Otter-Glacier-4419-password"


def _files(*roots: Path) -> str:
    text = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                text.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(text)


def test_a_secret_password_appears_nowhere(tmp_path, pulumi_cli, emulator_env, engine_kind):
    """On either provider: the resource provider also keeps the default provider's
    configuration in the state, the password among it, encrypted as a secret."""
    from tests.real_cli.harness import Project

    creds = Credentials("secret.test.till", PASSWORD)
    with EmulatorServer(now=SEED_NOW, credentials=creds) as org:
        env = {**emulator_env(org), "CAPILLARY_PASSWORD": "", "TMPDIR": str(tmp_path / "tmp")}
        (tmp_path / "tmp").mkdir()
        project = Project.copy(tmp_path, pulumi_cli, env, engine=engine_kind)
        project.init("dev", {"capillary:username": creds.username})
        project.set_secret("dev", "capillary:password", PASSWORD)
        runs = [project.up("dev", "-v=9", "--logtostderr=false"), project.refresh("dev")]
        runs.append(project.preview("dev", "--expect-no-changes"))
        exported = project.run("stack", "export", "--stack", "dev", events=False).stdout
        config = (project.directory / "Pulumi.dev.yaml").read_text()
    assert "secure:" in config  # stored encrypted, as `config set --secret` does
    digest = hashlib.md5(PASSWORD.encode()).hexdigest()
    needles = {
        "password": PASSWORD,
        "md5": digest,
        "basic header": basic_header(creds.username, PASSWORD).split()[1],
        "basic header decoded": base64.b64decode(
            basic_header(creds.username, PASSWORD).split()[1]
        ).decode(),
    }
    haystacks = {
        "CLI output": "\n".join(r.output for r in runs),
        "event log": "\n".join(str(r.events) for r in runs),
        "CLI logs and temporary files": _files(tmp_path / "tmp", tmp_path / "pulumi-home"),
        "stack export": exported,
        "state backend": _files(tmp_path / "state"),
    }
    assert len(haystacks["CLI logs and temporary files"]) > 1000  # the -v=9 logs were written
    for where, text in haystacks.items():
        for what, needle in needles.items():
            assert needle not in text, f"the {what} appears in the {where}"


def _no_traceback(run) -> None:
    assert "Traceback" not in run.output and 'File "' not in run.output, run.output


@pytest.mark.parametrize(
    ("fault", "sentence"),
    [
        ("phase-out", "Capillary no longer creates milestones through the target-group API"),
        ("name-taken", "already exists in this org"),
        ("credentials", r"Capillary rejected the credentials \(HTTP 401"),
        ("unavailable", r"(until|within) the call's .*deadline; run again later"),
    ],
)
def test_expected_failures_read_as_one_sentence(project, api, control, fault, sentence):
    project.init("dev")
    env: dict[str, str] = {}
    if fault == "phase-out":
        control.put("/phase-out", json={"creationDisabled": True, "status": 410})
    elif fault == "name-taken":
        from tests.support import seed

        api.post("/v3/targetGroups", json={**seed("be01.request"), "name": "steps-5000-in-2-days"})
    elif fault == "credentials":
        env["CAPILLARY_PASSWORD"] = "not-the-password"
    else:
        control.put("/faults", json={"rate": 1.0, "kinds": ["503"]})
        env["CAPILLARY_RETRY_DEADLINE_SECONDS"] = "1"
    up = project.up("dev", env=env, check=False)
    assert up.returncode != 0
    _no_traceback(up)
    errors = [m for m in up.diagnostics("error") if re.search(sentence, m)]
    assert errors, up.output
    assert f"error: {errors[0].strip()}" in up.output  # shown to the user as it is


def test_an_edit_of_a_group_that_no_longer_reads_back_fails_in_one_sentence(project, api, control):
    import yaml

    project.init("dev")
    project.up("dev")
    group = next(
        g for g in api.get("/v3/targetGroups").json()["data"] if g["name"] == "steps-5000-in-2-days"
    )
    api.delete(f"/v3/targetGroups/{group['id']}")
    path = project.data_dir / "steps-5000-in-2-days.yaml"
    data = yaml.safe_load(path.read_text())
    data["targets"][0]["default_values"] = [6000]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    up = project.up("dev", check=False)
    assert up.returncode != 0
    _no_traceback(up)
    errors = [m for m in up.diagnostics("error") if f"Target group {group['id']}" in m]
    assert errors, up.output
    assert (
        "no longer exists in Capillary (it was deleted or deactivated), so it cannot be "
        "edited; run `pulumi refresh` to drop it from the stack" in errors[0]
    )
    assert not [w for w in writes(control) if w[0] == "PUT"]  # refused before any write
