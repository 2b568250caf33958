"""Pulumi's own recovery of a killed ``up``, ``pulumi refresh --import-pending-creates``, on
the resource provider: with the pinned CLI it drops the pending creates without recording
them, as it does for the dynamic provider (its state keeps neither), so `capillary-milestones
recover` stays the way out, and must run first. This test holds the README to that."""

from __future__ import annotations

import pytest

from tests.real_cli.test_catalog import CATALOG, groups
from tests.real_cli.test_recover import _kill_while_creating


@pytest.mark.parametrize("engine_kind", ["plugin"])
def test_refresh_import_pending_creates_drops_them_so_recover_comes_first(project, api, control):
    project.init("dev")
    _kill_while_creating(project, api, control)
    pending = project.export("dev")["deployment"]["pending_operations"]
    assert len(pending) == len(CATALOG)
    project.run("cancel", "--yes", "--stack", "dev", events=False)
    by_name = {g["name"]: str(g["id"]) for g in groups(api)}
    pairs = []
    for operation in pending:
        resource = operation["resource"]
        group_id = by_name[resource["inputs"]["name"]]  # flat pairs: URN, then its id
        pairs += ["--import-pending-creates", resource["urn"], "--import-pending-creates", group_id]
    project.refresh("dev", *pairs)
    deployment = project.export("dev")["deployment"]
    assert project.resources("dev") == {}  # not recorded
    assert not deployment.get("pending_operations")  # and no longer pending: recover first
    assert len(groups(api)) == len(CATALOG)  # nothing duplicated: the next up is refused
