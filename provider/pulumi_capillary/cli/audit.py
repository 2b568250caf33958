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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic.alias_generators import to_camel

from ..declaration.names import Spelling
from ..diff import compare_to_record
from ..exceptions import CapillaryError, Violation, show
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
    status: str  # "same", "differs", "missing" or "invalid" (the file breaks a rule)
    group_id: int | None = None
    differences: list[FieldAudit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why an invalid file is


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
        statuses = ("same", "differs", "missing", "invalid")
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
            label = {"missing": "missing in the org", "invalid": "invalid, not audited"}.get(
                milestone.status, milestone.status
            )
            named = f"{milestone.name}{where}: " if milestone.name else ""
            lines.append(f"{milestone.source}: {named}{label}")
            lines += [f"  {problem}" for problem in milestone.problems]
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
    """One declared milestone: its canonical body, the group it adopts, if it names one, and
    how it spells its fields (the report names them so)."""

    body: dict[str, Any]
    adopt_id: int | None = None
    spelling: Spelling = Spelling.SNAKE


def _camel(value: Any) -> Any:
    """One key style in the JSON report: camelCase, as the API's."""
    if isinstance(value, dict):
        return {to_camel(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _field_audits(
    recorded: dict[str, Any], body: dict[str, Any], spelling: Spelling
) -> list[FieldAudit]:
    return [
        FieldAudit(
            spelling.path(c.loc),
            show(c.old),
            show(c.new),
            c.mutability is Mutability.UPDATABLE,
            c.row.edit.value if c.row.edit else None,
        )
        for c in compare_to_record(recorded, body).changes
    ]


Matched = dict[str, dict[str, Any] | None]  # source → the org's group it is, if any


def audit(
    declared: Mapping[str, Declared],
    groups: Iterable[dict[str, Any]],
    complete: Callable[[list[dict[str, Any]]], dict[int, dict[str, Any]]],
    name_prefix: str = "",
    invalid: Mapping[str, tuple[str, list[Violation]]] | None = None,
) -> Audit:
    """``declared``: source → milestone (prefix applied); ``groups``: the org's groups, read
    once as they come (only the declared ones are kept whole; of the others, id and name);
    ``complete``: the listed groups whole, by id (``CapillaryClient.completed``). A milestone
    with ``adopt_id`` is matched by that id, any other by its name. ``invalid``: the files
    that break a rule, with the name each declares if it can be read: reported as such (the
    others are audited all the same), and a group of that name is not "not declared"."""
    matched, listed = _matched(declared, groups)
    records = complete(list({g["id"]: g for g in matched.values() if g}.values()))
    results = [_milestone(source, d, matched[source], records) for source, d in declared.items()]
    results += [
        MilestoneAudit(source, name, "invalid", problems=list(map(str, problems)))
        for source, (name, problems) in (invalid or {}).items()
    ]
    results.sort(key=lambda m: m.source)  # a stable report, whatever the program's order
    broken = {name.casefold() for name, _ in (invalid or {}).values() if name}
    seen = {g["id"] for g in matched.values() if g is not None}
    undeclared = [
        g
        for g in sorted(listed, key=lambda g: (str(g.get("name", "")), g.get("id", 0)))
        if g.get("id") not in seen
        and str(g.get("name", "")).startswith(name_prefix)
        and str(g.get("name", "")).casefold() not in broken
    ]
    return Audit(results, undeclared, _shared(matched))


def _matched(
    declared: Mapping[str, Declared], groups: Iterable[dict[str, Any]]
) -> tuple[Matched, list[dict[str, Any]]]:
    """Each declaration's group (by its adopted id, else its name), and every group's id
    and name."""
    by_name: dict[str, list[str]] = {}
    by_id: dict[Any, list[str]] = {}
    for source, milestone in declared.items():
        if milestone.adopt_id is None:
            by_name.setdefault(str(milestone.body["name"]).casefold(), []).append(source)
        else:
            by_id.setdefault(milestone.adopt_id, []).append(source)
    matched: Matched = dict.fromkeys(declared)
    listed = []
    for group in groups:
        listed.append({"id": group.get("id"), "name": group.get("name")})
        folded = str(group.get("name", "")).casefold()
        for source in [*by_id.get(group.get("id"), []), *by_name.get(folded, [])]:
            matched[source] = group
    return matched, listed


def _milestone(
    source: str,
    milestone: Declared,
    group: dict[str, Any] | None,
    records: dict[int, dict[str, Any]],
) -> MilestoneAudit:
    name = milestone.body["name"]
    if group is None:
        return MilestoneAudit(source, name, "missing", milestone.adopt_id)
    differences = _field_audits(records[group["id"]], milestone.body, milestone.spelling)
    status = "differs" if differences else "same"
    return MilestoneAudit(source, name, status, group["id"], differences)


def _shared(matched: Matched) -> list[dict[str, Any]]:
    """The groups more than one declaration claims."""
    claims: dict[int, list[str]] = {}
    names: dict[int, Any] = {}
    for source, group in matched.items():
        if group is not None:
            claims.setdefault(group["id"], []).append(source)
            names[group["id"]] = group.get("name")
    return [
        {"id": gid, "name": names[gid], "sources": sources}
        for gid, sources in sorted(claims.items())
        if len(sources) > 1
    ]


def _program(stack: str, config: dict[str, Any], prefixed: bool) -> dict[str, Declared]:
    """What the program declares for ``stack``, by resource name (``stack:name`` when several
    stacks are audited together)."""
    from ..declaration.models import parse_inputs
    from ..declaration.names import spelling_of
    from .program import declared_by_program

    found = {}
    for name, inputs in declared_by_program(Path("."), stack, config).items():
        spec, options = parse_inputs(inputs)
        if spec is None:
            raise CapillaryError(f"{name}: its inputs are not known without the engine")
        adopt = options.adopt_existing_id
        source = f"{stack}:{name}" if prefixed else name
        adopted = int(adopt) if adopt is not None else None
        found[source] = Declared(spec.body(), adopted, spelling_of(inputs))
    return found


Invalid = dict[str, tuple[str, list[Violation]]]


def _declared(
    args: argparse.Namespace, config: dict[str, Any]
) -> tuple[dict[str, Declared], Invalid]:
    """The program's milestones for the stack(s), or the files named, made concrete; and the
    files that break a rule, with the name each declares."""
    from ..declaration.catalog import read_milestone
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
        return found, {}
    prefix = args.name_prefix if args.name_prefix is not None else config.get(PREFIX) or ""
    till = int(config[TILL]) if config.get(TILL) is not None else None
    bodies, problems = declarations(args.paths, prefix, till)
    invalid: Invalid = {}
    for path, violations in problems.items():
        try:
            name = str(read_milestone(path).get("name") or "")
        except CapillaryError:
            name = ""
        invalid[str(path)] = (prefix + name if name else "", violations)
    return {str(path): Declared(body) for path, body in bodies.items()}, invalid


def run(args: argparse.Namespace) -> int:
    from .org import PREFIX, client, progress, stack_config

    config = stack_config(args)
    declared, invalid = _declared(args, config)
    prefix = args.name_prefix if args.name_prefix is not None else config.get(PREFIX) or ""
    org = client(args, config)
    pages = org.pages(include_periods=True, progress=progress("audited"))
    report = audit(declared, (g for page in pages for g in page), org.completed, prefix, invalid)
    if args.json:
        sys.stdout.write(report.to_json() + "\n")
    elif args.markdown:
        title = f"Milestones of stack {args.stack} in the org" if args.stack else "Milestones"
        sys.stdout.write(report.to_markdown(title))
    else:
        sys.stdout.write(report.to_text())
    return report.exit_code
