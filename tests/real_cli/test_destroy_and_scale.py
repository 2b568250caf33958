"""``pulumi destroy`` under both deletion policies, 50 milestones at the engine's default
parallelism, and a program of more milestones than the SDK's pickler allowed, through the
real CLI."""

from __future__ import annotations

import shutil

import yaml

from tests.real_cli.test_catalog import CATALOG, NAMES, groups, writes


def _data_files(project, count: int) -> None:
    """The catalog replaced by ``count`` copies of one data file, each its own milestone."""
    template = yaml.safe_load((project.data_dir / "steps-5000-in-2-days.yaml").read_text())
    shutil.rmtree(project.data_dir)
    project.data_dir.mkdir()
    for i in range(count):
        (project.data_dir / f"steps-{i:03}.yaml").write_text(
            yaml.safe_dump({**template, "name": f"steps-{i:03}"}, sort_keys=False)
        )


def test_destroy_under_abandon_leaves_every_group_and_names_each(project, api, control):
    project.init("dev", {"capillary:deletionPolicy": "abandon"})
    project.up("dev")
    before = len(writes(control))
    destroy = project.destroy("dev")
    assert destroy.ops() == dict.fromkeys(CATALOG, "delete")
    # the dynamic provider's warnings are its stderr, which reaches the CLI in chunks (one
    # diagnostic may carry two lines); the resource provider's are the engine's warnings
    shown = "".join(destroy.shown())
    assert shown.count("is no longer managed by this stack") == len(NAMES), shown
    for name in NAMES:
        assert f"({name!r}) is no longer managed by this stack and keeps running" in shown
    assert "set deletionPolicy" not in shown  # no advice that cannot help after a destroy
    assert writes(control)[before:] == []
    assert sorted(g["name"] for g in groups(api)) == sorted(NAMES)
    assert project.resources("dev") == {}


def test_destroy_under_delete_deletes_each_group(project, api, control):
    project.init("dev")  # Pulumi.dev.yaml: deletionPolicy delete
    project.up("dev")
    ids = {str(g["id"]) for g in groups(api)}
    before = len(writes(control))
    project.destroy("dev")
    assert sorted(writes(control)[before:]) == sorted(
        ("DELETE", f"/v3/targetGroups/{i}") for i in ids
    )
    assert groups(api) == []


def test_fifty_milestones_at_default_parallelism_make_exactly_fifty_groups(project, api, control):
    """49 data files and the program's Python milestone."""
    _data_files(project, 49)
    project.init("dev")
    up = project.up("dev")
    assert list(up.ops().values()).count("create") == 50
    assert len(groups(api)) == 50
    assert len({g["name"] for g in groups(api)}) == 50
    assert writes(control).count(("POST", "/v3/targetGroups")) == 50
    project.preview("dev", "--expect-no-changes")


def test_a_program_of_more_milestones_than_the_sdks_pickler_allowed_previews(project):
    """The SDK wraps its pickler once more for every dynamic resource, so a program of about
    960 milestones failed with RecursionError. The program's recursion limit is lowered to 200
    here, where the unfixed SDK fails at about 170, so 300 milestones show it in seconds."""
    _data_files(project, 300)
    program = project.directory / "programs" / "milestones" / "__main__.py"
    program.write_text("import sys\nsys.setrecursionlimit(200)\n" + program.read_text())
    project.init("dev")
    preview = project.preview("dev")
    assert list(preview.ops().values()).count("create") == 301, preview.output
