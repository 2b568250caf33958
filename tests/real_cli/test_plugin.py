"""What only the resource provider ``capillary`` can do, through the real CLI: a field-level
preview, ``pulumi import`` (one group, or an org), explicit providers per org, a stack moved
from the dynamic provider and back, its schema, and a user's own project. (Everything both
providers do runs on both: the ``project`` fixture gives each scenario to each.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from pulumi_capillary.emulator import Credentials, EmulatorServer
from tests.real_cli.harness import PLUGIN_TYPE, TYPE, Project
from tests.real_cli.test_catalog import CATALOG, groups, writes
from tests.support import SEED_NOW, basic_header, seed

COMMAND = str(Path(sys.executable).parent / "capillary-milestones")


def _plugin(tmp_path: Path, pulumi_cli: Path, env: dict[str, str]) -> Project:
    return Project.copy(tmp_path, pulumi_cli, env, engine="plugin")


def _milestones(project: Project, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [COMMAND, *args],
        cwd=project.directory,
        env={**project.env, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _two_periods(project: Project) -> None:
    """A data file of two periods, whose second value a test changes (3 → 5)."""
    from pulumi_capillary import TargetGroupArgs
    from pulumi_capillary.declaration.names import to_python_names

    data = to_python_names(TargetGroupArgs.from_body(seed("be01.request")).validate())
    data["name"] = "two-periods"
    (project.data_dir / "two-periods.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_preview_shows_each_changed_field(tmp_path, pulumi_cli, emulator, emulator_env):
    project = _plugin(tmp_path, pulumi_cli, emulator_env(emulator))
    _two_periods(project)
    project.init("dev")
    project.up("dev")
    path = project.data_dir / "two-periods.yaml"
    data = yaml.safe_load(path.read_text())
    data["targets"][0]["default_values"] = [2, 5]
    data["name"] = "two-periods-renamed"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    shown = project.preview("dev", "--diff")
    assert shown.ops()["two-periods"] == "update"
    meta = shown.step_metadata("two-periods")[0]
    assert meta["detailedDiff"] == {
        "name": {"diffKind": "update", "inputDiff": True},
        "targets[0].defaultValues[1].defaultValue": {"diffKind": "update", "inputDiff": True},
    }
    lines = [" ".join(line.split()) for line in shown.stdout.splitlines() if "=>" in line]
    assert '~ name: "two-periods" => "two-periods-renamed"' in lines
    assert "~ defaultValue: 3 => 5" in lines
    assert len(lines) == 3, lines  # and the stack output's name: nothing else
    as_json = project.run("preview", "--stack", "dev", "--json", events=False)
    steps = {s["urn"].rsplit("::", 1)[-1]: s for s in json.loads(as_json.stdout)["steps"]}
    assert set(steps["two-periods"]["detailedDiff"]) == {
        "name",
        "targets[0].defaultValues[1].defaultValue",
    }


def test_pulumi_import_adopts_a_group_and_its_code_plans_nothing(
    tmp_path, pulumi_cli, emulator, emulator_env, api
):
    project = _plugin(tmp_path, pulumi_cli, emulator_env(emulator))
    project.init("dev")
    project.up("dev")
    existing = api.post("/v3/targetGroups", json=seed("be01.request")).json()["data"]
    code = tmp_path / "imported.py"
    before = len(writes(emulator_control(emulator)))
    imported = project.run(
        "import",
        PLUGIN_TYPE,
        "imported",
        str(existing["id"]),
        "--stack",
        "dev",
        "--yes",
        "--out",
        str(code),
    )
    assert imported.ops() == {**dict.fromkeys(CATALOG, "same"), "imported": "import"}
    assert len(writes(emulator_control(emulator))) == before  # reads only
    generated = code.read_text()
    assert "import pulumi_capillary.plugin as capillary" in generated
    program = project.directory / "programs" / "milestones" / "__main__.py"
    program.write_text(program.read_text() + "\n" + generated)  # the code Pulumi wrote
    project.preview("dev", "--expect-no-changes")
    gone = project.run(
        "import", PLUGIN_TYPE, "gone", "424242", "--stack", "dev", "--yes", check=False
    )
    assert gone.returncode != 0 and "does not exist" in gone.output


def emulator_control(emulator):
    import httpx

    return httpx.Client(base_url=emulator.url + "/__emulator__", timeout=10)


def test_export_then_import_adopts_an_org_of_200_groups(
    tmp_path, pulumi_cli, emulator, emulator_env, api
):
    project = _plugin(tmp_path, pulumi_cli, emulator_env(emulator))
    project.timeout = 600
    for i in range(200):
        body = {**seed("be01.request"), "name": f"bulk-{i:03}", "preferredTillId": 75155297}
        assert api.post("/v3/targetGroups", json=body).status_code == 200
    for path in project.data_dir.glob("*.yaml"):
        path.unlink()  # the org's groups are the catalog now
    project.init("dev")
    import_file = tmp_path / "import.json"
    export = _milestones(
        project,
        "export",
        "--all",
        "--stack",
        "dev",
        "-o",
        str(project.data_dir),
        "--import-file",
        str(import_file),
    )
    assert export.returncode == 0, export.stderr
    listed = json.loads(import_file.read_text())["resources"]
    assert len(listed) == 200 and listed[0] == {
        "type": PLUGIN_TYPE,
        "name": "bulk-000",
        "id": str(min(g["id"] for g in groups(api))),
    }
    before = len(writes(emulator_control(emulator)))
    project.run(
        "import",
        "--file",
        str(import_file),
        "--stack",
        "dev",
        "--yes",
        "--protect=false",
        "--generate-code=false",
    )
    assert len(writes(emulator_control(emulator))) == before
    preview = project.preview("dev")
    ops = preview.ops()
    assert ops.pop("monthly-store-check-ins") == "create"  # the program's Python milestone
    assert len(ops) == 200 and set(ops.values()) == {"same"}
    again = _milestones(
        project,
        "export",
        "--all",
        "--stack",
        "dev",
        "-o",
        str(tmp_path / "again"),
        "--import-file",
        str(tmp_path / "again.json"),
    )
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "again.json").read_text())["resources"] == []
    assert again.stderr.count("manages it already") == 200  # never two stacks for one group


def test_explicit_providers_manage_two_orgs_from_one_program(tmp_path, pulumi_cli, emulator_env):
    eu, us = Credentials("eu-till", "eu-pw"), Credentials("us-till", "us-pw")
    with (
        EmulatorServer(now=SEED_NOW, credentials=eu) as eu_org,
        EmulatorServer(now=SEED_NOW, credentials=us) as us_org,
    ):
        env = {k: "" for k in emulator_env(eu_org) if k.startswith("CAPILLARY_")}
        project = _plugin(tmp_path, pulumi_cli, env)
        program = project.directory / "programs" / "milestones" / "__main__.py"
        body = repr(json.dumps({**seed("be01.request"), "name": "reviews-everywhere"}))
        program.write_text(PROVIDERS_PROGRAM.format(eu=eu_org.url, us=us_org.url, body=body))
        project.init("dev")
        project.set_secret("dev", "euPassword", "eu-pw")
        project.set_secret("dev", "usPassword", "us-pw")
        project.up("dev")
        for org, creds in ((eu_org, eu), (us_org, us)):
            listed = _org(org, creds)
            assert [g["name"] for g in listed] == ["reviews-everywhere"]
        project.preview("dev", "--expect-no-changes")
        program.write_text(program.read_text().replace(us_org.url, eu_org.url + "/"))
        moved = project.preview("dev", check=False)
        assert moved.returncode != 0
        assert "This provider's org changed" in moved.output
        assert "put baseUrl back" in moved.output and "Traceback" not in moved.output


PROVIDERS_PROGRAM = """
import json

import pulumi
import pulumi_capillary.plugin as capillary
from pulumi_capillary import TargetGroupArgs

body = json.loads({body})

config = pulumi.Config()
eu = capillary.Provider("eu", base_url="{eu}", username="eu-till",
                        password=config.require_secret("euPassword"))
us = capillary.Provider("us", capillary.ProviderArgs(base_url="{us}", username="us-till",
                        password=config.require_secret("usPassword")))
for org, provider in (("eu", eu), ("us", us)):
    capillary.TargetGroup(f"reviews-{{org}}", TargetGroupArgs.from_body(body),
                          opts=pulumi.ResourceOptions(provider=provider))
"""


def _org(org: EmulatorServer, creds: Credentials) -> list[dict]:
    import httpx

    headers = {"Authorization": basic_header(creds.username, creds.password)}
    return httpx.get(org.url + "/v3/targetGroups", headers=headers).json()["data"]


def test_a_stack_moves_to_the_resource_provider_and_back_without_a_write(
    tmp_path, pulumi_cli, emulator, emulator_env
):
    project = Project.copy(tmp_path, pulumi_cli, emulator_env(emulator), engine="dynamic")
    project.init("dev")
    project.up("dev")
    control = emulator_control(emulator)
    before = len(writes(control))

    def engine(kind: str) -> None:
        project.run(
            "config", "set", "--stack", "dev", "capillary-milestones:engine", kind, events=False
        )

    engine("plugin")
    moved = project.preview("dev")
    assert set(moved.ops().values()) == {"same"}  # nothing created, deleted or replaced
    project.up("dev")
    assert {r["type"] for r in project.resources("dev").values()} == {PLUGIN_TYPE}
    project.preview("dev", "--expect-no-changes")
    project.refresh("dev", "--expect-no-changes")

    engine("dynamic")  # and back: each milestone records the dynamic provider, no API call
    back = project.up("dev")
    assert set(back.ops().values()) == {"update"}
    assert {r["type"] for r in project.resources("dev").values()} == {TYPE}
    project.preview("dev", "--expect-no-changes")
    project.refresh("dev", "--expect-no-changes")
    assert writes(control)[before:] == []


def test_the_schema_comes_from_the_plugin_the_project_names(
    tmp_path, pulumi_cli, emulator_env, emulator
):
    project = _plugin(tmp_path, pulumi_cli, emulator_env(emulator))
    shown = project.run(
        "package",
        "get-schema",
        str(project.directory / ".venv" / "bin" / "pulumi-resource-capillary"),
        events=False,
    )
    schema = json.loads(shown.stdout)
    assert schema["name"] == "capillary" and PLUGIN_TYPE in schema["resources"]
