"""Fixtures of the real-CLI tests: the CLI ``make test`` found, and a project for it.

Without a CLI these tests are skipped on a developer's machine, and fail under ``CI=true``:
CI proves every scenario through the real engine, never through a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_capillary.emulator import EmulatorServer
from tests.engine import KINDS
from tests.real_cli.harness import Project, find_cli
from tests.real_cli.postgres import PostgresServer, binaries


def _fast(emulator: EmulatorServer) -> dict[str, str]:
    """The provider's settings for an emulator, as ``make up`` passes them (the environment)."""
    creds = emulator.credentials
    return {
        "CAPILLARY_BASE_URL": emulator.url,
        "CAPILLARY_USERNAME": creds.username,
        "CAPILLARY_PASSWORD": creds.password,
        "CAPILLARY_RETRY_BACKOFF_SECONDS": "0.01",
        "CAPILLARY_RETRY_DEADLINE_SECONDS": "20",
        "CAPILLARY_TIMEOUT_SECONDS": "5",
        "CAPILLARY_REQUESTS_PER_MINUTE": "100000",  # one emulator, one key, many tests
    }


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    cli = find_cli()
    if cli is None:
        message = (
            "no Pulumi CLI: run `make pulumi` (the pinned build) or put one on PATH; "
            "`make test` finds or builds it itself"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return cli


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the team-backend tests (one per test process; a state table
    per test). Skipped where PostgreSQL is not installed, failed under ``CI=true``."""
    found = binaries()
    if found is None:
        message = "no PostgreSQL: install PostgreSQL 15 (initdb and pg_ctl)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with PostgresServer(found) as server:
        yield server


@pytest.fixture(params=KINDS)
def engine_kind(request) -> str:
    """Each scenario on each provider: the dynamic provider, and the resource provider."""
    return str(request.param)


@pytest.fixture
def project(
    tmp_path: Path, pulumi_cli: Path, emulator: EmulatorServer, engine_kind: str
) -> Iterator[Project]:
    """A scratch copy of the project whose provider talks to this test's emulator."""
    yield Project.copy(tmp_path, pulumi_cli, _fast(emulator), engine=engine_kind)


@pytest.fixture
def emulator_env():
    return _fast
