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
