"""``capillary-milestones recover``: record the creates a killed ``pulumi up`` left pending.

A ``pulumi up`` killed while Capillary commits its creates leaves each of them as a pending
operation in the stack's state (with the checked inputs it sent), and its group in the org.
The next ``pulumi up`` would create again, be told the name is taken, and refuse: safe, but
one hand edit per milestone. Pulumi's own ``pulumi refresh --import-pending-creates`` drops
a dynamic resource's pending create without recording it, and ``pulumi import`` does not
work for dynamic providers (pulumi/pulumi#16175).

So this reads the state (``pulumi stack export``), and records a pending create only when
its group is certain: exactly one group carries the declared name (or the declared
``adoptExistingId``), no other resource of the stack manages it, and it matches the
declaration, as the provider itself compares. The outputs are those a create by
``adoptExistingId`` returns. Anything else is left alone and named. The new state goes back
with ``pulumi stack import``, after a preview of what would change unless ``--yes``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..declaration.models import OPTION_KEYS, PROVIDER_KEY, parse_inputs
from ..diff import compare_to_record
from ..exceptions import CapillaryError
from ..operations import outputs
from ..sdk.types import TYPES

Reader = Callable[[int], dict[str, Any]]
Finder = Callable[[str], "dict[str, Any] | None"]  # a name → the org's group of that name


@dataclass(frozen=True)
class Finding:
    """What recover decided for one pending create."""

    urn: str
    name: str
    group_id: int | None
    record: dict[str, Any] | None  # the resource to add to the state, or None: left alone
    reason: str

    @property
    def label(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    def __str__(self) -> str:
        verb = "record" if self.record is not None else "leave alone"
        group = f" as target group {self.group_id}" if self.group_id is not None else ""
        return f"{verb}: {self.label} ({self.name!r}){group}: {self.reason}"


def pending_creates(deployment: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        op["resource"]
        for op in deployment.get("pending_operations") or []
        if op.get("type") == "creating" and op.get("resource", {}).get("type") in TYPES
    ]


def _decide(
    resource: dict[str, Any],
    find: Finder,
    managed: Mapping[str, str],
    read: Reader,
) -> Finding:
    urn = resource["urn"]
    inputs = resource.get("inputs") or {}
    name = str(inputs.get("name", ""))

    def leave(reason: str, group_id: int | None = None) -> Finding:
        return Finding(urn, name, group_id, None, reason)

    try:
        spec, options = parse_inputs(inputs)
    except CapillaryError as error:
        return leave(f"its inputs do not read as a declaration ({error})")
    if spec is None:
        return leave("its inputs hold unknown values")
    body = spec.body()
    if options.adopt_existing_id is not None:
        candidates = [int(options.adopt_existing_id)]
    else:
        found = find(name)  # one page of the org, whatever its size
        candidates = [] if found is None else [int(found["id"])]
    if not candidates:
        return leave(
            "no group of the org carries its name: the create never reached "
            "Capillary, and `pulumi up` will make it"
        )
    group_id = candidates[0]
    if str(group_id) in managed:
        return leave(f"the group is already managed by {managed[str(group_id)]}", group_id)
    recorded = read(group_id)
    changes = compare_to_record(recorded, body)
    if changes:
        listed = "; ".join(str(c) for c in changes.changes)
        return leave(f"the group differs from the declaration ({listed})", group_id)
    options_in = {k: v for k, v in inputs.items() if k in OPTION_KEYS and v is not None}
    outs = outputs(recorded, options_in, body)
    if PROVIDER_KEY in inputs:  # the dynamic provider's pickle (a real provider has none)
        outs[PROVIDER_KEY] = inputs[PROVIDER_KEY]
    record = {**resource, "id": str(group_id), "outputs": outs}
    return Finding(urn, name, group_id, record, "the group matches the declaration")


def plan_recovery(deployment: Mapping[str, Any], find: Finder, read: Reader) -> list[Finding]:
    """One finding per pending create of a milestone, in the order the state lists them;
    ``find`` looks a name up in the org (``CapillaryClient.find_by_name``)."""
    managed = {
        str(r["id"]): r["urn"].rsplit("::", 1)[-1]
        for r in deployment.get("resources") or []
        if r.get("type") in TYPES and r.get("id")
    }
    return [_decide(resource, find, managed, read) for resource in pending_creates(deployment)]


def recovered(deployment: dict[str, Any], findings: list[Finding]) -> dict[str, Any]:
    """The deployment with each certain create recorded and its pending operation dropped."""
    done = {f.urn: f.record for f in findings if f.record is not None}
    pending = [
        op
        for op in deployment.get("pending_operations") or []
        if not (op.get("type") == "creating" and op.get("resource", {}).get("urn") in done)
    ]
    resources = [*(deployment.get("resources") or []), *done.values()]
    return {**deployment, "resources": resources, "pending_operations": pending}


def run(args: argparse.Namespace) -> int:
    from ..api.client import CapillaryClient
    from ..api.settings import load_settings
    from .stack import pulumi, pulumi_config

    config = pulumi_config(args.stack)
    state = json.loads(pulumi(args.stack, "stack", "export"))
    deployment = state.get("deployment") or {}
    client = CapillaryClient(load_settings(config.get, os.environ))
    findings = plan_recovery(deployment, client.find_by_name, client.read)
    if not findings:
        print(f"stack {args.stack} has no pending create of a milestone: nothing to recover.")
        return 0
    for finding in findings:
        print(finding)
    certain = [f for f in findings if f.record is not None]
    if certain and not args.yes:
        print(
            f"{len(certain)} of {len(findings)} pending create(s) can be recorded; run "
            "again with --yes to record them in the stack."
        )
        return 0
    if certain:
        state["deployment"] = recovered(deployment, findings)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
            json.dump(state, file)
            file.flush()
            pulumi(args.stack, "stack", "import", "--file", file.name)
        print(
            f"recorded {len(certain)} milestone(s) in stack {args.stack}; `pulumi up` "
            "now leaves them as they are."
        )
    left = len(findings) - len(certain)
    if left:
        print(f"{left} pending create(s) left alone, for the reasons above.", file=sys.stderr)
    return 1 if left else 0
