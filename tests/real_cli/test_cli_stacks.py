"""``capillary-milestones --stack S`` where the user runs ``pulumi``: a stack's encrypted
credentials are read decrypted through the Pulumi CLI, as the provider receives them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import seed

COMMAND = str(Path(sys.executable).parent / "capillary-milestones")


def test_stack_credentials_set_as_secrets_are_read_through_pulumi(project, emulator, api):
    api.post("/v3/targetGroups", json=seed("be01.request"))
    creds = emulator.credentials
    project.init("uat", {"capillary:baseUrl": emulator.url, "capillary:username": creds.username})
    project.set_secret("uat", "capillary:password", creds.password)
    assert "secure:" in (project.directory / "Pulumi.uat.yaml").read_text()
    env = {k: v for k, v in project.env.items() if not k.startswith("CAPILLARY_")}
    listed = subprocess.run(
        [COMMAND, "list", "--stack", "uat"],
        cwd=project.directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert "uatTargetGroupBE01" in listed.stdout
    assert creds.password not in listed.stdout + listed.stderr
