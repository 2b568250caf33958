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


def emulator_settings(emulator, oauth: bool = False, **extra: str):
    """Provider settings pointing at a running emulator (fast retries for tests)."""
    from pulumi_capillary._config import load_settings

    creds = emulator.credentials
    environ = {
        "CAPILLARY_BASE_URL": emulator.url,
        "CAPILLARY_RETRY_BACKOFF_SECONDS": "0.01",
        "CAPILLARY_RETRY_DEADLINE_SECONDS": "20",
        "CAPILLARY_TIMEOUT_SECONDS": "5",
    }
    if oauth:
        environ.update(
            CAPILLARY_OAUTH_KEY=creds.oauth_key, CAPILLARY_OAUTH_SECRET=creds.oauth_secret
        )
    else:
        environ.update(CAPILLARY_USERNAME=creds.username, CAPILLARY_PASSWORD=creds.password)
    environ.update(extra)
    return load_settings(None, environ)


def canonical(name_or_body) -> dict:
    """The canonical request body of a seed request (or of a body)."""
    from pulumi_capillary._spec import parse_inputs

    body = seed(name_or_body) if isinstance(name_or_body, str) else name_or_body
    return parse_inputs(body)[0].body()


def stack_config(emulator, oauth: bool = False, **extra: str) -> dict:
    """The ``capillary:`` stack config the engine sends in Configure (secrets wrapped)."""
    from tests.engine import secret

    creds = emulator.credentials
    config = {
        "capillary:baseUrl": emulator.url,
        "capillary:retryBackoffSeconds": "0.01",
        "capillary:retryDeadlineSeconds": "20",
        "capillary:timeoutSeconds": "5",
    }
    if oauth:
        config.update(
            {
                "capillary:oauthKey": creds.oauth_key,
                "capillary:oauthSecret": secret(creds.oauth_secret),
            }
        )
    else:
        config.update(
            {"capillary:username": creds.username, "capillary:password": secret(creds.password)}
        )
    config.update({f"capillary:{k}": v for k, v in extra.items()})
    return config
