"""A target group as declared: the create request body, validated, in one canonical form.

The models accept what the documented examples send (``defaultValue`` as ``"2"``, ``2`` or
``2.0``; numbers as floats, as Pulumi delivers them; ``expressionJson`` as a string or a JSON
object; enum values in their documented spellings) and dump one canonical form, which is both
what the provider returns from ``check`` and what it sends to Capillary.

Field-level rules are declared on the fields; cross-field rules are methods marked
``@_rule`` and all run together, so a declaration's problems are reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from ._exceptions import DeclarationError, Violation
from ._unknown import is_unknown
from ._values import (
    TARGET_TYPES,
    AggregateFunction,
    Amount,
    EnrolmentMethod,
    EvaluationType,
    FilterEntity,
    FrequencyType,
    JsonText,
    Moment,
    Name,
    PeriodStatus,
    TargetEntity,
    TargetType,
    TrackingType,
    WholeNumber,
    entity_id_list,
    lowercase,
    parse_moment,
    utc_day,
)

# -- models ------------------------------------------------------------------------------


def _rule(method: Callable) -> Callable:
    method.__is_rule__ = True
    return method


class _Model(BaseModel):
    """camelCase on the wire, snake_case in Python, unknown keys refused; runs ``@_rule``s."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", validate_default=False
    )
    _rules: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._rules = tuple(n for n, v in vars(cls).items() if getattr(v, "__is_rule__", False))

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        # Pulumi drops keys whose value is None; a null means "not declared" here too.
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data

    @classmethod
    def field_names(cls) -> list[str]:
        return sorted(f.alias or n for n, f in cls.model_fields.items())

    @model_validator(mode="after")
    def _run_rules(self) -> _Model:
        errors = [
            InitErrorDetails(type=PydanticCustomError("rule", message), loc=loc, input=value)
            for name in self._rules
            for loc, value, message in getattr(self, name)()
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


class ExtendedFieldInfo(_Model):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    aggregate_function: AggregateFunction = "SUM"


class Filter(_Model):
    entity_type: FilterEntity
    entity_ids: Annotated[list[Any], BeforeValidator(entity_id_list), Field(min_length=1)]


class DefaultValue(_Model):
    default_value: Amount


class Period(_Model):
    start_date: Moment
    end_date: Moment
    active: bool = True
    description: Annotated[str, Field(max_length=255)] | None = None
    ref_code: Annotated[str, Field(max_length=200)] | None = None
    period_status: PeriodStatus | None = None

    @_rule
    def _ends_after_start(self) -> Iterator[tuple]:
        if parse_moment(self.end_date) <= parse_moment(self.start_date):
            yield ("endDate",), self.end_date, f"must be after startDate {self.start_date}"


class Target(_Model):
    name: Name
    target_entity: TargetEntity
    target_type: TargetType
    default_values: list[DefaultValue]
    event_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    extended_field_info: ExtendedFieldInfo | None = None
    expression: str | None = None
    expression_json: JsonText | None = None
    filters: list[Filter] = []
    enrolment_method: EnrolmentMethod | None = None
    active: bool = True
    description: Annotated[str, Field(max_length=255)] | None = None
    target_milestone_triggers: list[Any] = []

    @_rule
    def _type_fits_entity(self) -> Iterator[tuple]:
        allowed = TARGET_TYPES[self.target_entity]
        if self.target_type not in allowed:
            yield (
                ("targetType",),
                self.target_type,
                (
                    f"is not valid for targetEntity {self.target_entity}; "
                    f"use one of {', '.join(sorted(allowed))}"
                ),
            )

    @_rule
    def _event_needs_a_name(self) -> Iterator[tuple]:
        if self.target_entity == "EVENT" and not self.event_name:
            yield ("eventName",), None, "is required when targetEntity is EVENT"

    @_rule
    def _attribute_needs_a_field(self) -> Iterator[tuple]:
        if self.target_type == "EVENT_ATTRIBUTE" and self.extended_field_info is None:
            yield (
                ("extendedFieldInfo",),
                None,
                (
                    "is required when targetType is EVENT_ATTRIBUTE: "
                    "{name: <event attribute>, aggregateFunction: SUM}"
                ),
            )


class TargetGroupSpec(_Model):
    """The create request body of ``POST v3/targetGroups``."""

    name: Name
    periods: Annotated[list[Period], Field(min_length=1)]
    targets: Annotated[list[Target], Field(min_length=1)]
    description: Annotated[str, Field(max_length=255)] | None = None
    active: bool = True
    preferred_till_id: WholeNumber | None = None
    from_date: Moment | None = None
    to_date: Moment | None = None
    tracking_type: TrackingType | None = None
    target_evaluation_type: EvaluationType | None = None
    total_periods: WholeNumber | None = None
    frequency: WholeNumber | None = None
    frequency_type: FrequencyType | None = None
    recurring_cycles: Annotated[WholeNumber, Field(le=100)] | None = None
    target_cycle_start_date: Moment | None = None
    target_cycle_start_date_iso: Moment | None = Field(None, alias="targetCycleStartDateISO")
    target_cycle_end_date: Moment | None = None
    target_cycle_end_date_iso: Moment | None = Field(None, alias="targetCycleEndDateISO")
    leaderboard_enabled: bool | None = None

    @_rule
    def _dates_in_order(self) -> Iterator[tuple]:
        if (
            self.from_date
            and self.to_date
            and (parse_moment(self.to_date) < parse_moment(self.from_date))
        ):
            yield ("toDate",), self.to_date, f"must not be before fromDate {self.from_date}"

    @_rule
    def _total_matches(self) -> Iterator[tuple]:
        if self.total_periods is not None and self.total_periods != len(self.periods):
            yield (
                ("totalPeriods",),
                self.total_periods,
                (f"must equal the number of periods ({len(self.periods)})"),
            )

    @_rule
    def _periods_do_not_overlap(self) -> Iterator[tuple]:
        for index in range(1, len(self.periods)):
            before, period = self.periods[index - 1], self.periods[index]
            if utc_day(period.start_date) <= utc_day(before.end_date):
                yield (
                    ("periods", index, "startDate"),
                    period.start_date,
                    (
                        f"must be on a later day than periods[{index - 1}].endDate "
                        f"{before.end_date}: periods are ordered and do not overlap"
                    ),
                )

    @_rule
    def _ref_codes_unique(self) -> Iterator[tuple]:
        seen: dict[str, int] = {}
        for index, period in enumerate(self.periods):
            if period.ref_code is None:
                continue
            if period.ref_code in seen:
                yield (
                    ("periods", index, "refCode"),
                    period.ref_code,
                    (f"is already used by periods[{seen[period.ref_code]}]; refCodes are unique"),
                )
            seen.setdefault(period.ref_code, index)

    @_rule
    def _one_value_per_period(self) -> Iterator[tuple]:
        for index, target in enumerate(self.targets):
            if len(target.default_values) != len(self.periods):
                yield (
                    ("targets", index, "defaultValues"),
                    len(target.default_values),
                    (f"must have exactly one entry per period ({len(self.periods)})"),
                )

    @_rule
    def _no_leaderboard(self) -> Iterator[tuple]:
        if self.leaderboard_enabled:
            yield (
                ("leaderboardEnabled",),
                True,
                ("leaderboards cannot be declared here (Capillary answers 310133/310132)"),
            )

    def body(self) -> dict[str, Any]:
        """The canonical request body; defaults are filled in, as the documented examples send."""
        data = self.model_dump(by_alias=True, exclude_none=True, mode="json")
        data.setdefault("totalPeriods", len(self.periods))
        return data


class ResourceOptions(_Model):
    """Provider-only inputs: never sent to Capillary; each overrides the stack default."""

    on_immutable_change: Annotated[Literal["fail", "replace"], lowercase()] | None = None
    deletion_policy: Annotated[Literal["abandon", "delete"], lowercase()] | None = None
    adopt_existing_id: WholeNumber | None = None


OPTION_KEYS = frozenset(f.alias for f in ResourceOptions.model_fields.values())
PROVIDER_KEY = "__provider"


def format_path(loc: tuple) -> str:
    """``("targets", 0, "defaultValues")`` → ``targets[0].defaultValues``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(declaration)"


def _model_at(model: type[_Model], loc: tuple) -> type[_Model]:
    """The model that validates the object at ``loc`` (to suggest a field name)."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        nested = (
            [a for a in _flatten(field.annotation) if isinstance(a, type) and issubclass(a, _Model)]
            if field
            else []
        )
        if not nested:
            break
        model = nested[0]
    return model


def _flatten(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _flatten(arg)


def _violations(error: ValidationError, model: type[_Model]) -> list[Violation]:
    found = []
    for item in error.errors(include_url=False):
        if is_unknown(item.get("input")):
            continue  # preview: a value another resource will compute; checked at `up`
        value = "(missing)" if item["type"] == "missing" else item.get("input")
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            import difflib  # only on the error path

            names = _model_at(model, item["loc"][:-1]).field_names()
            near = difflib.get_close_matches(str(item["loc"][-1]), names, n=1, cutoff=0.6)
            message = "is not a known field" + (f"; did you mean {near[0]!r}?" if near else "")
        found.append(Violation(format_path(item["loc"]), value, message))
    return found


def parse_inputs(inputs: dict[str, Any]) -> tuple[TargetGroupSpec | None, ResourceOptions]:
    """Validate resource inputs; ``None`` spec when unknown values make it incomplete.

    Raises :class:`DeclarationError` with every violation found in the known values.
    """
    body = {k: v for k, v in inputs.items() if k not in OPTION_KEYS and k != PROVIDER_KEY}
    options = {k: v for k, v in inputs.items() if k in OPTION_KEYS}
    violations: list[Violation] = []
    spec = parsed_options = None
    try:
        parsed_options = ResourceOptions.model_validate(options)
    except ValidationError as error:
        violations += _violations(error, ResourceOptions)
    try:
        spec = TargetGroupSpec.model_validate(body)
    except ValidationError as error:
        violations += _violations(error, TargetGroupSpec)
    if violations:
        raise DeclarationError(violations)
    return spec, parsed_options or ResourceOptions()


def canonical_or_none(inputs: dict[str, Any]) -> dict[str, Any] | None:
    """The canonical body of valid, fully known inputs; ``None`` otherwise."""
    try:
        spec, _ = parse_inputs(inputs)
    except DeclarationError:
        return None
    return spec.body() if spec is not None else None
