"""A team's backend for real: Pulumi's ``postgres://`` backend on a PostgreSQL server.

Two checkouts of the project stand for two runners (their own folders, Pulumi homes and
processes); they share a stack only through the server. Its lock is what keeps two runs of
one stack apart, and what a killed run leaves behind.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import yaml

from tests.real_cli.harness import Project, end_tree
from tests.real_cli.postgres import PostgresServer
from tests.real_cli.test_catalog import CATALOG, NAMES, groups, writes
from tests.real_cli.test_recover import _kill_while_creating, _recover

LOCKED = "the stack is currently locked by 1 lock(s)"


@pytest.fixture
def backend(postgres: PostgresServer, request) -> str:
    """A state table of this test's own on the session's server."""
    table = "state_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[-40:]
    return postgres.url(table.lower())


@pytest.fixture
def runners(tmp_path, pulumi_cli, emulator, emulator_env, backend) -> Iterator[list[Project]]:
    """Two checkouts of the project on one postgres-backed stack ``dev``: the first made the
    stack, the second has its stack file as a commit would bring it."""
    env = {**emulator_env(emulator), "PULUMI_BACKEND_URL": backend}
    checkouts = []
    for name in ("runner-a", "runner-b"):
        (tmp_path / name).mkdir()
        checkouts.append(Project.copy(tmp_path / name, pulumi_cli, env))
    first, second = checkouts
    first.init("dev")
    stack_file = "Pulumi.dev.yaml"
    shutil.copy(first.directory / stack_file, second.directory / stack_file)
    yield checkouts


def _new_milestone(project: Project) -> None:
    data = yaml.safe_load((project.data_dir / "steps-5000-in-2-days.yaml").read_text())
    data["name"] = "steps-9000-in-2-days"
    (project.data_dir / "steps-9000.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def test_two_checkouts_share_one_stack_on_the_server(runners, postgres, backend, api, control):
    first, second = runners
    assert first.up("dev").ops() == dict.fromkeys(CATALOG, "create")
    table = backend.rsplit("table=", 1)[1]
    keys = postgres.query(f"SELECT key FROM {table} ORDER BY key")
    assert any(key.endswith("/dev.json") for key in keys), keys  # the state is in the server
    for checkout in runners:
        assert not (checkout.directory / ".pulumi").exists()  # and in no checkout

    second.preview("dev", "--expect-no-changes")
    before = len(writes(control))
    assert second.up("dev").ops() == dict.fromkeys(CATALOG, "same")
    assert set(second.resources("dev")) == CATALOG
    assert writes(control)[before:] == []
    assert sorted(g["name"] for g in groups(api)) == sorted(NAMES)


def test_two_concurrent_ups_make_one_group_and_the_second_names_the_lock(runners, api, control):
    first, second = runners
    first.up("dev")
    for checkout in runners:
        _new_milestone(checkout)
    # the first run's create is committed, its answer held: the run, and its lock, last
    control.put(
        "/faults",
        json={
            "rate": 1.0,
            "kinds": ["slow-answer"],
            "latencyMs": 8000,
            "paths": ["/v3/targetGroups"],
        },
    ).raise_for_status()
    argv = [str(first.cli / "pulumi"), "up", "--yes", "--skip-preview", "--stack", "dev"]
    running = subprocess.Popen(
        [*argv, "--non-interactive"],
        cwd=first.directory,
        env={**first.env, "CAPILLARY_TIMEOUT_SECONDS": "30"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(control.get("/groups").json()["groups"]) <= len(CATALOG):
            assert time.monotonic() < deadline and running.poll() is None
            time.sleep(0.05)
        refused = second.up("dev", "--skip-preview", check=False)
        output, _ = running.communicate(timeout=120)
    finally:
        end_tree(running)
    control.put("/faults", json={"rate": 0}).raise_for_status()

    assert running.returncode == 0, output
    assert refused.returncode != 0
    assert LOCKED in refused.output and "pulumi cancel" in refused.output
    assert sorted(g["name"] for g in groups(api)) == sorted({*NAMES, "steps-9000-in-2-days"})

    before = len(writes(control))
    again = second.up("dev")  # the refused runner, once the lock is gone: nothing left to do
    assert again.ops() == {**dict.fromkeys(CATALOG, "same"), "steps-9000": "same"}
    assert writes(control)[before:] == []


def test_a_killed_up_leaves_a_lock_that_cancel_and_recover_clear(runners, api, control):
    first, second = runners
    _kill_while_creating(first, api, control)
    locked = second.up("dev", check=False)  # the other runner meets the killed run's lock
    assert locked.returncode != 0 and LOCKED in locked.output
    assert len(groups(api)) == len(CATALOG)

    second.run("cancel", "--yes", "--stack", "dev", events=False)
    done = _recover(second, "--yes")
    assert done.returncode == 0, done.stderr
    recorded = second.resources("dev")
    assert {r["id"] for r in recorded.values()} == {str(g["id"]) for g in groups(api)}

    before = len(writes(control))
    assert first.up("dev").ops() == dict.fromkeys(CATALOG, "same")  # the killed runner, too
    assert writes(control)[before:] == []
    assert sorted(g["name"] for g in groups(api)) == sorted(NAMES)  # nothing duplicated
