"""The promotion audit without any Pulumi state: ``export --all``, ``diff`` and ``schema``,
against emulators over HTTP (two of them for org against org)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from pulumi_capillary.cli.main import main
from pulumi_capillary.cli.org import SCHEMA_FILE
from pulumi_capillary.declaration.catalog import read_milestone, validate_declaration
from pulumi_capillary.declaration.schema import milestone_schema
from pulumi_capillary.emulator import Credentials, EmulatorServer
from pulumi_capillary.exceptions import DeclarationError
from tests.engine import ROOT
from tests.support import SEED_NOW, seed

SHIPPED = sorted((ROOT / "programs" / "milestones" / "milestones").glob("*.yaml"))


@pytest.fixture
def org(emulator, api, monkeypatch):
    """An org holding the seed's two groups, and the CLI's credentials for it."""
    creds = emulator.credentials
    monkeypatch.setenv("CAPILLARY_USERNAME", creds.username)
    monkeypatch.setenv("CAPILLARY_PASSWORD", creds.password)
    for name in ("be01", "be02"):
        assert api.post("/v3/targetGroups", json=seed(f"{name}.request")).status_code == 200
    return emulator


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _export(capsys, org, directory: Path, *extra: str) -> list[Path]:
    code, out, _ = _cli(
        capsys, "export", "--all", "-o", str(directory), "--base-url", org.url, *extra
    )
    assert code == 0, out
    return sorted(directory.glob("*.yaml"))


def test_export_validate_diff_round_trip(capsys, org, tmp_path):
    files = _export(capsys, org, tmp_path)
    assert [f.name for f in files] == ["uattargetgroupbe01.yaml", "uattargetgroupbe02.yaml"]
    assert files[0].read_text().startswith("# yaml-language-server: $schema=")
    assert _cli(capsys, "validate", str(tmp_path))[0] == 0
    code, out, _ = _cli(capsys, "diff", str(tmp_path), "--base-url", org.url)
    assert code == 0, out
    assert "2 of 2 declared milestone(s) the same in the org; 0 group(s)" in out


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


CASES = {
    "immutable": (
        lambda d: d["periods"][0].update(description="changed"),
        "periods[0].description: p1 → changed  [needs a new milestone]",
    ),
    "editable": (
        lambda d: d["targets"][0].update(default_values=[2, 9]),
        "targets[0].default_values[1]: 3 → 9  [in place (PUT v3/targetGroups/{id}/targets/",
    ),
    "missing": (lambda d: d.update(name="not-in-the-org"), "not-in-the-org: missing in the org"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_of_difference_exits_1_in_text_and_json(capsys, org, tmp_path, case):
    change, words = CASES[case]
    files = _export(capsys, org, tmp_path)
    _edit(files[0], change)
    code, out, _ = _cli(capsys, "diff", str(tmp_path), "--base-url", org.url)
    assert code == 1 and words in out, out
    code, out, _ = _cli(capsys, "diff", str(tmp_path), "--base-url", org.url, "--json")
    report = json.loads(out)
    assert code == 1 and report["exitCode"] == 1
    first = report["milestones"][0]
    if case == "missing":
        assert first["status"] == "missing"
        assert report["undeclared"] == [{"id": 2911, "name": "uatTargetGroupBE01"}]
    else:
        (difference,) = first["differences"]
        assert first["status"] == "differs"
        assert difference["inPlace"] is (case == "editable")


def test_a_group_no_file_declares_exits_1(capsys, org, tmp_path):
    files = _export(capsys, org, tmp_path)
    files[1].unlink()
    code, out, _ = _cli(capsys, "diff", str(tmp_path), "--base-url", org.url)
    assert code == 1
    assert "(no file): uatTargetGroupBE02 (target group 2912): not declared" in out


def test_bad_credentials_exit_2_with_one_sentence(capsys, org, tmp_path, monkeypatch):
    _export(capsys, org, tmp_path)
    monkeypatch.setenv("CAPILLARY_PASSWORD", "wrong")
    code, out, err = _cli(capsys, "diff", str(tmp_path), "--base-url", org.url)
    assert code == 2 and out == ""
    assert err.startswith("capillary-milestones: Capillary rejected the credentials (HTTP 401")
    assert len(err.strip().splitlines()) == 1


def test_an_invalid_file_is_reported_and_the_others_audited(capsys, org, tmp_path):
    _export(capsys, org, tmp_path)
    (tmp_path / "bad.yaml").write_text("name: uatTargetGroupBE02\n")  # breaks the exported one
    (tmp_path / "uattargetgroupbe02.yaml").unlink()
    code, out, _ = _cli(capsys, "diff", str(tmp_path), "--base-url", org.url)
    assert code == 1, out
    lines = out.splitlines()
    assert f"{tmp_path}/bad.yaml: uatTargetGroupBE02: invalid, not audited" in lines
    assert "  periods: is required (got (missing))" in lines
    assert f"{tmp_path}/uattargetgroupbe01.yaml: uatTargetGroupBE01 (target group 2911): same" in (
        lines
    )
    assert "not declared" not in out  # the broken file names that group
    report = json.loads(_cli(capsys, "diff", str(tmp_path), "--base-url", org.url, "--json")[1])
    assert report["summary"]["invalid"] == 1 and report["exitCode"] == 1


def test_org_against_org(capsys, tmp_path, monkeypatch):
    """UAT's groups carry the prefix "uat-"; export them without it, then audit production."""
    uat, prod = Credentials("uat-till", "uat-pw"), Credentials("prod-till", "prod-pw")
    with (
        EmulatorServer(now=SEED_NOW, credentials=uat) as uat_org,
        EmulatorServer(now=SEED_NOW, credentials=prod) as prod_org,
    ):
        import httpx

        from tests.support import basic_header

        for org, creds, prefix in ((uat_org, uat, "uat-"), (prod_org, prod, "")):
            headers = {"Authorization": basic_header(creds.username, creds.password)}
            for name in ("be01", "be02"):
                body = dict(seed(f"{name}.request"))
                body["name"] = prefix + body["name"]
                httpx.post(
                    org.url + "/v3/targetGroups", json=body, headers=headers
                ).raise_for_status()
        monkeypatch.setenv("CAPILLARY_USERNAME", uat.username)
        monkeypatch.setenv("CAPILLARY_PASSWORD", uat.password)
        _export(capsys, uat_org, tmp_path, "--strip-prefix", "uat-")
        monkeypatch.setenv("CAPILLARY_USERNAME", prod.username)
        monkeypatch.setenv("CAPILLARY_PASSWORD", prod.password)
        code, out, _ = _cli(capsys, "diff", str(tmp_path), "--base-url", prod_org.url)
    assert code == 0, out


# -- the schema --------------------------------------------------------------------------------


def test_the_committed_schema_is_the_commands_output(capsys):
    code, out, _ = _cli(capsys, "schema")
    assert code == 0
    assert json.loads(out) == json.loads((ROOT / SCHEMA_FILE).read_text())
    assert json.loads(out) == milestone_schema()


def test_every_shipped_file_points_at_the_schema():
    for path in SHIPPED:
        assert path.read_text().startswith("# yaml-language-server: $schema=../milestone.schema")


def _schema_accepts(data: dict) -> bool:
    validator = jsonschema.Draft202012Validator(milestone_schema())
    return not list(validator.iter_errors(data))


def _validate_accepts(data: dict) -> bool:
    try:
        validate_declaration(data)
    except DeclarationError:
        return False
    return True


def test_the_schema_accepts_every_shipped_and_exported_file(capsys, org, tmp_path):
    for path in [*SHIPPED, *_export(capsys, org, tmp_path)]:
        assert _schema_accepts(read_milestone(path)), path


MALFORMED = {
    "unknown key": lambda d: d.update(trackingTyp="DEFAULT"),
    "unknown nested key": lambda d: d["targets"][0].update(expresion="true"),
    "name as a list": lambda d: d.update(name=["x"]),
    "missing periods": lambda d: d.pop("periods"),
    "missing target name": lambda d: d["targets"][0].pop("name"),
    "active as text": lambda d: d.update(active="yes please"),
    "value as a list": lambda d: d["targets"][0].update(default_values=[[3]]),
    "options misspelt": lambda d: d.update(deletion_polcy="delete"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_the_schema_refuses_malformed_files_as_validate_does(case):
    data = read_milestone(SHIPPED[0])
    assert _schema_accepts(data) and _validate_accepts(data)
    MALFORMED[case](data)
    assert not _schema_accepts(data)
    assert not _validate_accepts(data)
