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
