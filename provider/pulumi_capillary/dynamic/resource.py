"""The ``TargetGroup`` resource.

Its arguments (``args.py``, generated from the declaration model) are snake_case in Python;
the resource's inputs are the create request body's own camelCase names, so a body from
Capillary's documentation is a valid input. Outputs are the group as Capillary recorded it,
with typed snake_case accessors for the ones a program needs.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, Generic, TypeVar, overload

import pulumi
import pulumi.dynamic

from .args import TargetGroupArgs
from .provider import TargetGroupProvider

_T = TypeVar("_T")


def _int(value: Any) -> Any:
    """Numbers reach the program as floats (protobuf): ids are ints again here."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _ints(value: Any) -> Any:
    return [_int(v) for v in value] if isinstance(value, list) else value


_PATCHED = ("_batch_setitems", "save_dict")  # what serialize_provider sets on the class


@contextmanager
def _pickler_as_found() -> Iterator[None]:
    """The SDK's ``serialize_provider`` wraps ``pickle._Pickler._batch_setitems`` (to sort
    dicts) on every resource and never unwraps it: each pickle then recurses once more, and a
    program of about 960 dynamic resources fails with ``RecursionError``. Putting the pickler
    back as it was keeps every serialization one wrapper deep (the pickle is the same)."""
    found = {name: vars(pickle._Pickler).get(name) for name in _PATCHED}
    try:
        yield
    finally:
        for name, method in found.items():
            if method is None:
                with suppress(AttributeError):
                    delattr(pickle._Pickler, name)
            else:
                setattr(pickle._Pickler, name, method)


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
        """Declare a milestone.

        :param resource_name: the resource's name in the stack (not the milestone's name).
        :param args: the milestone as ``TargetGroupArgs`` (its fields are snake_case, each
            a ``pulumi.Input``; ``TargetGroupArgs.from_body`` takes a documented request
            body, ``TargetGroupArgs.from_dict`` a data file's mapping). Or give the same
            fields as keyword arguments.
        :param opts: Pulumi's resource options; ``opts.id`` alone reads an existing group
            (see :meth:`get`).

        ``args.validate()`` checks the declaration as ``pulumi preview`` will, without the
        engine (in a unit test under ``pulumi.runtime`` mocks, say).
        """
        if args is None and kwargs:
            args = TargetGroupArgs(**kwargs)
        elif kwargs:
            raise TypeError("pass either args=TargetGroupArgs(...) or keyword arguments, not both")
        if args is None and (opts is None or opts.id is None):
            raise TypeError(f"TargetGroup {resource_name!r} needs args (or opts.id to read one)")
        props: dict[str, Any] = dict.fromkeys(OUTPUT_KEYS)
        if args is not None:
            props.update(args.to_inputs())
        with _pickler_as_found():
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
