"""Adopting groups that exist already, through the real CLI: per stack, so that one catalog
promotes across orgs (an adopted id belongs to one org)."""

from __future__ import annotations

from pulumi_capillary.declaration.catalog import read_milestone, validate_declaration
from tests.real_cli.test_catalog import writes

TILL = 75155297  # Pulumi.dev.yaml's preferredTillId


def test_a_stack_adopts_a_group_named_in_its_own_config(project, api, control):
    declared = validate_declaration(
        read_milestone(project.data_dir / "product-reviews.yaml"), "", TILL
    )
    existing = api.post("/v3/targetGroups", json=declared).json()["data"]
    project.init("dev")
    project.run(
        "config",
        "set",
        "--path",
        "--stack",
        "dev",
        'capillary-milestones:adoptExistingIds["product-reviews"]',
        str(existing["id"]),
        events=False,
    )
    preview = project.preview("dev")
    assert any(
        f"adopts target group {existing['id']} (adoptExistingId): nothing is created" in m
        for m in preview.shown()
    ), preview.output
    before = len(writes(control))
    project.up("dev")
    posts = [w for w in writes(control)[before:] if w[0] == "POST"]
    assert len(posts) == 3  # the three others: the adopted one is not created again
    assert project.resources("dev")["product-reviews"]["id"] == str(existing["id"])
    project.preview("dev", "--expect-no-changes")


def test_an_adopted_id_that_is_not_in_this_org_says_so(project, api, control):
    project.init("dev")
    project.run(
        "config",
        "set",
        "--path",
        "--stack",
        "dev",
        'capillary-milestones:adoptExistingIds["product-reviews"]',
        "987654",
        events=False,
    )
    up = project.up("dev", check=False)
    assert up.returncode != 0
    errors = [m for m in up.diagnostics("error") if "987654" in m]
    assert errors and "does not exist in this org" in errors[0], up.output
    assert "pulumi refresh" not in errors[0]
