"""Helpers shared by the tests: the seed page's bodies and auth headers."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

SEED_DIR = Path(__file__).parent / "data" / "seed"
SEED_NOW = datetime(2026, 1, 13, 5, 13, 18, tzinfo=timezone.utc)


def seed(name: str) -> dict:
    """A fresh copy of one of the seed page's bodies (``be01.request``, ``be02.response``...)."""
    return copy.deepcopy(json.loads((SEED_DIR / f"{name}.json").read_text()))


def basic_header(username: str, password: str) -> str:
    digest = hashlib.md5(password.encode()).hexdigest()
    return "Basic " + base64.b64encode(f"{username}:{digest}".encode()).decode()


def _connection(emulator, oauth: bool) -> dict[str, str]:
    """The settings (camelCase keys) that point at an emulator, with fast retries."""
    creds = emulator.credentials
    values = {
        "baseUrl": emulator.url,
        "retryBackoffSeconds": "0.01",
        "retryDeadlineSeconds": "20",
        "timeoutSeconds": "5",
        "requestsPerMinute": "100000",  # the suite's emulator is one key: no budget here
    }
    if oauth:
        values.update(oauthKey=creds.oauth_key, oauthSecret=creds.oauth_secret)
    else:
        values.update(username=creds.username, password=creds.password)
    return values


def emulator_settings(emulator, oauth: bool = False, **extra: str):
    """Provider settings from the environment, pointing at a running emulator."""
    from pulumi_capillary.api.settings import KEYS, load_settings

    environ = {KEYS[k]: v for k, v in _connection(emulator, oauth).items()}
    environ.update(extra)
    return load_settings(None, environ)


def canonical(name_or_body) -> dict:
    """The canonical request body of a seed request (or of a body)."""
    from pulumi_capillary.declaration.models import parse_inputs

    body = seed(name_or_body) if isinstance(name_or_body, str) else name_or_body
    return parse_inputs(body)[0].body()


def stack_config(emulator, oauth: bool = False, **extra: str) -> dict:
    """The ``capillary:`` stack config the engine sends in Configure (secrets wrapped)."""
    from tests.engine import secret

    values = {**_connection(emulator, oauth), **extra}
    return {
        f"capillary:{k}": secret(v) if k in ("password", "oauthSecret") else v
        for k, v in values.items()
    }


def api_calls(control) -> list[tuple[str, str]]:
    """The API calls the emulator received, as (method, path)."""
    return [(r["method"], r["path"]) for r in control.get("/requests").json()["requests"]]
