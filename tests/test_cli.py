"""``capillary-milestones``: validate, export, list — as a user or a CI job runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from pulumi_capillary import TargetGroupProvider
from pulumi_capillary.declaration.names import from_python_names
from tests.engine import ROOT
from tests.support import seed

COMMAND = str(Path(sys.executable).parent / "capillary-milestones")


def _run(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    environment = {"PATH": "/usr/bin:/bin", **(env or {})}
    return subprocess.run(
        [COMMAND, *args], capture_output=True, text=True, timeout=60, env=environment, cwd=cwd
    )


def test_help():
    result = _run("--help")
    assert result.returncode == 0
    assert "validate" in result.stdout and "export" in result.stdout


def test_validate_the_catalog():
    result = _run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "3 milestone file(s) valid."


def test_validate_reports_every_problem(tmp_path):
    good = yaml.safe_load(
        (ROOT / "programs/milestones/milestones/product-reviews.yaml").read_text()
    )
    bad = dict(
        good, tracking_type="WEEKLY", targets=[dict(good["targets"][0], default_values=["many"])]
    )
    bad["periods"] = [dict(good["periods"][0], start_dat="2027-01-01")]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad))
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(good))
    result = _run("validate", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        f"{tmp_path}/bad.yaml: periods[0].start_dat: is not a known field; "
        "did you mean 'start_date'? (got '2027-01-01')" in lines
    )
    assert any(  # a sentence, with the parser's reason
        line.startswith(f"{tmp_path}/broken.yaml: is not valid YAML at line 2, column 1 (")
        and line.endswith("); fix the file")
        for line in lines
    ), lines
    assert "Traceback" not in result.stderr
    assert "4 problem(s) in 2 of 3 file(s)" in result.stderr
    del bad["periods"]
    bad["periods"] = good["periods"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad))
    result = _run("validate", str(tmp_path / "bad.yaml"))
    # validated once, by the model; paths as the file spells them
    assert f"{tmp_path}/bad.yaml: tracking_type: Input should be 'DEFAULT'" in result.stdout
    assert "targets[0].default_values[0]: must be a number" in result.stdout


def _env(emulator) -> dict:
    creds = emulator.credentials
    return {"CAPILLARY_USERNAME": creds.username, "CAPILLARY_PASSWORD": creds.password}


def test_export_then_adopt_produces_no_changes(emulator, api, tmp_path, monkeypatch):
    created = api.post("/v3/targetGroups", json=seed("be02.request")).json()["data"]
    out = tmp_path / "exported.yaml"
    result = _run(
        "export",
        "--id",
        str(created["id"]),
        "--base-url",
        emulator.url,
        "--output",
        str(out),
        "--adopt",
        env=_env(emulator),
    )
    assert result.returncode == 0, result.stderr
    assert _run("validate", str(out)).returncode == 0
    declaration = yaml.safe_load(out.read_text())
    assert declaration["adopt_existing_id"] == created["id"]
    assert declaration["targets"][0]["default_values"] == [2, 3]
    provider = TargetGroupProvider()
    checked = provider.check({}, from_python_names(declaration))
    assert not checked.failures
    import os

    os.environ.update(CAPILLARY_BASE_URL=emulator.url, **_env(emulator))
    try:
        adopted = TargetGroupProvider()
        made = adopted.create(checked.inputs)
        assert made.id == str(created["id"])
        outs = {**made.outs, "__provider": "pickled"}  # as the SDK server adds it
        assert adopted.diff(made.id, outs, checked.inputs).changes is False
    finally:
        for key in ("CAPILLARY_BASE_URL", "CAPILLARY_USERNAME", "CAPILLARY_PASSWORD"):
            os.environ.pop(key)


def test_list(emulator, api):
    api.post("/v3/targetGroups", json=seed("be01.request"))
    result = _run("list", "--base-url", emulator.url, env=_env(emulator))
    assert result.returncode == 0
    assert "uatTargetGroupBE01" in result.stdout and "1 target group(s)." in result.stdout


def test_expected_errors_have_no_traceback(emulator):
    result = _run("export", "--id", "1", "--base-url", emulator.url)
    assert result.returncode == 2  # the command could not run
    assert result.stderr.startswith(
        "capillary-milestones: The connection to Capillary is not configured: no credentials: "
        "set CAPILLARY_USERNAME"
    )
    assert "pulumi config set" not in result.stderr  # the CLI names its own ways
    result = _run("export", "--id", "999", "--base-url", emulator.url, env=_env(emulator))
    assert result.returncode == 2 and "not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_policy_config_without_a_pack_is_refused_before_any_preview(tmp_path):
    plan = tmp_path / "plan.json"
    result = _run(
        "review", "--stack", "prod-eu", "--plan-file", str(plan), "--policy-pack-config", "c.json"
    )
    assert result.returncode == 2 and not plan.exists()
    assert result.stderr.strip().endswith(
        "--policy-pack-config configures a pack: give --policy-pack too."
    )
