"""``capillary-milestones apply``: apply exactly the plan a review saved, or nothing.

The gated job of a production stack runs this with the plan file its review kept. First a
fresh preview saves the plan the program, the stack's state and its configuration make now;
if it is not the reviewed one (a change merged since, another ``up``, an edit refreshed into
the state), nothing is written and the review must run again. Then ``pulumi up --plan``
applies the reviewed plan, which the engine also holds each resource to.

Exit codes: 0 applied; 1 the plan no longer applies (nothing was written); 2 the command could
not run, or ``pulumi up`` failed (its output says why).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..exceptions import CapillaryError
from ..sdk.types import SIG

AGAIN = "nothing was written: run the review again, and approve its new plan."


def _comparable(plan: Any) -> Any:
    """A saved plan without what differs between two previews of the same thing: when it was
    made, each resource's random seed, and a secret's ciphertext."""
    if isinstance(plan, dict):
        if SIG in plan:
            return "(secret)"
        return {k: _comparable(v) for k, v in plan.items() if k not in ("manifest", "seed", "time")}
    if isinstance(plan, list):
        return [_comparable(v) for v in plan]
    return plan


def changed_since(reviewed: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """The resources whose plan differs, by name (the stack's own entry included)."""
    before = reviewed.get("resourcePlans") or {}
    after = now.get("resourcePlans") or {}
    names = sorted({*before, *after})
    return [
        urn.rsplit("::", 1)[-1]
        for urn in names
        if _comparable(before.get(urn)) != _comparable(after.get(urn))
    ]


def run(args: argparse.Namespace) -> int:
    from .stack import run_pulumi

    plan_file = Path(args.plan_file)
    try:
        reviewed = json.loads(plan_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CapillaryError(
            f"cannot read the reviewed plan {plan_file} ({error}); pass the file the review "
            "saved (--plan-file)."
        ) from None
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "plan.json"
        done = run_pulumi(args.stack, "preview", "--save-plan", str(fresh))
        if done.returncode != 0:
            lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
            print(
                f"capillary-milestones: the preview of stack {args.stack} fails now "
                f"({lines[-1].strip() if lines else done.returncode}), so the reviewed plan "
                f"no longer applies; {AGAIN}",
                file=sys.stderr,
            )
            return 1
        now = json.loads(fresh.read_text(encoding="utf-8"))
    changed = changed_since(reviewed, now)
    if changed:
        print(
            f"capillary-milestones: the plan of stack {args.stack} changed since the review "
            f"({', '.join(changed)}): the program, the stack's state or its configuration is not "
            f"what was reviewed; {AGAIN}",
            file=sys.stderr,
        )
        return 1
    up = run_pulumi(args.stack, "up", "--yes", "--plan", str(plan_file), capture=False)
    if up.returncode != 0:
        print(
            f"capillary-milestones: `pulumi up --plan` of stack {args.stack} failed (above); "
            "if it says a resource violates the plan, the stack changed since the review: "
            "run the review again.",
            file=sys.stderr,
        )
        return 2
    return 0
