"""``capillary-milestones`` speaks to its own user: its options in its errors, one JSON
document with ``--json``, a fast failure when nothing answers, files it can trust."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from tests.engine import ROOT
from tests.support import seed
from tests.test_cli import _run

CATALOG = ROOT / "programs" / "milestones" / "milestones"


def _env(emulator) -> dict[str, str]:
    creds = emulator.credentials
    return {"CAPILLARY_USERNAME": creds.username, "CAPILLARY_PASSWORD": creds.password}


def test_every_command_says_what_it_does_and_both_have_a_version():
    for command in ("validate", "diff", "export", "list", "recover", "schema"):
        shown = _run(command, "--help").stdout
        summary = shown.split("\n\n")[1]  # the description, after the usage
        assert len(summary) > 30, (command, shown)
    version = _run("--version")
    assert version.returncode == 0 and version.stdout.startswith("capillary-milestones 0.")


def test_a_refused_connection_stops_at_once_naming_the_url():
    started = time.monotonic()
    result = _run(
        "list",
        "--base-url",
        "http://127.0.0.1:9",
        env={"CAPILLARY_USERNAME": "u", "CAPILLARY_PASSWORD": "p"},
    )
    assert time.monotonic() - started < 20
    assert result.returncode == 2
    assert "Nothing answers at http://127.0.0.1:9" in result.stderr
    assert "check --region/--base-url" in result.stderr
    assert "capillary:" not in result.stderr.split("check", 1)[1]


def test_json_is_one_document_errors_included(emulator, api):
    api.post("/v3/targetGroups", json=seed("be01.request"))
    listed = _run("list", "--json", "--base-url", emulator.url, env=_env(emulator))
    document = json.loads(listed.stdout)
    assert document["count"] == 1 and isinstance(document["groups"][0]["id"], int)
    failed = _run("diff", str(CATALOG), "--json", "--base-url", emulator.url)  # no credentials
    assert failed.returncode == 2
    error = json.loads(failed.stdout)  # exactly one document, on stdout
    assert error["exitCode"] == 2 and "no credentials" in error["error"]


def test_list_has_a_header(emulator, api):
    api.post("/v3/targetGroups", json=seed("be01.request"))
    lines = _run("list", "--base-url", emulator.url, env=_env(emulator)).stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "PERIODS", "TARGETS"]


def test_an_encrypted_value_in_a_stack_file_is_named(tmp_path):
    """Read through `pulumi config --show-secrets` (tests/real_cli/test_cli_stacks.py); here
    no Pulumi CLI is on PATH, and the message names the variable that does instead."""
    (tmp_path / "Pulumi.uat.yaml").write_text(
        "config:\n  capillary:region: eu\n  capillary:username: till\n"
        "  capillary:password:\n    secure: v1:abc:def\n"
    )
    result = _run("list", "--stack", "uat", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "capillary-milestones: Pulumi.uat.yaml holds capillary:password encrypted (secure:), "
        "which only the Pulumi CLI can decrypt, and it could not: the Pulumi CLI is not on "
        "PATH. Set CAPILLARY_PASSWORD in the environment, or run where the Pulumi CLI, the "
        "stack's backend and its passphrase are set."
    )


def test_export_refuses_what_it_would_ignore_and_makes_its_folder(emulator, api, tmp_path):
    group = api.post("/v3/targetGroups", json=seed("be01.request")).json()["data"]
    both = _run("export", "--all", "--id", str(group["id"]), "-o", str(tmp_path))
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    adopt = _run(
        "export",
        "--all",
        "--adopt",
        "-o",
        str(tmp_path),
        "--base-url",
        emulator.url,
        env=_env(emulator),
    )
    assert adopt.returncode == 2 and "--adopt adopts one group" in adopt.stderr
    target = tmp_path / "new" / "folder" / "be01.yaml"
    one = _run(
        "export",
        "--id",
        str(group["id"]),
        "-o",
        str(target),
        "--base-url",
        emulator.url,
        env=_env(emulator),
    )
    assert one.returncode == 0, one.stderr
    text = target.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    data = yaml.safe_load(text)
    keys = list(data)
    assert keys.index("name") < keys.index("periods") < keys.index("targets")  # schema order
    assert "active" not in data and "filters" not in data["targets"][0]  # defaults left out


def test_validate_refuses_a_name_in_two_files_and_a_key_given_twice(tmp_path):
    good = (CATALOG / "product-reviews.yaml").read_text()
    (tmp_path / "a.yaml").write_text(good)
    (tmp_path / "b.yaml").write_text(good)
    (tmp_path / "c.yaml").write_text(good + "name: again\n")
    result = _run("validate", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        f"{tmp_path}/a.yaml: name: is also the name of the milestone in {tmp_path}/b.yaml; "
        "names are unique in an org (got 'three-product-reviews-a-quarter')" in lines
    )
    assert any(f"{tmp_path}/b.yaml: name: is also the name of the milestone in" in x for x in lines)
    assert any(
        x.startswith(f"{tmp_path}/c.yaml: is not valid YAML at line")
        and "(the key 'name' appears twice); fix the file" in x
        for x in lines
    )
    assert "3 problem(s) in 3 of 3 file(s)" in result.stderr


def test_validate_without_the_catalog_folder_fails_loudly(tmp_path):
    (tmp_path / "stray.yaml").write_text("name: not a milestone\n")
    result = _run("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "capillary-milestones: there is no programs/milestones/milestones here; run from the "
        "project's root, or name the milestone files or folders."
    )


def test_the_yaml_loaders_read_the_catalog_alike():
    """libyaml's loader where PyYAML has it, the pure-Python one otherwise: the same data."""
    from pulumi_capillary.declaration.catalog import load_yaml, unique_keys

    pure = unique_keys(yaml.SafeLoader)
    for path in sorted(CATALOG.glob("*.yaml")):
        text = path.read_text()
        assert load_yaml(text) == load_yaml(text, pure) == yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError, match="appears twice"):
        load_yaml("a: 1\na: 2\n", pure)


def test_an_adopted_group_is_matched_by_its_id():
    from pulumi_capillary.cli.audit import Declared, audit
    from tests.support import canonical

    body = canonical("be01.request")
    group = {**seed("be01.response")["data"], "name": "renamed-in-the-ui"}
    groups = [group]
    report = audit(
        {"x": Declared(body, adopt_id=group["id"])}, groups, lambda g: {x["id"]: x for x in g}, ""
    )
    (milestone,) = report.milestones
    assert milestone.group_id == group["id"] and milestone.status == "differs"
    assert [d.path for d in milestone.differences] == ["name"]
    assert report.undeclared == []


def test_the_json_report_has_one_key_style():
    from pulumi_capillary.cli.audit import Audit, FieldAudit, MilestoneAudit

    report = Audit(
        [MilestoneAudit("f", "n", "differs", 7, [FieldAudit("name", "a", "b", True)])], []
    )
    document = json.loads(report.to_json())
    assert set(document["milestones"][0]) == {
        "source",
        "name",
        "status",
        "groupId",
        "differences",
        "problems",
    }
    assert set(document["milestones"][0]["differences"][0]) == {
        "path",
        "org",
        "declared",
        "inPlace",
        "call",
    }
    markdown = report.to_markdown("Milestones of stack prod-eu in the org")
    assert markdown.startswith("### Milestones of stack prod-eu in the org\n\n```text\n")
    assert markdown.endswith("```\n")


def test_a_group_two_stacks_declare_is_reported():
    """Two stacks declaring one name in one org would both manage its group."""
    from pulumi_capillary.cli.audit import Declared, audit
    from tests.support import canonical

    body = canonical("be01.request")
    group = {**seed("be01.response")["data"]}
    report = audit(
        {"dev:steps": Declared(body), "qa:steps": Declared(body)},
        [group],
        lambda groups: {g["id"]: g for g in groups},
    )
    assert report.shared == [
        {"id": group["id"], "name": group["name"], "sources": ["dev:steps", "qa:steps"]}
    ]
    assert report.exit_code == 1
    assert "is declared 2 times (dev:steps, qa:steps)" in report.to_text()
    assert json.loads(report.to_json())["shared"][0]["sources"] == ["dev:steps", "qa:steps"]


def test_validate_suggests_the_data_files_spelling_of_a_camel_case_key(tmp_path):
    data = yaml.safe_load((CATALOG / "product-reviews.yaml").read_text())
    data["onImmutableChange"] = "replace"
    (tmp_path / "x.yaml").write_text(yaml.safe_dump(data))
    result = _run("validate", str(tmp_path))
    assert result.returncode == 1
    assert (
        f"{tmp_path}/x.yaml: onImmutableChange: is not a known field; did you mean "
        "'on_immutable_change'? (got 'replace')"
    ) in result.stdout.splitlines()


def test_a_tls_mismatch_is_named_as_such(emulator):
    https = emulator.url.replace("http://", "https://")
    result = _run("list", "--base-url", https, env=_env(emulator))
    assert result.returncode == 2
    assert "does not answer in TLS" in result.stderr and "use http://" in result.stderr
    assert "Nothing answers" not in result.stderr


def test_the_dev_stack_knows_the_emulator_make_up_runs(emulator, api, tmp_path):
    import os
    from urllib.parse import urlsplit

    api.post("/v3/targetGroups", json=seed("be01.request"))
    (tmp_path / "Pulumi.dev.yaml").write_text((ROOT / "Pulumi.dev.yaml").read_text())
    state = tmp_path / ".emulator"
    state.mkdir()
    (state / "pid").write_text(str(os.getpid()))  # alive, as make up's emulator would be
    (state / "port").write_text(str(urlsplit(emulator.url).port))
    creds = emulator.credentials
    if (creds.username, creds.password) == ("emulator.till", "emulator-password"):
        listed = _run("list", "--stack", "dev", cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        assert "uatTargetGroupBE01" in listed.stdout
    (state / "pid").write_text("999999999")  # not alive: not trusted
    gone = _run("list", "--stack", "dev", cwd=tmp_path)
    assert gone.returncode == 2 and "--region" in gone.stderr


def test_export_adopt_warns_that_the_id_belongs_to_one_org(emulator, api, tmp_path):
    group = api.post("/v3/targetGroups", json=seed("be01.request")).json()["data"]
    out = tmp_path / "reviews.yaml"
    result = _run(
        "export",
        "--id",
        str(group["id"]),
        "--adopt",
        "-o",
        str(out),
        "--base-url",
        emulator.url,
        env=_env(emulator),
    )
    assert result.returncode == 0, result.stderr
    assert f"adopt_existing_id {group['id']} names a group of this org only" in result.stderr
    assert (
        "pulumi config set --path 'capillary-milestones:adoptExistingIds[\"reviews\"]' "
        f"{group['id']}"
    ) in result.stderr
