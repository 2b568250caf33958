"""A no-change preview (Check + Diff) of 1,000 resources through the provider server.

Figures: API requests made during the preview (goal: 0) and time per resource, against the
floor of the same gRPC round trips to a trivial provider.
"""

from __future__ import annotations

import concurrent.futures
import os
import time

import _common  # noqa: F401 - puts the repository on sys.path
from _common import ROOT, EmulatorProcess, ratios, report, spread
from _trivial import TrivialProvider
from pulumi.dynamic.dynamic import serialize_provider
from tests.engine import PROVIDER_BLOB, ProviderProcess
from tests.support import seed

COUNT, IN_FLIGHT = 1000, 4
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "3"))
URN = "urn:pulumi:dev::p::t::m"


def declaration(index: int) -> dict:
    body = seed("be02.request")
    body["name"] = f"preview-{index:04d}"
    return body


def run(pool_fn, items) -> float:
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as pool:
        list(pool.map(pool_fn, items))
    return time.perf_counter() - started


def main() -> None:
    with EmulatorProcess() as emulator, ProviderProcess() as process:
        process.configure(emulator.config())
        state = {}

        def create(index: int) -> None:
            news = {**declaration(index), "__provider": PROVIDER_BLOB}
            inputs, _ = process.check(URN, {}, news)
            id_, outs = process.create(URN, inputs)
            state[index] = (id_, inputs, outs)

        run(create, range(COUNT))
        emulator.control("POST", "reset")  # the log from here on is the preview's

        def preview(index: int) -> None:
            id_, stored, outs = state[index]
            news = {**declaration(index), "__provider": PROVIDER_BLOB}
            checked, failures = process.check(URN, stored, news)
            assert not failures
            assert process.diff(URN, id_, outs, checked).changes == 1  # DIFF_NONE

        elapsed = [run(preview, range(COUNT)) for _ in range(SAMPLES)]
        calls = len(emulator.control("GET", "requests")["requests"])

    trivial = serialize_provider(TrivialProvider())
    with ProviderProcess(env={"PYTHONPATH": str(ROOT / "bench")}) as process:
        process.configure({})

        def round_trips(index: int) -> None:
            news = {**declaration(index), "__provider": trivial}
            checked, _ = process.check(URN, news, news)
            process.diff(URN, "1", news, checked)

        floor = [run(round_trips, range(COUNT)) for _ in range(SAMPLES)]
    report("preview.resources", f"{COUNT}, {IN_FLIGHT} in flight")
    report("preview.api_requests", f"{calls} (goal: 0)")
    per = [e / COUNT * 1000 for e in elapsed]
    base = [f / COUNT * 1000 for f in floor]
    report("preview.floor_per_resource", spread(base, "ms", 2))
    report("preview.per_resource", spread(per, "ms", 2))
    report("preview.ratio", ratios(sorted(per), sorted(base), "—"))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
