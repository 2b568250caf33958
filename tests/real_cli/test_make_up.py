"""``make up`` on a fresh copy of the project, through the real Pulumi CLI, twice."""

from __future__ import annotations

import subprocess

from tests.program import scratch_checkout
from tests.real_cli.harness import ROOT


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_make_up_applies_the_catalog_then_changes_nothing(tmp_path, pulumi_cli):
    clone = scratch_checkout(tmp_path / "clone")  # the project's own venv, built once
    env = {
        "PATH": f"{pulumi_cli}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PORT": str(_free_port()),
        "TMPDIR": str(tmp_path),
    }

    def make(target: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["make", "-s", target],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    try:
        first = make("up")
        assert first.returncode == 0, first.stdout + first.stderr
        assert "+ 5 created" in first.stdout  # the stack and the four milestones
        assert "4 target group(s)." in first.stdout
        second = make("up")
        assert second.returncode == 0, second.stdout + second.stderr
        assert "nothing to change: the dev stack already matches the milestone catalog" in (
            second.stdout
        )
        # `pulumi` and the commands by hand, as the README's recovery section runs them
        by_hand = subprocess.run(
            [
                "bash",
                "-c",
                'eval "$(make -s env)" && pulumi preview --stack dev --non-interactive '
                "--expect-no-changes && pulumi cancel --yes --stack dev --non-interactive && "
                "capillary-milestones recover --stack dev && capillary-milestones diff --stack dev",
            ],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert by_hand.returncode == 0, by_hand.stdout + by_hand.stderr
        assert "nothing to recover" in by_hand.stdout
        assert "4 of 4 declared milestone(s) the same in the org" in by_hand.stdout
    finally:
        down = make("down")
    assert down.returncode == 0 and "emulator stopped" in down.stdout
    assert (clone / "Pulumi.dev.yaml").read_bytes() == (ROOT / "Pulumi.dev.yaml").read_bytes()
