"""What a provider does for each of the engine's calls, on plain values, for both adapters.

The dynamic provider (``dynamic/``) and the resource provider (``plugin/``) speak two
protocols to the Pulumi engine, but decide nothing of their own: each translates its
protocol's values to plain dicts, calls :class:`Milestones`, and translates the answer back.
Here the one verdict (``plan.py``) becomes check failures, a diff or an update, and the apply
layer (``apply.py``) makes the calls.

- ``check(old inputs, new inputs)``: the declaration validated and in canonical form; with
  old inputs, the verdict's refusals as failures. No API call.
- ``diff(id, recorded outputs, inputs)``: the same verdict against what Capillary recorded.
  No API call, never raises.
- ``create``/``update``/``delete``: the API calls, through the apply layer; outputs are
  always the whole recorded group.
- ``read``: the recorded group, and the inputs that recreate it where it drifted.

Settings, client and credentials are built when first needed, in the provider's process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .declaration.models import (
    OPTION_KEYS,
    PROVIDER_KEY,
    SPELLING_KEY,
    canonical_or_none,
    parse_inputs,
    split_inputs,
)
from .declaration.names import Spelling, spelling_of
from .diff import compare_to_record
from .exceptions import (
    ConfigurationError,
    DeclarationError,
    NotFoundError,
    ReadsPhasedOutError,
    Violation,
    quote,
)
from .plan import (
    Policies,
    Verdict,
    drifted,
    plan_declarations,
    plan_record,
    refreshed_inputs,
)
from .unknown import is_unknown

if TYPE_CHECKING:
    from .api.client import CapillaryClient
    from .api.settings import Settings
    from .apply import Applier

Say = Callable[[str], None]
APPLIED = "appliedDeclaration"
DERIVED = ("targetGroupId", "periodIds", "targetIds", APPLIED)


@dataclass(frozen=True)
class Failure:
    """One check failure: the top-level input it is about (``""`` when the message names a
    nested field itself, which Pulumi cannot show the value of), and why."""

    property: str
    reason: str


@dataclass(frozen=True)
class Checked:
    inputs: dict[str, Any]
    failures: tuple[Failure, ...] = ()


@dataclass(frozen=True)
class Read:
    """Refresh's answer: ``group_id`` empty when Capillary says the group is gone; ``inputs``
    ``None`` when the stored inputs stand as declared."""

    group_id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None = None


def failure(loc: tuple[str | int, ...], reason: str, inputs: dict[str, Any]) -> Failure:
    """A failure under the key the user wrote: a top-level input of that name carries it (the
    CLI then shows its value); anything else is named at the start of the reason."""
    if len(loc) == 1 and isinstance(loc[0], str) and loc[0] in inputs:
        return Failure(loc[0], reason)
    from .exceptions import format_path

    return Failure("", f"{format_path(loc)}: {reason}")


def _violation_failures(
    violations: list[Violation], spelling: Spelling, inputs: dict[str, Any]
) -> tuple[Failure, ...]:
    found = []
    for violation in violations:
        spelt = spelling.violation(violation)
        found.append(failure(spelt.loc, f"{spelt.rule} (got {quote(spelt.value)})", inputs))
    return tuple(found)


# -- outputs: the recorded group, and what we add to it ----------------------------------


def outputs(
    recorded: dict[str, Any], options: dict[str, Any], applied: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The recorded group as outputs: ``id`` (reserved by Pulumi) becomes ``targetGroupId``;
    ``periodIds`` and ``targetIds`` are derived; ``appliedDeclaration`` keeps the declaration
    last created or updated, against which a field Capillary leaves out is compared; the
    provider-only inputs are kept, so a destroy after a refresh still knows them."""
    outs = {k: v for k, v in recorded.items() if k != "id"}
    outs["targetGroupId"] = recorded["id"]
    outs["periodIds"] = [p.get("id") for p in recorded.get("periods") or []]
    outs["targetIds"] = [t.get("id") for t in recorded.get("targets") or []]
    if applied:
        outs[APPLIED] = applied
    kept = OPTION_KEYS | {SPELLING_KEY}
    outs.update({k: v for k, v in options.items() if k in kept and v is not None})
    return outs


def recorded_of(outs: dict[str, Any]) -> dict[str, Any]:
    """Back from outputs to the group as Capillary returned it (ids as ints again: the
    engine sends every number as a float)."""
    from .declaration.values import integral

    recorded = {
        k: v
        for k, v in outs.items()
        if k not in DERIVED and k not in OPTION_KEYS and k not in (PROVIDER_KEY, SPELLING_KEY)
    }
    if "targetGroupId" in outs:
        recorded["id"] = outs["targetGroupId"]
    return integral(recorded)


def options_of(props: dict[str, Any]) -> dict[str, Any]:
    """The provider-only inputs (or outputs) that are set."""
    return {key: props[key] for key in OPTION_KEYS if props.get(key) is not None}


def kept_of(props: dict[str, Any]) -> dict[str, Any]:
    """What the outputs keep of the inputs that are not sent: the provider-only options, and
    how the declaration spells its fields (refresh gives them back as inputs)."""
    kept = options_of(props)
    if props.get(SPELLING_KEY) is not None:
        kept[SPELLING_KEY] = props[SPELLING_KEY]
    return kept


def applied_of(props: dict[str, Any]) -> dict[str, Any] | None:
    applied = props.get(APPLIED)
    return applied if isinstance(applied, dict) else None


class Milestones:
    """The provider's work, whatever protocol carries it. Thread-safe: a provider server
    calls it from several threads at once."""

    def __init__(self, warn: Say, tell: Say) -> None:
        self._warn, self._tell = warn, tell
        self._lock = threading.RLock()
        self._config: Callable[[str], Any] | None = None
        self._settings: Settings | None = None
        self._applier: Applier | None = None

    # -- settings and client, built when first needed ------------------------------------
    def configure(self, config: Callable[[str], Any] | None) -> None:
        """``config``: the stack's ``capillary:<key>`` values (a getter); read when needed."""
        with self._lock:
            self._config, self._settings, self._applier = config, None, None

    def use(self, settings: Settings) -> None:
        """Settings read elsewhere (a command, a test), instead of the stack's."""
        with self._lock:
            self._settings, self._applier = settings, None

    @property
    def settings(self) -> Settings:
        with self._lock:
            if self._settings is None:
                from .api.settings import load_settings  # pydantic-settings: when needed

                self._settings = load_settings(self._config)
            return self._settings

    @property
    def applier(self) -> Applier:
        with self._lock:
            if self._applier is None:
                from .api.client import CapillaryClient
                from .apply import Applier  # httpx: only when a call is made

                self._applier = Applier(CapillaryClient(self.settings), self._warn)
            return self._applier

    @property
    def client(self) -> CapillaryClient:
        return self.applier.client

    def _policies(self, before: dict[str, Any], after: dict[str, Any]) -> Callable[[], Policies]:
        """Per-resource policy inputs (possibly unknown), else the stack's: read only when a
        verdict depends on them, so most checks and diffs never read the settings."""

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
        from .api.settings import policy_problems

        problems = "; ".join(map(str, policy_problems(self.settings)))
        if problems:
            raise ConfigurationError(
                f"The Capillary provider is not configured: {problems}; fix the stack "
                "configuration and run again."
            )

    # -- plan ----------------------------------------------------------------------------
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> Checked:
        try:
            return self._check(olds, news)
        except RecursionError:
            return Checked(news, (Failure("", "the declaration is nested too deeply to be read"),))

    def _check(self, olds: dict[str, Any], news: dict[str, Any]) -> Checked:
        spelling = spelling_of(news)
        body, options = split_inputs(news)
        try:
            spec, parsed = parse_inputs(news)
        except DeclarationError as error:
            return Checked(news, _violation_failures(error.violations, spelling, news))
        if spec is not None:  # else unknown values in a preview: validated again at `up`
            body = spec.body()
        known = parsed.model_dump(by_alias=True, exclude_none=True)
        inputs = {**body, **{k: known.get(k, v) for k, v in options.items()}}
        if SPELLING_KEY in news:
            inputs[SPELLING_KEY] = spelling.value
        if not olds:
            adopted = known.get("adoptExistingId")
            if adopted is not None:
                self._tell(
                    f"milestone {body.get('name')!r} adopts target group {adopted} "
                    "(adoptExistingId): nothing is created in Capillary; `pulumi up` reads the "
                    "group and records it if it matches the declaration."
                )
            return Checked(inputs)
        # Old inputs may not validate (refreshed from a group changed in the Capillary UI):
        # they are still what Capillary holds, so compare them as they are.
        old_body = canonical_or_none(olds) or split_inputs(olds)[0]
        verdict = plan_declarations(old_body, body, self._policies(olds, inputs), spelling)
        if verdict.changes.immutable:
            self._require_policies()
        failures = tuple(failure(spelling.loc(r.loc), r.reason, inputs) for r in verdict.refusals)
        return Checked(inputs, failures)

    def verdict(self, olds: dict[str, Any], news: dict[str, Any]) -> Verdict:
        """What Capillary recorded (``olds``: the outputs) against the new inputs."""
        body, _ = split_inputs(news)
        return plan_record(
            recorded_of(olds),
            body,
            self._policies(olds, news),
            applied_of(olds),
            options_changed=options_of(olds) != options_of(news),
        )

    def diff(self, olds: dict[str, Any], news: dict[str, Any]) -> Verdict | None:
        """The verdict, or ``None`` when it cannot be made (a declaration nested too deeply):
        a change of unknown kind. Never raises: the engine also calls it to label refreshes.
        A refusal here (a drift check could not see) is raised by update, before any call."""
        try:
            return self.verdict(olds, news)
        except RecursionError:
            return None

    # -- apply ---------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        spec, options = parse_inputs(props)
        assert spec is not None, "the engine sends known values to create"
        body = spec.body()
        if options.adopt_existing_id is not None:
            recorded = self.applier.adopt(
                options.adopt_existing_id, body, "was named by adoptExistingId"
            )
        else:
            recorded = self.applier.create(body)
        return str(recorded["id"]), outputs(recorded, kept_of(props), body)

    def update(self, group_id: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        spec, _ = parse_inputs(news)
        assert spec is not None, "the engine sends known values to update"
        body = spec.body()
        verdict = self.verdict(olds, {**news, **body})
        spelling = spelling_of(news)
        verdict.raise_unless_in_place(group_id, spelling)
        recorded = self.applier.update(
            group_id, recorded_of(olds), body, verdict.changes, applied_of(olds), spelling
        )
        return outputs(recorded, kept_of(news), body)

    def delete(self, group_id: str, props: dict[str, Any]) -> None:
        name = props.get("name", "")
        self._require_policies()
        if self._policies(props, props)().deletion_after == "abandon":
            self._warn(
                f"target group {group_id} ({name!r}) is no longer managed by this stack and "
                "keeps running in Capillary (deletionPolicy: abandon); deactivate it in "
                "Capillary if it should stop."
            )
            return
        if not self.applier.delete(group_id):
            self._warn(f"target group {group_id} ({name!r}) was already gone from Capillary.")

    def read(
        self, group_id: str, props: dict[str, Any], inputs: dict[str, Any] | None = None
    ) -> Read:
        """``props``: the stored outputs; ``inputs``: the stored inputs, where the protocol
        sends them (else the declaration last applied stands for them)."""
        try:
            recorded = self.client.read(group_id)
        except NotFoundError:
            return Read("", {})  # Capillary's own 310017: gone, dropped from the state
        except ReadsPhasedOutError as error:
            raise error.because(
                f"target group {group_id} cannot be read (`pulumi refresh`, `pulumi import`) "
                "and the stack keeps what it last recorded of it"
            ) from None
        applied = applied_of(props)
        options = kept_of({**props, **(inputs or {})})
        outs = outputs(recorded, options, applied)
        declared = split_inputs(inputs)[0] if inputs else applied
        if not drifted(recorded_of(props), recorded, applied) and not (
            declared and compare_to_record(recorded, declared, applied)
        ):
            return Read(group_id, outs)  # the inputs stay as declared
        # Drift since the last record, or a record that disagrees with the declaration (an
        # edit taken in by an earlier read-back): the inputs become what Capillary holds, so
        # that the next preview judges the org's change as it would any other.
        if declared:
            body = refreshed_inputs(recorded, canonical_or_none(declared) or declared, applied)
        else:  # read without a declaration (a static get): what would recreate it
            from .records import declared_from_recorded

            body = declared_from_recorded(recorded)
        return Read(group_id, outs, {**(canonical_or_none(body) or body), **options})
