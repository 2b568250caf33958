"""The typed arguments of ``TargetGroup``, generated from the declaration model.

Do not edit: change the model in ``declaration/models.py``, then run
``python -m pulumi_capillary.dynamic.codegen``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Literal

import pulumi

from ..declaration.models import (
    ExtendedFieldInfo,
    Filter,
    Period,
    ResourceOptions,
    Target,
    TargetGroupSpec,
)
from .args_base import Args, TargetGroupBehaviour

__all__ = [
    "ExtendedFieldInfoArgs",
    "FilterArgs",
    "PeriodArgs",
    "TargetArgs",
    "TargetGroupArgs",
]

EntityType = Literal[
    "STORE",
    "ZONE",
    "CONCEPT",
]

AggregateFunction = Literal["SUM"]

TargetEntity = Literal[
    "EVENT",
    "TRANSACTION",
    "LINEITEM",
    "REWARDS",
]

TargetType = Literal[
    "COUNT",
    "VISIT",
    "EVENT_ATTRIBUTE",
    "QUANTITY",
    "SALES",
    "GROSS_SALES",
    "EXTENDED_FIELD",
    "REGULAR_POINTS",
    "PROMOTIONAL_POINTS",
    "ALL_POINTS",
]

EnrolmentMethod = Literal[
    "TRANSACTION",
    "IMPORT",
]

PeriodStatus = Literal[
    "RUNNING",
    "UPCOMING",
    "NOT_STARTED",
]

TrackingType = Literal[
    "DEFAULT",
    "UNIFIED",
    "STREAKS",
    "CAPPING",
    "NON_CONTINUOUS_STREAKS",
]

TargetEvaluationType = Literal[
    "FIXED_CALENDAR_WINDOW",
    "CYCLIC_WINDOW",
    "PERIOD_AGNOSTIC_WINDOW",
]

FrequencyType = Literal[
    "DAILY",
    "WEEKLY",
    "MONTHLY",
    "QUARTERLY",
    "HALF_YEARLY",
    "YEARLY",
    "CUSTOM",
]

OnImmutableChange = Literal[
    "fail",
    "replace",
]

DeletionPolicy = Literal[
    "abandon",
    "delete",
]


@dataclass
class FilterArgs(Args):
    """The stores, zones or concepts whose activity a target counts."""

    entity_type: pulumi.Input[EntityType]
    entity_ids: pulumi.Input[Sequence[pulumi.Input[int | str]]]
    _models: ClassVar = (Filter,)


@dataclass
class ExtendedFieldInfoArgs(Args):
    """The event attribute an ``EVENT_ATTRIBUTE`` target adds up."""

    name: pulumi.Input[str]
    aggregate_function: pulumi.Input[AggregateFunction] | None = None
    _models: ClassVar = (ExtendedFieldInfo,)


@dataclass
class TargetArgs(Args):
    """What a customer must do, with a target value for each period."""

    name: pulumi.Input[str]
    target_entity: pulumi.Input[TargetEntity]
    target_type: pulumi.Input[TargetType]
    # one target value per period, in period order
    default_values: pulumi.Input[Sequence[Any]]
    event_name: pulumi.Input[str] | None = None
    extended_field_info: pulumi.Input[ExtendedFieldInfoArgs | Mapping[str, Any]] | None = None
    expression: pulumi.Input[str] | None = None
    expression_json: pulumi.Input[str | Mapping[str, Any]] | None = None
    filters: pulumi.Input[Sequence[FilterArgs | Mapping[str, Any]]] | None = None
    enrolment_method: pulumi.Input[EnrolmentMethod] | None = None
    active: pulumi.Input[bool] | None = None
    description: pulumi.Input[str] | None = None
    target_milestone_triggers: pulumi.Input[Sequence[Any]] | None = None
    _models: ClassVar = (Target,)
    _nested: ClassVar = {"extended_field_info": ExtendedFieldInfoArgs, "filters": FilterArgs}


@dataclass
class PeriodArgs(Args):
    """One period (cycle) of a milestone."""

    # an ISO 8601 date-time such as 2027-01-01T00:00:00Z (no offset: UTC)
    start_date: pulumi.Input[str | datetime | date]
    # an ISO 8601 date-time such as 2027-01-01T00:00:00Z (no offset: UTC)
    end_date: pulumi.Input[str | datetime | date]
    active: pulumi.Input[bool] | None = None
    description: pulumi.Input[str] | None = None
    ref_code: pulumi.Input[str] | None = None
    period_status: pulumi.Input[PeriodStatus] | None = None
    _models: ClassVar = (Period,)


@dataclass
class TargetGroupArgs(TargetGroupBehaviour):
    """The create request body of ``POST v3/targetGroups``."""

    name: pulumi.Input[str]
    periods: pulumi.Input[Sequence[PeriodArgs | Mapping[str, Any]]]
    targets: pulumi.Input[Sequence[TargetArgs | Mapping[str, Any]]]
    description: pulumi.Input[str] | None = None
    active: pulumi.Input[bool] | None = None
    preferred_till_id: pulumi.Input[int] | None = None
    from_date: pulumi.Input[str | datetime | date] | None = None
    to_date: pulumi.Input[str | datetime | date] | None = None
    tracking_type: pulumi.Input[TrackingType] | None = None
    target_evaluation_type: pulumi.Input[TargetEvaluationType] | None = None
    total_periods: pulumi.Input[int] | None = None
    frequency: pulumi.Input[int] | None = None
    frequency_type: pulumi.Input[FrequencyType] | None = None
    recurring_cycles: pulumi.Input[int] | None = None
    target_cycle_start_date: pulumi.Input[str | datetime | date] | None = None
    target_cycle_start_date_iso: pulumi.Input[str | datetime | date] | None = None
    target_cycle_end_date: pulumi.Input[str | datetime | date] | None = None
    target_cycle_end_date_iso: pulumi.Input[str | datetime | date] | None = None
    leaderboard_enabled: pulumi.Input[bool] | None = None
    on_immutable_change: pulumi.Input[OnImmutableChange] | None = field(default=None, kw_only=True)
    deletion_policy: pulumi.Input[DeletionPolicy] | None = field(default=None, kw_only=True)
    adopt_existing_id: pulumi.Input[int] | None = field(default=None, kw_only=True)
    _models: ClassVar = (TargetGroupSpec, ResourceOptions)
    _nested: ClassVar = {"periods": PeriodArgs, "targets": TargetArgs}
