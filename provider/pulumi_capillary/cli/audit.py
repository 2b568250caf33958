"""The promotion audit: does an org hold exactly what the milestone files declare?

No Pulumi state and no Pulumi CLI: the files are validated with the provider's rules, made
concrete for the org (its name prefix and till), and compared with the org's groups of the
same names using exactly the provider's comparison and fields table. Each milestone is
*same*, *differs* (each field: org value → declared value, and whether Capillary can change
it in place or it needs a new milestone) or *missing in the org*; the org's groups that no
file declares are listed too. ``export.py`` writes an org's groups as milestone files, so
org against org is an export from one and an audit of the other.

Cost stays flat: one list call carries the groups with their periods and targets; a group
the list does not carry whole is read on its own, a bounded number at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic.alias_generators import to_camel

from ..diff import compare_to_record
from ..exceptions import CapillaryError, show
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
    # groups more than one declaration claims (two stacks declaring one name in one org)
    shared: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        clean = all(m.status == "same" for m in self.milestones) and not self.undeclared
        return 0 if clean and not self.shared else 1

    def to_json(self) -> str:
        statuses = ("same", "differs", "missing")
        counts = {s: sum(m.status == s for m in self.milestones) for s in statuses}
        counts["undeclared"] = len(self.undeclared)
        document = {
            "milestones": [_camel(asdict(m)) for m in self.milestones],
            "undeclared": self.undeclared,
            "shared": self.shared,
            "summary": counts,
            "exitCode": self.exit_code,
        }
        return json.dumps(document, indent=2, ensure_ascii=False)

    def to_markdown(self, title: str) -> str:
        """The report for a job summary: a heading, then the text as it prints."""
        return f"### {title}\n\n```text\n{self.to_text()}```\n"

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
        for group in self.shared:
            claimed, times = ", ".join(group["sources"]), len(group["sources"])
            lines.append(
                f"target group {group['id']} ({group['name']!r}) is declared {times} times "
                f"({claimed}): each would manage it, and one's destroy deletes the other's "
                "milestone; give them distinct names"
            )
        same = sum(m.status == "same" for m in self.milestones)
        lines.append(
            f"{same} of {len(self.milestones)} declared milestone(s) the same in the org; "
            f"{len(self.undeclared)} group(s) in the org that no file declares."
        )
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Declared:
    """One declared milestone: its canonical body, and the group it adopts, if it names one."""

    body: dict[str, Any]
    adopt_id: int | None = None


def _camel(value: Any) -> Any:
    """One key style in the JSON report: camelCase, as the API's."""
    if isinstance(value, dict):
        return {to_camel(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _field_audits(recorded: dict[str, Any], body: dict[str, Any]) -> list[FieldAudit]:
    return [
        FieldAudit(
            c.path,
            show(c.old),
            show(c.new),
            c.mutability is Mutability.UPDATABLE,
            c.row.edit.value if c.row.edit else None,
        )
        for c in compare_to_record(recorded, body).changes
    ]


def audit(
    declared: Mapping[str, Declared],
    groups: list[dict[str, Any]],
    complete: Callable[[list[dict[str, Any]]], dict[int, dict[str, Any]]],
    name_prefix: str = "",
) -> Audit:
    """``declared``: source → milestone (prefix applied); ``groups``: the org's list;
    ``complete``: the listed groups whole, by id (``CapillaryClient.completed``). A milestone
    with ``adopt_id`` is matched by that id, any other by its name."""
    by_name = {str(g.get("name", "")).casefold(): g for g in groups}
    by_id = {g.get("id"): g for g in groups}

    def match(milestone: Declared) -> dict[str, Any] | None:
        if milestone.adopt_id is not None:
            return by_id.get(milestone.adopt_id)
        return by_name.get(str(milestone.body["name"]).casefold())

    matched = {source: match(d) for source, d in declared.items()}
    records = complete(list({g["id"]: g for g in matched.values() if g}.values()))
    results = []
    for source, milestone in declared.items():
        name, group = milestone.body["name"], matched[source]
        if group is None:
            results.append(MilestoneAudit(source, name, "missing", milestone.adopt_id))
            continue
        recorded = records[group["id"]]
        differences = _field_audits(recorded, milestone.body)
        status = "differs" if differences else "same"
        results.append(MilestoneAudit(source, name, status, group["id"], differences))
    seen = {g["id"] for g in matched.values() if g is not None}
    claims: dict[int, list[str]] = {}
    for source, group in matched.items():
        if group is not None:
            claims.setdefault(group["id"], []).append(source)
    shared = [
        {"id": gid, "name": by_id[gid].get("name"), "sources": sources}
        for gid, sources in sorted(claims.items())
        if len(sources) > 1
    ]
    undeclared = [
        {"id": g["id"], "name": g.get("name")}
        for g in groups
        if g.get("id") not in seen and str(g.get("name", "")).startswith(name_prefix)
    ]
    return Audit(results, undeclared, shared)


def _program(stack: str, config: dict[str, Any], prefixed: bool) -> dict[str, Declared]:
    """What the program declares for ``stack``, by resource name (``stack:name`` when several
    stacks are audited together)."""
    from ..declaration.models import parse_inputs
    from .program import declared_by_program

    found = {}
    for name, inputs in declared_by_program(Path("."), stack, config).items():
        spec, options = parse_inputs(inputs)
        if spec is None:
            raise CapillaryError(f"{name}: its inputs are not known without the engine")
        adopt = options.adopt_existing_id
        source = f"{stack}:{name}" if prefixed else name
        found[source] = Declared(spec.body(), int(adopt) if adopt is not None else None)
    return found


def _declared(args: argparse.Namespace, config: dict[str, Any]) -> dict[str, Declared]:
    """The program's milestones for the stack(s), or the files named, made concrete."""
    from .org import PREFIX, TILL, stack_config
    from .validate import declarations

    if not args.paths:
        if not args.stack:
            raise CapillaryError(
                "diff audits what the program declares for a stack: name it with --stack, or "
                "name the milestone files to compare."
            )
        found = _program(args.stack, config, prefixed=bool(args.also_stack))
        for other in args.also_stack or []:
            other_config = stack_config(argparse.Namespace(stack=other, region=None, base_url=None))
            found.update(_program(other, other_config, prefixed=True))
        return found
    prefix = args.name_prefix if args.name_prefix is not None else config.get(PREFIX) or ""
    till = int(config[TILL]) if config.get(TILL) is not None else None
    bodies, problems = declarations(args.paths, prefix, till)
    if problems:
        listed = "\n".join(f"{p}: {v}" for p, vs in problems.items() for v in vs)
        raise CapillaryError(f"fix the milestone files, then run diff again:\n{listed}")
    return {str(path): Declared(body) for path, body in bodies.items()}


def run(args: argparse.Namespace) -> int:
    from .org import PREFIX, client, stack_config

    config = stack_config(args)
    declared = _declared(args, config)
    prefix = args.name_prefix if args.name_prefix is not None else config.get(PREFIX) or ""
    org = client(args, config)
    report = audit(declared, org.list_groups(include_periods=True), org.completed, prefix)
    if args.json:
        sys.stdout.write(report.to_json() + "\n")
    elif args.markdown:
        title = f"Milestones of stack {args.stack} in the org" if args.stack else "Milestones"
        sys.stdout.write(report.to_markdown(title))
    else:
        sys.stdout.write(report.to_text())
    return report.exit_code
