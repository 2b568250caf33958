"""A Pulumi YAML program declaring ``capillary:index:TargetGroup`` through the real CLI, with
the YAML language host built pinned beside the Python one (``tools/pulumi/language-yaml``),
as the README shows it."""

from __future__ import annotations

from pathlib import Path

from tests.real_cli.harness import Project
from tests.real_cli.test_readme import blocks


def test_a_yaml_program_declares_milestones(tmp_path, pulumi_cli, emulator, emulator_env):
    assert (pulumi_cli / "pulumi-language-yaml").exists(), "tools/pulumi/build.sh builds it"
    (program,) = blocks("### In a Pulumi YAML program", "yaml")
    venv_bin = str(Path(tmp_path / "own-project" / "venv" / "bin"))
    files = {"Pulumi.yaml": program.replace("path: venv/bin", f"path: {venv_bin}")}
    project = Project.new(tmp_path, pulumi_cli, files, emulator_env(emulator))
    project.init("dev")
    up = project.up("dev")
    assert up.ops() == {"reviews": "create"}
    assert "warning" not in " ".join(up.diagnostics("warning"))
    assert project.export("dev")["deployment"]["resources"][-1]["outputs"]["name"] == (
        "review-three-products-yaml"
    )
    project.preview("dev", "--expect-no-changes")
    changed = program.replace("- defaultValue: 3", "- defaultValue: 5")
    (project.directory / "Pulumi.yaml").write_text(changed)
    preview = project.preview("dev")
    meta = preview.step_metadata("reviews")[0]
    assert set(meta["detailedDiff"]) == {"targets[0].defaultValues[0].defaultValue"}
