"""Guardrails for milestones, as a Pulumi CrossGuard policy pack (``pulumi-policy``).

``pulumi preview --policy-pack programs/policy`` runs it on any backend, and the review of a
production stack always does. Each policy checks a milestone of either provider (the dynamic
``TargetGroup`` and ``capillary:index:TargetGroup``) as ``check`` returned its inputs:

- ``production-deletion-policy`` (mandatory): on a production stack, no milestone may be
  deleted from Capillary when it leaves the stack (``deletionPolicy: delete``);
- ``production-no-replacement`` (mandatory): on a production stack, no milestone may be
  replaced, which would reset every customer's progress (``onImmutableChange: replace``);
- ``milestone-names`` (advisory): names follow a pattern;
- ``capillary-ui-limits`` (advisory): Capillary's UI limits (up to 100 cycles and 50 targets;
  no blank at either end of a name), which the API does not document.

A production stack is one whose name matches ``productionStacks`` (a glob, ``prod*``); a
policy's effective value is the milestone's own, else its provider's or the stack's
``capillary:`` config, else the ``CAPILLARY_*`` environment, else the provider's default, as
the provider reads it. The
settings and enforcement levels are the pack's config (``--policy-pack-config``). The stack's
name comes from each resource's URN, its configuration from its stack file.

Policies see secrets in plain text: no message here repeats an input but the milestone's name
and the policy's own value.
"""

from __future__ import annotations

import fnmatch
import io
import os
import re
import sys
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

TYPES = ("pulumi-python:dynamic/capillary:TargetGroup", "capillary:index:TargetGroup")
PRODUCTION = PolicyConfigSchema(
    properties={
        "productionStacks": {
            "type": "string",
            "default": "prod*",
            "description": "a glob of the production stacks' names",
        }
    }
)
DEFAULTS = {"deletionPolicy": "abandon", "onImmutableChange": "fail"}
VARIABLES = {
    "deletionPolicy": "CAPILLARY_DELETION_POLICY",
    "onImmutableChange": "CAPILLARY_ON_IMMUTABLE_CHANGE",
}


def _milestone(args: ResourceValidationArgs) -> str:
    name = args.props.get("name")
    return (
        f"milestone {name!r} ({args.name})" if isinstance(name, str) else f"milestone {args.name}"
    )


def _stack(args: ResourceValidationArgs) -> str:
    """The stack's name, from the resource's URN (``urn:pulumi:STACK::project::...``)."""
    return args.urn.split("::", 1)[0].rsplit(":", 1)[-1]


def _stack_config(stack: str) -> dict[str, Any]:
    """The stack file's plain values (the pack runs in the program's folder, under the
    project's root; a secret value there is encrypted, and none is read here)."""
    import yaml

    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "Pulumi.yaml").is_file():
            path = folder / f"Pulumi.{stack}.yaml"
            loaded = yaml.safe_load(path.read_text()) if path.is_file() else None
            return dict((loaded or {}).get("config") or {})
    return {}


def _effective(args: ResourceValidationArgs, key: str) -> tuple[str, str]:
    """A policy's value and where it is set, in the provider's order: the milestone's own,
    its provider's (the resource provider's configuration), the stack file, the
    environment, the default."""
    declared = args.props.get(key)
    if isinstance(declared, str):
        return declared.strip().lower(), "on the milestone"
    provided = args.provider.props.get(key) if args.provider is not None else None
    if isinstance(provided, str):
        return provided.strip().lower(), f"by its provider's {key}"
    stacked = _stack_config(_stack(args)).get(f"capillary:{key}")
    if isinstance(stacked, str):
        return stacked.strip().lower(), f"by the stack's capillary:{key}"
    variable = os.environ.get(VARIABLES[key], "")
    if variable:
        return variable.strip().lower(), f"by {VARIABLES[key]}"
    return DEFAULTS[key], "by default"


def _production(args: ResourceValidationArgs) -> str | None:
    """The stack's name when it is a production stack."""
    stack = _stack(args)
    pattern = (args.get_config() or {}).get("productionStacks", "prod*")
    return stack if fnmatch.fnmatchcase(stack, str(pattern)) else None


def _policy_on_production(key: str, refused: str, why: str, instead: str):
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in TYPES:
            return
        stack = _production(args)
        value, where = _effective(args, key)
        if stack is not None and value == refused:
            report(
                f"{_milestone(args)}: {key} is {refused} {where} on production stack {stack}: "
                f"{why}. Set {instead}, or change the pack's productionStacks."
            )

    return validate


def _names(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in TYPES:
        return
    pattern = (args.get_config() or {}).get("pattern", r"^[a-z0-9][a-z0-9-]*$")
    name = args.props.get("name")
    if isinstance(name, str) and not re.fullmatch(str(pattern), name):
        report(
            f"{_milestone(args)}: its name does not match the pack's pattern {pattern}; rename "
            "it (a rename changes the milestone in place), or change the pattern."
        )


def _ui_limits(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in TYPES:
        return
    config = args.get_config() or {}
    periods, targets = args.props.get("periods"), args.props.get("targets")
    if isinstance(periods, list) and len(periods) > int(config.get("maxCycles", 100)):
        report(
            f"{_milestone(args)} has {len(periods)} cycles; Capillary's UI allows up to "
            f"{config.get('maxCycles', 100)}: split it into milestones of fewer cycles."
        )
    if isinstance(targets, list) and len(targets) > int(config.get("maxTargets", 50)):
        report(
            f"{_milestone(args)} has {len(targets)} targets; Capillary's UI allows up to "
            f"{config.get('maxTargets', 50)}: split it."
        )
    named: list[tuple[str, Any]] = [("its name", args.props.get("name"))]
    named += [
        (f"targets[{i}].name", t.get("name"))
        for i, t in enumerate(targets or [])
        if isinstance(t, dict)
    ]
    for where, value in named:
        if isinstance(value, str) and value != value.strip():
            report(
                f"{_milestone(args)}: {where} starts or ends with a blank, which Capillary's UI "
                'refuses ("EMF Ruleset Creation Failed"); remove it.'
            )


# The pack announces its port on stdout without flushing it, and the language host runs this
# file without `python -u`: unbuffered, or the CLI waits for the port forever.
sys.stdout = io.TextIOWrapper(
    io.FileIO(sys.stdout.fileno(), "w", closefd=False), write_through=True
)

PolicyPack(
    name="capillary-milestones",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[
        ResourceValidationPolicy(
            name="production-deletion-policy",
            description="Production milestones are abandoned, never deleted, leaving the stack.",
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=PRODUCTION,
            validate=_policy_on_production(
                "deletionPolicy",
                "delete",
                "removing the milestone from the stack, or destroying the stack, would delete it "
                "in Capillary with its customers' progress",
                "deletionPolicy to abandon (on the milestone, or `pulumi config set "
                "capillary:deletionPolicy abandon`)",
            ),
        ),
        ResourceValidationPolicy(
            name="production-no-replacement",
            description="Production milestones are never replaced (a replacement resets progress).",
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=PRODUCTION,
            validate=_policy_on_production(
                "onImmutableChange",
                "replace",
                "a change Capillary cannot make would replace the milestone and reset every "
                "customer's progress in it",
                "onImmutableChange to fail (or leave it out), and declare such a change as a new "
                "milestone",
            ),
        ),
        ResourceValidationPolicy(
            name="milestone-names",
            description="Milestone names follow a pattern.",
            config_schema=PolicyConfigSchema(
                properties={
                    "pattern": {
                        "type": "string",
                        "default": r"^[a-z0-9][a-z0-9-]*$",
                        "description": "a regular expression a whole name matches",
                    }
                }
            ),
            validate=_names,
        ),
        ResourceValidationPolicy(
            name="capillary-ui-limits",
            description="Capillary's UI limits: 100 cycles, 50 targets, no blank at a name's ends.",
            config_schema=PolicyConfigSchema(
                properties={
                    "maxCycles": {"type": "integer", "default": 100},
                    "maxTargets": {"type": "integer", "default": 50},
                }
            ),
            validate=_ui_limits,
        ),
    ],
)
