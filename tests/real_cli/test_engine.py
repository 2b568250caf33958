"""The engine we pin (CLI, Python language host, Python SDK) runs a dynamic provider."""

from __future__ import annotations

import subprocess

from tests.real_cli.harness import ROOT, Project, pinned_dir

TRIVIAL = """
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class Echo(ResourceProvider):
    def create(self, props):
        return CreateResult("echo-1", {"said": props["say"], "count": props["count"]})


class Said(Resource):
    said: pulumi.Output[str]

    def __init__(self, name, say, count):
        super().__init__(Echo(), name, {"say": say, "count": count, "said": None})


said = Said("hello", "hello from the pinned engine", 3)
pulumi.export("said", said.said)
"""


def test_the_pinned_combination_runs_a_program_with_a_dynamic_resource(tmp_path, pulumi_cli):
    program = tmp_path / "trivial"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: trivial\nruntime: python\n")
    (program / "__main__.py").write_text(TRIVIAL)
    project = Project(program, pulumi_cli, Project.copy(tmp_path, pulumi_cli).env)
    project.init("dev")
    up = project.up("dev")
    assert up.ops() == {} and up.summary()["create"] == 2  # the stack and the resource
    outputs = project.run("stack", "output", "--json", "--stack", "dev", events=False)
    assert '"hello from the pinned engine"' in outputs.stdout
    again = project.preview("dev", "--expect-no-changes")
    assert again.returncode == 0


def test_the_pinned_cli_reports_its_release(pulumi_cli):
    built = pinned_dir()
    version = subprocess.run(
        [str(pulumi_cli / "pulumi"), "version"], capture_output=True, text=True, timeout=60
    ).stdout.strip()
    if built == pulumi_cli:  # the pinned build: the release build.sh pins
        script = (ROOT / "tools" / "pulumi" / "build.sh").read_text()
        assert f"CLI_VERSION={version}\n" in script
    assert version.startswith("v3.")
