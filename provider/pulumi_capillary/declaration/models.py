"""A target group as declared: the create request body, validated, in one canonical form.

The models accept what the documented examples send (``defaultValue`` as ``"2"``, ``2`` or
``2.0``; numbers as floats, as Pulumi delivers them; ``expressionJson`` as a string or a JSON
object; enum values in their documented spellings) and dump one canonical form, which is both
what the provider returns from ``check`` and what it sends to Capillary.

Field-level rules are declared on the fields; cross-field rules live in ``rules.py``. Both
always run, so a declaration's problems are all reported at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ..exceptions import DeclarationError, Violation, nearest, unknown_field
from ..unknown import contains_unknown, is_unknown
from .rules import cross_field_violations
from .values import (
    AggregateFunction,
    Amount,
    EnrolmentMethod,
    EvaluationType,
    FilterEntity,
    FrequencyType,
    JsonText,
    ListedBare,
    Moment,
    Name,
    PeriodStatus,
    PythonType,
    TargetEntity,
    TargetType,
    TrackingType,
    WholeNumber,
    entity_id_list,
    integral,
    lowercase,
)

# -- models ------------------------------------------------------------------------------


class _Model(BaseModel):
    """camelCase on the wire, snake_case in Python, unknown keys refused.

    Only field-level rules live on the models; the cross-field ones are in ``rules.py`` and
    run on the raw declaration, so they are reported even when a field-level rule fails.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", validate_default=False
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        # Pulumi drops keys whose value is None; a null means "not declared" here too.
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data

    @classmethod
    def field_names(cls, by_name: bool = False) -> list[str]:
        return sorted(n if by_name else f.alias or n for n, f in cls.model_fields.items())


def _doc(text: str) -> Any:
    """What a field means: in the data files' schema, the provider's schema and the args."""
    return Field(description=text)


_ISO = "an ISO 8601 date-time such as 2027-01-01T00:00:00Z (no offset: UTC)"


class ExtendedFieldInfo(_Model):
    """The event attribute an ``EVENT_ATTRIBUTE`` target adds up."""

    name: Annotated[str, Field(min_length=1), _doc("the event attribute's name")]
    aggregate_function: Annotated[AggregateFunction, _doc("how it is added up: SUM")] = "SUM"


class Filter(_Model):
    """The stores, zones or concepts whose activity a target counts."""

    entity_type: Annotated[FilterEntity, _doc("what the ids name: STORE, ZONE or CONCEPT")]
    entity_ids: Annotated[
        list[Any],
        BeforeValidator(entity_id_list),
        Field(min_length=1),
        PythonType("Sequence[pulumi.Input[int | str]]"),
        _doc("the ids of those stores, zones or concepts"),
    ]


class DefaultValue(_Model):
    """A target's value for one period."""

    default_value: Annotated[Amount, _doc("the value to reach in the period")]
    # documented request keys of the update-target call; Capillary assigns them on create
    period_id: WholeNumber | None = Field(None, exclude=True)
    target_name: str | None = Field(None, exclude=True)


class Period(_Model):
    """One period (cycle) of a milestone."""

    start_date: Annotated[Moment, _doc(f"when the period starts: {_ISO}")]
    end_date: Annotated[
        Moment, _doc(f"when it ends, after it starts (Capillary records the day): {_ISO}")
    ]
    active: Annotated[bool, _doc("whether the period is active")] = True
    description: Annotated[str | None, _doc("what the period is")] = None
    ref_code: Annotated[str | None, _doc("a code for it, unique among the periods")] = None
    period_status: Annotated[
        PeriodStatus | None, _doc("Capillary computes it from the dates: sent, never compared")
    ] = None


class Target(_Model):
    """What a customer must do, with a target value for each period."""

    name: Annotated[Name, _doc("the target's name, at most 200 characters")]
    target_entity: Annotated[
        TargetEntity, _doc("what is counted: EVENT, TRANSACTION, LINEITEM or REWARDS")
    ]
    target_type: Annotated[
        TargetType,
        _doc("how it is counted; for EVENT targets: COUNT, VISIT or EVENT_ATTRIBUTE"),
    ]
    default_values: Annotated[
        list[DefaultValue],
        PythonType("Sequence[Any]"),
        ListedBare("default_value"),
        _doc("one target value per period, in period order"),
    ]
    event_name: Annotated[  # required, and not blank, for EVENT targets (_rules)
        str | None, _doc("the behavioural event counted (required for EVENT targets)")
    ] = None
    extended_field_info: Annotated[
        ExtendedFieldInfo | None,
        _doc("the event attribute added up (required for EVENT_ATTRIBUTE targets)"),
    ] = None
    expression: Annotated[str | None, _doc("the rule an event must meet to count")] = None
    expression_json: Annotated[
        JsonText | None, _doc("the same rule as a JSON document (text, or a mapping)")
    ] = None
    filters: Annotated[
        list[Filter], _doc("the stores, zones or concepts whose activity counts")
    ] = []
    enrolment_method: Annotated[
        EnrolmentMethod | None, _doc("how customers are enrolled: TRANSACTION or IMPORT")
    ] = None
    active: Annotated[bool, _doc("whether the target is active")] = True
    description: Annotated[str | None, _doc("what the target is")] = None
    target_milestone_triggers: Annotated[
        list[Any], _doc("milestone triggers, sent as declared (Capillary does not echo them)")
    ] = []
    target_group_id: WholeNumber | None = Field(None, exclude=True)


class TargetGroupSpec(_Model):
    """The create request body of ``POST v3/targetGroups``."""

    name: Annotated[
        Name, _doc("the milestone's name, unique in the org (case-insensitively), at most 200")
    ]
    periods: Annotated[
        list[Period], Field(min_length=1), _doc("its periods (cycles), in order, not overlapping")
    ]
    targets: Annotated[
        list[Target], Field(min_length=1), _doc("what customers must do, with a value per period")
    ]
    description: Annotated[
        str | None, Field(max_length=255), _doc("what the milestone is, at most 255 characters")
    ] = None
    active: Annotated[bool, _doc("whether the milestone is active")] = True
    preferred_till_id: Annotated[
        WholeNumber | None, _doc("the till it belongs to (the catalog: the stack's own till)")
    ] = None
    from_date: Annotated[
        Moment | None, _doc(f"when the milestone starts (Capillary records the day): {_ISO}")
    ] = None
    to_date: Annotated[Moment | None, _doc(f"when it ends (Capillary records the day): {_ISO}")] = (
        None
    )
    tracking_type: Annotated[
        TrackingType | None,
        _doc("how targets are tracked: DEFAULT, UNIFIED, STREAKS, NON_CONTINUOUS_STREAKS, CAPPING"),
    ] = None
    target_evaluation_type: Annotated[
        EvaluationType | None,
        _doc(
            "when a cycle runs: FIXED_CALENDAR_WINDOW (from the start date), CYCLIC_WINDOW (from "
            "a customer's first transaction after enrolment), PERIOD_AGNOSTIC_WINDOW (until "
            "the target is met)"
        ),
    ] = None
    total_periods: Annotated[
        WholeNumber | None, _doc("the number of periods (by default, those declared)")
    ] = None
    frequency: Annotated[WholeNumber | None, _doc("how many units a cycle lasts")] = None
    frequency_type: Annotated[
        FrequencyType | None,
        _doc("a cycle's unit: DAILY, WEEKLY, MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY, CUSTOM"),
    ] = None
    recurring_cycles: Annotated[
        WholeNumber | None, Field(le=100), _doc("how often the cycle recurs, at most 100")
    ] = None
    target_cycle_start_date: Annotated[
        Moment | None, _doc(f"the first cycle's start (legacy; wins over its ISO twin): {_ISO}")
    ] = None
    target_cycle_start_date_iso: Annotated[
        Moment | None,
        Field(alias="targetCycleStartDateISO"),
        _doc(f"the first cycle's start: {_ISO}"),
    ] = None
    target_cycle_end_date: Annotated[
        Moment | None, _doc(f"the last cycle's end (legacy; wins over its ISO twin): {_ISO}")
    ] = None
    target_cycle_end_date_iso: Annotated[
        Moment | None, Field(alias="targetCycleEndDateISO"), _doc(f"the last cycle's end: {_ISO}")
    ] = None
    leaderboard_enabled: Annotated[
        bool | None, _doc("leaderboards cannot be declared here: false, or leave it out")
    ] = None

    def body(self) -> dict[str, Any]:
        """The canonical request body; defaults are filled in, as the documented examples send."""
        data = integral(self.model_dump(by_alias=True, exclude_none=True, mode="json"))
        data.setdefault("totalPeriods", len(self.periods))
        return data


class ResourceOptions(_Model):
    """Provider-only inputs: never sent to Capillary; each overrides the stack default."""

    on_immutable_change: Annotated[
        Literal["fail", "replace"] | None,
        lowercase(),
        _doc("what a change Capillary cannot make does: fail (the default) or replace"),
    ] = None
    deletion_policy: Annotated[
        Literal["abandon", "delete"] | None,
        lowercase(),
        _doc("what removing it from the stack does: abandon (the default) or delete"),
    ] = None
    adopt_existing_id: Annotated[
        WholeNumber | None,
        _doc("adopt this group of the stack's org instead of creating one; it must match"),
    ] = None


# every model of a declaration, provider-only inputs included
MODELS: tuple[type[_Model], ...] = (
    TargetGroupSpec,
    Period,
    Target,
    DefaultValue,
    ExtendedFieldInfo,
    Filter,
    ResourceOptions,
)
OPTION_KEYS: frozenset[str] = frozenset(
    f.alias for f in ResourceOptions.model_fields.values() if f.alias
)
PROVIDER_KEY = "__provider"
# How the declaration spells its keys ("snake_case" from Python arguments and data files):
# an input that only words messages, so it is neither sent nor compared.
SPELLING_KEY = "keySpelling"


@cache  # read per key of every declaration: the models do not change
def nested_model(model: type[_Model], name: str) -> type[_Model] | None:
    """The model of a field's items or value (``targets`` → ``Target``), by name or alias."""
    field = next((f for n, f in model.model_fields.items() if name in (n, f.alias)), None)
    if field is None:
        return None
    nested = [
        a for a in _flatten(field.annotation) if isinstance(a, type) and issubclass(a, _Model)
    ]
    return nested[0] if nested else None


@cache
def listed_bare(model: type[_Model], name: str) -> str | None:
    """The item field of a field whose items Python lists bare (see ``ListedBare``)."""
    marks = [m for m in model.model_fields[name].metadata if isinstance(m, ListedBare)]
    return marks[0].key if marks else None


def _model_at(model: type[_Model], loc: tuple[Any, ...]) -> type[_Model]:
    """The model that validates the object at ``loc`` (to suggest a field name)."""
    for part in loc:
        if isinstance(part, int):
            continue
        nested = nested_model(model, str(part))
        if nested is None:
            break
        model = nested
    return model


def _choices(model: type[_Model], loc: tuple[Any, ...]) -> list[str]:
    """The values a ``Literal`` field at ``loc`` allows (to suggest the nearest)."""
    key = next((p for p in reversed(loc) if isinstance(p, str)), "")
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return [str(a) for a in _flatten(info.annotation) if isinstance(a, str)]
    return []


def _flatten(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _flatten(arg)


def _violations(error: ValidationError, model: type[_Model], by_name: bool) -> list[Violation]:
    found = []
    for item in error.errors(include_url=False):
        if contains_unknown(item.get("input")):
            continue  # preview: a value another resource will compute; checked at `up`
        value = "(missing)" if item["type"] == "missing" else item.get("input")
        message = "is required" if item["type"] == "missing" else item["msg"]
        if item["type"] == "extra_forbidden":
            names = _model_at(model, item["loc"][:-1]).field_names(by_name)
            if model is TargetGroupSpec and len(item["loc"]) == 1:  # the options sit beside
                names += ResourceOptions.field_names(by_name)
            message = unknown_field(item["loc"][-1], names)
        elif item["type"] == "literal_error" and isinstance(value, str):
            message += nearest(value, _choices(_model_at(model, item["loc"][:-1]), item["loc"]))
        found.append(Violation(tuple(item["loc"]), value, message))
    return found


def split_inputs(inputs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Resource inputs → (the request body, the provider-only options)."""
    body = {k: v for k, v in inputs.items() if k not in OPTION_KEYS and k not in _NOT_BODY}
    return body, {k: v for k, v in inputs.items() if k in OPTION_KEYS}


_NOT_BODY = frozenset({PROVIDER_KEY, SPELLING_KEY})


def validated(
    model: type[_Model], data: Mapping[str, Any], by_name: bool = False
) -> tuple[Any, list[Violation]]:
    """The model instance, or the violations; ``by_name``: keys are the Python names
    (a data file), and paths and suggestions use them too."""
    try:
        if by_name:
            return model.model_validate(data, by_alias=False, by_name=True), []
        return model.model_validate(data), []
    except ValidationError as error:
        return None, _violations(error, model, by_name)
    except RecursionError:
        return None, [Violation((), "(not shown)", "is nested too deeply to be read")]


def parse_inputs(inputs: dict[str, Any]) -> tuple[TargetGroupSpec | None, ResourceOptions]:
    """Validate resource inputs; ``None`` spec when unknown values make it incomplete.

    Unknown provider-only options are left out of the options returned: the caller keeps
    them as they are. Raises :class:`DeclarationError` with every violation found in the
    known values, field-level and cross-field alike.
    """
    body, options = split_inputs(inputs)
    known_options = {k: v for k, v in options.items() if not is_unknown(v)}
    parsed_options, violations = validated(ResourceOptions, known_options)
    spec, found = validated(TargetGroupSpec, body)
    violations += found
    seen = {v.loc for v in violations}
    violations += [v for v in cross_field_violations(body) if v.loc not in seen]
    if violations:
        raise DeclarationError(violations)
    return spec, parsed_options or ResourceOptions()


def canonical_or_none(inputs: dict[str, Any]) -> dict[str, Any] | None:
    """The canonical body of inputs every field of which is valid and known; ``None``
    otherwise. Cross-field rules are not applied: only the canonical form is wanted."""
    spec, violations = validated(TargetGroupSpec, split_inputs(inputs)[0])
    return spec.body() if spec is not None and not violations else None
