"""200 creates through the provider server, 4 calls in flight, emulator at +20 ms latency.

Against the floor of the same 200 POSTs sent with plain httpx, 4 at a time, on one
keep-alive client. Goal: at most 1.3x the floor, and one TCP connection per worker (not
per resource): connections are counted from the emulator's request log.
"""

from __future__ import annotations

import concurrent.futures
import os
import time

import _common  # noqa: F401 - puts the repository on sys.path
import httpx
from _common import EmulatorProcess, ratios, report, spread
from tests.engine import PROVIDER_BLOB, ProviderProcess
from tests.support import basic_header, canonical, seed

COUNT, IN_FLIGHT, LATENCY_MS = 200, 4, 20
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))


def body(prefix: str, index: int) -> dict:
    declared = seed("be02.request")
    declared["name"] = f"{prefix}-{index:03d}"
    return declared


def connections(emulator: EmulatorProcess) -> int:
    return len({r["client"] for r in emulator.control("GET", "requests")["requests"]})


def floor(emulator: EmulatorProcess) -> float:
    headers = {"Authorization": basic_header(emulator.username, emulator.password)}
    with httpx.Client(base_url=emulator.url, headers=headers, timeout=30) as client:

        def post(index: int) -> None:
            response = client.post("/v3/targetGroups", json=canonical(body("floor", index)))
            assert response.status_code == 200

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as pool:
            list(pool.map(post, range(COUNT)))
        return time.perf_counter() - started


def ours(emulator: EmulatorProcess) -> float:
    with ProviderProcess() as process:
        process.configure(emulator.config())

        def create(index: int) -> None:
            news = {**body("ours", index), "__provider": PROVIDER_BLOB}
            inputs, failures = process.check("urn:pulumi:dev::p::t::m", {}, news)
            assert not failures
            process.create("urn:pulumi:dev::p::t::m", inputs)

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as pool:
            list(pool.map(create, range(COUNT)))
        return time.perf_counter() - started


def main() -> None:
    base, mine = [], []
    with EmulatorProcess() as emulator:
        for _ in range(SAMPLES):  # interleaved: a noisy moment hits both
            for side, run, into in (("floor", floor, base), ("ours", ours, mine)):
                emulator.control("POST", "reset")
                emulator.control(
                    "PUT",
                    "faults",
                    json={"rate": 1.0, "kinds": ["latency"], "latencyMs": LATENCY_MS},
                )
                into.append(run(emulator))
                count = connections(emulator)
                if side == "floor":
                    base_connections = count
                else:
                    our_connections = count
    report("up.creates", f"{COUNT}, {IN_FLIGHT} in flight, +{LATENCY_MS} ms latency")
    report("up.floor", f"{spread(base)} ({base_connections} TCP connections)")
    report(
        "up.ours",
        f"{spread(mine)} ({our_connections} TCP connections; goal: at most "
        f"{IN_FLIGHT}, one per worker)",
    )
    report("up.ratio", ratios(mine, base, "at most 1.3"))


if __name__ == "__main__":
    main()
