"""The commands when Capillary stops answering reads: each says so in one sentence (its own
command named) and exits 2, no traceback; with only ``v3/milestones`` missing they read the
whole list instead."""

from __future__ import annotations

import json

import pytest

from pulumi_capillary.api import reads
from pulumi_capillary.cli.main import main
from tests.support import seed

SENTENCE = (
    "capillary-milestones: Capillary has phased out reading milestones through the "
    "target-group API, so `capillary-milestones {command}` cannot read the org; what still "
    "works without reading: creating milestones, deleting them, and `pulumi preview` and "
    "`pulumi up` of milestones that do not change.\n"
)


@pytest.fixture
def org(emulator, api, monkeypatch, tmp_path):
    monkeypatch.setenv("CAPILLARY_USERNAME", emulator.credentials.username)
    monkeypatch.setenv("CAPILLARY_PASSWORD", emulator.credentials.password)
    monkeypatch.setenv("CAPILLARY_REQUESTS_PER_MINUTE", "100000")
    monkeypatch.chdir(tmp_path)
    group = api.post("/v3/targetGroups", json=seed("be01.request")).json()["data"]
    return ["--base-url", emulator.url], group


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("list", []),
        ("export", ["--all", "-o", "out"]),
        ("export", ["--id", "2911"]),
        ("diff", ["out.yaml"]),
    ],
)
def test_each_command_says_reads_are_phased_out(org, control, capsys, command, args):
    where, _ = org
    if command == "diff":
        assert main(["export", "--id", "2911", "-o", "out.yaml", *where]) == 0
        capsys.readouterr()
    control.put("/phase-out", json={"readsDisabled": True})
    assert main([command, *args, *where]) == 2
    out, err = capsys.readouterr()
    assert err == SENTENCE.format(command=command)
    assert "Traceback" not in out + err


def test_the_json_error_says_the_same(org, control, capsys):
    where, _ = org
    control.put("/phase-out", json={"readsDisabled": True, "status": 403})
    assert main(["list", "--json", *where]) == 2
    document = json.loads(capsys.readouterr().out)
    assert document["exitCode"] == 2
    assert document["error"] == SENTENCE.format(command="list").removeprefix(
        "capillary-milestones: "
    ).rstrip("\n")


def test_without_v3_milestones_the_commands_read_the_whole_list(org, control, capsys):
    reads._SAID.clear()
    where, group = org
    control.put("/endpoints", json={"absent": ["GET /v3/milestones"]})
    assert main(["list", "--json", *where]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["groups"][0]["id"] == group["id"]
    assert "GET v3/milestones is not available" in err
