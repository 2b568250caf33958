"""The TargetGroup resource and its typed args, under Pulumi's mocks."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pulumi
import pytest

from pulumi_capillary import (
    DeclarationError,
    ExtendedFieldInfoArgs,
    FilterArgs,
    PeriodArgs,
    TargetArgs,
    TargetGroup,
    TargetGroupArgs,
)
from pulumi_capillary.declaration.models import (
    ExtendedFieldInfo,
    Filter,
    Period,
    ResourceOptions,
    Target,
    TargetGroupSpec,
)
from pulumi_capillary.sdk.codegen import TARGET, _python_type, render


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.registered.append(args)
        outs = dict(args.inputs, targetGroupId=2911, periodIds=[1, 2], targetIds=[3])
        return args.resource_id or "2911", outs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


@pytest.fixture
def mocks():
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, project="capillary-milestones", stack="dev", preview=False)
    yield mocks


def _args() -> TargetGroupArgs:
    ist = timezone(timedelta(hours=5, minutes=30))
    return TargetGroupArgs(
        name="steps-5000-in-2-days",
        from_date=date(2026, 1, 1),
        to_date=datetime(2026, 3, 1, tzinfo=timezone.utc),
        target_cycle_end_date_iso=datetime(2026, 2, 1, 10, 30, tzinfo=ist),
        tracking_type="DEFAULT",
        periods=[
            PeriodArgs(
                start_date="2026-01-01T00:00:00Z",
                end_date="2026-01-02T23:00:00Z",
                ref_code="Cycle_1",
            ),
            {"start_date": "2026-01-03T00:00:00Z", "end_date": "2026-01-04T00:00:00Z"},
        ],
        targets=[
            TargetArgs(
                name="steps",
                target_entity="EVENT",
                target_type="EVENT_ATTRIBUTE",
                event_name="stepsWalked",
                default_values=[5000, pulumi.Output.from_input(6000)],
                extended_field_info=ExtendedFieldInfoArgs(name="steps"),
                filters=[FilterArgs(entity_type="STORE", entity_ids=[1, 2])],
            )
        ],
        deletion_policy="delete",
    )


def test_args_become_the_request_bodys_camel_case_inputs():
    inputs = _args().to_inputs()
    assert inputs["fromDate"] == "2026-01-01T00:00:00Z"
    assert inputs["targetCycleEndDateISO"] == "2026-02-01T10:30:00+05:30"
    assert inputs["deletionPolicy"] == "delete"
    assert inputs["periods"][1] == {
        "startDate": "2026-01-03T00:00:00Z",
        "endDate": "2026-01-04T00:00:00Z",
    }
    target = inputs["targets"][0]
    assert target["extendedFieldInfo"] == {"name": "steps"}  # only what was declared
    assert target["filters"] == [{"entityType": "STORE", "entityIds": [1, 2]}]
    canonical = ExtendedFieldInfo.model_validate(target["extendedFieldInfo"])
    assert canonical.model_dump(by_alias=True) == {"name": "steps", "aggregateFunction": "SUM"}


def test_from_dict_reads_the_data_file_shape():
    args = TargetGroupArgs.from_dict(
        {
            "name": "reviews",
            "periods": [{"start_date": "2026-01-01", "end_date": "2026-03-31"}],
            "targets": [
                {
                    "name": "r",
                    "target_entity": "EVENT",
                    "target_type": "COUNT",
                    "event_name": "productReviewed",
                    "default_values": [3],
                }
            ],
        }
    )
    body = args.to_inputs()
    assert body["targets"][0]["defaultValues"] == [{"defaultValue": 3}]
    assert body.pop("keySpelling") == "snake_case"  # refusals name its fields in snake_case
    TargetGroupSpec.model_validate(body)
    with pytest.raises(DeclarationError) as caught:
        TargetGroupArgs.from_dict(
            {"name": "x", "periods": [{"start_dat": "2026-01-01"}], "targets": [], "color": "red"}
        )
    assert sorted(str(v) for v in caught.value.violations) == [
        "color: is not a known field (got 'red')",
        "periods[0].end_date: is required (got (missing))",
        "periods[0].start_dat: is not a known field; did you mean 'start_date'? (got '2026-01-01')",
        "periods[0].start_date: is required (got (missing))",
        "targets: List should have at least 1 item after validation, not 0 (got [])",
    ]


@pulumi.runtime.test
def test_registration_and_outputs(mocks):
    group = TargetGroup("steps", _args())

    def check(values):
        group_id, period_ids, name = values
        assert (group_id, period_ids, name) == (2911, [1, 2], "steps-5000-in-2-days")
        assert mocks.registered[0].typ == "pulumi-python:dynamic/capillary:TargetGroup"
        registered = mocks.registered[0].inputs
        assert registered["targets"][0]["defaultValues"] == [
            {"defaultValue": 5000},
            {"defaultValue": 6000},
        ]
        assert "__provider" in registered

    return pulumi.Output.all(group.target_group_id, group.period_ids, group.name).apply(check)


@pulumi.runtime.test
def test_each_resource_leaves_the_pickler_as_it_found_it(mocks):
    """The SDK's serialize_provider wraps the pickler again for every resource (a program of
    ~960 failed with RecursionError): each resource puts it back, and pickles the same."""
    import pickle

    found = {n: vars(pickle._Pickler)[n] for n in ("_batch_setitems", "save_dict")}
    groups = [TargetGroup(f"m{i}", _args()) for i in range(3)]
    assert {n: vars(pickle._Pickler)[n] for n in found} == found

    def check(_):
        blobs = {str(r.inputs["__provider"]) for r in mocks.registered}
        assert len(mocks.registered) == 3 and len(blobs) == 1

    return pulumi.Output.all(*(g.target_group_id for g in groups)).apply(check)


@pulumi.runtime.test
def test_keyword_arguments_and_get(mocks):
    made = TargetGroup("kw", name="kw", periods=[], targets=[])
    found = TargetGroup.get("existing", "2913")

    def check(values):
        name, found_id = values
        assert (name, found_id) == ("kw", "2913")

    return pulumi.Output.all(made.name, found.id).apply(check)


def test_args_or_id_are_required():
    with pytest.raises(TypeError, match="needs args"):
        TargetGroup("nothing")


@pytest.mark.parametrize(
    ("args", "model"),
    [
        (TargetGroupArgs, TargetGroupSpec),
        (PeriodArgs, Period),
        (TargetArgs, Target),
        (FilterArgs, Filter),
        (ExtendedFieldInfoArgs, ExtendedFieldInfo),
    ],
)
def test_args_cover_every_declared_field(args, model):
    names = {f.name for f in dataclasses.fields(args)}
    declared = {n for n, f in model.model_fields.items() if not f.exclude}  # not server ids
    options = set(ResourceOptions.model_fields) if args is TargetGroupArgs else set()
    assert names == declared | options


def test_the_args_module_is_generated_from_the_models():
    """Fields are declared once, on the models: ``sdk/args.py`` is their generated form."""
    written = TARGET.read_text(encoding="utf-8")
    assert written == render(), "run `python -m pulumi_capillary.sdk.codegen`, commit args.py"


def test_every_model_type_has_a_python_type():
    with pytest.raises(TypeError, match="mark the field with PythonType"):
        _python_type(complex, [])


def test_a_program_can_validate_a_declaration_without_the_engine():
    from tests.support import seed

    args = TargetGroupArgs.from_body(seed("be01.request"))
    assert args.validate()["name"] == "uatTargetGroupBE01"
    with pytest.raises(DeclarationError) as caught:
        dataclasses.replace(args, frequency_type="MONTLY").validate()
    assert "did you mean 'MONTHLY'?" in str(caught.value)
    computed = dataclasses.replace(args, name=pulumi.Output.from_input("later"))
    computed.validate()  # an Output is unknown until preview: not a failure


def test_help_shows_our_parameters():
    import pydoc

    shown = pydoc.render_doc(TargetGroup, renderer=pydoc.plaintext)
    assert ":param args: the milestone as ``TargetGroupArgs``" in shown
    assert "args.validate()" in shown


def test_a_part_validates_alone_naming_fields_as_python_spells_them():
    from pulumi_capillary import TargetArgs

    target = TargetArgs(
        name="t", target_entity="EVENT", target_type="COUNT", default_values=[3, "lots"]
    )
    with pytest.raises(DeclarationError) as caught:
        target.validate()
    assert [str(v) for v in caught.value.violations] == [
        "default_values[1]: must be a number (or a numeric string) (got 'lots')"
    ]
    with pytest.raises(DeclarationError) as whole:
        TargetGroupArgs(name="x", periods=[], targets=[target]).validate()
    assert {v.path for v in whole.value.violations} >= {"targets[0].default_values[1]", "periods"}
