"""The enums of the package schema as Python enums (``capillary.TrackingType.DEFAULT``, as
the code ``pulumi import`` writes says them): each a ``str``, so it is also its value. Made
from the ``Literal`` types of the generated args, which the schema names alike."""

from __future__ import annotations

from enum import Enum
from typing import Literal, cast, get_args, get_origin

from ..sdk import args as _args


def _enums() -> dict[str, type[Enum]]:
    found: dict[str, type[Enum]] = {}
    for name, value in vars(_args).items():
        if get_origin(value) is Literal and not name.startswith("_"):
            members = [(str(v).upper(), v) for v in get_args(value)]
            found[name] = cast("type[Enum]", Enum(name, members, type=str, module=__name__))
    return found


ENUMS = _enums()
globals().update(ENUMS)
__all__ = sorted(ENUMS)
