"""The promotion audit: does an org hold exactly what the milestone files declare?

No Pulumi state and no Pulumi CLI: the files are validated with the provider's rules, made
concrete for the org (its name prefix and till), and compared with the org's groups of the
same names using exactly the provider's comparison and fields table. Each milestone is
*same*, *differs* (each field: org value → declared value, and whether Capillary can change
it in place or it needs a new milestone) or *missing in the org*; the org's groups that no
file declares are listed too. ``export_all`` writes an org's groups as milestone files, so
org against org is an export from one and an audit of the other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..diff import compare_to_record
from ..exceptions import show
from ..fields import Mutability


@dataclass(frozen=True)
class FieldAudit:
    """One field of a milestone that the org holds otherwise than the file declares."""

    path: str
    org: str
    declared: str
    in_place: bool  # Capillary can update it; otherwise it needs a new milestone
    call: str | None = None  # the call that updates it in place


@dataclass
class MilestoneAudit:
    source: str
    name: str
    status: str  # "same", "differs" or "missing"
    group_id: int | None = None
    differences: list[FieldAudit] = field(default_factory=list)


@dataclass
class Audit:
    milestones: list[MilestoneAudit]
    undeclared: list[dict[str, Any]]

    @property
    def exit_code(self) -> int:
        clean = all(m.status == "same" for m in self.milestones) and not self.undeclared
        return 0 if clean else 1

    def to_json(self) -> str:
        statuses = ("same", "differs", "missing")
        counts = {s: sum(m.status == s for m in self.milestones) for s in statuses}
        counts["undeclared"] = len(self.undeclared)
        document = {
            "milestones": [asdict(m) for m in self.milestones],
            "undeclared": self.undeclared,
            "summary": counts,
            "exitCode": self.exit_code,
        }
        return json.dumps(document, indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        lines = []
        for milestone in self.milestones:
            where = f" (target group {milestone.group_id})" if milestone.group_id else ""
            label = {"missing": "missing in the org"}.get(milestone.status, milestone.status)
            lines.append(f"{milestone.source}: {milestone.name}{where}: {label}")
            for diff in milestone.differences:
                how = f"in place ({diff.call})" if diff.in_place else "needs a new milestone"
                lines.append(f"  {diff.path}: {diff.org} → {diff.declared}  [{how}]")
        for group in self.undeclared:
            lines.append(f"(no file): {group['name']} (target group {group['id']}): not declared")
        same = sum(m.status == "same" for m in self.milestones)
        lines.append(
            f"{same} of {len(self.milestones)} declared milestone(s) the same in the org; "
            f"{len(self.undeclared)} group(s) in the org that no file declares."
        )
        return "\n".join(lines) + "\n"


def audit(
    declared: Mapping[str, dict[str, Any]],
    groups: list[dict[str, Any]],
    read: Callable[[int], dict[str, Any]],
    name_prefix: str = "",
) -> Audit:
    """``declared``: source → canonical body (prefix applied); ``groups``: the org's list."""
    by_name = {str(g.get("name", "")).casefold(): g for g in groups}
    seen: set[int] = set()
    results = []
    for source, body in declared.items():
        group = by_name.get(body["name"].casefold())
        if group is None:
            results.append(MilestoneAudit(source, body["name"], "missing"))
            continue
        seen.add(group["id"])
        changes = compare_to_record(read(group["id"]), body)
        differences = [
            FieldAudit(
                c.path,
                show(c.old),
                show(c.new),
                c.mutability is Mutability.UPDATABLE,
                c.row.edit.value if c.row.edit else None,
            )
            for c in changes.changes
        ]
        status = "differs" if differences else "same"
        results.append(MilestoneAudit(source, body["name"], status, group["id"], differences))
    undeclared = [
        {"id": g["id"], "name": g.get("name")}
        for g in groups
        if g.get("id") not in seen and str(g.get("name", "")).startswith(name_prefix)
    ]
    return Audit(results, undeclared)
