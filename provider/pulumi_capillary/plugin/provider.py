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

import json
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, cast
from urllib.parse import urlsplit

from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    Provider,
)
from pulumi.runtime.proto.provider_pb2 import DiffResponse as DiffResponse_pb
from pulumi.runtime.proto.provider_pb2 import PropertyDiff as PropertyDiff_pb

from ..declaration.models import OPTION_KEYS
from ..diff import Change
from ..exceptions import CapillaryError, format_path
from ..fields import Mutability
from ..operations import Checked, Milestones, Read
from ..plan import Action, Verdict
from .values import plain_map, setting

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

    # -- the resource's calls, on plain values (``server.py`` translates the structs) -------
    def check_inputs(self, urn: str, olds: dict[str, Any], news: dict[str, Any]) -> Checked:
        _URN.set(urn)
        return self.core.check(olds, news)

    def diff_state(self, olds: dict[str, Any], news: dict[str, Any]) -> DiffResponse_pb:
        verdict = self.core.diff(olds, news)  # no API call
        if verdict is None:
            return DiffResponse_pb(hasDetailedDiff=False)  # unknown: the engine compares
        return diff_response(verdict, olds, news)

    def create_group(self, urn: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        _URN.set(urn)
        return self.core.create(props)

    def update_group(
        self, urn: str, group_id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        _URN.set(urn)
        return self.core.update(group_id, olds, news)

    def delete_group(self, urn: str, group_id: str, props: dict[str, Any]) -> None:
        _URN.set(urn)
        self.core.delete(group_id, props)

    def read_group(
        self, urn: str, group_id: str, props: dict[str, Any], inputs: dict[str, Any]
    ) -> Read:
        _URN.set(urn)
        return self.core.read(group_id, props, inputs or None)


# -- answers --------------------------------------------------------------------------------


def property_path(change: Change) -> str:
    """Where a change is, in Pulumi's property-path syntax: a target's value for a period is
    its item's ``defaultValue`` (``targets[0].defaultValues[1].defaultValue``)."""
    path = format_path(change.loc)
    whole_item = change.old is None or change.new is None
    if change.row.itemwise and isinstance(change.loc[-1], int) and not whole_item:
        return f"{path}.defaultValue"
    return path


_KINDS = {  # (old missing, new missing, replace) → the protocol's kind
    (True, False, False): PropertyDiff_pb.ADD,
    (True, False, True): PropertyDiff_pb.ADD_REPLACE,
    (False, True, False): PropertyDiff_pb.DELETE,
    (False, True, True): PropertyDiff_pb.DELETE_REPLACE,
    (False, False, False): PropertyDiff_pb.UPDATE,
    (False, False, True): PropertyDiff_pb.UPDATE_REPLACE,
}


def _kind(change: Change, replacing: bool) -> Any:
    replace = replacing and change.mutability is Mutability.IMMUTABLE
    return _KINDS[change.old is None, change.new is None and change.old is not None, replace]


def diff_response(verdict: Verdict, olds: dict[str, Any], news: dict[str, Any]) -> DiffResponse_pb:
    """The verdict as Pulumi's diff: one entry per changed leaf, each an input change."""
    if verdict.action is Action.NONE:
        return DiffResponse_pb(changes=DiffResponse_pb.DIFF_NONE, hasDetailedDiff=True)
    replacing = verdict.action is Action.REPLACE
    detailed = {
        property_path(c): PropertyDiff_pb(kind=_kind(c, replacing), inputDiff=True)
        for c in verdict.changes.changes
    }
    for key in sorted(OPTION_KEYS):
        if olds.get(key) != news.get(key):
            detailed[key] = PropertyDiff_pb(kind=PropertyDiff_pb.UPDATE, inputDiff=True)
    return DiffResponse_pb(
        changes=DiffResponse_pb.DIFF_SOME,
        replaces=verdict.replaces if replacing else [],
        deleteBeforeReplace=replacing and verdict.delete_first,
        detailedDiff=detailed,
        hasDetailedDiff=True,
    )


def _org(config: dict[str, Any]) -> tuple[str, str] | None:
    """The org a provider's configuration names, as (key, URL), if it names one."""
    from ..api.problems import REGIONS

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
