"""The ``TargetGroup`` resource.

Its arguments (``args.py``, generated from the declaration model) are snake_case in Python;
the resource's inputs are the create request body's own camelCase names, so a body from
Capillary's documentation is a valid input. Outputs are the group as Capillary recorded it,
with typed snake_case accessors for the ones a program needs.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pulumi
import pulumi.dynamic

from ..sdk.args import TargetGroupArgs
from ..sdk.args_base import resource_inputs
from ..sdk.outputs import RecordedOutputs, moved_from
from ..sdk.types import PLUGIN_TYPE
from .provider import TargetGroupProvider

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


class TargetGroup(RecordedOutputs, pulumi.dynamic.Resource, module="capillary", name="TargetGroup"):
    """A Capillary milestone (target group), type ``pulumi-python:dynamic/capillary:TargetGroup``.

    Outputs (``pulumi.Output``): ``target_group_id``, ``period_ids``, ``target_ids``, and the
    recorded ``name``, ``periods``, ``targets``, dates and settings.
    """

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
        props = resource_inputs(resource_name, args, opts, kwargs)
        with _pickler_as_found():
            super().__init__(TargetGroupProvider(), resource_name, props, opts)


def moved_from_plugin(opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
    """``opts`` with an alias from the resource provider's ``TargetGroup`` of the same name:
    a stack moved to it comes back without replacing anything (each milestone updates once,
    with no API call, to record this provider in the state)."""
    return moved_from(PLUGIN_TYPE, opts)
