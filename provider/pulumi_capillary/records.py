"""Recorded groups, read with the fields table: in period order, with what Capillary left out
taken from the declaration last applied, and back to the declaration that would recreate
them (refresh's ``inputs``, the export's files)."""

from __future__ import annotations

from typing import Any

from .fields import columns, rows


def in_period_order(recorded: dict[str, Any]) -> dict[str, Any]:
    """Recorded ``defaultValues`` sorted by their period's position, as they were declared."""
    periods = recorded.get("periods")
    if not isinstance(periods, list):
        return recorded
    position = {p.get("id"): i for i, p in enumerate(periods)}
    targets = []
    for target in recorded.get("targets") or []:
        values = target.get("defaultValues")
        if isinstance(values, list):
            values = sorted(values, key=lambda v: position.get(v.get("periodId"), len(position)))
            target = {**target, "defaultValues": values}
        targets.append(target)
    return {**recorded, "targets": targets} if "targets" in recorded else recorded


def fill_absent(
    recorded: dict[str, Any], applied: dict[str, Any] | None, write_only: bool = False
) -> dict[str, Any]:
    """The record with every compared field it leaves out taken from ``applied``.

    ``applied`` is the declaration last applied (or, when none is known, the declaration
    compared against): a field Capillary does not echo then never shows as a change. With
    ``write_only``, the fields Capillary never echoes are taken from it too, so that a
    change of one is seen against what was applied.
    """
    if not applied:
        return recorded

    def fill(source: dict[str, Any], wanted: dict[str, Any], parent: str) -> dict[str, Any]:
        out = dict(source)
        for row, _, keys, nests, _ in columns(parent, True, write_only):
            if nests:
                mine, theirs = out.get(row.key), wanted.get(row.key)
                if mine is None and isinstance(theirs, list):
                    out[row.key] = theirs
                elif isinstance(mine, list) and isinstance(theirs, list):
                    out[row.key] = [
                        fill(item, other, row.path)
                        if isinstance(item, dict) and isinstance(other, dict)
                        else item
                        for item, other in zip(mine, theirs + [{}] * len(mine), strict=False)
                    ]
                continue
            if any(out.get(k) is not None for k in keys):
                continue
            for key in row.declared_keys():
                if wanted.get(key) is not None:
                    out[key] = wanted[key]
                    break
        return out

    return fill(recorded, applied, "")


def declared_from_recorded(
    recorded: dict[str, Any], applied: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The declaration that would recreate a recorded group (refresh's ``inputs``); fields
    Capillary left out of its answer are taken from ``applied``."""
    recorded = fill_absent(in_period_order(recorded), applied, write_only=True)

    def pick(source: dict[str, Any], parent: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in rows(parent):
            keys = row.recorded_keys() or row.declared_keys()  # write-only: as applied
            if row.path.endswith("[]"):
                child = row.path
                out[row.key] = [pick(item, child) for item in source.get(row.key) or []]
                continue
            key = next((k for k in keys if source.get(k) is not None), None)
            if key is not None:
                out[key if len(keys) > 1 else row.declared_keys()[0]] = row.restore(source[key])
        return out

    declared = pick(recorded, "")
    for target in declared.get("targets", []):
        if "defaultValues" in target:
            target["defaultValues"] = [
                {"defaultValue": v["defaultValue"]} for v in target["defaultValues"]
            ]
    return declared
