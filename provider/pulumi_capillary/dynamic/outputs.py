"""The resource's outputs: the group as Capillary recorded it, and what we add to it.

``id`` (reserved by Pulumi) becomes ``targetGroupId``; ``periodIds`` and ``targetIds`` are
derived; ``appliedDeclaration`` keeps the declaration last created or updated, so a field
Capillary leaves out of its answers is compared with it rather than seen as removed; the
provider-only inputs are kept too, so a destroy after a refresh still knows them. The typed
accessors a program reads are declared on ``TargetGroup`` (``resource.py``).
"""

from __future__ import annotations

from typing import Any

from ..declaration.models import OPTION_KEYS, PROVIDER_KEY
from ..declaration.values import integral

APPLIED = "appliedDeclaration"
DERIVED = ("targetGroupId", "periodIds", "targetIds", APPLIED)


def outputs(
    recorded: dict[str, Any], options: dict[str, Any], applied: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The recorded group as outputs."""
    outs = {k: v for k, v in recorded.items() if k != "id"}
    outs["targetGroupId"] = recorded["id"]
    outs["periodIds"] = [p.get("id") for p in recorded.get("periods") or []]
    outs["targetIds"] = [t.get("id") for t in recorded.get("targets") or []]
    if applied:
        outs[APPLIED] = applied
    outs.update({k: v for k, v in options.items() if k in OPTION_KEYS and v is not None})
    return outs


def recorded_of(outs: dict[str, Any]) -> dict[str, Any]:
    """Back from outputs to the group as Capillary returned it (ids as ints again: the
    engine sends every number as a float)."""
    recorded = {
        k: v
        for k, v in outs.items()
        if k not in DERIVED and k not in OPTION_KEYS and k != PROVIDER_KEY
    }
    if "targetGroupId" in outs:
        recorded["id"] = outs["targetGroupId"]
    return integral(recorded)


def options_of(props: dict[str, Any]) -> dict[str, Any]:
    """The provider-only inputs (or outputs) that are set."""
    return {key: props[key] for key in OPTION_KEYS if props.get(key) is not None}


def applied_of(props: dict[str, Any]) -> dict[str, Any] | None:
    applied = props.get(APPLIED)
    return applied if isinstance(applied, dict) else None
