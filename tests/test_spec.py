"""The declaration model: every rule, good and bad, and the canonical form."""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings

from pulumi_capillary.declaration.models import MODELS, TargetGroupSpec, parse_inputs
from pulumi_capillary.declaration.names import from_python_names, parse_data, to_python_names
from pulumi_capillary.exceptions import DeclarationError
from pulumi_capillary.unknown import UNKNOWN_SENTINEL
from tests.declarations import declarations
from tests.support import seed


def _problems(body: dict) -> dict[str, str]:
    with pytest.raises(DeclarationError) as caught:
        parse_inputs(body)
    return {v.path: str(v) for v in caught.value.violations}


@pytest.mark.parametrize("name", ["be01.request", "be02.request", "body-params.request"])
def test_documented_examples_validate(name):
    spec, options = parse_inputs(seed(name))
    assert spec is not None and options.deletion_policy is None


def test_canonical_form_of_documented_spellings():
    body = seed("body-params.request")
    body["trackingType"] = "Streak"
    body["frequencyType"] = "Half-yearly"
    body["preferredTillId"] = 50692127.0  # as Pulumi delivers numbers
    body["targets"][0]["expressionJson"] = {"arity": "literal", "value": "true"}
    canonical = parse_inputs(body)[0].body()
    assert canonical["trackingType"] == "STREAKS"
    assert canonical["frequencyType"] == "HALF_YEARLY"
    assert canonical["preferredTillId"] == 50692127
    assert isinstance(canonical["preferredTillId"], int)
    target = canonical["targets"][0]
    assert [v["defaultValue"] for v in target["defaultValues"]] == [2, 3]  # from "2", "3"
    assert target["expressionJson"] == '{"arity":"literal","value":"true"}'
    assert canonical["periods"][0]["endDate"] == "2024-02-22T23:45:12.063Z"  # naive → UTC
    assert canonical["totalPeriods"] == 2


def test_canonical_form_is_a_fixed_point():
    canonical = parse_inputs(seed("be02.request"))[0].body()
    assert parse_inputs(canonical)[0].body() == canonical


def test_sum_is_the_documented_alias_of_event_attribute():
    body = seed("be02.request")
    body["targets"][0]["targetType"] = "SUM"
    assert parse_inputs(body)[0].body()["targets"][0]["targetType"] == "EVENT_ATTRIBUTE"


def test_python_dates_and_datetimes_are_accepted():
    body = seed("be01.request")
    body["fromDate"] = date(2026, 1, 1)
    body["toDate"] = datetime(2026, 1, 1, 10, 30, tzinfo=timezone.utc)
    canonical = TargetGroupSpec.model_validate(body).body()
    assert canonical["fromDate"] == "2026-01-01T00:00:00Z"
    assert canonical["toDate"] == "2026-01-01T10:30:00Z"


def test_offsets_are_kept():
    canonical = parse_inputs(seed("be01.request"))[0].body()
    assert canonical["targetCycleEndDateISO"] == "2026-02-01T10:30:00+05:30"


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [
        (lambda b: b.pop("name"), "name", "missing"),
        (lambda b: b.update(name="x" * 201), "name", "at most 200"),
        (lambda b: b.update(name="   "), "name", "match pattern"),
        (lambda b: b.update(description="d" * 256), "description", "at most 255"),
        (lambda b: b.update(trackingType="WEEKLY"), "trackingType", "'DEFAULT'"),
        (lambda b: b.update(targetEvaluationType="x"), "targetEvaluationType", "'CYCLIC_WINDOW'"),
        (lambda b: b.update(frequencyType="hourly"), "frequencyType", "'MONTHLY'"),
        (lambda b: b.update(totalPeriods=3), "totalPeriods", "number of periods (2)"),
        (lambda b: b.update(recurringCycles=101), "recurringCycles", "less than or equal to 100"),
        (lambda b: b.update(preferredTillId=1.5), "preferredTillId", "whole number"),
        (lambda b: b.update(preferredTillId=True), "preferredTillId", "not a boolean"),
        (lambda b: b.update(preferredTillId=2**60), "preferredTillId", "less than or equal"),
        (lambda b: b.update(fromDate="2026-13-01"), "fromDate", "ISO 8601"),
        (lambda b: b.update(fromDate="2026-02-01T00:00:00Z"), "toDate", "not be before fromDate"),
        (lambda b: b.update(periods=[]), "periods", "at least 1"),
        (
            lambda b: b["periods"][0].update(endDate="2025-07-16T00:00:00Z"),
            "periods[0].endDate",
            "after startDate",
        ),
        (
            lambda b: b["periods"][1].update(startDate="2025-07-18T12:00:00Z"),
            "periods[1].startDate",
            "do not overlap",
        ),
        (lambda b: b["periods"][1].update(refCode="Cycle_1"), "periods[1].refCode", "unique"),
        (
            lambda b: b["periods"][0].update(periodStatus="DONE"),
            "periods[0].periodStatus",
            "'RUNNING'",
        ),
        (
            lambda b: b["targets"][0].update(targetType="SALES"),
            "targets[0].targetType",
            "not valid for targetEntity EVENT",
        ),
        (
            lambda b: b["targets"][0].update(targetEntity="STORE"),
            "targets[0].targetEntity",
            "'EVENT'",
        ),
        (lambda b: b["targets"][0].pop("eventName"), "targets[0].eventName", "required when"),
        (
            lambda b: b["targets"][0].pop("extendedFieldInfo"),
            "targets[0].extendedFieldInfo",
            "required when targetType is EVENT_ATTRIBUTE",
        ),
        (
            lambda b: b["targets"][0]["extendedFieldInfo"].update(aggregateFunction="AVG"),
            "targets[0].extendedFieldInfo.aggregateFunction",
            "'SUM'",
        ),
        (
            lambda b: b["targets"][0].update(defaultValues=[{"defaultValue": 1}]),
            "targets[0].defaultValues",
            "one entry per period",
        ),
        (
            lambda b: b["targets"][0]["defaultValues"][1].update(defaultValue="abc"),
            "targets[0].defaultValues[1].defaultValue",
            "must be a number",
        ),
        (
            lambda b: b["targets"][0]["defaultValues"][1].update(defaultValue=[1]),
            "targets[0].defaultValues[1].defaultValue",
            "must be a number",
        ),
        (
            lambda b: b["targets"][0]["defaultValues"][1].update(defaultValue=float("nan")),
            "targets[0].defaultValues[1].defaultValue",
            "finite",
        ),
        (
            lambda b: b["targets"][0].update(expressionJson="{oops"),
            "targets[0].expressionJson",
            "parse as JSON",
        ),
        (
            lambda b: b["targets"][0].update(filters=[{"entityType": "CITY", "entityIds": [1]}]),
            "targets[0].filters[0].entityType",
            "'STORE'",
        ),
        (
            lambda b: b["targets"][0].update(filters=[{"entityType": "STORE", "entityIds": []}]),
            "targets[0].filters[0].entityIds",
            "at least 1",
        ),
        (
            lambda b: b["targets"][0].update(enrolmentMethod="EMAIL"),
            "targets[0].enrolmentMethod",
            "'TRANSACTION'",
        ),
        (lambda b: b["targets"][0].update(name="t" * 201), "targets[0].name", "at most 200"),
        (lambda b: b.update(leaderboardEnabled=True), "leaderboardEnabled", "310133"),
        (lambda b: b.update(onImmutableChange="later"), "onImmutableChange", "'replace'"),
        (lambda b: b.update(deletionPolicy="retain"), "deletionPolicy", "'abandon'"),
        (lambda b: b.update(adoptExistingId="abc"), "adoptExistingId", "integer"),
    ],
)
def test_each_rule_names_field_value_and_rule(mutate, path, words):
    body = seed("be02.request")
    mutate(body)
    problems = _problems(body)
    assert path in problems, problems
    assert words in problems[path]
    assert "(got " in problems[path]


def test_unknown_fields_are_refused_with_the_nearest_name():
    body = seed("be01.request")
    body["trackingTyp"] = "DEFAULT"
    body["targets"][0]["expresion"] = "true"
    problems = _problems(body)
    assert "did you mean 'trackingType'?" in problems["trackingTyp"]
    assert "did you mean 'expression'?" in problems["targets[0].expresion"]


def test_all_violations_are_reported_at_once():
    body = seed("be02.request")
    body["name"] = ""
    body["totalPeriods"] = "many"
    body["targets"].append(copy.deepcopy(body["targets"][0]))
    body["targets"][0]["targetType"] = "SALES"
    body["targets"][1]["defaultValues"][0]["defaultValue"] = "x"
    body["targets"][1]["unknownKey"] = 1
    body["periods"][1]["endDate"] = "never"
    problems = _problems(body)
    assert {
        "name",
        "totalPeriods",
        "targets[0].targetType",
        "targets[1].unknownKey",
        "targets[1].defaultValues[0].defaultValue",
        "periods[1].endDate",
    } <= set(problems)


def test_declaration_error_message_stands_alone():
    body = seed("be01.request")
    body["totalPeriods"] = 5
    with pytest.raises(DeclarationError) as caught:
        parse_inputs(body)
    message = str(caught.value)
    assert message.startswith("The milestone declaration has 1 problem(s); fix them")
    assert "totalPeriods: must equal the number of periods (2) (got 5)" in message


def test_unknown_values_are_skipped():
    body = seed("be01.request")
    body["preferredTillId"] = UNKNOWN_SENTINEL
    body["periods"][0]["startDate"] = UNKNOWN_SENTINEL
    spec, _ = parse_inputs(body)
    assert spec is None  # incomplete until the values are known
    body["name"] = "x" * 300
    assert set(_problems(body)) == {"name"}


def test_provider_options_are_split_from_the_body():
    body = seed("be01.request")
    body.update(
        onImmutableChange="Replace",
        deletionPolicy="delete",
        adoptExistingId=2911.0,
        __provider="opaque",
    )
    spec, options = parse_inputs(body)
    assert "onImmutableChange" not in spec.body()
    assert (options.on_immutable_change, options.deletion_policy, options.adopt_existing_id) == (
        "replace",
        "delete",
        2911,
    )


@given(declarations())
@settings(max_examples=150, deadline=None)
def test_generated_declarations_validate_and_canonicalise_stably(body):
    canonical = parse_inputs(body)[0].body()
    assert parse_inputs(canonical)[0].body() == canonical


# -- the two spellings -------------------------------------------------------------------


def test_no_alias_names_two_fields():
    """Data-file paths are translated through one alias → name map over every model."""
    seen: dict[str, str] = {}
    for model in MODELS:
        for name, field in model.model_fields.items():
            assert seen.setdefault(field.alias or name, name) == name, (model, name)


@pytest.mark.parametrize("name", ["be01.request", "be02.request", "body-params.request"])
def test_python_names_round_trip_a_documented_body(name):
    body = seed(name)
    data = to_python_names(body)
    assert "targetEntity" not in str(data) and "target_entity" in str(data)
    again, _ = parse_inputs(from_python_names(data))
    assert again is not None and again.body() == parse_inputs(body)[0].body()


def test_a_data_files_problems_are_named_as_it_spells_them():
    data = to_python_names(seed("be01.request"))
    data["total_periods"] = 9  # a cross-field rule
    data["targets"][0]["default_values"][1] = "lots"  # listed bare in a data file
    data["targets"][0]["event_nam"] = "x"
    data["periods"][0]["startDate"] = data["periods"][0].pop("start_date")  # the API's spelling
    with pytest.raises(DeclarationError) as caught:
        parse_data(data)
    paths = {v.path: v.rule for v in caught.value.violations}
    assert set(paths) == {
        "total_periods",
        "targets[0].default_values[1]",
        "targets[0].event_nam",
        "periods[0].startDate",
        "periods[0].start_date",
    }
    assert "did you mean 'event_name'?" in paths["targets[0].event_nam"]
    assert "did you mean 'start_date'?" in paths["periods[0].startDate"]
    assert paths["periods[0].start_date"] == "is required"


def test_a_field_given_in_both_spellings_is_refused_not_merged():
    data = to_python_names(seed("be01.request"))
    data["periods"][0]["startDate"] = "2020-01-01T00:00:00Z"
    with pytest.raises(DeclarationError) as caught:
        parse_data(data)
    assert [v.path for v in caught.value.violations] == ["periods[0].startDate"]


def test_a_body_with_both_spellings_is_refused_when_respelt():
    body = seed("be01.request")
    body["periods"][0]["start_date"] = "2020-01-01T00:00:00Z"
    with pytest.raises(DeclarationError) as caught:
        to_python_names(body)
    assert str(caught.value.violations[0]).startswith(
        "periods[0].start_date: is given twice, in both spellings"
    )


def test_a_stack_prefix_never_hides_a_missing_name():
    from pulumi_capillary.declaration.catalog import validate_declaration

    data = to_python_names(seed("be01.request"))
    del data["name"]
    with pytest.raises(DeclarationError) as caught:
        validate_declaration(data, name_prefix="uat-", till=7)
    assert [str(v) for v in caught.value.violations] == ["name: is required (got (missing))"]
    data["name"] = "reviews"
    body = validate_declaration(data, name_prefix="uat-", till=7)
    assert body["name"] == "uat-reviews" and body["preferredTillId"] == 75155297  # declared
