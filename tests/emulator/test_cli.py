"""``capillary-emulator`` as a user starts it: prints its URL, stops cleanly on signals."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import httpx
import pytest

from tests.support import basic_header, seed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_module_entry_point_serves_and_stops(tmp_path, sig):
    port = _free_port()
    state = tmp_path / "state.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pulumi_capillary.emulator",
            "--port",
            str(port),
            "--username",
            "till1",
            "--password",
            "pw",
            "--now",
            "2026-01-13T05:13:18Z",
            "--state",
            str(state),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.strip() == f"Capillary emulator serving http://127.0.0.1:{port}"
        response = httpx.post(
            f"http://127.0.0.1:{port}/v3/targetGroups",
            json=seed("be01.request"),
            headers={"Authorization": basic_header("till1", "pw")},
        )
        assert response.status_code == 200
        assert state.exists()
        process.send_signal(sig)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()


def test_bad_now_is_one_clear_line():
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_capillary.emulator", "--now", "soon"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--now" in result.stderr and "Traceback" not in result.stderr


def test_a_corrupt_state_file_is_one_line_naming_it(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{not json")
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_capillary.emulator", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"capillary-emulator: cannot read the state file {state} (not an emulator state "
        "file); move it away or delete it to start with an empty org, then start the "
        "emulator again."
    )


def test_the_help_shows_the_defaults_and_there_is_a_version():
    run = [sys.executable, "-m", "pulumi_capillary.emulator"]
    shown = subprocess.run([*run, "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "(default: 8080)" in shown and "(default: emulator.till)" in shown
    version = subprocess.run([*run, "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("capillary-emulator 0.")
