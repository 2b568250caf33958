"""The pinned tools' builds: what a machine without Go hears, and a failed step named with its
log, nothing half-built left to be used."""

from __future__ import annotations

import os
import shutil
import subprocess

from tests.engine import ROOT

BUILD = ROOT / "tools" / "pulumi" / "build.sh"


def test_without_go_the_build_says_what_to_install(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CAPILLARY_TOOLS_CACHE": str(tmp_path)}
    result = subprocess.run(
        ["bash", str(BUILD)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: Go is not installed, so the Pulumi CLI cannot be built here; install Go 1.26 or "
        "newer (or the Pulumi CLI v3.276.0) and run again."
    )


def test_a_failed_step_is_named_with_its_log_and_nothing_is_installed(tmp_path):
    go = shutil.which("go")
    assert go is not None or os.environ.get("CI") != "true", "Go is on this machine kind"
    if go is None:
        return
    cache = tmp_path / "cache"
    env = {
        "PATH": f"{os.path.dirname(go)}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CAPILLARY_TOOLS_CACHE": str(cache),
        "GOPROXY": "off",  # no module can be fetched: the first step fails at once
        "GOMODCACHE": str(tmp_path / "empty-module-cache"),
        "GOCACHE": str(tmp_path / "go-build"),
    }
    result = subprocess.run(
        ["bash", str(BUILD)], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: building the Pulumi CLI failed at step 'cli'; the whole log")
    assert f"{cache}/logs/cli.log" in last and last.endswith("Nothing was installed.")
    assert not [p for p in cache.iterdir() if p.name.startswith(("pulumi-", ".build"))]
    dir_only = subprocess.run(
        ["bash", str(BUILD), "--dir"], env=env, capture_output=True, text=True, timeout=60
    ).stdout.strip()
    assert not (cache / os.path.basename(dir_only) / "pulumi").exists()
