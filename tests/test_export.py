"""Exports that round-trip: every group Capillary records exports as a file that validates
and audits "same" against the org it came from, and reads as a person reads a milestone."""

from __future__ import annotations

import itertools
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings

from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.cli.audit import Declared, audit
from pulumi_capillary.cli.export import exported, file_text, schema_from
from pulumi_capillary.declaration.catalog import load_yaml, validate_declaration
from pulumi_capillary.diff import compare_to_record
from tests.declarations import declarations
from tests.support import canonical, emulator_settings, seed

_COUNT = itertools.count()


def _round_trip(client: CapillaryClient, recorded: dict) -> dict:
    """The export of ``recorded``, read back as a file, validated, audited against it."""
    text = file_text(exported(recorded), recorded, "../milestone.schema.json")
    body = validate_declaration(load_yaml(text))  # raises DeclarationError if refused
    changes = compare_to_record(recorded, body)
    assert not changes, [str(c) for c in changes.changes]
    report = audit({"f": Declared(body)}, [recorded], lambda groups: {g["id"]: g for g in groups})
    assert [m.status for m in report.milestones] == ["same"]
    return body


@given(body=declarations())
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_recorded_shape_exports_to_a_file_that_validates_and_audits_same(emulator, api, body):
    body["name"] = f"{body['name']}-{next(_COUNT)}"  # names are unique in an org
    created = api.post("/v3/targetGroups", json=canonical(body))  # as the provider sends it
    assert created.status_code == 200, created.text
    client = CapillaryClient(emulator_settings(emulator))
    _round_trip(client, client.read(created.json()["data"]["id"]))


def test_a_one_day_period_ends_at_the_end_of_its_day(emulator, api):
    body = seed("be01.request")
    body.update(fromDate="2027-02-01T00:00:00Z", toDate="2027-02-01T23:00:00Z")
    body["periods"] = [{"startDate": "2027-02-01T00:00:00Z", "endDate": "2027-02-01T23:00:00Z"}]
    body["totalPeriods"] = 1
    for target in body["targets"]:
        target["defaultValues"] = target["defaultValues"][:1]
    group = api.post("/v3/targetGroups", json=body).json()["data"]
    assert group["periods"][0]["startDate"] == group["periods"][0]["endDate"] == "2027-02-01"
    client = CapillaryClient(emulator_settings(emulator))
    declaration = exported(client.read(group["id"]))
    assert declaration["periods"][0]["start_date"] == "2027-02-01T00:00:00Z"
    assert declaration["periods"][0]["end_date"] == "2027-02-01T23:59:59Z"
    assert declaration["to_date"] == "2027-02-01T23:59:59Z"
    _round_trip(client, client.read(group["id"]))


def test_keys_come_in_the_order_a_person_reads_them(emulator, api):
    group = api.post("/v3/targetGroups", json=seed("be01.request")).json()["data"]
    client = CapillaryClient(emulator_settings(emulator))
    declaration = exported(client.read(group["id"]))
    keys = list(declaration)
    assert keys[:4] == ["name", "description", "from_date", "to_date"] or keys[:3] == [
        "name",
        "from_date",
        "to_date",
    ]
    assert keys[-2:] == ["periods", "targets"]
    assert list(declaration["periods"][0])[:2] == ["start_date", "end_date"]
    target = list(declaration["targets"][0])
    assert target[:3] == ["name", "target_entity", "target_type"]
    assert target.index("default_values") < target.index("expression")
    text = file_text(declaration, group, None)
    assert list(yaml.safe_load(text)) == keys  # the file keeps that order


def test_the_schema_line_points_at_the_schema_from_where_the_file_is(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "programs" / "milestones" / "milestones").mkdir(parents=True)
    schema = project / "programs" / "milestones" / "milestone.schema.json"
    schema.write_text("{}")
    monkeypatch.chdir(tmp_path)  # elsewhere: found from the folder written to, upwards
    catalog = project / "programs" / "milestones" / "milestones"
    assert schema_from(catalog) == "../milestone.schema.json"
    deeper = catalog / "imported" / "uat"
    deeper.mkdir(parents=True)
    assert (deeper / schema_from(deeper)).resolve() == schema.resolve()
    outside = tmp_path / "exports"
    outside.mkdir()
    assert schema_from(outside) is None  # no project here: no line that points nowhere
    monkeypatch.chdir(project)
    assert (outside / str(schema_from(outside))).resolve() == Path(schema).resolve()
