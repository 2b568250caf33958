"""A name lookup as the org grows: one page of ``GET v3/milestones?name=`` against the whole
unpaginated list (what a lookup cost before), at 1,000 and at 10,000 groups, in the same run.

Goals: a lookup at 10,000 groups within 1.5x of one at 1,000 (the cost per lookup stays flat),
and one request each. The list's own ratio is printed beside it (it grows with the org).
Several interleaved samples; min and median printed.
"""

from __future__ import annotations

import os
import time

import _common  # noqa: F401 - puts the repository on sys.path
import httpx
from _common import EmulatorProcess, ratios, report, spread
from tests.support import basic_header, seed

from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.api.settings import load_settings

SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))


def _grow(api: httpx.Client, have: int, size: int) -> None:
    body = seed("be01.request")
    for i in range(have, size):
        assert api.post("/v3/targetGroups", json=dict(body, name=f"org-{i:05d}")).is_success


def _timed(lookup, name: str) -> float:
    started = time.perf_counter()
    found = lookup(name)
    assert found is not None and found["name"] == name
    return time.perf_counter() - started


def _logged(emulator: EmulatorProcess) -> int:
    """Requests the emulator received (its log keeps the last 10,000, and counts the rest)."""
    log = emulator.control("GET", "requests")
    return len(log["requests"]) + int(log["dropped"])


def main_bench() -> None:
    with EmulatorProcess() as emulator:
        header = {"Authorization": basic_header(emulator.username, emulator.password)}
        settings = load_settings(
            None,
            {
                "CAPILLARY_BASE_URL": emulator.url,
                "CAPILLARY_USERNAME": emulator.username,
                "CAPILLARY_PASSWORD": emulator.password,
                "CAPILLARY_REQUESTS_PER_MINUTE": "100000",
            },
        )
        client = CapillaryClient(settings)

        def listed(name: str) -> dict | None:  # the lookup before: the whole org
            folded = name.casefold()
            return next((g for g in client._unpaginated(False, None) if g["name"] == folded), None)

        by_size: dict[int, tuple[list[float], list[float]]] = {}
        with httpx.Client(base_url=emulator.url, headers=header, timeout=60) as api:
            have = 0
            for size in SIZES:
                _grow(api, have, size)
                have = size
                name = f"org-{size // 2:05d}"
                page, whole = [], []
                client.find_by_name(name)  # warm: the connection is made once
                for _ in range(SAMPLES):
                    before = _logged(emulator)
                    page.append(_timed(client.find_by_name, name))
                    requests = _logged(emulator) - before
                    whole.append(_timed(listed, name))
                report(f"reads.lookup_{size}.requests", f"{requests} (goal: 1)")
                report(f"reads.lookup_{size}.page", spread(page))
                report(f"reads.lookup_{size}.whole_list", spread(whole))
                by_size[size] = (page, whole)
        small, large = by_size[SIZES[0]], by_size[SIZES[-1]]
        report(
            f"reads.lookup_{SIZES[-1]}_vs_{SIZES[0]}.page",
            ratios(large[0], small[0], "≤ 1.5: flat"),
        )
        report(
            f"reads.lookup_{SIZES[-1]}_vs_{SIZES[0]}.whole_list",
            ratios(large[1], small[1], "none: it grows with the org"),
        )
        client.close()


if __name__ == "__main__":
    main_bench()
