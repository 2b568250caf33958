"""Fixtures shared by the whole suite: a live emulator on 127.0.0.1 and clients for it.

The suite never touches the user's working state: ``pytest_sessionstart`` takes a snapshot
of the checkout's ``.emulator``, ``.pulumi`` and stack files (and whether the emulator ``make
up`` started is alive), and the run fails if any test changed them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_capillary.emulator import EmulatorServer
from tests.engine import KINDS, Engine, ProviderProcess
from tests.support import SEED_NOW, basic_header, stack_config

_FIGURES: list[str] = []


@pytest.fixture
def figure():
    """Record a ``name: value`` line that the run prints at the end (CI shows the figures)."""

    def record(name: str, value: object) -> None:
        _FIGURES.append(f"{name}: {value}")

    return record


def pytest_sessionfinish(session) -> None:
    """Under pytest-xdist a worker hands its figures to the controller, which prints them.
    The controller fails the run if the user's working state changed."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = list(_FIGURES)
        return
    session.config._capillary_touched = _touched(session.config)
    if session.config._capillary_touched:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_testnodedown(node, error) -> None:
    _FIGURES.extend(getattr(node, "workeroutput", {}).get("figures", []))


_ROOT = Path(__file__).resolve().parents[1]


def working_state(root: Path = _ROOT) -> dict[str, object]:
    """What a user's ``make up`` left in the checkout: the files of its emulator, backend and
    stacks (path → size and modification time), and whether that emulator's process lives."""
    found: dict[str, object] = {}
    for place in (root / ".emulator", root / ".pulumi"):
        for path in sorted(place.rglob("*")) if place.is_dir() else []:
            if path.is_file() and not path.name.endswith(("-wal", "-shm", ".log")):
                stat = path.stat()
                found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    for path in sorted(root.glob("Pulumi*.yaml")):
        found[path.name] = path.read_bytes()
    pid = root / ".emulator" / "pid"
    if pid.is_file():
        try:
            os.kill(int(pid.read_text().strip()), 0)
            found["emulator alive"] = True
        except (ValueError, OSError):
            found["emulator alive"] = False
    return found


def pytest_sessionstart(session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without xdist)
        session.config._capillary_state = working_state()


def _touched(config) -> list[str]:
    before = getattr(config, "_capillary_state", None)
    if before is None:
        return []
    after = working_state()
    return sorted(k for k in {*before, *after} if before.get(k) != after.get(k))


def pytest_terminal_summary(terminalreporter) -> None:
    changed = getattr(terminalreporter.config, "_capillary_touched", [])
    if changed:
        terminalreporter.section("the user's working state was touched", red=True)
        terminalreporter.write_line(
            "tests must use their own folders; these changed: " + ", ".join(changed)
        )
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


@pytest.fixture(params=KINDS)
def server(request, emulator: EmulatorServer) -> Iterator[ProviderProcess]:
    """The real provider server, configured for the emulator as the engine would: the
    dynamic provider's, and the resource provider ``capillary``'s (each test runs on both)."""
    with ProviderProcess(kind=request.param) as process:
        process.configure(stack_config(emulator))
        yield process


@pytest.fixture
def engine(server: ProviderProcess, tmp_path) -> Engine:
    return Engine(server, tmp_path / "state.json")
