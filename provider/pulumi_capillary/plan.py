"""The one verdict: what to do about the difference between two states of a milestone.

``plan`` decides, from the changes the fields table classified and the policies in force,
whether a change is nothing to do, an update in place, a replacement (deleting first or
not) or a refusal — and why, with the way out. ``check``, ``diff`` and ``update`` each
translate the same verdict into Pulumi's result types (as octodns' ``Plan`` owns the safety
decision and its providers only apply it), so they cannot disagree:

- ``check`` (old inputs → new inputs): a refusal becomes one ``CheckFailure`` per reason;
- ``diff`` (recorded outputs → new inputs): no-op, update or replace;
- ``update``: applies an update, and raises a refusal it is handed (a drift check missed).

A value that is unknown at preview never makes a no-op, and a policy that is unknown
postpones its decision to ``up``, when it is known.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .declaration.names import Spelling
from .diff import Change, ChangeSet, compare_declarations, compare_to_record
from .exceptions import ImmutableChangeError, show
from .records import declared_from_recorded
from .unknown import contains_unknown, is_unknown

PROGRESS = "replacing a live milestone resets every customer's progress in it"


class Action(str, Enum):
    NONE = "no-op"
    UPDATE = "update"
    REPLACE = "replace"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Refusal:
    """One reason a plan is refused: the input it concerns (``loc``, camelCase until it is
    spelt for the user), and what to do."""

    loc: tuple[str | int, ...]
    reason: str


@dataclass(frozen=True)
class Policies:
    """The policies in force for one resource (each may be unknown at preview)."""

    on_immutable_change: Any = "fail"
    deletion_before: Any = "abandon"  # the policy the recorded milestone was declared with
    deletion_after: Any = "abandon"

    @property
    def unknown(self) -> bool:
        return any(
            is_unknown(v)
            for v in (self.on_immutable_change, self.deletion_before, self.deletion_after)
        )


@dataclass(frozen=True)
class Verdict:
    action: Action
    changes: ChangeSet = field(default_factory=ChangeSet)
    delete_first: bool = False
    refusals: tuple[Refusal, ...] = ()

    @property
    def replaces(self) -> list[str]:
        """The top-level inputs whose change forces the replacement."""
        return self.changes.top_level(self.changes.immutable)

    def raise_unless_in_place(self, group_id: str, spelling: Spelling = Spelling.CAMEL) -> None:
        """``update`` applies in-place changes only: a refusal or a replacement that reaches
        it (a drift that no preview saw) is raised before any API call."""
        if self.action in (Action.REFUSE, Action.REPLACE):
            listed = "; ".join(change_text(c, spelling) for c in self.changes.immutable)
            listed = listed or "; ".join(r.reason for r in self.refusals)
            raise ImmutableChangeError(
                f"Target group {group_id} differs from the declaration in fields Capillary "
                f"cannot change ({listed}); run `pulumi refresh` to see what changed, then "
                f"{_way_out(spelling)}."
            )


def change_text(change: Change, spelling: Spelling) -> str:
    """``periods[0].end_date: 2027-01-31 → 2027-02-28``, in the declaration's spelling."""
    return f"{spelling.path(change.loc)}: {show(change.old)} → {show(change.new)}"


def _way_out(spelling: Spelling) -> str:
    return (
        "declare the change as a new milestone under a new name, or opt in to replacing this "
        f"one: set {spelling.key('onImmutableChange')} to replace on it, or `pulumi config set "
        "capillary:onImmutableChange replace` for the whole stack"
    )


def immutable_reason(change: Change, spelling: Spelling = Spelling.CAMEL) -> str:
    return (
        f"Capillary cannot change {spelling.path(change.loc)} after a milestone is created "
        f"({show(change.old)} → {show(change.new)}). Keep the recorded value and "
        f"{_way_out(spelling)} ({PROGRESS})."
    )


def keep_name_reason(name: str, spelling: Spelling = Spelling.CAMEL) -> str:
    policy = spelling.key("deletionPolicy")
    return (
        f"Replacing the milestone while keeping its name {name!r} means deleting it first "
        f"(names are unique), which {policy}: abandon does not allow. Set {policy} to delete "
        "on it (or `pulumi config set capillary:deletionPolicy delete` for the stack) and run "
        f"`pulumi up` once before the replacement, or give the replacement a new name "
        f"({PROGRESS})."
    )


def _same_name(old: Any, new: Any) -> bool | None:
    if is_unknown(old) or is_unknown(new) or not isinstance(new, str):
        return None
    return str(old).casefold() == new.casefold()


Policed = Policies | Callable[[], Policies]  # the policies, or how to read them when needed


def plan(
    changes: ChangeSet,
    old_name: Any,
    new: dict[str, Any],
    policed: Policed,
    options_changed: bool = False,
    spelling: Spelling = Spelling.CAMEL,
) -> Verdict:
    """The verdict for ``changes`` from a milestone named ``old_name`` to the inputs ``new``.
    The policies are read only for an immutable change: no other verdict depends on them."""
    unknown = contains_unknown(new)
    if not changes.immutable:
        if changes or options_changed or unknown:
            return Verdict(Action.UPDATE, changes)
        return Verdict(Action.NONE, changes)
    policies = policed if isinstance(policed, Policies) else policed()
    if is_unknown(policies.on_immutable_change):
        return Verdict(Action.UPDATE, changes)  # decided at `up`, once the policy is known
    if policies.on_immutable_change != "replace":
        refusals = tuple(Refusal(c.loc, immutable_reason(c, spelling)) for c in changes.immutable)
        return Verdict(Action.REFUSE, changes, refusals=refusals)
    keeps_name = _same_name(old_name, new.get("name"))
    if keeps_name is None:
        return Verdict(Action.REPLACE, changes)  # the name is unknown: decided at `up`
    deleting = {policies.deletion_before, policies.deletion_after}
    if keeps_name and deleting != {"delete"} and not policies.unknown:
        refusal = Refusal(("name",), keep_name_reason(new["name"], spelling))
        return Verdict(Action.REFUSE, changes, refusals=(refusal,))
    return Verdict(Action.REPLACE, changes, delete_first=keeps_name)


def plan_declarations(
    old: dict[str, Any],
    new: dict[str, Any],
    policies: Policed,
    spelling: Spelling = Spelling.CAMEL,
) -> Verdict:
    """``check``'s verdict: the old inputs against the new ones."""
    changes = compare_declarations(old, new)
    return plan(changes, old.get("name"), new, policies, spelling=spelling)


def plan_record(
    recorded: dict[str, Any],
    new: dict[str, Any],
    policies: Policed,
    applied: dict[str, Any] | None = None,
    options_changed: bool = False,
) -> Verdict:
    """``diff``'s and ``update``'s verdict: what Capillary recorded against the new inputs."""
    changes = compare_to_record(recorded, new, applied)
    return plan(changes, recorded.get("name"), new, policies, options_changed)


def refreshed_inputs(
    recorded: dict[str, Any], declared: dict[str, Any], applied: dict[str, Any] | None
) -> dict[str, Any]:
    """Refresh's inputs: the declaration that would recreate ``recorded``, written as
    ``declared`` wherever the record still says what it declares, so that only real drift
    differs from it (a recorded day is not a change of the declared instant)."""
    derived = declared_from_recorded(recorded, applied)
    inputs: dict[str, Any] = json.loads(json.dumps(declared))
    for change in compare_declarations(declared, derived).changes:
        keys = change.row.declared_keys()
        if len(change.loc) == 1 and len(keys) > 1:  # a legacy key and its ISO twin
            for key in keys:
                inputs.pop(key, None)
            inputs.update({k: derived[k] for k in keys if k in derived})
            continue
        _put(inputs, derived, change.loc)
    return inputs


def _put(target: Any, source: Any, loc: tuple[str | int, ...]) -> None:
    """``target`` at ``loc`` set to ``source``'s value there (removed where it has none); a
    list whose item is not there is taken whole."""
    *parents, last = loc
    for part in parents:
        inner_target, inner_source = _at(target, part), _at(source, part)
        if inner_target is None or inner_source is None:
            _assign(target, source, part)
            return
        target, source = inner_target, inner_source
    if isinstance(last, int) and not (
        isinstance(target, list)
        and isinstance(source, list)
        and last < len(target)
        and last < len(source)
    ):
        target[:] = source  # an item added or removed: the list as recorded
        return
    _assign(target, source, last)


def _at(value: Any, part: str | int) -> Any:
    if isinstance(part, int):
        return value[part] if isinstance(value, list) and part < len(value) else None
    return value.get(part) if isinstance(value, dict) else None


def _assign(target: Any, source: Any, part: str | int) -> None:
    found = _at(source, part)
    if isinstance(part, int):
        target[part] = found
    elif found is None:
        target.pop(part, None)
    else:
        target[part] = found


def edited_in_org(
    before: dict[str, Any], after: dict[str, Any], applied: dict[str, Any] | None
) -> ChangeSet:
    """What someone changed in the org between two reads of one group (``before``: what the
    stack recorded; ``after``: the group now), as the declarations that would recreate each
    compare: server-managed fields and fields Capillary leaves out are never a change. Each
    change reads recorded → now. The review, an update's read before writing and refresh
    all judge an edit made in the org by this one comparison."""
    old = declared_from_recorded(before, applied)
    return compare_declarations(old, declared_from_recorded(after, applied))


def drifted(before: dict[str, Any], after: dict[str, Any], applied: dict[str, Any] | None) -> bool:
    """Whether a group read again (refresh) differs from the one recorded before: if not,
    and the record agrees with the declaration, the inputs stay as declared."""
    if before.get("periods") is None:
        return True  # no full record before (a static get): the inputs come from the read
    return bool(edited_in_org(before, after, applied))
