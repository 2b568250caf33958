"""How the client reads an org: what it needs, and no more.

A name is looked up with ``GET v3/milestones?name=`` (one page, whatever the org's size; the
match's name is checked here, since the docs do not say how ``name`` matches). A whole org is
read a page at a time, newest first, so a command holds a page, not the org; a group the page
does not carry whole is read on its own. Where ``v3/milestones`` is not there (a cluster
without it answers 404; or it is phased out), the unpaginated ``GET v3/targetGroups`` list is
read instead, and that is said once per process.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..exceptions import APIError, PhasedOutError, UnexpectedAnswerError
from .answers import all_objects, is_group, is_whole, shaped

if TYPE_CHECKING:
    from .deadline import Deadline
    from .settings import Settings

GROUPS = "/v3/targetGroups"
MILESTONES = "/v3/milestones"
PAGE_SIZE = 100  # groups a page (the docs set no maximum; a smaller page is followed too)
PASSES = 3  # reads of the pages, when the org changes under them
Progress = Callable[[int, int], None]  # (groups read, the org's total)
_SAID: set[str] = set()  # what was said on stderr in this process


def _absent(error: APIError) -> bool:
    """Whether an endpoint is not there: a bare 404 (not Capillary's 310017), a 405, or
    phased out."""
    bare = isinstance(error, UnexpectedAnswerError) and error.status == 404
    return bare or error.status == 405 or isinstance(error, PhasedOutError)


def _total(payload: dict[str, Any]) -> int | None:
    pagination = payload.get("pagination")
    total = pagination.get("total") if isinstance(pagination, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


class Reads:
    """The client's reads (mixed into ``CapillaryClient``, which makes the calls)."""

    _settings: Settings
    _say: Callable[[str], str]  # a setting's name, for the user of the running command
    _paged: bool | None = None  # None: not known yet whether v3/milestones is there
    _note: str | None = None  # why the unpaginated list is read, until said

    def call(self, method: str, path: str, deadline: Deadline | None = None, **kw: Any) -> Any:
        raise NotImplementedError  # the client's

    # -- one group -------------------------------------------------------------------------
    def read(self, group_id: int | str, deadline: Deadline | None = None) -> dict[str, Any]:
        """The group with its periods and its targets, as Capillary records them."""
        return self._whole({"id": group_id}, deadline)

    def targets(self, group_id: int | str, deadline: Deadline | None = None) -> list[Any]:
        """The group's targets, as Capillary records them now."""
        path = f"{GROUPS}/{group_id}/targets"
        found = self.call("GET", path, deadline)
        return list(shaped(found, list, f"GET {path}", self._say("base_url"), all_objects))

    def _whole(self, listed: dict[str, Any], deadline: Deadline | None = None) -> dict[str, Any]:
        path = f"{GROUPS}/{listed['id']}"
        group = listed
        if not isinstance(listed.get("periods"), list):
            group = self.call("GET", path, deadline, params={"includePeriods": "true"})
            shaped(group, dict, f"GET {path}", self._say("base_url"), is_group)
        targets = listed.get("targets")
        if not isinstance(targets, list):
            targets = self.call("GET", f"{path}/targets", deadline)
            shaped(targets, list, f"GET {path}/targets", self._say("base_url"), all_objects)
        return {**group, "targets": targets}

    # -- by name -----------------------------------------------------------------------------
    def find_by_name(self, name: str, deadline: Deadline | None = None) -> dict[str, Any] | None:
        """The group named ``name`` (case-insensitively, as Capillary compares), if any."""
        folded = name.casefold()
        for page in self._groups({"name": name}, False, deadline):
            for group in page:
                if str(group.get("name", "")).casefold() == folded:
                    return group
        return None

    def name_free(self, name: str, kind: str = "targetGroupName") -> bool | None:
        """``POST v3/targetGroups/isValidName``: whether no milestone of the org has this name
        (of this kind); ``None`` where the endpoint is not there."""
        try:
            free = self.call("POST", f"{GROUPS}/isValidName", json={"type": kind, "value": name})
        except APIError as error:
            if _absent(error):
                return None
            raise
        where = f"POST {GROUPS}/isValidName"
        return bool(shaped(free, bool, where, self._say("base_url"), lambda _: True))

    # -- the whole org ------------------------------------------------------------------------
    def pages(
        self, include_periods: bool = True, progress: Progress | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every group of the org (UI-made and inactive ones too), a page at a time."""
        query = {"require-periods": str(include_periods).lower()}
        return self._groups(query, include_periods, None, progress)

    def _groups(
        self,
        query: dict[str, str],
        include_periods: bool,
        deadline: Deadline | None,
        progress: Progress | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """The pages of ``v3/milestones`` for ``query``; where it is not there, the whole
        unpaginated list once (the caller filters it as the query would)."""
        if self._paged is not False:
            try:
                for page, (done, total) in self._pages(query, deadline):
                    if progress is not None:
                        progress(done, total)
                    yield page
                return
            except APIError as error:
                if self._paged or not _absent(error):
                    raise
                self._fall_back(error)
        yield self._unpaginated(include_periods, deadline)

    def list_groups(self, include_periods: bool = False) -> list[dict[str, Any]]:
        """Every group of the org, in one list (the pages joined)."""
        return [group for page in self.pages(include_periods) for group in page]

    def completed(self, groups: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
        """Each listed group whole, by id: as listed where it can be; otherwise only what the
        list left out is read, ``reads_in_flight`` groups at a time (the cost stays flat)."""
        whole = {g["id"]: g for g in groups if is_whole(g)}
        partial = [g for g in groups if g["id"] not in whole]
        with ThreadPoolExecutor(self._settings.reads_in_flight) as pool:
            read = pool.map(self._whole, partial)
            whole.update(zip((g["id"] for g in partial), read, strict=True))
        return whole

    def _pages(
        self, query: dict[str, str], deadline: Deadline | None
    ) -> Iterator[tuple[list[dict[str, Any]], tuple[int, int]]]:
        """``v3/milestones`` page by page, each group once. Newest first: a group made or
        removed while reading shifts the pages, so when the total moved (or a page came
        short) they are read again, up to ``PASSES`` times; no group is yielded twice."""
        seen: set[int] = set()
        for _ in range(PASSES):
            totals, short = set(), False
            for page, total, expected in self._pass(query, deadline):
                totals.add(total)
                short = short or len(page) < expected
                fresh = [g for g in page if g["id"] not in seen]
                seen.update(g["id"] for g in fresh)
                yield fresh, (len(seen), total if total is not None else len(seen))
            if len(totals) == 1 and not short:
                return

    def _pass(
        self, query: dict[str, str], deadline: Deadline | None
    ) -> Iterator[tuple[list[dict[str, Any]], int | None, int]]:
        """One read of the pages: (page, the total it gave, how many groups it should hold).
        The first page tells the total and the server's page size; the rest are read
        ``reads_in_flight`` at a time, in order (a window of pages is held, not the org)."""
        first, total = self._page(query, 0, deadline)
        yield first, total, len(first)
        step = len(first)
        if not step or total is None:
            yield from self._one_by_one(query, deadline, step, first)
            return
        offsets = list(range(step, total, step))
        width = self._settings.reads_in_flight
        with ThreadPoolExecutor(width) as pool:
            for at in range(0, len(offsets), width):
                window = offsets[at : at + width]
                read = pool.map(lambda offset: self._page(query, offset, deadline), window)
                for offset, (page, moved) in zip(window, read, strict=True):
                    yield page, moved, min(step, total - offset)

    def _one_by_one(
        self,
        query: dict[str, str],
        deadline: Deadline | None,
        offset: int,
        last: list[dict[str, Any]],
    ) -> Iterator[tuple[list[dict[str, Any]], int | None, int]]:
        """Without a total: a page after another, until one is empty or repeats the last
        (a server that ignores ``offset``)."""
        while last:
            page, total = self._page(query, offset, deadline)
            if [g["id"] for g in page] == [g["id"] for g in last]:
                return
            yield page, total, 0
            offset, last = offset + len(page), page

    def _page(
        self, query: dict[str, str], offset: int, deadline: Deadline | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        params = {
            **query,
            "limit": str(PAGE_SIZE),
            "offset": str(offset),
            "includeUserCreatedTargetGroups": "true",
        }
        payload = self.call("GET", MILESTONES, deadline, params=params, whole=True)
        self._paged = True
        where, setting = f"GET {MILESTONES}", self._say("base_url")
        data = shaped(payload.get("data"), list, where, setting, all_objects)
        return [shaped(g, dict, where, setting, is_group) for g in data], _total(payload)

    def _unpaginated(self, include_periods: bool, deadline: Deadline | None) -> list[Any]:
        params = {
            "includePeriods": str(include_periods).lower(),
            "includeUserCreatedTargetGroups": "true",
            "includeOnlyActive": "false",
        }
        groups = self.call("GET", GROUPS, deadline, params=params, cap="list")
        if groups is None:
            return []
        where = f"GET {GROUPS}"
        listed = shaped(groups, list, where, self._say("base_url"), lambda _: True)
        base = self._settings.base_url or ""
        if self._note is not None and base not in _SAID:  # said once it worked
            _SAID.add(base)
            print(self._note, file=sys.stderr, flush=True)
        return [g for g in listed if isinstance(g, dict)]

    def _fall_back(self, error: APIError) -> None:
        """From now on, the unpaginated list (said once per process and URL, if it works)."""
        self._paged = False
        why = "phased out" if isinstance(error, PhasedOutError) else f"HTTP {error.status}"
        self._note = (
            f"note: Capillary's paginated GET v3/milestones is not available at "
            f"{self._settings.base_url} ({why}); reading the org's whole list "
            "(GET v3/targetGroups) instead."
        )
