"""Provider settings: the stack's ``capillary:`` config, then the environment, then defaults.

Problems are collected, not raised, when the settings are read (at ``configure``, where
an exception would surface as a crash of the provider process); the first call that needs
a setting raises them all in one :class:`ConfigurationError` naming the config key and the
environment variable of each.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import SecretStr

from ._exceptions import ConfigurationError

REGIONS: dict[str, str] = {
    "apac": "https://apac.api.capillarytech.com",
    "apac2": "https://apac2.api.capillarytech.com",
    "eu": "https://eu.api.capillarytech.com",
    "us": "https://us.api.capillarytech.com",
    "cn": "https://api.capillarytech.cn.com",
}

# config key (after "capillary:") → environment variable
KEYS: dict[str, str] = {
    "region": "CAPILLARY_REGION",
    "baseUrl": "CAPILLARY_BASE_URL",
    "username": "CAPILLARY_USERNAME",
    "password": "CAPILLARY_PASSWORD",
    "oauthKey": "CAPILLARY_OAUTH_KEY",
    "oauthSecret": "CAPILLARY_OAUTH_SECRET",
    "onImmutableChange": "CAPILLARY_ON_IMMUTABLE_CHANGE",
    "deletionPolicy": "CAPILLARY_DELETION_POLICY",
    "timeoutSeconds": "CAPILLARY_TIMEOUT_SECONDS",
    "connectTimeoutSeconds": "CAPILLARY_CONNECT_TIMEOUT_SECONDS",
    "retryDeadlineSeconds": "CAPILLARY_RETRY_DEADLINE_SECONDS",
    "retryBackoffSeconds": "CAPILLARY_RETRY_BACKOFF_SECONDS",
}


def _name(key: str) -> str:
    return f"capillary:{key} (or {KEYS[key]})"


@dataclass(frozen=True)
class Settings:
    """What the provider needs to talk to one Capillary org. Secrets are ``SecretStr``."""

    base_url: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    oauth_key: str | None = None
    oauth_secret: SecretStr | None = None
    on_immutable_change: Literal["fail", "replace"] = "fail"
    deletion_policy: Literal["abandon", "delete"] = "abandon"
    timeout: float = 30.0
    connect_timeout: float = 10.0
    retry_deadline: float = 120.0
    retry_backoff: float = 0.5
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def uses_oauth(self) -> bool:
        return self.oauth_key is not None

    def require_connection(self) -> None:
        """Raise the collected problems, if any, before the first API call."""
        if self.problems:
            listed = "; ".join(self.problems)
            raise ConfigurationError(
                f"The Capillary provider is not configured: {listed}. Set them with "
                "`pulumi config set capillary:<key> <value> [--secret]` or the environment."
            )


def load_settings(
    config_get: Callable[[str], Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read every setting; ``config_get`` is ``ConfigureRequest.config.get``."""
    environ = os.environ if environ is None else environ
    raw: dict[str, str] = {}
    for key, variable in KEYS.items():
        value = config_get(f"capillary:{key}") if config_get else None
        if value is None or value == "":
            value = environ.get(variable) or None
        if value is not None:
            raw[key] = str(value)
    problems: list[str] = []
    values: dict[str, Any] = {}

    region = raw.get("region")
    base_url = raw.get("baseUrl")
    if region is not None and region.lower() not in REGIONS:
        problems.append(f"{_name('region')} is {region!r}, not one of {', '.join(REGIONS)}")
    elif base_url:
        values["base_url"] = base_url.rstrip("/")
    elif region:
        values["base_url"] = REGIONS[region.lower()]
    else:
        problems.append(f"set {_name('region')} or {_name('baseUrl')}")

    for (ident, secret), (id_attr, secret_attr), scheme in (
        (("oauthKey", "oauthSecret"), ("oauth_key", "oauth_secret"), "OAuth"),
        (("username", "password"), ("username", "password"), "Basic auth"),
    ):
        if ident in raw and secret in raw:
            values[id_attr] = raw[ident]
            values[secret_attr] = SecretStr(raw[secret])
        elif ident in raw or secret in raw:
            missing = secret if ident in raw else ident
            problems.append(f"{scheme} needs both {ident} and {secret}: set {_name(missing)}")
    if not any(k in raw for k in ("oauthKey", "oauthSecret", "username", "password")):
        problems.append(
            f"no credentials: set {_name('username')} and {_name('password')}, "
            f"or {_name('oauthKey')} and {_name('oauthSecret')}"
        )

    for key, attr, allowed in (
        ("onImmutableChange", "on_immutable_change", ("fail", "replace")),
        ("deletionPolicy", "deletion_policy", ("abandon", "delete")),
    ):
        if key in raw:
            value = raw[key].strip().lower()
            if value in allowed:
                values[attr] = value
            else:
                problems.append(f"{_name(key)} is {raw[key]!r}, not {' or '.join(allowed)}")
    for key, attr in (
        ("timeoutSeconds", "timeout"),
        ("connectTimeoutSeconds", "connect_timeout"),
        ("retryDeadlineSeconds", "retry_deadline"),
        ("retryBackoffSeconds", "retry_backoff"),
    ):
        if key in raw:
            try:
                values[attr] = float(raw[key])
                if values[attr] < 0:
                    raise ValueError
            except ValueError:
                problems.append(f"{_name(key)} is {raw[key]!r}, not a number of seconds")
                values.pop(attr, None)
    return Settings(**values, problems=tuple(problems))


def policy_problems(settings: Settings) -> list[str]:
    """The problems that matter even without an API call (check reads the policies)."""
    return [p for p in settings.problems if "onImmutableChange" in p or "deletionPolicy" in p]
