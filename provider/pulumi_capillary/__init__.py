"""Capillary milestones (target groups) as code, for Pulumi.

    from pulumi_capillary import TargetGroup, TargetGroupArgs, PeriodArgs, TargetArgs

The public surface is re-exported here; the modules behind it are private. Names are
loaded on first use, so what does not need Pulumi (the emulator, the client, the settings
and ``capillary-milestones list``) does not import it; ``validate`` does, as it checks files
through the resource's own argument classes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._args import (
        ExtendedFieldInfoArgs,
        FilterArgs,
        PeriodArgs,
        TargetArgs,
        TargetGroupArgs,
    )
    from ._catalog import StackSettings, load_catalog
    from ._client import CapillaryClient
    from ._config import Settings, load_settings
    from ._diff import Change, ChangeSet, compare_declarations, compare_to_record
    from ._exceptions import (
        AdoptionMismatchError,
        APIError,
        AuthenticationError,
        CapillaryError,
        ConfigurationError,
        DeadlineExceededError,
        DeclarationError,
        EditNotAppliedError,
        ImmutableChangeError,
        NameTakenError,
        NotFoundError,
        PhasedOutError,
        PlanError,
        RateLimitedError,
        RequestRejectedError,
        TransientError,
        TransportError,
        UnavailableError,
        UnexpectedAnswerError,
        Violation,
    )
    from ._fields import FIELDS, Edit, Mutability
    from ._plan import Action, Policies, Verdict, plan
    from ._provider import TargetGroupProvider
    from ._resource import TargetGroup
    from ._spec import TargetGroupSpec, parse_inputs

_EXPORTS = {
    "APIError": "._exceptions",
    "AdoptionMismatchError": "._exceptions",
    "AuthenticationError": "._exceptions",
    "CapillaryClient": "._client",
    "StackSettings": "._catalog",
    "load_catalog": "._catalog",
    "CapillaryError": "._exceptions",
    "Change": "._diff",
    "ChangeSet": "._diff",
    "Action": "._plan",
    "Policies": "._plan",
    "Verdict": "._plan",
    "plan": "._plan",
    "Edit": "._fields",
    "DeadlineExceededError": "._exceptions",
    "UnexpectedAnswerError": "._exceptions",
    "ConfigurationError": "._exceptions",
    "DeclarationError": "._exceptions",
    "EditNotAppliedError": "._exceptions",
    "ExtendedFieldInfoArgs": "._args",
    "FIELDS": "._fields",
    "FilterArgs": "._args",
    "ImmutableChangeError": "._exceptions",
    "Mutability": "._fields",
    "NameTakenError": "._exceptions",
    "NotFoundError": "._exceptions",
    "PeriodArgs": "._args",
    "PhasedOutError": "._exceptions",
    "PlanError": "._exceptions",
    "RateLimitedError": "._exceptions",
    "RequestRejectedError": "._exceptions",
    "Settings": "._config",
    "TargetArgs": "._args",
    "TargetGroup": "._resource",
    "TargetGroupArgs": "._args",
    "TargetGroupProvider": "._provider",
    "TargetGroupSpec": "._spec",
    "TransientError": "._exceptions",
    "TransportError": "._exceptions",
    "UnavailableError": "._exceptions",
    "Violation": "._exceptions",
    "compare_declarations": "._diff",
    "compare_to_record": "._diff",
    "load_settings": "._config",
    "parse_inputs": "._spec",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_capillary' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "FIELDS",
    "APIError",
    "Action",
    "AdoptionMismatchError",
    "AuthenticationError",
    "CapillaryClient",
    "CapillaryError",
    "Change",
    "ChangeSet",
    "ConfigurationError",
    "DeadlineExceededError",
    "DeclarationError",
    "Edit",
    "EditNotAppliedError",
    "ExtendedFieldInfoArgs",
    "FilterArgs",
    "ImmutableChangeError",
    "Mutability",
    "NameTakenError",
    "NotFoundError",
    "PeriodArgs",
    "PhasedOutError",
    "PlanError",
    "Policies",
    "RateLimitedError",
    "RequestRejectedError",
    "Settings",
    "StackSettings",
    "TargetArgs",
    "TargetGroup",
    "TargetGroupArgs",
    "TargetGroupProvider",
    "TargetGroupSpec",
    "TransientError",
    "TransportError",
    "UnavailableError",
    "UnexpectedAnswerError",
    "Verdict",
    "Violation",
    "compare_declarations",
    "compare_to_record",
    "load_catalog",
    "load_settings",
    "parse_inputs",
    "plan",
]
