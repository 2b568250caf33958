"""The org a command talks to: the stack file and the flags, settings named as this command
names them, and a client that fails fast when nothing answers.

Credentials come from the environment; ``--stack S`` reads ``Pulumi.S.yaml`` for the org
(region or base URL), the OAuth key or till, the name prefix and the org's till. A value
``pulumi config set --secret`` wrote there is encrypted (``secure:``), which this command
cannot read: it is named, with the variable to set instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api.settings import REGIONS, Naming, Settings, key, load_settings, variable
from ..exceptions import CapillaryError

if TYPE_CHECKING:
    from ..api.client import CapillaryClient

DEFAULT_DIR = Path("programs/milestones/milestones")
SCHEMA_FILE = Path("programs/milestones/milestone.schema.json")
PREFIX = "capillary-milestones:namePrefix"
TILL = "capillary-milestones:preferredTillId"
_OPTIONS = {"region": "--region", "base_url": "--base-url"}


def _named(field: str) -> str:
    if field in _OPTIONS:
        return (
            f"{_OPTIONS[field]} (or capillary:{key(field)} in --stack's file, or {variable(field)})"
        )
    return f"{variable(field)} (or capillary:{key(field)} in --stack's file)"


CLI = Naming(
    name=_named,
    short=lambda field: _OPTIONS.get(field, variable(field)),
    subject="The connection to Capillary",
    advice="Give them as options (see --help), in the --stack file or in the environment.",
    gone=".",
)


def notice(message: str) -> None:
    """Tell the person at the terminal why nothing seems to happen."""
    print(f"capillary-milestones: {message}", file=sys.stderr, flush=True)


def stack_config(args: argparse.Namespace) -> dict[str, Any]:
    """The stack file's config (``--stack``), with ``--region``/``--base-url`` on top."""
    config: dict[str, Any] = {}
    if getattr(args, "stack", None):
        import yaml

        path = Path(f"Pulumi.{args.stack}.yaml")
        try:
            config = dict(yaml.safe_load(path.read_text(encoding="utf-8"))["config"])
        except FileNotFoundError:
            raise CapillaryError(
                f"--stack {args.stack}: there is no {path} here; run from the project's root "
                "or name an existing stack."
            ) from None
        except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
            raise CapillaryError(f"--stack {args.stack}: cannot read {path}: {exc}") from None
        config = _readable(config, path)
    if getattr(args, "region", None):
        config.pop("capillary:baseUrl", None)
        config["capillary:region"] = args.region
    if getattr(args, "base_url", None):
        config["capillary:baseUrl"] = args.base_url
    return config


def _readable(config: dict[str, Any], path: Path) -> dict[str, Any]:
    """Encrypted values dropped when the environment supplies them, refused otherwise."""
    readable = {}
    for name, value in config.items():
        if not (isinstance(value, dict) and "secure" in value):
            readable[name] = value
            continue
        field = next((f for f in Settings.model_fields if f"capillary:{key(f)}" == name), None)
        if field is None or not os.environ.get(variable(field)):
            instead = f"set {variable(field)} in the environment" if field else "remove it"
            raise CapillaryError(
                f"{path} holds {name} encrypted (secure:), which capillary-milestones cannot "
                f"decrypt; {instead} (`pulumi config get {name}` shows the value)."
            )
    return readable


def client(args: argparse.Namespace, config: dict[str, Any] | None = None) -> CapillaryClient:
    """A client for the org: a refused connection fails at once naming the URL; a 5xx or a
    429 is retried as always, and each wait is told on stderr."""
    from ..api.client import CapillaryClient

    config = stack_config(args) if config is None else config
    settings = load_settings(config.get, os.environ, CLI)
    return CapillaryClient(settings, retry_unreachable=False, on_retry=notice)


def add_org_options(command: argparse.ArgumentParser) -> None:
    org = command.add_argument_group("the org (credentials: CAPILLARY_* variables)")
    org.add_argument("--region", choices=sorted(REGIONS), help="the org's Capillary region")
    org.add_argument("--base-url", help="the API's root URL, instead of the region's host")
    org.add_argument(
        "--stack",
        help="read the org's region or URL, its OAuth key or till, name prefix and till from "
        "Pulumi.STACK.yaml",
    )
