"""Provider settings, declared once on :class:`Settings` (pydantic-settings).

Each field is one setting: its stack config key is ``capillary:<camelCase name>``, its
environment variable ``CAPILLARY_<NAME>``. Two declared sources, the stack's config first
(``ConfigureRequest.config``), then the environment, then the field's default. Problems are
collected, not raised, when the settings are read (at ``configure``, where an exception would
surface as a crash of the provider process): each is picked by its location (the field), and
the first call that needs a setting raises them all in one :class:`ConfigurationError` naming
the config key and the environment variable of each. No message repeats a secret, nor
anything written in a URL's credentials part.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BeforeValidator, Field, PrivateAttr, SecretStr, ValidationError
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ..exceptions import ConfigurationError
from .problems import Problem, Region, credential_problems, url_problems

PREFIX = "CAPILLARY_"

_lower = BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v)
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]  # positive and finite


def _says(description: str) -> Any:
    """What a setting means: for the provider's schema and ``help(ProviderArgs)``."""
    return Field(description=description)


Megabytes = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Settings(BaseSettings):
    """What the provider needs to talk to one Capillary org. Secrets are ``SecretStr``."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, frozen=True, str_strip_whitespace=True, extra="ignore"
    )

    region: Annotated[
        Region | None, _lower, _says("the org's Capillary region: eu, apac, apac2, us or cn")
    ] = None
    base_url: Annotated[
        str | None,
        _says(
            "overrides the region's host (the emulator, a proxy): https://, or http:// to this "
            "machine only"
        ),
    ] = None
    username: Annotated[str | None, _says("the till for Basic auth")] = None
    password: Annotated[
        SecretStr | None, _says("the till's password (Basic auth; the client sends its md5)")
    ] = None
    oauth_key: Annotated[str | None, _says("the OAuth client's key; preferred over Basic")] = None
    oauth_secret: Annotated[SecretStr | None, _says("the OAuth client's secret")] = None
    on_immutable_change: Annotated[
        Literal["fail", "replace"],
        _lower,
        _says("what a change Capillary cannot make does: fail (the default) or replace"),
    ] = "fail"
    deletion_policy: Annotated[
        Literal["abandon", "delete"],
        _lower,
        _says("what removing a milestone from the stack does: abandon (the default) or delete"),
    ] = "abandon"
    timeout_seconds: Annotated[Seconds, _says("read/write timeout per request, seconds")] = 30.0
    connect_timeout_seconds: Annotated[Seconds, _says("connect timeout, seconds")] = 10.0
    retry_deadline_seconds: Annotated[
        Seconds,
        _says(
            "the total deadline of one call, seconds: its retries, waits, a create's look-ups "
            "and token renewals included"
        ),
    ] = 120.0
    retry_backoff_seconds: Annotated[
        Seconds, _says("first backoff, seconds, doubled per retry up to 10, plus jitter")
    ] = 0.5
    allow_insecure_http: Annotated[
        bool,
        _lower,
        _says("true allows http:// to a trusted proxy (never to a Capillary region's host)"),
    ] = False
    # the largest answer read, decompressed: one group's, and the org's list (against bombs;
    # an org of 10,000 groups with periods and targets lists about 70 MiB)
    max_answer_megabytes: Annotated[
        Megabytes, _says("the largest answer read, decompressed, for one group (MiB)")
    ] = 32.0
    max_list_megabytes: Annotated[
        Megabytes, _says("the largest list of the org's groups read (MiB)")
    ] = 512.0
    # groups a command reads at a time when the org's list leaves something out (the audit,
    # export --all); the client keeps at most 16 connections
    reads_in_flight: Annotated[
        int,
        Field(ge=1, le=16),
        _says("groups read at a time when a list leaves out their periods or targets (1 to 16)"),
    ] = 8
    # Capillary documents 1,000 requests a minute per API key on its demo and test clusters
    requests_per_minute: Annotated[
        int,
        Field(ge=1, le=100_000),
        _says(
            "the most requests a minute to Capillary, shared by everything in one process using "
            "the same credentials (1 to 100000; below Capillary's documented 1000 by default)"
        ),
    ] = 900
    _problems: tuple[Problem, ...] = PrivateAttr(default=())
    _naming: Naming = PrivateAttr(default=None)  # type: ignore[assignment]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # load_settings reads the two sources below, in order

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self._problems

    @property
    def naming(self) -> Naming:
        return self._naming or PULUMI

    @property
    def uses_oauth(self) -> bool:
        return self.oauth_key is not None

    def require_connection(self) -> None:
        """Raise the collected problems, if any, before the first API call."""
        if self._problems:
            listed = "; ".join(p.message for p in self._problems)
            naming = self.naming
            raise ConfigurationError(
                f"{naming.subject} is not configured: {listed}. {naming.advice}"
            )


def key(field: str) -> str:
    """The stack config key of a field (``timeout_seconds`` → ``timeoutSeconds``)."""
    return to_camel(field)


def variable(field: str) -> str:
    return PREFIX + field.upper()


KEYS: dict[str, str] = {key(f): variable(f) for f in Settings.model_fields}
SECRETS = ("password", "oauth_secret")


class StackConfig(PydanticBaseSettingsSource):
    """The stack's ``capillary:`` config, as ``ConfigureRequest.config.get`` reads it."""

    def __init__(self, settings_cls: type[BaseSettings], get: Callable[[str], Any] | None):
        super().__init__(settings_cls)
        self._get = get

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        value = self._get(f"capillary:{key(field_name)}") if self._get else None
        return (None if value in (None, "") else str(value)), field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {
            name: self.get_field_value(f, name)[0]
            for name, f in self.settings_cls.model_fields.items()
        }
        return {name: value for name, value in found.items() if value is not None}


class Environment(PydanticBaseSettingsSource):
    """``CAPILLARY_*`` variables of a given environment (``os.environ`` by default)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        super().__init__(settings_cls)
        # case-insensitive, as pydantic-settings reads variables; an empty one is unset
        self._vars = {name.lower(): value for name, value in environ.items() if value != ""}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._vars.get(variable(field_name).lower()), field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {
            name: self.get_field_value(f, name)[0]
            for name, f in self.settings_cls.model_fields.items()
        }
        return {name: value for name, value in found.items() if value is not None}


def _choices(annotation: Any) -> list[str]:
    """The allowed values of a ``Literal`` (possibly ``| None``, possibly annotated) setting."""
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    return [c for arg in get_args(annotation) for c in _choices(arg)]


@dataclass(frozen=True)
class Naming:
    """How settings are named to the user of the command that is running: the provider
    names its stack config keys and variables; ``capillary-milestones`` its own options."""

    name: Callable[[str], str]  # a field → every way to set it, in a problem report
    short: Callable[[str], str]  # a field → the way to set it, in an error's advice
    subject: str  # what is not configured
    advice: str  # the sentence that closes a problem report
    gone: str  # what to do about a group Capillary says is gone


PULUMI = Naming(
    name=lambda field: f"capillary:{key(field)} (or {variable(field)})",
    short=lambda field: f"capillary:{key(field)}",
    subject="The Capillary provider",
    advice="Set them with `pulumi config set capillary:<key> <value> [--secret]` or the "
    "environment.",
    gone="; run `pulumi refresh` to drop it from the stack.",
)


def _field_problem(field: str, given: Any, name: Callable[[str], str]) -> Problem:
    """What to say about a value its field refused (a secret is never repeated)."""
    info = Settings.model_fields[field]
    if field.endswith(("_seconds", "_megabytes")):
        unit = field.rsplit("_", 1)[1]
        message = (
            f"{name(field)} is {str(given)[:40]!r}, not a number of {unit} (it must be "
            "positive and finite)"
        )
    elif info.annotation is bool:
        message = f"{name(field)} must be true or false"
    elif info.annotation is int:
        bounds = [getattr(m, b) for b in ("ge", "le") for m in info.metadata if hasattr(m, b)]
        low, high = bounds
        shown = str(given)[:40]
        message = f"{name(field)} is {shown!r}, not a whole number from {low} to {high}"
    else:
        shown = "" if field in SECRETS else f" is {given!r},"
        message = f"{name(field)}{shown} not one of {', '.join(_choices(info.annotation))}"
    return Problem(field, message)


def _validated(
    values: dict[str, Any], name: Callable[[str], str]
) -> tuple[Settings, list[Problem]]:
    """The settings from raw values; a value its field refuses is a problem, and left out."""
    try:
        return Settings(**values), []
    except ValidationError as error:
        refused = {str(e["loc"][0]) for e in error.errors()}
    problems = [_field_problem(f, values[f], name) for f in Settings.model_fields if f in refused]
    return Settings(**{k: v for k, v in values.items() if k not in refused}), problems


def load_settings(
    config_get: Callable[[str], Any] | None = None,
    environ: Mapping[str, str] | None = None,
    naming: Naming = PULUMI,
) -> Settings:
    """Read every setting; ``config_get`` is ``ConfigureRequest.config.get``."""
    environ = os.environ if environ is None else environ
    values = {**Environment(Settings, environ)(), **StackConfig(Settings, config_get)()}
    settings, problems = _validated(values, naming.name)
    base_url, found = url_problems(
        {"region": settings.region, "base_url": settings.base_url},
        settings.allow_insecure_http,
        naming.name,
    )
    pairs = {
        k: v
        for k, v in values.items()
        if k in ("oauth_key", "oauth_secret", "username", "password")
    }
    problems += found + credential_problems(pairs, naming.name)
    broken = {p.field for p in problems}
    updates: dict[str, Any] = {"base_url": None if found else base_url}
    if broken & {"oauth_key", "oauth_secret"}:
        updates.update(oauth_key=None, oauth_secret=None)
    if broken & {"username", "password"}:
        updates.update(username=None, password=None)
    settings = settings.model_copy(update=updates)
    settings._problems = tuple(problems)
    settings._naming = naming
    return settings


def policy_problems(settings: Settings) -> list[Problem]:
    """The problems that matter even without an API call (check reads the policies)."""
    return [p for p in settings.problems if p.field in ("on_immutable_change", "deletion_policy")]
