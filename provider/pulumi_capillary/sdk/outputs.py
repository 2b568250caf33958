"""The typed outputs both ``TargetGroup`` resources expose: the recorded group's keys as
``pulumi.Output`` attributes with snake_case names, declared once (``OUTPUTS``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

import pulumi

_T = TypeVar("_T")
_R = TypeVar("_R", bound="RecordedOutputs")


def moved_from(type_: str, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """``opts`` with an alias from the other provider's ``TargetGroup`` of the same name."""
    moved = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=type_)])
    return pulumi.ResourceOptions.merge(moved, opts)


def as_int(value: Any) -> Any:
    """Numbers reach the program as floats (protobuf): ids are ints again here."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def as_ints(value: Any) -> Any:
    return [as_int(v) for v in value] if isinstance(value, list) else value


class Output(Generic[_T]):
    """A typed output attribute: the recorded ``key`` as ``pulumi.Output[_T]``."""

    def __init__(self, key: str, convert: Callable[[Any], Any] | None = None) -> None:
        self.key = key
        self._convert = convert
        self.__doc__ = f"The recorded ``{key}``."

    @overload
    def __get__(self, instance: None, owner: type) -> Output[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> pulumi.Output[_T]: ...
    def __get__(self, instance: object | None, owner: type) -> Any:
        if instance is None:
            return self
        output = instance.__dict__[self.key]
        return output.apply(self._convert) if self._convert else output


class RecordedOutputs:
    """The outputs both ``TargetGroup`` resources expose (``pulumi.Output``): the group as
    Capillary recorded it, with ``id`` as ``target_group_id`` and the ids of its periods and
    targets. A mixin: each resource class inherits these typed attributes, and ``get``."""

    @classmethod
    def get(
        cls: type[_R],
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> _R:
        """Read an existing target group into the program (it stays unmanaged)."""
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        return cls(resource_name, None, merged)  # type: ignore[call-arg]  # the resource's own

    target_group_id = Output[int]("targetGroupId", as_int)
    period_ids = Output[list[int]]("periodIds", as_ints)
    target_ids = Output[list[int]]("targetIds", as_ints)
    name = Output[str]("name")
    periods = Output[list[dict[str, Any]]]("periods")
    targets = Output[list[dict[str, Any]]]("targets")
    active = Output[bool]("active")
    from_date = Output[str]("fromDate")
    to_date = Output[str]("toDate")
    tracking_type = Output[str]("trackingType")
    target_evaluation_type = Output[str]("targetEvaluationType")
    total_periods = Output[int]("totalPeriods", as_int)
    target_cycle_start_date = Output[str]("targetCycleStartDate")
    target_cycle_end_date = Output[str]("targetCycleEndDate")
    preferred_till_id = Output[int]("preferredTillId", as_int)
    time_zone_name = Output[str]("timeZoneName")
    leaderboard_enabled = Output[bool]("leaderboardEnabled")
    user_created = Output[bool]("userCreated")


# The recorded keys a resource exposes, read from the typed attributes (declared once).
OUTPUT_KEYS = tuple(v.key for v in vars(RecordedOutputs).values() if isinstance(v, Output))
