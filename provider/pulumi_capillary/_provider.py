"""The Pulumi dynamic provider for Capillary target groups.

How the engine drives it (see ``shared/pulumi-engine.md``), and what each step does here:

1. ``configure`` — once per provider process: read the stack's ``capillary:`` settings.
   Problems are kept and raised by the first call that needs them.
2. ``check(old inputs, new inputs)`` — validate the declaration and return it in canonical
   form (so the CLI shows only meaningful input changes). With old inputs, refuse each change
   Capillary cannot make, unless replacement is opted in. No API call.
3. ``diff(id, recorded outputs, inputs)`` — no change when the declaration matches what
   Capillary recorded; an update for editable fields; a replacement for immutable ones when
   opted in. No API call, never raises (the engine also calls it to label refreshes).
4. ``create`` / ``update`` / ``delete`` — the API calls, through the client; outputs are
   always the whole recorded group.
5. ``read`` — refresh and ``TargetGroup.get``: the recorded group, and the inputs that would
   recreate it when it drifted.

The object is pickled into every resource's state, so it holds nothing at construction:
settings and client are built in the provider process, after unpickling.
"""

from __future__ import annotations

import sys
import threading
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

from ._config import Settings, load_settings, policy_problems
from ._diff import Change, compare_declarations, compare_to_record
from ._exceptions import (
    ConfigurationError,
    DeclarationError,
    ImmutableChangeError,
    NotFoundError,
)
from ._fields import declared_from_recorded
from ._spec import OPTION_KEYS, PROVIDER_KEY, canonical_or_none, parse_inputs

if TYPE_CHECKING:
    from ._client import CapillaryClient

_INIT = threading.RLock()  # module-level: never pickled with the provider
DERIVED = ("targetGroupId", "periodIds", "targetIds")
_PROGRESS = "replacing a live milestone resets every customer's progress in it"


def immutable_reason(change: Change) -> str:
    return (
        f"Capillary cannot change {change.path} after a milestone is created "
        f"({change}). Declare a new milestone under a new name instead, or opt in to "
        f"replacement with onImmutableChange: replace ({_PROGRESS})."
    )


def _keep_name_reason(name: str) -> str:
    return (
        f"Replacing the milestone while keeping its name {name!r} means deleting it first "
        "(names are unique), which deletionPolicy: abandon does not allow. Set "
        "deletionPolicy: delete and run `pulumi up` once before the replacement, or give the "
        f"replacement a new name ({_PROGRESS})."
    )


def outputs(recorded: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The recorded group as outputs: ``id`` (reserved by Pulumi) becomes ``targetGroupId``."""
    outs = {k: v for k, v in recorded.items() if k != "id"}
    outs["targetGroupId"] = recorded["id"]
    outs["periodIds"] = [p.get("id") for p in recorded.get("periods") or []]
    outs["targetIds"] = [t.get("id") for t in recorded.get("targets") or []]
    outs.update({k: v for k, v in options.items() if k in OPTION_KEYS and v is not None})
    return outs


def recorded_of(outs: dict[str, Any]) -> dict[str, Any]:
    """Back from outputs to the group as Capillary returned it."""
    recorded = {
        k: v
        for k, v in outs.items()
        if k not in DERIVED and k not in OPTION_KEYS and k != PROVIDER_KEY
    }
    if "targetGroupId" in outs:
        recorded["id"] = outs["targetGroupId"]
    return recorded


def _options(props: dict[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in OPTION_KEYS if props.get(k) is not None}


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)  # shown by the Pulumi CLI


class TargetGroupProvider(ResourceProvider):
    """Capillary target groups (milestones) as Pulumi resources."""

    serialize_as_secret_always = False  # it carries no secret: nothing is stored on it

    def __getstate__(self) -> dict[str, Any]:
        return {}  # settings, client and credentials never travel with the pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    # -- settings and client, built in the provider process ------------------------------
    def configure(self, req: ConfigureRequest) -> None:
        with _INIT:
            self.__dict__["_settings"] = load_settings(req.config.get)
            self.__dict__.pop("_client", None)

    @property
    def settings(self) -> Settings:
        settings = self.__dict__.get("_settings")
        if settings is None:
            with _INIT:
                settings = self.__dict__.setdefault("_settings", load_settings())
        return settings

    @property
    def client(self) -> CapillaryClient:
        client = self.__dict__.get("_client")
        if client is None:
            with _INIT:
                client = self.__dict__.get("_client")
                if client is None:
                    from ._client import CapillaryClient  # httpx: only when a call is made

                    client = self.__dict__["_client"] = CapillaryClient(self.settings)
        return client

    def _policy(self, props: dict[str, Any], key: str) -> str:
        """A per-resource policy input, else the stack's (``onImmutableChange``...)."""
        default = {
            "onImmutableChange": self.settings.on_immutable_change,
            "deletionPolicy": self.settings.deletion_policy,
        }[key]
        return str(props.get(key) or default).lower()

    def _require_policies(self) -> None:
        problems = policy_problems(self.settings)
        if problems:
            raise ConfigurationError(
                f"The Capillary provider is not configured: {'; '.join(problems)}; fix the "
                "stack configuration and run again."
            )

    # -- plan ----------------------------------------------------------------------------
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        try:
            spec, options = parse_inputs(news)
        except DeclarationError as error:
            failures = [
                CheckFailure(v.path, f"{v.rule} (got {v.value!r})") for v in error.violations
            ]
            return CheckResult(news, failures)
        if spec is None:  # unknown values in a preview: validated again at `up`
            return CheckResult(news, [])
        inputs = {**spec.body(), **options.model_dump(by_alias=True, exclude_none=True)}
        if not olds:
            return CheckResult(inputs, [])
        # Old inputs may not validate (refreshed from a group changed in the Capillary UI):
        # they are still what Capillary holds, so compare them as they are.
        old_body = canonical_or_none(olds) or olds
        plan = compare_declarations(old_body, inputs)
        if not plan.immutable:
            return CheckResult(inputs, [])
        self._require_policies()
        if self._policy(inputs, "onImmutableChange") != "replace":
            return CheckResult(
                inputs, [CheckFailure(c.path, immutable_reason(c)) for c in plan.immutable]
            )
        keeps_name = str(old_body.get("name")).casefold() == inputs["name"].casefold()
        policies = {self._policy(olds, "deletionPolicy"), self._policy(inputs, "deletionPolicy")}
        if keeps_name and policies != {"delete"}:
            return CheckResult(inputs, [CheckFailure("name", _keep_name_reason(inputs["name"]))])
        return CheckResult(inputs, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # news are check's canonical inputs (numbers arrive as floats: compared by value)
        plan = compare_to_record(recorded_of(olds), news)
        options_changed = _options(olds) != _options(news)
        if not plan and not options_changed:
            return DiffResult(changes=False, replaces=[], delete_before_replace=False)
        if not plan.immutable or self._policy(news, "onImmutableChange") != "replace":
            # Immutable changes without opt-in were refused by check; if one slips through
            # (drift), update refuses it before any API call.
            return DiffResult(changes=True, replaces=[], delete_before_replace=False)
        name = news.get("name")
        keeps_name = isinstance(name, str) and name.casefold() == str(olds.get("name")).casefold()
        return DiffResult(
            changes=True, replaces=plan.top_level(plan.immutable), delete_before_replace=keeps_name
        )

    # -- apply ---------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        spec, options = parse_inputs(props)
        body = spec.body()
        if options.adopt_existing_id is not None:
            recorded = self.client.adopt(
                options.adopt_existing_id, body, "was named by adoptExistingId"
            )
        else:
            recorded = self.client.create(body).recorded
        return CreateResult(str(recorded["id"]), outputs(recorded, _options(props)))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec, _ = parse_inputs(news)
        body = spec.body()
        plan = compare_to_record(recorded_of(olds), body)
        if plan.immutable:
            listed = "; ".join(str(c) for c in plan.immutable)
            raise ImmutableChangeError(
                f"Target group {_id} differs from the declaration in fields Capillary cannot "
                f"change ({listed}); run `pulumi refresh` to see what changed, then declare a "
                "new milestone or opt in to replacement with onImmutableChange: replace."
            )
        recorded = self.client.edit(_id, body) if plan.updates else recorded_of(olds)
        return UpdateResult(outputs(recorded, _options(news)))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        name = props.get("name", "")
        self._require_policies()
        if self._policy(props, "deletionPolicy") == "abandon":
            _warn(
                f"target group {_id} ({name!r}) was removed from the stack but keeps running in "
                "Capillary (deletionPolicy: abandon); deactivate it there, or set "
                "deletionPolicy: delete to have Pulumi delete it."
            )
            return
        if not self.client.delete(_id):
            _warn(f"target group {_id} ({name!r}) was already gone from Capillary.")

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            recorded = self.client.read(id_)
        except NotFoundError:
            return ReadResult("", {})  # gone: the engine drops it from the state
        options = _options(props)
        outs = outputs(recorded, options)
        old = recorded_of(props)
        declared = declared_from_recorded(recorded)
        if old.get("periods") is not None and not compare_declarations(
            declared_from_recorded(old), declared
        ):
            return ReadResult(id_, outs)  # no drift: keep the inputs as declared
        inputs = {**(canonical_or_none(declared) or declared), **options}
        return ReadResult(id_, outs, inputs)
