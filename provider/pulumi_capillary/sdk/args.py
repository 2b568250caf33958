"""The typed arguments of ``TargetGroup``, generated from the declaration model.

Do not edit: change the model in ``declaration/models.py``, then run
``python -m pulumi_capillary.sdk.codegen``.
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
from .args_base import Args, SettingsArgs, TargetGroupBehaviour

__all__ = [
    "ExtendedFieldInfoArgs",
    "FilterArgs",
    "PeriodArgs",
    "ProviderArgs",
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

Region = Literal[
    "apac",
    "apac2",
    "eu",
    "us",
    "cn",
]


@dataclass
class FilterArgs(Args):
    """The stores, zones or concepts whose activity a target counts."""

    # what the ids name: STORE, ZONE or CONCEPT
    entity_type: pulumi.Input[EntityType]
    # the ids of those stores, zones or concepts
    entity_ids: pulumi.Input[Sequence[pulumi.Input[int | str]]]
    _models: ClassVar = (Filter,)


@dataclass
class ExtendedFieldInfoArgs(Args):
    """The event attribute an ``EVENT_ATTRIBUTE`` target adds up."""

    # the event attribute's name
    name: pulumi.Input[str]
    # how it is added up: SUM
    aggregate_function: pulumi.Input[AggregateFunction] | None = None
    _models: ClassVar = (ExtendedFieldInfo,)


@dataclass
class TargetArgs(Args):
    """What a customer must do, with a target value for each period."""

    # the target's name, at most 200 characters
    name: pulumi.Input[str]
    # what is counted: EVENT, TRANSACTION, LINEITEM or REWARDS
    target_entity: pulumi.Input[TargetEntity]
    # how it is counted; for EVENT targets: COUNT, VISIT or EVENT_ATTRIBUTE
    target_type: pulumi.Input[TargetType]
    # one target value per period, in period order
    default_values: pulumi.Input[Sequence[Any]]
    # the behavioural event counted (required for EVENT targets)
    event_name: pulumi.Input[str] | None = None
    # the event attribute added up (required for EVENT_ATTRIBUTE targets)
    extended_field_info: pulumi.Input[ExtendedFieldInfoArgs | Mapping[str, Any]] | None = None
    # the rule an event must meet to count
    expression: pulumi.Input[str] | None = None
    # the same rule as a JSON document (text, or a mapping)
    expression_json: pulumi.Input[str | Mapping[str, Any]] | None = None
    # the stores, zones or concepts whose activity counts
    filters: pulumi.Input[Sequence[FilterArgs | Mapping[str, Any]]] | None = None
    # how customers are enrolled: TRANSACTION or IMPORT
    enrolment_method: pulumi.Input[EnrolmentMethod] | None = None
    # whether the target is active
    active: pulumi.Input[bool] | None = None
    # what the target is
    description: pulumi.Input[str] | None = None
    # milestone triggers, sent as declared (Capillary does not echo them)
    target_milestone_triggers: pulumi.Input[Sequence[Any]] | None = None
    _models: ClassVar = (Target,)
    _nested: ClassVar = {"extended_field_info": ExtendedFieldInfoArgs, "filters": FilterArgs}


@dataclass
class PeriodArgs(Args):
    """One period (cycle) of a milestone."""

    # when the period starts: an ISO 8601 date-time such as 2027-01-01T00:00:00Z (no offset: UTC)
    start_date: pulumi.Input[str | datetime | date]
    # when it ends, after it starts (Capillary records the day): an ISO 8601 date-time such as
    # 2027-01-01T00:00:00Z (no offset: UTC)
    end_date: pulumi.Input[str | datetime | date]
    # whether the period is active
    active: pulumi.Input[bool] | None = None
    # what the period is
    description: pulumi.Input[str] | None = None
    # a code for it, unique among the periods
    ref_code: pulumi.Input[str] | None = None
    # Capillary computes it from the dates: sent, never compared
    period_status: pulumi.Input[PeriodStatus] | None = None
    _models: ClassVar = (Period,)


@dataclass
class TargetGroupArgs(TargetGroupBehaviour):
    """The create request body of ``POST v3/targetGroups``."""

    # the milestone's name, unique in the org (case-insensitively), at most 200
    name: pulumi.Input[str]
    # its periods (cycles), in order, not overlapping
    periods: pulumi.Input[Sequence[PeriodArgs | Mapping[str, Any]]]
    # what customers must do, with a value per period
    targets: pulumi.Input[Sequence[TargetArgs | Mapping[str, Any]]]
    # what the milestone is, at most 255 characters
    description: pulumi.Input[str] | None = None
    # whether the milestone is active
    active: pulumi.Input[bool] | None = None
    # the till it belongs to (the catalog: the stack's own till)
    preferred_till_id: pulumi.Input[int] | None = None
    # when the milestone starts (Capillary records the day): an ISO 8601 date-time such as
    # 2027-01-01T00:00:00Z (no offset: UTC)
    from_date: pulumi.Input[str | datetime | date] | None = None
    # when it ends (Capillary records the day): an ISO 8601 date-time such as 2027-01-01T00:00:00Z
    # (no offset: UTC)
    to_date: pulumi.Input[str | datetime | date] | None = None
    # how targets are tracked: DEFAULT, UNIFIED, STREAKS, NON_CONTINUOUS_STREAKS, CAPPING
    tracking_type: pulumi.Input[TrackingType] | None = None
    # when a cycle runs: FIXED_CALENDAR_WINDOW (from the start date), CYCLIC_WINDOW (from a
    # customer's first transaction after enrolment), PERIOD_AGNOSTIC_WINDOW (until the target is
    # met)
    target_evaluation_type: pulumi.Input[TargetEvaluationType] | None = None
    # the number of periods (by default, those declared)
    total_periods: pulumi.Input[int] | None = None
    # how many units a cycle lasts
    frequency: pulumi.Input[int] | None = None
    # a cycle's unit: DAILY, WEEKLY, MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY, CUSTOM
    frequency_type: pulumi.Input[FrequencyType] | None = None
    # how often the cycle recurs, at most 100
    recurring_cycles: pulumi.Input[int] | None = None
    # the first cycle's start (legacy; wins over its ISO twin): an ISO 8601 date-time such as
    # 2027-01-01T00:00:00Z (no offset: UTC)
    target_cycle_start_date: pulumi.Input[str | datetime | date] | None = None
    # the first cycle's start: an ISO 8601 date-time such as 2027-01-01T00:00:00Z (no offset: UTC)
    target_cycle_start_date_iso: pulumi.Input[str | datetime | date] | None = None
    # the last cycle's end (legacy; wins over its ISO twin): an ISO 8601 date-time such as
    # 2027-01-01T00:00:00Z (no offset: UTC)
    target_cycle_end_date: pulumi.Input[str | datetime | date] | None = None
    # the last cycle's end: an ISO 8601 date-time such as 2027-01-01T00:00:00Z (no offset: UTC)
    target_cycle_end_date_iso: pulumi.Input[str | datetime | date] | None = None
    # leaderboards cannot be declared here: false, or leave it out
    leaderboard_enabled: pulumi.Input[bool] | None = None
    # what a change Capillary cannot make does: fail (the default) or replace
    on_immutable_change: pulumi.Input[OnImmutableChange] | None = field(default=None, kw_only=True)
    # what removing it from the stack does: abandon (the default) or delete
    deletion_policy: pulumi.Input[DeletionPolicy] | None = field(default=None, kw_only=True)
    # adopt this group of the stack's org instead of creating one; it must match
    adopt_existing_id: pulumi.Input[int] | None = field(default=None, kw_only=True)
    _models: ClassVar = (TargetGroupSpec, ResourceOptions)
    _nested: ClassVar = {"periods": PeriodArgs, "targets": TargetArgs}


@dataclass
class ProviderArgs(SettingsArgs):
    """The settings of one Capillary org, for an explicit provider (the stack's
    ``capillary:`` keys configure the default one)."""

    # the org's Capillary region: eu, apac, apac2, us or cn
    region: pulumi.Input[Region] | None = None
    # overrides the region's host (the emulator, a proxy): https://, or http:// to this machine
    # only
    base_url: pulumi.Input[str] | None = None
    # the till for Basic auth
    username: pulumi.Input[str] | None = None
    # the till's password (Basic auth; the client sends its md5)
    password: pulumi.Input[str] | None = None
    # the OAuth client's key; preferred over Basic
    oauth_key: pulumi.Input[str] | None = None
    # the OAuth client's secret
    oauth_secret: pulumi.Input[str] | None = None
    # what a change Capillary cannot make does: fail (the default) or replace
    on_immutable_change: pulumi.Input[OnImmutableChange] | None = None
    # what removing a milestone from the stack does: abandon (the default) or delete
    deletion_policy: pulumi.Input[DeletionPolicy] | None = None
    # read/write timeout per request, seconds
    timeout_seconds: pulumi.Input[float] | None = None
    # connect timeout, seconds
    connect_timeout_seconds: pulumi.Input[float] | None = None
    # the total deadline of one call, seconds: its retries, waits, a create's look-ups and token
    # renewals included
    retry_deadline_seconds: pulumi.Input[float] | None = None
    # first backoff, seconds, doubled per retry up to 10, plus jitter
    retry_backoff_seconds: pulumi.Input[float] | None = None
    # true allows http:// to a trusted proxy (never to a Capillary region's host)
    allow_insecure_http: pulumi.Input[bool] | None = None
    # the largest answer read, decompressed, for one group (MiB)
    max_answer_megabytes: pulumi.Input[float] | None = None
    # the largest list of the org's groups read (MiB)
    max_list_megabytes: pulumi.Input[float] | None = None
    # groups read at a time when a list leaves out their periods or targets (1 to 16)
    reads_in_flight: pulumi.Input[int] | None = None
    # the most requests a minute to Capillary, shared by everything in one process using the same
    # credentials (1 to 100000; below Capillary's documented 1000 by default)
    requests_per_minute: pulumi.Input[int] | None = None
    _secrets: ClassVar = ("password", "oauth_secret")
