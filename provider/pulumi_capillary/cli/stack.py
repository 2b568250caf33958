"""The Pulumi CLI as the user's shell runs it: a stack's state and its configuration.

Commands that work on a stack (``recover``, ``--stack`` with encrypted credentials, the
review) call ``pulumi`` where the user runs it: its backend (``PULUMI_BACKEND_URL`` or the
login) and passphrase come from the environment (``eval "$(make -s env)"`` sets them for the
dev stack). A failure is one sentence naming the command that failed.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from ..exceptions import CapillaryError


def pulumi(stack: str | None, *args: str, stdin: str | None = None, timeout: float = 600) -> str:
    """``pulumi ARGS [--stack STACK] --non-interactive``; its stdout, or one sentence."""
    if shutil.which("pulumi") is None:
        raise CapillaryError(
            'the Pulumi CLI is not on PATH; put it there (`eval "$(make -s env)"` puts the '
            "pinned one there) and run again."
        )
    argv = ["pulumi", *args, *(["--stack", stack] if stack else []), "--non-interactive"]
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        detail = lines[-1].strip() if lines else f"exit code {done.returncode}"
        where = f" --stack {stack}" if stack else ""
        raise CapillaryError(f"`pulumi {' '.join(args[:2])}{where}` failed: {detail}")
    return done.stdout


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
