"""Provider settings: the stack's ``capillary:`` config, then the environment, then defaults.

The settings are declared once, in :class:`Settings` (each field's config key, environment
variable and rule). Problems are collected, not raised, when the settings are read (at
``configure``, where an exception would surface as a crash of the provider process); the
first call that needs a setting raises them all in one :class:`ConfigurationError` naming
the config key and the environment variable of each. No message repeats a secret, nor
anything written in a URL's credentials part.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from typing import Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from ..exceptions import ConfigurationError

Region = Literal["apac", "apac2", "eu", "us", "cn"]  # the one list of regions
# each region's API host; China's does not follow the pattern
REGIONS: dict[str, str] = {
    **{region: f"https://{region}.api.capillarytech.com" for region in get_args(Region)},
    "cn": "https://api.capillarytech.cn.com",
}
REGION_HOSTS = {urlsplit(url).hostname: region for region, url in REGIONS.items()}


def _setting(key: str, env: str, **kw: Any) -> Any:
    """A field read from ``capillary:<key>``, else the environment variable ``env``."""
    return Field(alias=key, json_schema_extra={"env": env}, **kw)


class Settings(BaseModel):
    """What the provider needs to talk to one Capillary org. Secrets are ``SecretStr``."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    region: Region | None = _setting("region", "CAPILLARY_REGION", default=None)
    base_url: str | None = _setting("baseUrl", "CAPILLARY_BASE_URL", default=None)
    username: str | None = _setting("username", "CAPILLARY_USERNAME", default=None)
    password: SecretStr | None = _setting("password", "CAPILLARY_PASSWORD", default=None)
    oauth_key: str | None = _setting("oauthKey", "CAPILLARY_OAUTH_KEY", default=None)
    oauth_secret: SecretStr | None = _setting("oauthSecret", "CAPILLARY_OAUTH_SECRET", default=None)
    on_immutable_change: Literal["fail", "replace"] = _setting(
        "onImmutableChange", "CAPILLARY_ON_IMMUTABLE_CHANGE", default="fail"
    )
    deletion_policy: Literal["abandon", "delete"] = _setting(
        "deletionPolicy", "CAPILLARY_DELETION_POLICY", default="abandon"
    )
    timeout: float = _setting("timeoutSeconds", "CAPILLARY_TIMEOUT_SECONDS", default=30.0)
    connect_timeout: float = _setting(
        "connectTimeoutSeconds", "CAPILLARY_CONNECT_TIMEOUT_SECONDS", default=10.0
    )
    retry_deadline: float = _setting(
        "retryDeadlineSeconds", "CAPILLARY_RETRY_DEADLINE_SECONDS", default=120.0
    )
    retry_backoff: float = _setting(
        "retryBackoffSeconds", "CAPILLARY_RETRY_BACKOFF_SECONDS", default=0.5
    )
    allow_insecure_http: bool = _setting(
        "allowInsecureHttp", "CAPILLARY_ALLOW_INSECURE_HTTP", default=False
    )
    problems: tuple[str, ...] = Field(default=(), exclude=True, repr=False)

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


KEYS: dict[str, str] = {
    field.alias: str(field.json_schema_extra["env"])
    for field in Settings.model_fields.values()
    if field.alias and isinstance(field.json_schema_extra, dict)
}
_ATTRIBUTE = {field.alias: name for name, field in Settings.model_fields.items() if field.alias}
_SECONDS = (
    "timeoutSeconds",
    "connectTimeoutSeconds",
    "retryDeadlineSeconds",
    "retryBackoffSeconds",
)


def _choices(annotation: Any) -> list[str]:
    """The allowed values of a ``Literal`` (possibly ``| None``) setting."""
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    return [c for arg in get_args(annotation) for c in _choices(arg)]


def _name(key: str) -> str:
    return f"capillary:{key} (or {KEYS[key]})"


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_problems(raw: dict[str, str], insecure_ok: bool) -> tuple[str | None, list[str]]:
    """The base URL to use (a region's, or ``baseUrl``), and what is wrong with it."""
    region, base_url = raw.get("region"), raw.get("baseUrl")
    if not base_url:
        if region in REGIONS:
            return REGIONS[region], []
        return None, [] if region else [f"set {_name('region')} or {_name('baseUrl')}"]
    where = _name("baseUrl")
    try:
        parts = urlsplit(base_url.strip())
        host, _ = parts.hostname, parts.port
    except ValueError:
        return None, [f"{where} is not a valid URL; write it as https://host[:port][/path]"]
    if parts.username is not None or parts.password is not None:
        return None, [
            f"{where} must not carry credentials before the host; set "
            f"{_name('username')}/{_name('password')} instead"
        ]
    if parts.scheme not in ("http", "https") or not host:
        return None, [
            f"{where} must be an https:// URL with a host (http:// only for the "
            "emulator on this machine)"
        ]
    problems = []
    if parts.scheme == "http" and not _loopback(host) and (host in REGION_HOSTS or not insecure_ok):
        problems.append(
            f"{where} uses plain http:// to {host}; Capillary needs TLS: use https://"
            + (
                ""
                if host in REGION_HOSTS
                else f", or set {_name('allowInsecureHttp')} true for a trusted proxy"
            )
        )
    if region in REGIONS and host in REGION_HOSTS and REGION_HOSTS[host] != region:
        problems.append(
            f"{_name('region')} is {region!r} but {where} is the {REGION_HOSTS[host]!r} "
            "region's host; set one of them, or make them agree"
        )
    return base_url.strip().rstrip("/"), problems


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
            raw[key] = str(value).strip()
    for key in ("region", "onImmutableChange", "deletionPolicy", "allowInsecureHttp"):
        if key in raw:
            raw[key] = raw[key].lower()
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key in _SECONDS:
        if key in raw:
            text = raw.pop(key)
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if math.isfinite(number) and number > 0:
                values[key] = number
            else:
                problems.append(
                    f"{_name(key)} is {text[:40]!r}, not a number of seconds (it must be "
                    "positive and finite)"
                )
    insecure = raw.pop("allowInsecureHttp", "false")
    if insecure not in ("true", "false", "1", "0", "yes", "no"):
        problems.append(f"{_name('allowInsecureHttp')} must be true or false")
    values["allowInsecureHttp"] = insecure in ("true", "1", "yes")
    base_url, found = _url_problems(raw, values["allowInsecureHttp"])
    problems += found
    raw.pop("baseUrl", None)
    if base_url and not found:
        values["baseUrl"] = base_url

    for (ident, secret), scheme in (
        (("oauthKey", "oauthSecret"), "OAuth"),
        (("username", "password"), "Basic auth"),
    ):
        if (ident in raw) != (secret in raw):
            missing = secret if ident in raw else ident
            problems.append(f"{scheme} needs both {ident} and {secret}: set {_name(missing)}")
            raw.pop(ident, None)
            raw.pop(secret, None)
    if not any(k in raw for k in ("oauthKey", "username")) and not any(
        "needs both" in p for p in problems
    ):
        problems.append(
            f"no credentials: set {_name('username')} and {_name('password')}, "
            f"or {_name('oauthKey')} and {_name('oauthSecret')}"
        )
    for key, item in raw.items():
        try:
            Settings.model_validate({key: item})
        except ValidationError:
            shown = "" if key in ("password", "oauthSecret") else f" is {item!r},"
            choices = _choices(Settings.model_fields[_ATTRIBUTE[key]].annotation)
            problems.append(f"{_name(key)}{shown} not one of {', '.join(choices)}")
            continue
        values[key] = item
    return Settings.model_validate({**values, "problems": tuple(problems)})


def policy_problems(settings: Settings) -> list[str]:
    """The problems that matter even without an API call (check reads the policies)."""
    return [p for p in settings.problems if "onImmutableChange" in p or "deletionPolicy" in p]
