"""The Pulumi CLI as the user's shell runs it: a stack's state and its configuration.

Commands that work on a stack (``recover``, ``--stack`` with encrypted credentials, the
review) call ``pulumi`` where the user runs it: its backend (``PULUMI_BACKEND_URL`` or the
login) and passphrase come from the environment (``eval "$(make -s env)"`` sets them for the
dev stack). A failure is one sentence naming the command that failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

from ..exceptions import CapillaryError


def run_pulumi(
    stack: str | None,
    *args: str,
    stdin: str | None = None,
    timeout: float = 3600,
    capture: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``pulumi ARGS [--stack STACK] --non-interactive``, as it ended; with ``capture`` off,
    its output goes to this command's (an ``up`` the user watches); ``env`` is added to
    this process's environment."""
    if shutil.which("pulumi") is None:
        raise CapillaryError(
            'the Pulumi CLI is not on PATH; put it there (`eval "$(make -s env)"` puts the '
            "pinned one there) and run again."
        )
    argv = ["pulumi", *args, *(["--stack", stack] if stack else []), "--non-interactive"]
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        argv,
        input=stdin,
        capture_output=capture,
        text=True,
        timeout=timeout,
        check=False,
        env=environment,
    )


def pulumi(stack: str | None, *args: str, stdin: str | None = None, timeout: float = 600) -> str:
    """``pulumi ARGS [--stack STACK] --non-interactive``; its stdout, or one sentence."""
    done = run_pulumi(stack, *args, stdin=stdin, timeout=timeout)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        detail = lines[-1].strip() if lines else f"exit code {done.returncode}"
        where = f" --stack {stack}" if stack else ""
        raise CapillaryError(f"`pulumi {' '.join(args[:2])}{where}` failed: {detail}")
    return done.stdout


def deployment(stack: str) -> dict[str, Any]:
    """The stack's state (``pulumi stack export``): its resources and pending operations."""
    state: dict[str, Any] = json.loads(pulumi(stack, "stack", "export") or "{}")
    found: dict[str, Any] = state.get("deployment") or {}
    return found


def pulumi_config(stack: str) -> dict[str, str]:
    """The stack's configuration as a provider receives it (secrets decrypted)."""
    raw = json.loads(pulumi(stack, "config", "--json", "--show-secrets") or "{}")
    return {
        key: entry["value"] if isinstance(entry.get("value"), str) else json.dumps(entry["value"])
        for key, entry in raw.items()
        if isinstance(entry, dict) and "value" in entry
    }


def managed_groups() -> dict[str, str]:
    """Group id → "stack/resource" for every milestone the project's stacks manage (in the
    backend the Pulumi CLI is logged in to), read from each stack's state."""
    from ..sdk.types import TYPES

    listed = json.loads(pulumi(None, "stack", "ls", "--json") or "[]")
    found: dict[str, str] = {}
    for entry in listed:
        name = str(entry.get("name", "")).rsplit("/", 1)[-1]
        state = json.loads(pulumi(name, "stack", "export") or "{}")
        for resource in (state.get("deployment") or {}).get("resources") or []:
            if resource.get("type") in TYPES and resource.get("id"):
                label = resource["urn"].rsplit("::", 1)[-1]
                found.setdefault(str(resource["id"]), f"{name}/{label}")
    return found
