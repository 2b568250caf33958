"""Fixtures shared by the whole suite: a live emulator on 127.0.0.1 and clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pulumi_capillary.emulator import EmulatorServer
from tests.engine import Engine, ProviderProcess
from tests.support import SEED_NOW, basic_header, stack_config

_FIGURES: list[str] = []


@pytest.fixture
def figure():
    """Record a ``name: value`` line that the run prints at the end (CI shows the figures)."""

    def record(name: str, value: object) -> None:
        _FIGURES.append(f"{name}: {value}")

    return record


def pytest_sessionfinish(session) -> None:
    """Under pytest-xdist a worker hands its figures to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = list(_FIGURES)


def pytest_testnodedown(node, error) -> None:
    _FIGURES.extend(getattr(node, "workeroutput", {}).get("figures", []))


def pytest_terminal_summary(terminalreporter) -> None:
    if _FIGURES:
        terminalreporter.section("figures")
        for line in sorted(_FIGURES):
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def _one_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(now=SEED_NOW) as server:
        yield server


@pytest.fixture
def emulator(_one_emulator: EmulatorServer) -> EmulatorServer:
    """The session's emulator, as new: reset through its control API, clock and token
    lifetime back to the seed's (one server for the suite instead of one per test)."""
    httpx.post(_one_emulator.url + "/__emulator__/reset", timeout=10).raise_for_status()
    with _one_emulator.store.lock:
        _one_emulator.store.fixed_now = SEED_NOW
        _one_emulator.store.token_ttl = 300
    return _one_emulator


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """A plain authenticated HTTP client for the emulator (no provider code involved)."""
    creds = emulator.credentials
    headers = {"Authorization": basic_header(creds.username, creds.password)}
    with httpx.Client(base_url=emulator.url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
def control(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url + "/__emulator__", timeout=10) as client:
        yield client


@pytest.fixture
def server(emulator: EmulatorServer) -> Iterator[ProviderProcess]:
    """The real provider server, configured for the emulator as the engine would."""
    with ProviderProcess() as process:
        process.configure(stack_config(emulator))
        yield process


@pytest.fixture
def engine(server: ProviderProcess, tmp_path) -> Engine:
    return Engine(server, tmp_path / "state.json")
