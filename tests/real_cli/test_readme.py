"""The README's programs, pasted into projects of a user's own, run against an emulator as it
says: the dynamic provider's, and the resource provider's with the Pulumi.yaml lines it shows
(nothing downloaded). A README promise about output is checked where it is made."""

from __future__ import annotations

import re

from tests.real_cli.harness import ROOT, Project

README = (ROOT / "README.md").read_text()


def blocks(heading: str, language: str) -> list[str]:
    """The fenced blocks of ``language`` in the README section under ``heading``."""
    section = README.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def test_the_programs_snippet_runs_as_pasted(tmp_path, pulumi_cli, emulator, emulator_env):
    (program,) = blocks("## Milestones in a Pulumi program", "python")
    files = {
        "Pulumi.yaml": "name: my-milestones\nruntime:\n  name: python\n  options:\n"
        "    virtualenv: venv\n",
        "__main__.py": program,
    }
    project = Project.new(tmp_path, pulumi_cli, files, emulator_env(emulator))
    project.init("dev")
    up = project.up("dev")
    assert up.ops() == {"steps": "create"}
    project.preview("dev", "--expect-no-changes")


def test_the_resource_providers_snippet_runs_as_pasted(
    tmp_path, pulumi_cli, emulator, emulator_env
):
    section = "### On the resource provider `capillary`"
    (project_file,) = blocks(section, "yaml")
    program = blocks(section, "python")[0]
    files = {"Pulumi.yaml": project_file, "__main__.py": program}
    project = Project.new(tmp_path, pulumi_cli, files, emulator_env(emulator))
    assert project.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] == "true"
    project.init("dev")
    up = project.up("dev")
    assert up.ops() == {"reviews": "create"}
    meta = up.step_metadata("reviews")[0]
    assert meta["type"] == "capillary:index:TargetGroup"
    project.preview("dev", "--expect-no-changes")
