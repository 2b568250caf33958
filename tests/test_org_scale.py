"""An org of 10,000 target groups: a name is looked up in one request; ``list``, ``export
--all`` and ``diff`` page through it (a request per 100 groups, with progress on stderr) and
read what the pages carry instead of a request per group."""

from __future__ import annotations

import copy
import json

from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.cli.main import main
from pulumi_capillary.emulator import EmulatorServer
from tests.support import basic_header, emulator_settings, seed

SIZE = 10_000


def _org(emulator: EmulatorServer, size: int) -> None:
    """``size`` groups, made through the API once and copied in the emulator's store."""
    import httpx

    creds = emulator.credentials
    header = {"Authorization": basic_header(creds.username, creds.password)}
    made = httpx.post(
        emulator.url + "/v3/targetGroups", json=seed("be01.request"), headers=header, timeout=10
    ).json()["data"]
    store = emulator.store
    with store.lock:
        template = store.groups[made["id"]]
        for i in range(1, size):
            group = copy.deepcopy(template)
            group["id"], group["name"] = made["id"] + i, f"scale-{i:05d}"
            store.groups[group["id"]] = group
        store.next_ids["group"] = made["id"] + size
        store.save()


def test_list_export_and_diff_at_ten_thousand_groups(
    tmp_path, capsys, monkeypatch, emulator, control
):
    _org(emulator, SIZE)
    creds = emulator.credentials
    monkeypatch.setenv("CAPILLARY_USERNAME", creds.username)
    monkeypatch.setenv("CAPILLARY_PASSWORD", creds.password)
    monkeypatch.setenv("CAPILLARY_REQUESTS_PER_MINUTE", "100000")  # the suite shares one key
    org = ["--base-url", emulator.url]
    pages = SIZE // 100

    def requests() -> list[dict]:
        return list(control.get("/requests").json()["requests"])

    before = len(requests())
    client = CapillaryClient(emulator_settings(emulator))
    assert client.find_by_name("SCALE-05000")["id"] == 2911 + 5000
    (lookup,) = requests()[before:]  # one page, not the org
    assert (lookup["path"], "name=SCALE-05000" in lookup["query"]) == ("/v3/milestones", True)

    assert main(["list", "--json", *org]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["count"] == SIZE
    assert "read 1,000 of 10,000 milestone(s) of the org (listed)" in err
    assert "read 10,000 of 10,000 milestone(s)" in err

    before = len(requests())
    assert main(["export", "--all", "-o", str(tmp_path / "org"), *org]) == 0
    capsys.readouterr()
    assert len(list((tmp_path / "org").glob("*.yaml"))) == SIZE
    exported = requests()[before:]
    assert len(exported) == pages  # the pages carry every group whole: none read alone
    assert {r["path"] for r in exported} == {"/v3/milestones"}

    before = len(requests())
    code = main(["diff", str(tmp_path / "org"), "--json", *org])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["summary"]
    assert report["summary"]["same"] == SIZE
    assert len(requests()) - before == pages


def test_a_read_is_served_while_a_long_list_is_written_out(emulator, api):
    """The list renders off the lock and the event loop: a GET of one group does not wait."""
    import threading
    import time

    _org(emulator, 5_000)
    listed: dict[str, float] = {}

    def long_list() -> None:
        started = time.monotonic()
        assert api.get("/v3/targetGroups", params={"includePeriods": "true"}).status_code == 200
        listed["took"] = time.monotonic() - started
        listed["done"] = time.monotonic()

    thread = threading.Thread(target=long_list)
    thread.start()
    time.sleep(0.05)  # the list is under way
    with httpx_client(emulator) as other:
        started = time.monotonic()
        assert other.get("/v3/targetGroups/2911").status_code == 200
        read_done = time.monotonic()
    thread.join(60)
    assert read_done < listed["done"], "the read waited for the whole list"
    assert read_done - started < listed["took"] / 2


def httpx_client(emulator: EmulatorServer):
    import httpx

    creds = emulator.credentials
    header = {"Authorization": basic_header(creds.username, creds.password)}
    return httpx.Client(base_url=emulator.url, headers=header, timeout=30)
