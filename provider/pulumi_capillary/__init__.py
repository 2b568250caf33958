"""Capillary milestones (target groups) as code, for Pulumi.

    import pulumi
    from pulumi_capillary import TargetGroup, TargetGroupArgs, PeriodArgs, TargetArgs

The public surface is what a program needs: the resource, its arguments, its provider, the
catalog of data files and the errors a program can meet. Everything else lives in the
modules of the package's folders (``declaration/``, ``api/``, ``dynamic/``, ``cli/``, and
the decision flow at its root) and is internal. One table, ``_PUBLIC``, says where each
name lives; ``__all__`` and the lazy imports are read from it, so what does not need Pulumi
(the emulator, the client, ``capillary-milestones list``) does not import it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

if TYPE_CHECKING:  # "X as X": re-exported for type checkers, loaded lazily at run time
    from .declaration.catalog import load_catalog as load_catalog
    from .dynamic.provider import TargetGroupProvider as TargetGroupProvider
    from .dynamic.resource import TargetGroup as TargetGroup
    from .dynamic.resource import moved_from_plugin as moved_from_plugin
    from .exceptions import APIError as APIError
    from .exceptions import CapillaryError as CapillaryError
    from .exceptions import ConfigurationError as ConfigurationError
    from .exceptions import DeclarationError as DeclarationError
    from .exceptions import Violation as Violation
    from .sdk.args import ExtendedFieldInfoArgs as ExtendedFieldInfoArgs
    from .sdk.args import FilterArgs as FilterArgs
    from .sdk.args import PeriodArgs as PeriodArgs
    from .sdk.args import TargetArgs as TargetArgs
    from .sdk.args import TargetGroupArgs as TargetGroupArgs
    from .sdk.catalog import StackSettings as StackSettings

_PUBLIC: dict[str, str] = {
    # the resource and its arguments
    "TargetGroup": ".dynamic.resource",
    "TargetGroupArgs": ".sdk.args",
    "PeriodArgs": ".sdk.args",
    "TargetArgs": ".sdk.args",
    "ExtendedFieldInfoArgs": ".sdk.args",
    "FilterArgs": ".sdk.args",
    "TargetGroupProvider": ".dynamic.provider",
    "moved_from_plugin": ".dynamic.resource",
    # milestones as data files, made concrete for a stack
    "load_catalog": ".declaration.catalog",
    "StackSettings": ".sdk.catalog",
    # what a program can meet
    "CapillaryError": ".exceptions",
    "DeclarationError": ".exceptions",
    "Violation": ".exceptions",
    "ConfigurationError": ".exceptions",
    "APIError": ".exceptions",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_capillary' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = sorted(_PUBLIC)  # read from the table above
