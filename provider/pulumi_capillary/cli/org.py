"""The org a command talks to: the stack file and the flags, settings named as this command
names them, and a client that fails fast when nothing answers.

Credentials come from the environment, or from the stack: ``--stack S`` reads
``Pulumi.S.yaml`` for the org (region or base URL), the OAuth key or till, the name prefix
and the org's till; a value ``pulumi config set --secret`` wrote there (``secure:``) is read
decrypted through ``pulumi config --show-secrets``, as the provider receives it, unless its
environment variable is set. ``--stack dev`` without a URL is the emulator ``make up`` runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api.problems import REGIONS
from ..api.settings import Naming, Settings, key, load_settings, variable
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
    advice="Set each as named above: an option of this command, a key of the --stack file, or "
    "an environment variable.",
    gone=".",
)


def notice(message: str) -> None:
    """Tell the person at the terminal why nothing seems to happen."""
    print(f"capillary-milestones: {message}", file=sys.stderr, flush=True)


LONG_READ = 500  # groups: a read of more is told as it goes


def progress(done_what: str) -> Callable[[int, int], None]:
    """Tells on stderr how a long read of the org goes (every 1,000 groups, and its end)."""
    told = [0]

    def tell(done: int, total: int) -> None:
        if total > LONG_READ and (done - told[0] >= 1000 or done >= total):
            told[0] = done
            notice(f"read {done:,} of {total:,} milestone(s) of the org ({done_what})")

    return tell


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
        config = _readable(config, path, args.stack)
        if args.stack == DEV_STACK:
            config = {**_dev_emulator(config), **config}
    if getattr(args, "region", None):
        config.pop("capillary:baseUrl", None)
        config["capillary:region"] = args.region
    if getattr(args, "base_url", None):
        config["capillary:baseUrl"] = args.base_url
    return config


def _readable(config: dict[str, Any], path: Path, stack: str) -> dict[str, Any]:
    """Encrypted values dropped when the environment supplies them, read decrypted through
    the Pulumi CLI otherwise (as the provider receives them)."""
    readable, secret = {}, []
    for name, value in config.items():
        if not (isinstance(value, dict) and "secure" in value):
            readable[name] = value
            continue
        field = next((f for f in Settings.model_fields if f"capillary:{key(f)}" == name), None)
        read_only = os.environ.get(READ_KEY) and name.removeprefix("capillary:") in _CREDENTIALS
        if not read_only and (field is None or not os.environ.get(variable(field))):
            secret.append((name, field))
    if secret:
        from .stack import pulumi_config

        try:
            decrypted = pulumi_config(stack)
        except CapillaryError as error:
            name, field = secret[0]
            reason = str(error).split(";")[0].rstrip(".")
            instead = f"Set {variable(field)} in the environment" if field else "Remove it"
            raise CapillaryError(
                f"{path} holds {name} encrypted (secure:), which only the Pulumi CLI can "
                f"decrypt, and it could not: {reason}. {instead}, or run where the Pulumi "
                "CLI, the stack's backend and its passphrase are set."
            ) from None
        readable.update({name: decrypted[name] for name, _ in secret if name in decrypted})
    return readable


DEV_STACK = "dev"
EMULATOR_DIR = Path(".emulator")
# the till the emulator accepts by default (`capillary-emulator --help`): not a secret
EMULATOR_TILL = {"capillary:username": "emulator.till", "capillary:password": "emulator-password"}


def _dev_emulator(config: dict[str, Any]) -> dict[str, Any]:
    """The emulator ``make up`` runs, for the dev stack when nothing else names an org: its
    port (recorded with its pid, which must be alive) and its default till."""
    named = {"capillary:baseUrl", "capillary:region"} & set(config)
    if named or os.environ.get("CAPILLARY_BASE_URL") or os.environ.get("CAPILLARY_REGION"):
        return {}
    try:
        pid = int((EMULATOR_DIR / "pid").read_text().strip())
        port = int((EMULATOR_DIR / "port").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return {}
    found = {"capillary:baseUrl": f"http://127.0.0.1:{port}"}
    if not os.environ.get("CAPILLARY_USERNAME") and not os.environ.get("CAPILLARY_OAUTH_KEY"):
        found.update(EMULATOR_TILL)
    return found


READ_KEY, READ_SECRET = "CAPILLARY_READ_OAUTH_KEY", "CAPILLARY_READ_OAUTH_SECRET"
_CREDENTIALS = ("username", "password", "oauthKey", "oauthSecret")


def client(args: argparse.Namespace, config: dict[str, Any] | None = None) -> CapillaryClient:
    """A client for the org: a refused connection fails at once naming the URL; a 5xx or a
    429 is retried as always, and each wait is told on stderr. Every command only reads
    Capillary: with ``CAPILLARY_READ_OAUTH_KEY`` and ``CAPILLARY_READ_OAUTH_SECRET`` (an OAuth
    client scoped to READ) it uses that client instead of the stack's credentials."""
    from ..api.client import CapillaryClient

    config = stack_config(args) if config is None else config
    environ = dict(os.environ)
    if environ.get(READ_KEY) and environ.get(READ_SECRET):
        config = {
            k: v for k, v in config.items() if k.removeprefix("capillary:") not in _CREDENTIALS
        }
        for name in ("USERNAME", "PASSWORD", "OAUTH_KEY", "OAUTH_SECRET"):
            environ.pop(f"CAPILLARY_{name}", None)
        environ.update(
            CAPILLARY_OAUTH_KEY=environ[READ_KEY], CAPILLARY_OAUTH_SECRET=environ[READ_SECRET]
        )
    settings = load_settings(config.get, environ, CLI)
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
