"""The Pulumi dynamic provider for Capillary target groups: ``operations.py`` in the
dynamic-provider protocol.

How the engine drives it (pulumi/pulumi: ``pkg/resource/deploy/step_generator.go`` and the
SDK's ``pulumi/dynamic/__main__.py``): ``configure`` once per provider process, then
``check``, ``diff``, ``create``, ``update``, ``delete`` and ``read`` per resource. Each is
translated to :class:`~pulumi_capillary.operations.Milestones`, which decides nothing the
plan does not; the results are translated back to the SDK's types.

The object is pickled into every resource's state, so it holds nothing at construction:
settings and client are built in the provider process, after unpickling.
"""

from __future__ import annotations

import sys
import threading
import traceback
from types import ModuleType
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from ..declaration.models import PROVIDER_KEY
from ..exceptions import CapillaryError
from ..operations import Milestones
from ..plan import Action

_INIT = threading.RLock()  # module-level: never pickled with the provider


def _say(prefix: str) -> Any:
    def say(message: str) -> None:
        print(f"{prefix}{message}", file=sys.stderr, flush=True)  # shown by the Pulumi CLI

    return say


class _PlainTraceback:
    """The ``traceback`` module as the SDK's provider server sees it, but for one function.

    The server reports every exception a provider raises with ``traceback.format_exc()``
    (``pulumi/dynamic/__main__.py``, ``_abort_with_traceback``), so the Pulumi CLI shows
    about 30 lines of pulumi, tenacity and httpx frames above our sentence. A failure we
    raise on purpose (a ``CapillaryError``) stands alone: it is shown as its message only.
    Anything else is a bug, and keeps its traceback.
    """

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, CapillaryError):
            return str(error)
        text: str = self._module.format_exc(limit, chain)
        return text


def _plain_errors_in_provider_server() -> None:
    """Install ``_PlainTraceback`` in the provider server, and nowhere else."""
    server = sys.modules.get("__main__")
    spec = getattr(server, "__spec__", None)
    if server is None or getattr(spec, "name", None) != "pulumi.dynamic.__main__":
        return
    if getattr(server, "traceback", None) is traceback:
        server.traceback = _PlainTraceback(traceback)  # type: ignore[attr-defined]


class TargetGroupProvider(ResourceProvider):
    """Capillary target groups (milestones) as Pulumi resources."""

    serialize_as_secret_always = False  # it carries no secret: nothing is stored on it

    def __getstate__(self) -> dict[str, Any]:
        return {}  # settings, client and credentials never travel with the pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    @property
    def core(self) -> Milestones:
        core: Milestones | None = self.__dict__.get("_core")
        if core is None:
            with _INIT:
                core = self.__dict__.get("_core")
                if core is None:
                    core = self.__dict__["_core"] = Milestones(_say("warning: "), _say(""))
        return core

    def configure(self, req: ConfigureRequest) -> None:
        _plain_errors_in_provider_server()
        self.core.configure(req.config.get)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked = self.core.check(olds, news)
        failures = [CheckFailure(f.property, f.reason) for f in checked.failures]
        return CheckResult(checked.inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        if PROVIDER_KEY not in olds:
            # moved from the resource provider: the state lacks this provider's pickle, which
            # refresh and destroy need; an update (with no API call) records it
            return DiffResult(changes=True, replaces=[], delete_before_replace=False)
        verdict = self.core.diff(olds, news)
        if verdict is not None and verdict.action is Action.NONE:
            return DiffResult(changes=False, replaces=[], delete_before_replace=False)
        if verdict is not None and verdict.action is Action.REPLACE:
            return DiffResult(
                changes=True, replaces=verdict.replaces, delete_before_replace=verdict.delete_first
            )
        return DiffResult(changes=True, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        group_id, outs = self.core.create(props)
        return CreateResult(group_id, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.core.update(_id, olds, news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        self.core.delete(_id, props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        found = self.core.read(id_, props)
        if found.inputs is None:
            return ReadResult(found.group_id, found.outputs)
        return ReadResult(found.group_id, found.outputs, found.inputs)


# Pickled by reference under its public name: the state of every resource holds the pickle,
# so an internal module move must never make it unreadable (``_provider.py`` keeps the old
# name readable).
TargetGroupProvider.__module__ = "pulumi_capillary"
