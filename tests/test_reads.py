"""The client's reads: a name is one page of ``GET v3/milestones``; the org, page by page
(each group once, even when the org changes under the pages); the unpaginated list only
where ``v3/milestones`` is not there, said once; ``isValidName``; reads phased out."""

from __future__ import annotations

import httpx
import pytest

from pulumi_capillary.api import reads
from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.api.settings import load_settings
from pulumi_capillary.exceptions import ReadsPhasedOutError
from tests.support import emulator_settings, seed

ENVIRON = {
    "CAPILLARY_BASE_URL": "https://pages.test",
    "CAPILLARY_USERNAME": "till",
    "CAPILLARY_PASSWORD": "pw-secret",
    "CAPILLARY_RETRY_BACKOFF_SECONDS": "0.001",
    "CAPILLARY_RETRY_DEADLINE_SECONDS": "5",
    "CAPILLARY_REQUESTS_PER_MINUTE": "100000",
}


def _group(group_id: int) -> dict:
    return {"id": group_id, "name": f"g{group_id}", "periods": [], "targets": []}


def _client(handler) -> CapillaryClient:
    return CapillaryClient(load_settings(None, ENVIRON), transport=httpx.MockTransport(handler))


def _made(api: httpx.Client, names: list[str]) -> list[int]:
    made = []
    for name in names:
        body = dict(seed("be01.request"), name=name)
        made.append(api.post("/v3/targetGroups", json=body).json()["data"]["id"])
    return made


def _gets(control) -> list[tuple[str, str]]:
    log = control.get("/requests").json()["requests"]
    return [(r["path"], r["query"]) for r in log if r["method"] == "GET"]


def test_a_name_is_looked_up_in_one_page(emulator, api, control):
    _made(api, ["first", "second", "third"])
    client = CapillaryClient(emulator_settings(emulator))
    before = len(_gets(control))
    found = client.find_by_name("SECOND")
    assert found is not None and found["name"] == "second"
    assert client.find_by_name("sec") is None
    (first, second) = _gets(control)[before:]
    assert first[0] == "/v3/milestones" and "name=SECOND" in first[1]
    assert second[0] == "/v3/milestones" and "name=sec" in second[1]


def test_the_org_is_read_page_by_page(emulator, api, control, monkeypatch):
    monkeypatch.setattr(reads, "PAGE_SIZE", 4)
    made = _made(api, [f"m{i}" for i in range(10)])
    client = CapillaryClient(emulator_settings(emulator))
    told: list[tuple[int, int]] = []
    pages = list(client.pages(include_periods=True, progress=lambda *p: told.append(p)))
    assert [len(page) for page in pages] == [4, 4, 2]
    assert sorted(g["id"] for page in pages for g in page) == made
    assert all(g["periods"] and g["targets"] for page in pages for g in page)
    assert told == [(4, 10), (8, 10), (10, 10)]
    assert [path for path, _ in _gets(control)] == ["/v3/milestones"] * 3


def test_groups_made_or_removed_while_reading_are_read_once_and_none_is_missed(monkeypatch):
    """Newest first, offset-paged: a create shifts every later page; the total moved, so the
    pages are read again, and each group is given once."""
    org = list(range(10, 0, -1))
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        calls.append(offset)
        if len(calls) == 2:
            org.insert(0, 11)  # made between the first and second page
        page = [_group(i) for i in org[offset : offset + limit]]
        body = {"pagination": {"limit": limit, "offset": offset, "total": len(org)}, "data": page}
        return httpx.Response(200, json=body)

    monkeypatch.setattr(reads, "PAGE_SIZE", 4)
    seen = [g["id"] for page in _client(handler).pages() for g in page]
    assert sorted(seen) == list(range(1, 12)) and len(seen) == len(set(seen))
    assert calls.count(0) == 2  # the total moved: a second pass


def test_a_server_that_ignores_offset_and_gives_no_total_ends_the_read():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [_group(1), _group(2)]})

    assert [g["id"] for page in _client(handler).pages() for g in page] == [1, 2]


def test_without_v3_milestones_the_whole_list_is_read_and_that_is_said_once(
    emulator, api, control, capfd
):
    reads._SAID.clear()
    _made(api, ["one", "two"])
    control.put("/endpoints", json={"absent": ["GET /v3/milestones"]})
    for _ in range(2):  # two clients, one process: said once
        client = CapillaryClient(emulator_settings(emulator))
        assert client.find_by_name("TWO")["name"] == "two"
        assert len(client.list_groups(include_periods=True)) == 2
    said = capfd.readouterr().err
    assert said.count("note: Capillary's paginated GET v3/milestones is not available") == 1
    assert "(HTTP 404); reading the org's whole list (GET v3/targetGroups) instead." in said
    paths = [path for path, _ in _gets(control)]
    assert paths.count("/v3/milestones") == 2  # once per client, then never again
    assert paths.count("/v3/targetGroups") == 4


def test_is_valid_name(emulator, api, control):
    _made(api, ["taken"])
    client = CapillaryClient(emulator_settings(emulator))
    assert client.name_free("TAKEN") is False
    assert client.name_free("free") is True
    assert client.name_free("Cycle_1", "periodName") is False
    control.put("/endpoints", json={"absent": ["POST /v3/targetGroups/isValidName"]})
    assert client.name_free("free") is None


def test_reads_phased_out_are_one_error_that_says_so(emulator, api, control):
    (group,) = _made(api, ["one"])
    control.put("/phase-out", json={"readsDisabled": True, "status": 410})
    client = CapillaryClient(emulator_settings(emulator))
    for read in (lambda: client.read(group), lambda: client.find_by_name("one")):
        with pytest.raises(ReadsPhasedOutError) as caught:
            read()
        assert str(caught.value).startswith(
            "Capillary has phased out reading milestones through the target-group API, so GET "
        )
        assert "is refused (HTTP 410)" in str(caught.value)
