"""What can be wrong with the settings as a whole: the regions and the base URL's rules, and
the credential pairs. Each problem is picked by its location (the field it is about); the
``name`` callable spells a field for the user of the command that is running."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic.alias_generators import to_camel

Region = Literal["apac", "apac2", "eu", "us", "cn"]  # the one list of regions
# each region's API host; China's does not follow the pattern
REGIONS: dict[str, str] = {
    **{region: f"https://{region}.api.capillarytech.com" for region in get_args(Region)},
    "cn": "https://api.capillarytech.cn.com",
}
REGION_HOSTS = {urlsplit(url).hostname: region for region, url in REGIONS.items()}


@dataclass(frozen=True)
class Problem:
    """One problem with the settings: the field it is about, and what to say."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problems(
    values: Mapping[str, Any], insecure_ok: bool, name: Callable[[str], str]
) -> tuple[str | None, list[Problem]]:
    """The base URL to use (a region's, or ``baseUrl``), and what is wrong with it."""
    region, base_url = values.get("region"), values.get("base_url")
    if not base_url:
        if region in REGIONS:
            return REGIONS[region], []
        missing = f"set {name('region')} or {name('base_url')}"
        return None, [] if region else [Problem("region", missing)]
    where = name("base_url")

    def problem(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem("base_url", message)]

    try:
        parts = urlsplit(base_url)
        host, _ = parts.hostname, parts.port
    except ValueError:
        return problem(f"{where} is not a valid URL; write it as https://host[:port][/path]")
    if parts.username is not None or parts.password is not None:
        return problem(
            f"{where} must not carry credentials before the host; set "
            f"{name('username')}/{name('password')} instead"
        )
    if parts.scheme not in ("http", "https") or not host:
        return problem(
            f"{where} must be an https:// URL with a host (http:// only for the "
            "emulator on this machine)"
        )
    problems = []
    if parts.scheme == "http" and not loopback(host) and (host in REGION_HOSTS or not insecure_ok):
        fix = (
            ""
            if host in REGION_HOSTS
            else (f", or set {name('allow_insecure_http')} true for a trusted proxy")
        )
        problems.append(
            Problem(
                "base_url",
                f"{where} uses plain http:// to {host}; Capillary needs TLS: use https://{fix}",
            )
        )
    if region in REGIONS and host in REGION_HOSTS and REGION_HOSTS[host] != region:
        problems.append(
            Problem(
                "region",
                f"{name('region')} is {region!r} but {where} is the "
                f"{REGION_HOSTS[host]!r} region's host; set one of them, or make them agree",
            )
        )
    return base_url.rstrip("/"), problems


def credential_problems(values: Mapping[str, Any], name: Callable[[str], str]) -> list[Problem]:
    problems = []
    for ident, secret, scheme in (
        ("oauth_key", "oauth_secret", "OAuth"),
        ("username", "password", "Basic auth"),
    ):
        if (ident in values) != (secret in values):
            missing = secret if ident in values else ident
            problems.append(
                Problem(
                    missing,
                    f"{scheme} needs both {to_camel(ident)} and {to_camel(secret)}: "
                    f"set {name(missing)}",
                )
            )
    if not problems and not any(k in values for k in ("oauth_key", "username")):
        problems.append(
            Problem(
                "username",
                f"no credentials: set {name('username')} and "
                f"{name('password')}, or {name('oauth_key')} and {name('oauth_secret')}",
            )
        )
    return problems
