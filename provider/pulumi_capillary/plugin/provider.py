"""The resource provider ``capillary``: ``operations.py`` in the resource-provider protocol.

A real provider can say what the dynamic one cannot: a field-level ``detailed_diff`` (so
``pulumi preview`` prints ``~ targets[0].defaultValues[1].defaultValue: 3 => 5``), the
stored inputs at refresh, ``pulumi import``, and explicit providers per org. It decides
nothing of its own: each call is translated to :class:`~pulumi_capillary.operations.Milestones`,
run in a worker thread (the core and its HTTP client block), and translated back.

Messages go to the engine's log under the resource they are about (stderr when no engine
listens), and a refused org change (``region``, ``baseUrl``) is a check failure of the
provider's own configuration, before any resource is diffed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime.proto.provider_pb2 import DiffResponse as DiffResponse_pb

from ..declaration.models import OPTION_KEYS
from ..diff import Change
from ..exceptions import CapillaryError, format_path
from ..fields import Mutability
from ..operations import Milestones
from ..plan import Action, Verdict
from .values import plain_map, property_map, secret_keys, setting

# where a secret input also lands: the declaration the outputs keep, whole
_CARRIERS = ("appliedDeclaration",)

_T = TypeVar("_T")
_URN: ContextVar[str] = ContextVar("capillary_urn", default="")
Log = Callable[[str, str, str], None]  # severity ("warning", "info"), message, urn


def _stderr(severity: str, message: str, urn: str) -> None:
    print(f"{severity}: {message}", file=sys.stderr, flush=True)


class CapillaryProvider(Provider):
    """Capillary target groups (milestones) as the resource ``capillary:index:TargetGroup``."""

    def __init__(self, log: Log = _stderr, schema: Callable[[], str] | None = None) -> None:
        self._log = log
        self._schema = schema
        self.core = Milestones(self._say("warning"), self._say("info"))

    def _say(self, severity: str) -> Callable[[str], None]:
        return lambda message: self._log(severity, message, _URN.get())

    async def _run(self, urn: str, call: Callable[..., _T], *args: Any) -> _T:
        """``call`` in a worker thread, its messages logged under ``urn``."""
        _URN.set(urn)
        return await asyncio.to_thread(call, *args)

    # -- the provider's own configuration --------------------------------------------------
    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        if self._schema is None:
            from .schema import package_schema

            return GetSchemaResponse(json.dumps(package_schema(), indent=2, sort_keys=True))
        return GetSchemaResponse(self._schema())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        olds, news = plain_map(request.old_inputs), plain_map(request.new_inputs)
        problem = org_change(olds, news, request.urn)
        failures = [CheckFailure(*problem)] if problem else []
        return CheckResponse(inputs=request.new_inputs, failures=failures)

    async def diff_config(self, request: DiffRequest) -> DiffResponse:
        """Never a replacement: changed credentials or settings update the provider in place
        (so that this run uses them) and touch no milestone. Another org is refused (the
        engine also asks this when a resource moves from one provider to another)."""
        olds, news = plain_map(request.old_state), plain_map(request.new_inputs)
        problem = org_change(olds, news, request.urn)
        if problem:
            raise CapillaryError(problem[1])
        same = {k: v for k, v in olds.items() if k != "version"} == {
            k: v for k, v in news.items() if k != "version"
        }
        # The SDK's servicer forwards DiffConfig's ``changes`` as the protocol's enum itself
        # (unlike Diff's): DIFF_NONE or DIFF_SOME, not a boolean (False is DIFF_UNKNOWN).
        changes = DiffResponse_pb.DIFF_NONE if same else DiffResponse_pb.DIFF_SOME
        return DiffResponse(changes=cast(bool, changes))

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        args = dict(request.args)
        self.core.configure(lambda key: setting(args.get(key.removeprefix("capillary:"))))
        # no preview of create/update: a preview shows the inputs and makes no API call
        return ConfigureResponse(accept_secrets=True, supports_preview=False)

    # -- plan ----------------------------------------------------------------------------
    async def check(self, request: CheckRequest) -> CheckResponse:
        olds, news = plain_map(request.old_inputs), plain_map(request.new_inputs)
        checked = await self._run(request.urn, self.core.check, olds, news)
        failures = [CheckFailure(f.property, f.reason) for f in checked.failures]
        secret = secret_keys(request.new_inputs)
        return CheckResponse(inputs=property_map(checked.inputs, secret), failures=failures)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        olds, news = plain_map(request.old_state), plain_map(request.new_inputs)
        verdict = self.core.diff(olds, news)  # no API call: on the event loop
        if verdict is None:
            return DiffResponse(changes=None)  # unknown: the engine compares the inputs
        return diff_response(verdict, olds, news)

    # -- apply ---------------------------------------------------------------------------
    async def create(self, request: CreateRequest) -> CreateResponse:
        props = plain_map(request.properties)
        group_id, outs = await self._run(request.urn, self.core.create, props)
        secret = secret_keys(request.properties, *_CARRIERS)
        return CreateResponse(group_id, property_map(outs, secret))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        olds, news = plain_map(request.olds), plain_map(request.news)
        outs = await self._run(request.urn, self.core.update, request.resource_id, olds, news)
        return UpdateResponse(property_map(outs, secret_keys(request.news, *_CARRIERS)))

    async def delete(self, request: DeleteRequest) -> None:
        props = plain_map(request.properties)
        await self._run(request.urn, self.core.delete, request.resource_id, props)

    async def read(self, request: ReadRequest) -> ReadResponse:
        props, inputs = plain_map(request.properties), plain_map(request.inputs)
        found = await self._run(
            request.urn, self.core.read, request.resource_id, props, inputs or None
        )
        if not found.group_id:
            return ReadResponse("")  # Capillary's own 310017: gone
        kept: dict[str, PropertyValue] | None = request.inputs  # the inputs stand as declared
        secret = secret_keys(request.inputs) | secret_keys(request.properties, *_CARRIERS)
        if found.inputs is not None:
            kept = property_map(found.inputs, secret)
        return ReadResponse(found.group_id, property_map(found.outputs, secret), kept)


# -- answers --------------------------------------------------------------------------------


def property_path(change: Change) -> str:
    """Where a change is, in Pulumi's property-path syntax: a target's value for a period is
    its item's ``defaultValue`` (``targets[0].defaultValues[1].defaultValue``)."""
    path = format_path(change.loc)
    whole_item = change.old is None or change.new is None
    if change.row.itemwise and isinstance(change.loc[-1], int) and not whole_item:
        return f"{path}.defaultValue"
    return path


def _kind(change: Change, replacing: bool) -> PropertyDiffKind:
    replace = replacing and change.mutability is Mutability.IMMUTABLE
    if change.old is None:
        return PropertyDiffKind.ADD_REPLACE if replace else PropertyDiffKind.ADD
    if change.new is None:
        return PropertyDiffKind.DELETE_REPLACE if replace else PropertyDiffKind.DELETE
    return PropertyDiffKind.UPDATE_REPLACE if replace else PropertyDiffKind.UPDATE


def diff_response(verdict: Verdict, olds: dict[str, Any], news: dict[str, Any]) -> DiffResponse:
    """The verdict as Pulumi's diff: one entry per changed leaf, each an input change."""
    if verdict.action is Action.NONE:
        return DiffResponse(changes=False)
    replacing = verdict.action is Action.REPLACE
    detailed = {
        property_path(c): PropertyDiff(_kind(c, replacing), input_diff=True)
        for c in verdict.changes.changes
    }
    for key in sorted(OPTION_KEYS):
        if olds.get(key) != news.get(key):
            detailed[key] = PropertyDiff(PropertyDiffKind.UPDATE, input_diff=True)
    return DiffResponse(
        changes=True,
        replaces=verdict.replaces if replacing else [],
        delete_before_replace=replacing and verdict.delete_first,
        detailed_diff=detailed,
    )


def _org(config: dict[str, Any]) -> tuple[str, str] | None:
    """The org a provider's configuration names, as (key, URL), if it names one."""
    from ..api.settings import REGIONS

    base = config.get("baseUrl")
    if isinstance(base, str) and base.strip():
        parts = urlsplit(base.strip())
        path = parts.path.rstrip("/")
        return "baseUrl", f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{path}"
    region = config.get("region")
    if isinstance(region, str) and region.strip().lower() in REGIONS:
        return "region", REGIONS[region.strip().lower()]
    return None


def org_change(olds: dict[str, Any], news: dict[str, Any], urn: str = "") -> tuple[str, str] | None:
    """(the key, the sentence) when a provider's configuration moves it to another org; the
    key as the user set it: the stack's ``capillary:`` key for the default provider."""
    before, after = _org(olds), _org(news)
    if before is None or after is None or before[1] == after[1]:
        return None
    key = after[0]
    said = f"capillary:{key}" if urn.rsplit("::", 1)[-1].startswith("default") else key
    return key, (
        f"This provider's org changed ({before[1]} → {after[1]}): its milestones live in the "
        "first, and pointing it at another would leave them there unmanaged and create them "
        f"again in the other; put {said} back, and manage the other org from a new stack (or "
        "a provider of its own)."
    )
