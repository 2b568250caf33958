"""The ``TargetGroup`` resource and its typed arguments.

Arguments are snake_case in Python; the resource's inputs are the create request body's own
camelCase names (taken from the declaration model's aliases, the single source), so a body
from Capillary's documentation is a valid input. Outputs are the group as Capillary
recorded it, with snake_case accessors for the ones a program needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timezone
from typing import Any, ClassVar, Generic, TypeVar, overload

import pulumi
import pulumi.dynamic

from ._provider import TargetGroupProvider
from ._spec import (
    DefaultValue,
    ExtendedFieldInfo,
    Filter,
    Period,
    ResourceOptions,
    Target,
    TargetGroupSpec,
    from_python_names,
    parse_inputs,
    to_python_names,
)
from ._values import format_moment


def _wire(value: Any) -> Any:
    """Python values to input values: dates to ISO text, args to camelCase dicts."""
    if isinstance(value, pulumi.Output):
        return value.apply(_wire)
    if isinstance(value, _Args):
        return value.to_inputs()
    if isinstance(value, datetime):  # naive means UTC, whatever this machine's zone
        return format_moment(value if value.tzinfo else value.replace(tzinfo=timezone.utc))
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, Mapping):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


class _Args:
    """Dataclass args whose wire names come from a declaration model's aliases."""

    _model: ClassVar[Any]
    _nested: ClassVar[dict[str, type[_Args]]] = {}

    def to_inputs(self) -> dict[str, Any]:
        aliases = {n: f.alias or n for n, f in self._model.model_fields.items()}
        aliases.update(getattr(self, "_extra_aliases", {}))
        return {
            aliases[f.name]: _wire(self._nested_args(f.name, getattr(self, f.name)))
            for f in fields(self)  # type: ignore[arg-type]  # subclasses are dataclasses
            if getattr(self, f.name) is not None
        }

    def _nested_args(self, name: str, value: Any) -> Any:
        """Plain mappings in snake_case become args; camelCase ones pass as they are."""
        nested = self._nested.get(name)
        if nested is None:
            return value
        names = {f.name for f in fields(nested)}  # type: ignore[arg-type]

        def convert(item: Any) -> Any:
            if isinstance(item, Mapping) and set(item) <= names:
                return nested._build(item)
            return item

        return [convert(i) for i in value] if isinstance(value, list) else convert(value)

    @classmethod
    def _build(cls, data: Mapping[str, Any]) -> Any:
        """Args from a snake_case mapping already validated: nested items become args (ids
        Capillary assigns, which the model accepts but never sends, are left out)."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in data.items() if k in names}
        for name, nested in cls._nested.items():
            item = values.get(name)
            if isinstance(item, list):
                values[name] = [nested._build(i) if isinstance(i, Mapping) else i for i in item]
            elif isinstance(item, Mapping):
                values[name] = nested._build(item)
        return cls(**values)


@dataclass
class ExtendedFieldInfoArgs(_Args):
    name: pulumi.Input[str]
    aggregate_function: pulumi.Input[str] = "SUM"
    _model: ClassVar = ExtendedFieldInfo


@dataclass
class FilterArgs(_Args):
    entity_type: pulumi.Input[str]
    entity_ids: pulumi.Input[Sequence[pulumi.Input[int | str]]]
    _model: ClassVar = Filter


@dataclass
class PeriodArgs(_Args):
    start_date: pulumi.Input[str | datetime | date]
    end_date: pulumi.Input[str | datetime | date]
    active: pulumi.Input[bool] | None = None
    description: pulumi.Input[str] | None = None
    ref_code: pulumi.Input[str] | None = None
    period_status: pulumi.Input[str] | None = None
    _model: ClassVar = Period


@dataclass
class TargetArgs(_Args):
    """``default_values``: one number per period, in period order (or ``{defaultValue}``s)."""

    name: pulumi.Input[str]
    target_entity: pulumi.Input[str]
    target_type: pulumi.Input[str]
    default_values: pulumi.Input[Sequence[Any]]
    event_name: pulumi.Input[str] | None = None
    extended_field_info: pulumi.Input[ExtendedFieldInfoArgs | Mapping[str, Any]] | None = None
    expression: pulumi.Input[str] | None = None
    expression_json: pulumi.Input[str | Mapping[str, Any]] | None = None
    filters: pulumi.Input[Sequence[FilterArgs | Mapping[str, Any]]] | None = None
    enrolment_method: pulumi.Input[str] | None = None
    active: pulumi.Input[bool] | None = None
    description: pulumi.Input[str] | None = None
    target_milestone_triggers: pulumi.Input[Sequence[Any]] | None = None
    _model: ClassVar = Target
    _nested: ClassVar = {"extended_field_info": ExtendedFieldInfoArgs, "filters": FilterArgs}

    def to_inputs(self) -> dict[str, Any]:
        inputs = super().to_inputs()
        key = Target.model_fields["default_values"].alias or "defaultValues"
        inputs[key] = _per_period(inputs[key])
        return inputs


def _per_period(values: Any) -> Any:
    if isinstance(values, pulumi.Output):
        return values.apply(_per_period)
    alias = DefaultValue.model_fields["default_value"].alias
    return [v if isinstance(v, Mapping) else {alias: v} for v in values]


@dataclass
class TargetGroupArgs(_Args):
    """A milestone as declared; see the create request of ``POST v3/targetGroups``."""

    name: pulumi.Input[str]
    periods: pulumi.Input[Sequence[PeriodArgs | Mapping[str, Any]]]
    targets: pulumi.Input[Sequence[TargetArgs | Mapping[str, Any]]]
    description: pulumi.Input[str] | None = None
    active: pulumi.Input[bool] | None = None
    preferred_till_id: pulumi.Input[int] | None = None
    from_date: pulumi.Input[str | datetime | date] | None = None
    to_date: pulumi.Input[str | datetime | date] | None = None
    tracking_type: pulumi.Input[str] | None = None
    target_evaluation_type: pulumi.Input[str] | None = None
    total_periods: pulumi.Input[int] | None = None
    frequency: pulumi.Input[int] | None = None
    frequency_type: pulumi.Input[str] | None = None
    recurring_cycles: pulumi.Input[int] | None = None
    target_cycle_start_date: pulumi.Input[str | datetime | date] | None = None
    target_cycle_start_date_iso: pulumi.Input[str | datetime | date] | None = None
    target_cycle_end_date: pulumi.Input[str | datetime | date] | None = None
    target_cycle_end_date_iso: pulumi.Input[str | datetime | date] | None = None
    leaderboard_enabled: pulumi.Input[bool] | None = None
    on_immutable_change: pulumi.Input[str] | None = field(default=None, kw_only=True)
    deletion_policy: pulumi.Input[str] | None = field(default=None, kw_only=True)
    adopt_existing_id: pulumi.Input[int] | None = field(default=None, kw_only=True)
    _model: ClassVar = TargetGroupSpec
    _nested: ClassVar = {"periods": PeriodArgs, "targets": TargetArgs}
    _extra_aliases: ClassVar = {
        n: f.alias
        for n, f in ResourceOptions.model_fields.items()  # provider-only inputs
    }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetGroupArgs:
        """From a snake_case mapping (a milestone data file), validated once, by the
        declaration model: :class:`DeclarationError` lists every problem, each at its path as
        the file spells it (with the nearest known field for a misspelt one)."""
        parse_inputs(from_python_names(data), python_names=True)
        args: TargetGroupArgs = cls._build(data)
        return args

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> TargetGroupArgs:
        """From a camelCase request body, such as one from Capillary's documentation.

        Provider-only inputs (``onImmutableChange``...) may be given in it too; keys
        Capillary assigns itself (``targetGroupId``, ``periodId``) are dropped. Problems
        raise :class:`DeclarationError` naming each, as in a data file.
        """
        return cls.from_dict(to_python_names(body))


_T = TypeVar("_T")


def _int(value: Any) -> Any:
    """Numbers reach the program as floats (protobuf): ids are ints again here."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _ints(value: Any) -> Any:
    return [_int(v) for v in value] if isinstance(value, list) else value


class _Output(Generic[_T]):
    """A typed output attribute: the recorded ``key`` as ``pulumi.Output[_T]``."""

    def __init__(self, key: str, convert: Callable[[Any], Any] | None = None) -> None:
        self.key = key
        self._convert = convert
        self.__doc__ = f"The recorded ``{key}``."

    @overload
    def __get__(self, instance: None, owner: type) -> _Output[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> pulumi.Output[_T]: ...
    def __get__(self, instance: object | None, owner: type) -> Any:
        if instance is None:
            return self
        output = instance.__dict__[self.key]
        return output.apply(self._convert) if self._convert else output


class TargetGroup(pulumi.dynamic.Resource, module="capillary", name="TargetGroup"):
    """A Capillary milestone (target group), type ``pulumi-python:dynamic/capillary:TargetGroup``.

    Outputs (``pulumi.Output``): ``target_group_id``, ``period_ids``, ``target_ids``, and the
    recorded ``name``, ``periods``, ``targets``, dates and settings.
    """

    target_group_id = _Output[int]("targetGroupId", _int)
    period_ids = _Output[list[int]]("periodIds", _ints)
    target_ids = _Output[list[int]]("targetIds", _ints)
    name = _Output[str]("name")
    periods = _Output[list[dict[str, Any]]]("periods")
    targets = _Output[list[dict[str, Any]]]("targets")
    active = _Output[bool]("active")
    from_date = _Output[str]("fromDate")
    to_date = _Output[str]("toDate")
    tracking_type = _Output[str]("trackingType")
    target_evaluation_type = _Output[str]("targetEvaluationType")
    total_periods = _Output[int]("totalPeriods", _int)
    target_cycle_start_date = _Output[str]("targetCycleStartDate")
    target_cycle_end_date = _Output[str]("targetCycleEndDate")
    preferred_till_id = _Output[int]("preferredTillId", _int)
    time_zone_name = _Output[str]("timeZoneName")
    leaderboard_enabled = _Output[bool]("leaderboardEnabled")
    user_created = _Output[bool]("userCreated")

    def __init__(
        self,
        resource_name: str,
        args: TargetGroupArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        if args is None and kwargs:
            args = TargetGroupArgs(**kwargs)
        elif kwargs:
            raise TypeError("pass either args=TargetGroupArgs(...) or keyword arguments, not both")
        if args is None and (opts is None or opts.id is None):
            raise TypeError(f"TargetGroup {resource_name!r} needs args (or opts.id to read one)")
        props: dict[str, Any] = dict.fromkeys(OUTPUT_KEYS)
        if args is not None:
            props.update(args.to_inputs())
        super().__init__(TargetGroupProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> TargetGroup:
        """Read an existing target group into the program (it stays unmanaged)."""
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        return TargetGroup(resource_name, None, merged)


# The recorded keys the resource exposes, read from its typed attributes (declared once).
OUTPUT_KEYS = tuple(v.key for v in vars(TargetGroup).values() if isinstance(v, _Output))
