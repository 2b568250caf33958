"""``capillary-milestones review``: what applying a stack would do, before anyone approves it.

The review of a production stack runs before the job its approval gates, and needs no write
credential: a preview makes no API call, and the org is only read (with a READ-scoped OAuth
client where one is configured). It:

1. runs the real ``pulumi preview --save-plan`` (with the policy pack, if given): the plan the
   approver approves is the one ``capillary-milestones apply`` later applies, or refuses;
2. reads the stack's state (``pulumi stack export``) and the org's groups (one list), and
   compares each milestone three ways: what the stack recorded, what the org holds now, and
   what the program declares;
3. reports, reason first, whether applying would overwrite an edit someone made in the org,
   or be refused (the preview's refusals and the policies' mandatory ones, a name already
   taken, a group gone), then the plan field by field and what else the org holds.

Exit codes: 0 ready to approve; 1 do not approve (the first lines say why); 2 the review
could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..declaration.names import spelling_of
from ..diff import compare_declarations, compare_to_record
from ..exceptions import CapillaryError, ReadsPhasedOutError
from ..fields import Mutability
from ..operations import applied_of, recorded_of
from ..plan import change_text
from ..records import declared_from_recorded
from ..sdk.types import TYPES

if TYPE_CHECKING:
    from ..api.client import CapillaryClient

WRITES = {"update", "replace", "create-replacement", "delete-replaced", "delete"}


@dataclass
class Milestone:
    """One milestone of the stack: its step in the plan, and what changes in it."""

    resource: str
    op: str
    name: str
    group_id: int | None = None
    fields: list[str] = field(default_factory=list)


@dataclass
class Review:
    stack: str
    plan_file: str
    milestones: list[Milestone] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)  # why not to approve
    notes: list[str] = field(default_factory=list)  # what the approver should know

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0

    def to_text(self) -> str:
        lines = [
            f"Do not approve stack {self.stack}: " + self.blocking[0]
            if self.blocking
            else f"Stack {self.stack} is ready to approve: applying the plan in "
            f"{self.plan_file} overwrites no edit made in the org and is not refused."
        ]
        lines += [f"- {reason}" for reason in self.blocking[1:]]
        changed = [m for m in self.milestones if m.op != "same"]
        lines.append(f"\nThe plan ({len(changed)} of {len(self.milestones)} milestone(s) change):")
        for milestone in changed or []:
            where = f" (target group {milestone.group_id})" if milestone.group_id else ""
            lines.append(f"  {milestone.op} {milestone.resource}: {milestone.name}{where}")
            lines += [f"    {line}" for line in milestone.fields]
        if not changed:
            lines.append("  nothing to change")
        if self.notes:
            lines.append("\nThe org:")
            lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        title = f"### Review of stack {self.stack}"
        return f"{title}\n\n```text\n{self.to_text()}```\n"


# -- the preview --------------------------------------------------------------------------------


@dataclass
class Preview:
    """What the real preview said: its steps (``--json``), its errors, and the policies'
    violations (from its event log, as Pulumi's Automation API reads them)."""

    document: dict[str, Any]
    errors: list[str]
    mandatory: list[str]
    advisory: list[str]


def preview(
    stack: str, plan_file: Path, policy_pack: str | None, policy_config: str | None = None
) -> Preview:
    """The real preview, saving its plan; refused if a declaration, a change or a mandatory
    policy is (the reasons kept, the CLI's own words)."""
    import tempfile

    from .stack import run_pulumi

    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "events.jsonl"
        args = ["preview", "--json", "--save-plan", str(plan_file), "--event-log", str(log)]
        args += _policy_args(policy_pack, policy_config)
        done = run_pulumi(stack, *args, env={"PULUMI_DEBUG_COMMANDS": "true"})
        events = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
    try:
        document: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise CapillaryError(
            f"`pulumi preview --stack {stack}` failed: {lines[-1] if lines else done.returncode}"
        ) from None
    mandatory, advisory = _violations(events)
    errors = [
        str(d.get("message", "")).strip().removeprefix("error: ")
        for d in document.get("diagnostics") or []
        if d.get("severity") == "error" and not _noise(str(d.get("message", "")))
    ]
    if done.returncode != 0 and not errors and not mandatory:
        errors.append(f"the preview failed (exit code {done.returncode})")
    return Preview(document, errors, mandatory, advisory)


def _noise(message: str) -> bool:
    """The CLI's follow-up lines to a failure already reported."""
    return any(words in message for words in ("Resource monitor has terminated", "preview failed"))


def _policy_args(pack: str | None, config: str | None) -> list[str]:
    if not pack:
        return []
    return ["--policy-pack", pack] + (["--policy-pack-config", config] if config else [])


def _violations(events: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The policies' violations: the mandatory ones, and the advisory ones."""
    policies = [e["policyEvent"] for e in events if "policyEvent" in e]
    mandatory = [_violation(p) for p in policies if p.get("enforcementLevel") == "mandatory"]
    advisory = [_violation(p) for p in policies if p.get("enforcementLevel") != "mandatory"]
    return mandatory, advisory


def _violation(event: dict[str, Any]) -> str:
    resource = str(event.get("resourceUrn", "")).rsplit("::", 1)[-1]
    where = f" on {resource}" if resource else ""
    message = " ".join(str(event.get("message", "")).split())
    return f"policy {event.get('policyName')}{where}: {message}"


def _steps(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The milestones' steps by resource name (a replacement's several steps: the first)."""
    found: dict[str, dict[str, Any]] = {}
    for step in document.get("steps") or []:
        state = step.get("newState") or step.get("oldState") or {}
        if state.get("type") in TYPES:
            found.setdefault(step["urn"].rsplit("::", 1)[-1], step)
    return found


# -- the review --------------------------------------------------------------------------------


def _fields(old_inputs: dict[str, Any], new_inputs: dict[str, Any]) -> list[str]:
    spelling = spelling_of(new_inputs)
    lines = []
    for change in compare_declarations(old_inputs, new_inputs).changes:
        how = "in place" if change.mutability is Mutability.UPDATABLE else "needs a new milestone"
        lines.append(f"{change_text(change, spelling)}  [{how}]")
    return lines


def review(
    stack: str,
    plan_file: Path,
    document: dict[str, Any],
    state: dict[str, Any],
    org: CapillaryClient,
    prefix: str = "",
) -> Review:
    """The review of a stack from its preview, its state and its org (read once); groups of
    the org whose names carry the stack's ``prefix`` and that it does not manage are named."""
    found = Review(stack, str(plan_file))
    steps = _steps(document)
    managed = {
        r["urn"].rsplit("::", 1)[-1]: r
        for r in state.get("resources") or []
        if r.get("type") in TYPES and r.get("id")
    }
    view = OrgView.read(org, {int(r["id"]) for r in managed.values()})
    seen: set[Any] = set()
    for resource in sorted({*steps, *managed}):
        step = steps.get(resource, {"op": "same"})
        old = managed.get(resource)
        new_inputs = (step.get("newState") or {}).get("inputs") or (old or {}).get("inputs") or {}
        milestone = Milestone(resource, step["op"], str(new_inputs.get("name", "")))
        found.milestones.append(milestone)
        if old is None:
            _new(found, milestone, new_inputs, view, org, seen)
            continue
        milestone.group_id = int(old["id"])
        seen.add(milestone.group_id)
        if step["op"] != "same":
            milestone.fields = _fields(old.get("inputs") or {}, new_inputs)
        _compared(found, milestone, old, view)
    if view.phased_out is not None:
        found.notes.append(f"the org was not compared with the stack: {view.phased_out}")
    for group in view.listed:
        if group.get("id") not in seen and str(group.get("name", "")).startswith(prefix):
            found.notes.append(
                f"target group {group['id']} ({group.get('name')!r}) is in the org and not in "
                "this stack"
            )
    return found


@dataclass
class OrgView:
    """What the review needs of the org, read a page at a time: the stack's groups whole,
    and every group's id and name (or why Capillary answered no read)."""

    whole: dict[int, dict[str, Any]] = field(default_factory=dict)
    listed: list[dict[str, Any]] = field(default_factory=list)
    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)  # folded name → group
    phased_out: str | None = None

    @classmethod
    def read(cls, org: CapillaryClient, managed: set[int]) -> OrgView:
        view = cls()
        try:
            for page in org.pages(include_periods=True):
                for group in page:
                    summary = {"id": group.get("id"), "name": group.get("name")}
                    view.listed.append(summary)
                    view.by_name[str(summary["name"] or "").casefold()] = summary
                view.whole.update(org.completed([g for g in page if g.get("id") in managed]))
        except ReadsPhasedOutError:
            view.phased_out = "Capillary has phased out reading milestones through its API"
        return view

    def named(self, name: str) -> dict[str, Any] | None:
        return self.by_name.get(name.casefold())


def _compared(found: Review, milestone: Milestone, old: dict[str, Any], view: OrgView) -> None:
    """A milestone the stack manages against the org (an edit is refused where the org
    cannot be read: it could not be verified)."""
    if view.phased_out is None:
        _drift(found, milestone, old, view.whole.get(milestone.group_id or 0))
    elif milestone.op == "update":
        found.blocking.append(
            f"applying would be refused: {view.phased_out}, so the edit of "
            f"{milestone.resource} (target group {milestone.group_id}) cannot be verified."
        )


def _new(
    found: Review,
    milestone: Milestone,
    inputs: dict[str, Any],
    view: OrgView,
    org: CapillaryClient,
    seen: set[Any],
) -> None:
    """A milestone the plan creates: its name must be free, unless it adopts that group.
    Capillary's own answer (``isValidName``) decides where it is there; the org's list tells
    which group has the name."""
    taken = view.named(milestone.name)
    adopted = inputs.get("adoptExistingId")
    if taken is not None:
        seen.add(taken.get("id"))
    if adopted is not None:
        milestone.fields = [f"adopts target group {int(adopted)} (nothing is created)"]
        seen.add(int(adopted))
        return
    free = _name_free(org, milestone.name)
    if free is False or (free is None and taken is not None):
        which = f"target group {taken['id']} already has" if taken else "already taken"
        found.blocking.append(
            f"applying would be refused: {milestone.resource} creates {milestone.name!r}, a "
            f"name {which} in the org; adopt it (capillary-milestones:adoptExistingIds) or "
            "choose another name."
        )
    for target in inputs.get("targets") or []:
        name = str(target.get("name") or "") if isinstance(target, dict) else ""
        if name and _name_free(org, name, "targetName") is False:
            found.notes.append(
                f"{milestone.resource}: the target name {name!r} is already used in the org "
                "(Capillary's guide asks for target names unique in the org)"
            )


def _name_free(org: CapillaryClient, name: str, kind: str = "targetGroupName") -> bool | None:
    """``isValidName``'s answer; ``None`` where Capillary gives none."""
    try:
        return org.name_free(name, kind)
    except ReadsPhasedOutError:
        return None


def _drift(
    found: Review, milestone: Milestone, old: dict[str, Any], now: dict[str, Any] | None
) -> None:
    """The org now against what the stack recorded: an edit made in the org since."""
    writes = milestone.op in WRITES
    if now is None:
        message = f"target group {milestone.group_id} ({milestone.resource}) is gone from the org"
        if writes:
            found.blocking.append(f"applying would be refused: {message}; run `pulumi refresh`.")
        else:
            found.notes.append(f"{message}; `pulumi refresh` drops it from the stack")
        return
    outputs = old.get("outputs") or {}
    recorded = recorded_of(outputs)
    declared = declared_from_recorded(recorded, applied_of(outputs))
    edits = compare_to_record(now, declared).changes
    if not edits:
        return
    spelling = spelling_of(old.get("inputs") or {})
    listed = "; ".join(change_text(c, spelling) for c in edits)
    if writes:
        found.blocking.append(
            f"applying would overwrite an edit made in the org: {milestone.resource} "
            f"(target group {milestone.group_id}) changed since the last up ({listed}); "
            "`pulumi refresh`, put the edit in the declaration or confirm it goes, and review "
            "again."
        )
    else:
        found.notes.append(
            f"{milestone.resource} (target group {milestone.group_id}) changed in the org since "
            f"the last up ({listed}); this plan leaves it, the drift alarm reports it"
        )


def run(args: argparse.Namespace) -> int:
    from .org import PREFIX, client, stack_config
    from .stack import deployment

    if args.policy_pack_config and not args.policy_pack:
        raise CapillaryError("--policy-pack-config configures a pack: give --policy-pack too.")
    plan_file = Path(args.plan_file)
    plan_file.parent.mkdir(parents=True, exist_ok=True)
    previewed = preview(args.stack, plan_file, args.policy_pack, args.policy_pack_config)
    config = stack_config(argparse.Namespace(stack=args.stack, region=None, base_url=None))
    state, org = deployment(args.stack), client(args, config)
    prefix = config.get(PREFIX) or ""
    result = review(args.stack, plan_file, previewed.document, state, org, prefix)
    refused = [f"the preview refuses it: {error}" for error in previewed.errors]
    refused += [f"a mandatory {violation}" for violation in previewed.mandatory]
    result.blocking[:0] = refused
    result.notes += [f"advisory {violation}" for violation in previewed.advisory]
    text = result.to_markdown() if args.markdown else result.to_text()
    sys.stdout.write(text)
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as summary:
            summary.write(result.to_markdown())
    return result.exit_code
