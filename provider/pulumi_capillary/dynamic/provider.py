"""The Pulumi dynamic provider for Capillary target groups.

How the engine drives it (pulumi/pulumi: ``pkg/resource/deploy/step_generator.go`` and the
SDK's ``pulumi/dynamic/__main__.py``), and what each step does here:

1. ``configure`` — once per provider process: read the stack's ``capillary:`` settings.
   Problems are kept and raised by the first call that needs them.
2. ``check(old inputs, new inputs)`` — validate the declaration and return it in canonical
   form (so the CLI shows only meaningful input changes). With old inputs, turn the plan's
   refusals (``plan.py``) into failures: each change Capillary cannot make, unless replacement
   is opted in. No API call.
3. ``diff(id, recorded outputs, inputs)`` — the same verdict against what Capillary
   recorded: no change, an update in place, or a replacement. No API call, never raises (the
   engine also calls it to label refreshes).
4. ``create`` / ``update`` / ``delete`` — the API calls, through the apply layer
   (``apply.py``); outputs are always the whole recorded group.
5. ``read`` — refresh and ``TargetGroup.get``: the recorded group, and the inputs that would
   recreate it when it drifted.

The object is pickled into every resource's state, so it holds nothing at construction:
settings and client are built in the provider process, after unpickling.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

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

from ..declaration.models import (
    canonical_or_none,
    parse_inputs,
    split_inputs,
)
from ..exceptions import (
    CapillaryError,
    ConfigurationError,
    DeclarationError,
    NotFoundError,
    quote,
)
from ..plan import Action, Policies, Verdict, drifted, plan_declarations, plan_record
from ..records import declared_from_recorded
from ..unknown import is_unknown
from .outputs import applied_of, options_of, outputs, recorded_of

if TYPE_CHECKING:
    from ..api.client import CapillaryClient
    from ..api.settings import Settings
    from ..apply import Applier

_INIT = threading.RLock()  # module-level: never pickled with the provider


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)  # shown by the Pulumi CLI


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


def _failures(error: DeclarationError) -> list[CheckFailure]:
    return [CheckFailure(v.path, f"{v.rule} (got {quote(v.value)})") for v in error.violations]


class TargetGroupProvider(ResourceProvider):
    """Capillary target groups (milestones) as Pulumi resources."""

    serialize_as_secret_always = False  # it carries no secret: nothing is stored on it

    def __getstate__(self) -> dict[str, Any]:
        return {}  # settings, client and credentials never travel with the pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    # -- settings and client, built in the provider process ------------------------------
    def configure(self, req: ConfigureRequest) -> None:
        _plain_errors_in_provider_server()
        with _INIT:  # read when first needed: most checks and diffs never need them
            self.__dict__["_config"] = req.config.get
            self.__dict__.pop("_settings", None)
            self.__dict__.pop("_applier", None)

    @property
    def settings(self) -> Settings:
        settings: Settings | None = self.__dict__.get("_settings")
        if settings is None:
            with _INIT:
                settings = self.__dict__.get("_settings")
                if settings is None:
                    from ..api.settings import load_settings  # pydantic-settings: when needed

                    settings = load_settings(self.__dict__.get("_config"))
                    self.__dict__["_settings"] = settings
        return settings

    @property
    def applier(self) -> Applier:
        applier = self.__dict__.get("_applier")
        if applier is None:
            with _INIT:
                applier = self.__dict__.get("_applier")
                if applier is None:
                    from ..api.client import CapillaryClient
                    from ..apply import Applier  # httpx: only when a call is made

                    client = CapillaryClient(self.settings)
                    applier = self.__dict__["_applier"] = Applier(client, _warn)
        return applier

    @property
    def client(self) -> CapillaryClient:
        return self.applier.client

    def _policies(self, before: dict[str, Any], after: dict[str, Any]) -> Callable[[], Policies]:
        """Per-resource policy inputs (possibly unknown), else the stack's: read only when
        a verdict depends on them, so a check or diff without an immutable change never
        reads the settings."""

        def pick(props: dict[str, Any], key: str, default: str) -> Any:
            value = props.get(key)
            if value is None:
                return default
            return value if is_unknown(value) else str(value).strip().lower()

        def policies() -> Policies:
            settings = self.settings
            return Policies(
                on_immutable_change=pick(after, "onImmutableChange", settings.on_immutable_change),
                deletion_before=pick(before, "deletionPolicy", settings.deletion_policy),
                deletion_after=pick(after, "deletionPolicy", settings.deletion_policy),
            )

        return policies

    def _require_policies(self) -> None:
        from ..api.settings import policy_problems

        problems = "; ".join(map(str, policy_problems(self.settings)))
        if problems:
            raise ConfigurationError(
                f"The Capillary provider is not configured: {problems}; fix the stack "
                "configuration and run again."
            )

    # -- plan ----------------------------------------------------------------------------
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        try:
            return self._check(olds, news)
        except RecursionError:
            reason = "is nested too deeply to be read; flatten it"
            return CheckResult(news, [CheckFailure("(declaration)", reason)])

    def _check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        body, options = split_inputs(news)
        try:
            spec, parsed = parse_inputs(news)
        except DeclarationError as error:
            return CheckResult(news, _failures(error))
        if spec is not None:  # else unknown values in a preview: validated again at `up`
            body = spec.body()
        known = parsed.model_dump(by_alias=True, exclude_none=True)
        inputs = {**body, **{k: known.get(k, v) for k, v in options.items()}}
        if not olds:
            return CheckResult(inputs, [])
        # Old inputs may not validate (refreshed from a group changed in the Capillary UI):
        # they are still what Capillary holds, so compare them as they are.
        old_body = canonical_or_none(olds) or split_inputs(olds)[0]
        verdict = plan_declarations(old_body, body, self._policies(olds, inputs))
        if verdict.changes.immutable:
            self._require_policies()
        failures = [CheckFailure(r.path, r.reason) for r in verdict.refusals]
        return CheckResult(inputs, failures)

    def _verdict(self, olds: dict[str, Any], news: dict[str, Any]) -> Verdict:
        body, _ = split_inputs(news)
        return plan_record(
            recorded_of(olds),
            body,
            self._policies(olds, news),
            applied_of(olds),
            options_changed=options_of(olds) != options_of(news),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Never raises: the engine also calls it with swapped arguments to label refreshes.
        # A refusal here (a drift check could not see) is raised by update, before any call.
        try:
            verdict = self._verdict(olds, news)
        except RecursionError:
            return DiffResult(changes=True, replaces=[], delete_before_replace=False)
        if verdict.action is Action.NONE:
            return DiffResult(changes=False, replaces=[], delete_before_replace=False)
        if verdict.action is Action.REPLACE:
            return DiffResult(
                changes=True, replaces=verdict.replaces, delete_before_replace=verdict.delete_first
            )
        return DiffResult(changes=True, replaces=[], delete_before_replace=False)

    # -- apply ---------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        spec, options = parse_inputs(props)
        assert spec is not None, "the engine sends known values to create"
        body = spec.body()
        if options.adopt_existing_id is not None:
            recorded = self.applier.adopt(
                options.adopt_existing_id, body, "was named by adoptExistingId"
            )
        else:
            recorded = self.applier.create(body)
        return CreateResult(str(recorded["id"]), outputs(recorded, options_of(props), body))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec, _ = parse_inputs(news)
        assert spec is not None, "the engine sends known values to update"
        body = spec.body()
        verdict = self._verdict(olds, {**news, **body})
        verdict.raise_unless_in_place(_id)
        recorded = self.applier.update(_id, recorded_of(olds), body, verdict.changes)
        return UpdateResult(outputs(recorded, options_of(news), body))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        name = props.get("name", "")
        self._require_policies()
        if self._policies(props, props)().deletion_after == "abandon":
            _warn(
                f"target group {_id} ({name!r}) was removed from the stack but keeps running in "
                "Capillary (deletionPolicy: abandon); deactivate it there, or set "
                "deletionPolicy: delete to have Pulumi delete it."
            )
            return
        if not self.applier.delete(_id):
            _warn(f"target group {_id} ({name!r}) was already gone from Capillary.")

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            recorded = self.client.read(id_)
        except NotFoundError:
            return ReadResult("", {})  # Capillary's own 310017: gone, dropped from the state
        applied = applied_of(props)
        options = options_of(props)
        outs = outputs(recorded, options, applied)
        if not drifted(recorded_of(props), recorded, applied):
            return ReadResult(id_, outs)  # keep the inputs as declared
        declared = declared_from_recorded(recorded, applied)
        inputs = {**(canonical_or_none(declared) or declared), **options}
        return ReadResult(id_, outs, inputs)


# Pickled by reference under its public name: the state of every resource holds the pickle,
# so an internal module move must never make it unreadable (``_provider.py`` keeps the old
# name readable).
TargetGroupProvider.__module__ = "pulumi_capillary"
