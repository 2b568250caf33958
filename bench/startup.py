"""Cold start of the provider process as the CLI runs it, up to its first Check answered.

Ours (the pickled TargetGroupProvider checking a seed declaration) vs the same server with a
trivial provider. Goal: our extra start-up cost at most 25%.
"""

from __future__ import annotations

import os
import time

from _common import ROOT, median, report
from _trivial import TrivialProvider
from pulumi.dynamic.dynamic import serialize_provider
from tests.engine import ProviderProcess
from tests.support import seed

from pulumi_capillary import TargetGroupProvider

RUNS = 7


def cold_start(blob: str, news: dict) -> float:
    started = time.perf_counter()
    with ProviderProcess(env={"PYTHONPATH": os.pathsep.join([str(ROOT / "bench")])}) as process:
        process.configure(
            {
                "capillary:baseUrl": "http://127.0.0.1:9",
                "capillary:username": "u",
                "capillary:password": "p",
            }
        )
        _, failures = process.check("urn:pulumi:dev::p::t::m", {}, {**news, "__provider": blob})
        assert not failures
        return time.perf_counter() - started


def main() -> None:
    ours = serialize_provider(TargetGroupProvider())
    trivial = serialize_provider(TrivialProvider())
    news = seed("be01.request")
    ours_times, trivial_times = [], []
    cold_start(trivial, news)  # warm the OS file cache for both
    for _ in range(RUNS):
        trivial_times.append(cold_start(trivial, news))
        ours_times.append(cold_start(ours, news))
    base, mine = median(trivial_times), median(ours_times)
    report("startup.runs", RUNS)
    report("startup.trivial_provider_ms", f"{base * 1000:.0f}")
    report("startup.our_provider_ms", f"{mine * 1000:.0f}")
    report("startup.extra_cost", f"{(mine / base - 1) * 100:+.0f}% (goal: at most +25%)")
    report("startup.ratio", f"{mine / base:.2f}")


if __name__ == "__main__":
    main()
