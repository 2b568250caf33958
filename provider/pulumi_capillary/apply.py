"""Applying a verdict through the client: create-or-adopt, and edit-then-verify.

**Create is not idempotent on the wire.** A POST whose answer is lost (a dropped
connection, a 5xx, a timeout) may have been committed. So a create is posted once per
attempt, and before every later attempt the name is looked up. The rule for a group found
under the declared name:

- this operation posted a create whose answer it did not get (crash recovery within the
  run): the group is adopted if it matches the declaration, announced with a warning that
  names it, and refused with the differences if it does not;
- otherwise (the first POST is told the name is taken, 310069): the group belongs to
  someone else — another stack, the Capillary UI, or an earlier run that died before it
  could record the group. It is never taken over silently: the create fails, naming the
  group, and ``adoptExistingId`` is the explicit way to take it over.

Everything runs within one deadline (``capillary:retryDeadlineSeconds``): the POSTs, the
look-ups and the waits between them.

**Edits are verified.** The plan's updatable changes are grouped by the call that makes
them (the fields table says which): ``editTargetGroup`` once if the name changed, the
update-target call once per changed target. Then the group is read back once, and every
planned change must have taken. The calls are idempotent, so a run that fails half-way is
finished by the next ``pulumi up``; the error says which targets were changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .api.answers import NOT_FOUND
from .api.client import CapillaryClient
from .api.deadline import Deadline
from .declaration.names import Spelling
from .diff import Change, ChangeSet, compare_to_record
from .exceptions import (
    AdoptionMismatchError,
    AuthenticationError,
    CapillaryError,
    EditedInOrgError,
    EditNotAppliedError,
    NameTakenError,
    NotFoundError,
    RateLimitedError,
    ReadsPhasedOutError,
    TransientError,
)
from .fields import GROUP, TARGET, Edit, rows
from .plan import change_text, edited_in_org

Warn = Callable[[str], None]


def edits_by_call(changes: list[Change]) -> dict[Edit, list[Change]]:
    """Changes grouped by the call that makes them (the table's ``edit`` of their row)."""
    calls: dict[Edit, list[Change]] = {}
    for change in changes:
        if change.row.edit is not None:
            calls.setdefault(change.row.edit, []).append(change)
    return calls


def group_edit_body(recorded: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """``editTargetGroup``'s body: the group as recorded, its GROUP-edited fields as declared."""
    body: dict[str, Any] = json.loads(json.dumps(recorded))
    for row in rows(""):
        if row.edit is GROUP and declared.get(row.key) is not None:
            body[row.key] = declared[row.key]
    return body


def target_edit_body(recorded: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """The update-target call's body: one whole target in the request shape, TARGET-edited
    fields as declared and the others as recorded (the call edits only the former)."""
    body: dict[str, Any] = {}
    for row in rows("targets[]"):
        if row.recorded is None:
            continue
        source = declared if row.edit is TARGET else recorded
        value = source.get(row.key)
        if value is None and row.edit is TARGET:
            value = recorded.get(row.key)
        if value is not None:
            body[row.key] = value
    body["defaultValues"] = [
        {"defaultValue": item.get("defaultValue")} for item in body.get("defaultValues") or []
    ]
    return body


def _target_index(change: Change) -> int:
    """The index of the target a TARGET edit is about: ``("targets", 2, ...)`` → 2."""
    where, index = change.loc[:2]
    assert where == "targets" and isinstance(index, int), change.loc
    return index


class Applier:
    """The provider's hands: every API call that changes a milestone goes through here."""

    def __init__(self, client: CapillaryClient, warn: Warn) -> None:
        self.client = client
        self.warn = warn

    # -- create ----------------------------------------------------------------------------
    def adopt(
        self,
        group_id: int | str,
        declared: dict[str, Any],
        why: str,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        """Read a group and return it if it matches the declaration; fail with the differences."""
        try:
            recorded = self.client.read(group_id, deadline)
        except ReadsPhasedOutError as error:
            raise error.because(
                f"adoptExistingId cannot check that target group {group_id} matches the "
                "declaration, and nothing was taken over or written"
            ) from None
        except NotFoundError:
            raise NotFoundError(
                f"Target group {group_id}, which adoptExistingId names, does not exist in this "
                "org (or was deactivated); an id belongs to one org: give this stack the id of "
                "the group in its own org, or leave adoptExistingId out to create the milestone.",
                code=NOT_FOUND,
            ) from None
        changes = compare_to_record(recorded, declared)
        if changes:
            raise AdoptionMismatchError(
                int(group_id), recorded.get("name", ""), [str(c) for c in changes.changes], why
            )
        return recorded

    def create(self, declared: dict[str, Any]) -> dict[str, Any]:
        """POST once; before any retry, look the name up and adopt our own lost create."""
        deadline = self.client.deadline()
        name = declared["name"]
        retrying = self.client.retrying(deadline)
        maybe_committed = False
        for attempt in retrying:
            with attempt:
                if maybe_committed:
                    found = self._look_up(name, deadline)
                    if found is not None:
                        return self._recover(found, declared, deadline)
                try:
                    return self.client.post_group(declared, deadline)
                except NameTakenError:
                    try:
                        found = self.client.find_by_name(name, deadline)
                    except ReadsPhasedOutError:
                        found = None  # taken all the same; which group, unknown
                    if maybe_committed and found is not None:
                        return self._recover(found, declared, deadline)
                    raise self._taken(name, found) from None
                except RateLimitedError:
                    raise  # answered before any work: nothing was committed
                except TransientError:
                    maybe_committed = True
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _look_up(self, name: str, deadline: Deadline) -> dict[str, Any] | None:
        """The group a create whose answer was lost may have made."""
        try:
            return self.client.find_by_name(name, deadline)
        except ReadsPhasedOutError as error:
            raise error.because(
                f"the answer to the create of {name!r} was lost and whether Capillary made the "
                "group cannot be checked: look for it in the Capillary UI before `pulumi up` "
                "runs again (a create of a name that is taken is refused, never duplicated)"
            ) from None

    def _recover(
        self, found: dict[str, Any], declared: dict[str, Any], deadline: Deadline
    ) -> dict[str, Any]:
        why = "carries this milestone's name after a create of this run whose answer was lost"
        recorded = self.adopt(found["id"], declared, why, deadline)
        self.warn(
            f"the answer to this run's create of {recorded.get('name')!r} was lost, and target "
            f"group {recorded['id']} now carries that name and matches the declaration, so this "
            "stack manages it from now on. Most likely the lost create made it; but Capillary "
            "records nothing that tells it from a group another stack declaring the same name "
            "in this org created at the same moment: if one does, give one of them another "
            "name, or both stacks will manage this one group."
        )
        return recorded

    @staticmethod
    def _taken(name: str, found: dict[str, Any] | None) -> NameTakenError:
        which = f" (target group {found['id']})" if found and "id" in found else ""
        adopt = f"adoptExistingId: {found['id']}" if found and "id" in found else "adoptExistingId"
        return NameTakenError(
            f"A target group named {name!r} already exists in this org{which} and this stack "
            "did not create it in this run. If an interrupted `pulumi up` of this stack created "
            "it, record it with `capillary-milestones recover --stack <stack>`; if it is this "
            f"milestone made elsewhere (the Capillary UI, another stack), take it over with "
            f"{adopt}; otherwise choose another name.",
            code=310069,
        )

    # -- update ----------------------------------------------------------------------------
    def update(
        self,
        group_id: str,
        recorded: dict[str, Any],
        declared: dict[str, Any],
        changes: ChangeSet,
        applied: dict[str, Any] | None = None,
        spelling: Spelling = Spelling.CAMEL,
    ) -> dict[str, Any]:
        """Make the plan's updatable changes, then read back and verify each one took.

        The whole group is read before any write, and the update is refused, with nothing
        written, if someone changed it in the org since the stack recorded it: written on top,
        the read-back would take in a change nobody reviewed (and an immutable one would then
        stand in the outputs against the declaration, where no preview can see it)."""
        calls = edits_by_call(list(changes.updates))
        if not calls:
            return recorded
        current = self._before_edit(group_id, recorded, declared, applied, spelling)
        if Edit.GROUP in calls:
            self.client.edit_group(group_id, group_edit_body(current, declared))
        indexes = sorted({_target_index(c) for c in calls.get(Edit.TARGET, [])})
        now = {t.get("id"): t for t in current.get("targets") or []}
        done: list[int] = []
        for index in indexes:
            target = (recorded.get("targets") or [])[index]
            target = now.get(target.get("id"), target)  # as it is now, where it still is
            body = target_edit_body(target, declared["targets"][index])
            try:
                self.client.update_target(group_id, target["id"], body)
            except CapillaryError as error:
                raise self._halfway(group_id, indexes, done, index, error) from None
            done.append(index)
        after = self.client.read(group_id)
        # a field Capillary does not echo cannot be verified: only present values are judged
        found = compare_to_record(after, declared)
        if found.updates:
            listed = "; ".join(str(c) for c in found.updates)
            raise EditNotAppliedError(
                f"Capillary accepted the edit of target group {group_id} but did not apply "
                f"all of it ({listed}); check the milestone in Capillary, then run `pulumi "
                "up` again."
            )
        if found.immutable:  # changed in the org in the moment between the read and the write
            listed = "; ".join(change_text(c, spelling) for c in found.immutable)
            self.warn(
                f"target group {group_id} ({after.get('name')!r}) was changed in Capillary while "
                f"this update ran ({listed}); the stack records it as Capillary holds it, and "
                "`pulumi refresh` then `pulumi preview` show what the declaration would change."
            )
        return after

    def _before_edit(
        self,
        group_id: str,
        recorded: dict[str, Any],
        declared: dict[str, Any],
        applied: dict[str, Any] | None,
        spelling: Spelling,
    ) -> dict[str, Any]:
        """The group as it is now, read before an edit; refused if it cannot be read (the
        edit could not be verified) or if the org changed it since the stack recorded it."""
        name = recorded.get("name")
        try:
            current = self.client.read(group_id)
        except ReadsPhasedOutError as error:
            raise error.because(
                f"the edit of target group {group_id} ({name!r}) could not be verified after "
                "it is made, so it was not made and nothing was written"
            ) from None
        except NotFoundError:
            raise NotFoundError(
                f"Target group {group_id} ({name!r}) no longer exists in Capillary (it was "
                "deleted or deactivated), so it cannot be edited; run `pulumi refresh` to drop "
                "it from the stack, then `pulumi up` creates it again.",
                code=NOT_FOUND,
            ) from None
        if recorded.get("periods") is not None:  # a whole record to compare with
            # a field already as declared is no conflict (an earlier run of this edit that
            # stopped half-way, or the same edit made in the UI): only the others are refused
            differs = {c.loc for c in compare_to_record(current, declared, applied).changes}
            edited = [
                c for c in edited_in_org(recorded, current, applied).changes if c.loc in differs
            ]
            if edited:
                listed = "; ".join(change_text(c, spelling) for c in edited)
                raise EditedInOrgError(
                    f"Target group {group_id} ({name!r}) was changed in Capillary since this "
                    f"stack last recorded it ({listed}), so this update was not made and "
                    "nothing was written: run `pulumi refresh` to take the change into the "
                    "stack, then `pulumi preview` shows what the declaration does to it."
                )
        return current

    @staticmethod
    def _halfway(
        group_id: str, indexes: list[int], done: list[int], failed: int, error: CapillaryError
    ) -> EditNotAppliedError:
        changed = ", ".join(f"targets[{i}]" for i in done) or "none"
        left = ", ".join(f"targets[{i}]" for i in indexes if i not in done)
        then = (
            "Fix the credentials as it says, then run `pulumi up` again to finish"
            if isinstance(error, AuthenticationError)
            else "The edits are safe to repeat: run `pulumi up` again to finish"
        )
        return EditNotAppliedError(
            f"The edit of target group {group_id} stopped at targets[{failed}]: "
            f"{str(error).rstrip('.')}. Changed: {changed}; not changed: {left}. {then}."
        )

    # -- delete ----------------------------------------------------------------------------
    def delete(self, group_id: str) -> bool:
        return self.client.delete(group_id)
