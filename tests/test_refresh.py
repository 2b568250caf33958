"""Refresh's inputs: what was declared, but for what really drifted in Capillary."""

from __future__ import annotations

import copy

from pulumi_capillary.plan import refreshed_inputs
from tests.support import canonical, seed


def _recorded() -> dict:
    """What Capillary recorded for the seed's first request (its documented answer)."""
    return copy.deepcopy(seed("be01.response")["data"])


def test_a_group_as_declared_gives_back_the_declaration_itself():
    declared = canonical("be01.request")
    recorded = _recorded()
    assert refreshed_inputs(recorded, declared, declared) == declared


def test_only_what_drifted_is_taken_from_the_record():
    declared = canonical("be01.request")
    recorded = _recorded()
    recorded["name"] = "renamed in the UI"
    recorded["targets"][0]["defaultValues"][1]["defaultValue"] = 9
    recorded["periods"][1]["endDate"] = "2026-02-20"
    inputs = refreshed_inputs(recorded, declared, declared)
    assert inputs["name"] == "renamed in the UI"
    assert inputs["targets"][0]["defaultValues"] == [{"defaultValue": 2}, {"defaultValue": 9}]
    assert inputs["periods"][1]["endDate"] == "2026-02-20T23:59:59Z"  # the end of that day
    assert inputs["periods"][0] == declared["periods"][0]  # as declared, to the second
    assert inputs["fromDate"] == declared["fromDate"]
    assert "leaderboardEnabled" not in inputs  # recorded, never declared: not an input
    others = {k: v for k, v in inputs.items() if k not in ("name", "targets", "periods")}
    assert others == {k: v for k, v in declared.items() if k not in ("name", "targets", "periods")}


def test_a_period_added_takes_the_recorded_list():
    declared = canonical("be01.request")
    recorded = _recorded()
    extra = dict(recorded["periods"][-1], id=99, startDate="2026-03-01", endDate="2026-03-31")
    recorded["periods"].append(extra)
    inputs = refreshed_inputs(recorded, declared, declared)
    assert len(inputs["periods"]) == 3
    assert inputs["periods"][2]["endDate"] == "2026-03-31T23:59:59Z"
