"""Milestones through the resource provider ``capillary``, beside the dynamic provider::

    import pulumi_capillary.plugin as capillary

    capillary.TargetGroup("reviews", capillary.TargetGroupArgs(...))

The same ``TargetGroupArgs`` and outputs as ``pulumi_capillary.TargetGroup``; what a real
provider adds: a field-level diff at preview, ``pulumi import``, explicit providers per org
(``capillary.Provider``), no pickled code in the state. The provider runs as
``pulumi-resource-capillary`` (installed with the package): a project names its folder in
``Pulumi.yaml`` (``plugins: providers: [{name: capillary, path: <venv>/bin}]``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..sdk.args import ExtendedFieldInfoArgs as ExtendedFieldInfoArgs
    from ..sdk.args import FilterArgs as FilterArgs
    from ..sdk.args import PeriodArgs as PeriodArgs
    from ..sdk.args import ProviderArgs as ProviderArgs
    from ..sdk.args import TargetArgs as TargetArgs
    from ..sdk.args import TargetGroupArgs as TargetGroupArgs
    from .resource import Provider as Provider
    from .resource import TargetGroup as TargetGroup
    from .resource import moved_from_dynamic as moved_from_dynamic

_PUBLIC: dict[str, str] = {
    "TargetGroup": ".resource",
    "Provider": ".resource",
    "moved_from_dynamic": ".resource",
    "TargetGroupArgs": "..sdk.args",
    "PeriodArgs": "..sdk.args",
    "TargetArgs": "..sdk.args",
    "ExtendedFieldInfoArgs": "..sdk.args",
    "FilterArgs": "..sdk.args",
    "ProviderArgs": "..sdk.args",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        enums = importlib.import_module(".enums", __name__).ENUMS
        if name in enums:
            return enums[name]
        raise AttributeError(f"module 'pulumi_capillary.plugin' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = sorted(_PUBLIC)  # and the schema's enums (``TrackingType``...), from .enums
