"""``make up``/``make down`` (programs/dev.sh) where no Pulumi CLI can be had."""

from __future__ import annotations

import os
import subprocess

from tests.engine import ROOT


def _run(*args: str, home) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        # a closed port on loopback stands for "no network": tests reach nothing else
        "PULUMI_INSTALL_URL": "http://127.0.0.1:9/install.sh",
        "PORT": "18931",
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return subprocess.run(
        ["bash", str(ROOT / "programs" / "dev.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_up_without_pulumi_stops_with_one_clear_sentence(tmp_path):
    result = _run("up", home=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: the Pulumi CLI is not installed and could not be downloaded here; install it "
        "(https://www.pulumi.com/docs/iac/download-install/) and run make up again."
    )
    assert not (ROOT / ".emulator" / "pid").exists() or "18931" not in result.stdout


def test_down_with_nothing_running(tmp_path):
    result = _run("down", home=tmp_path)
    assert result.returncode == 0 and "no emulator running" in result.stdout
