"""A ``pulumi up`` killed while Capillary commits its creates, recovered in one command."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.real_cli.harness import descendants, kill
from tests.real_cli.test_catalog import CATALOG, NAMES, groups, writes


def _recover(project, *extra: str) -> subprocess.CompletedProcess:
    command = Path(sys.executable).parent / "capillary-milestones"
    return subprocess.run(
        [str(command), "recover", "--stack", "dev", *extra],
        cwd=project.directory,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _kill_while_creating(project, api, control) -> None:
    """SIGKILL ``pulumi up`` once every create is committed but none is answered."""
    control.put(
        "/faults",
        json={
            "rate": 1.0,
            "kinds": ["slow-answer"],
            "latencyMs": 20000,
            "paths": ["/v3/targetGroups"],
        },
    ).raise_for_status()
    argv = [
        str(project.cli / "pulumi"),
        "up",
        "--yes",
        "--skip-preview",
        "--stack",
        "dev",
        "--non-interactive",
    ]
    process = subprocess.Popen(
        argv,
        cwd=project.directory,
        env=project.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        committed = 0  # counted through the control API: the faults hold the list's answers
        while committed < len(CATALOG) and time.monotonic() < deadline:
            time.sleep(0.1)
            committed = len(control.get("/groups").json()["groups"])
        assert committed == len(CATALOG)
        tree = descendants(process.pid)  # the CLI's plugins outlive it: collect them first
        kill([process.pid, *tree])
        process.wait(30)
    finally:
        kill(descendants(process.pid))
        if process.poll() is None:
            kill([process.pid])
            process.wait()
    control.put("/faults", json={"rate": 0}).raise_for_status()
    # the emulator logs a request when its answer is done: the held answers of the killed
    # run come 20 s later, and must not be counted as writes of what runs next
    until = time.monotonic() + 60
    while len(writes(control)) < len(CATALOG) and time.monotonic() < until:
        time.sleep(0.2)
    assert len(writes(control)) == len(CATALOG)


def test_a_killed_up_is_recovered_in_one_command(project, api, control):
    project.init("dev")
    _kill_while_creating(project, api, control)
    state = project.export("dev")["deployment"]
    assert len(state.get("pending_operations") or []) == len(CATALOG)
    project.run("cancel", "--yes", "--stack", "dev", events=False)  # the killed run's lock

    refused = project.up("dev", check=False)  # safe: no duplicate, and it names the way out
    assert refused.returncode != 0
    assert any("capillary-milestones recover --stack" in m for m in refused.diagnostics("error"))
    assert len(groups(api)) == len(CATALOG)

    shown = _recover(project)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("record: ") == len(CATALOG)
    assert "run again with --yes" in shown.stdout
    assert project.resources("dev") == {}  # shown only

    before = len(writes(control))
    done = _recover(project, "--yes")
    assert done.returncode == 0, done.stderr
    recorded = project.resources("dev")
    assert set(recorded) == CATALOG
    assert {r["id"] for r in recorded.values()} == {str(g["id"]) for g in groups(api)}
    assert not project.export("dev")["deployment"].get("pending_operations")

    up = project.up("dev")
    assert up.ops() == dict.fromkeys(CATALOG, "same")
    project.preview("dev", "--expect-no-changes")
    assert writes(control)[before:] == []
    assert sorted(g["name"] for g in groups(api)) == sorted(NAMES)


def test_recover_leaves_alone_a_group_that_differs_and_names_it(project, api, control):
    project.init("dev")
    _kill_while_creating(project, api, control)
    project.run("cancel", "--yes", "--stack", "dev", events=False)
    steps = next(g for g in groups(api) if g["name"] == "steps-5000-in-2-days")
    control.patch(f"/groups/{steps['id']}", json={"description": "changed in the UI"})

    done = _recover(project, "--yes")
    assert done.returncode == 1  # something was left alone
    assert "leave alone: steps-5000-in-2-days ('steps-5000-in-2-days')" in done.stdout
    assert "differs from the declaration (description:" in done.stdout
    recorded = project.resources("dev")
    assert set(recorded) == CATALOG - {"steps-5000-in-2-days"}
