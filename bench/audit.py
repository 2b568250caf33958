"""``capillary-milestones diff`` of 1,000 milestones: requests, and time against the floor.

The floor is the raw work the same data needs, in the same run: one list call with periods
(plain httpx) plus loading the 1,000 files with PyYAML's fastest loader. Goals: at most N+1
requests, and within 2x the floor, also with 20 ms of latency added to every request.
Several interleaved samples; min and median printed.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401 - puts the repository on sys.path
import httpx
import yaml
from _common import EmulatorProcess, ratios, report, spread
from tests.support import basic_header, seed

from pulumi_capillary.cli.main import main

COUNT = int(os.environ.get("BENCH_COUNT", "1000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _quiet(argv: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(argv)


def main_bench() -> None:
    with EmulatorProcess() as emulator, tempfile.TemporaryDirectory() as tmp:
        os.environ["CAPILLARY_USERNAME"] = emulator.username
        os.environ["CAPILLARY_PASSWORD"] = emulator.password
        header = {"Authorization": basic_header(emulator.username, emulator.password)}
        with httpx.Client(base_url=emulator.url, headers=header, timeout=60) as api:
            for i in range(COUNT):
                body = dict(seed("be01.request"), name=f"audit-{i:04d}")
                assert api.post("/v3/targetGroups", json=body).status_code == 200
            folder = Path(tmp) / "org"
            assert _quiet(["export", "--all", "-o", str(folder), "--base-url", emulator.url]) == 0
            files = sorted(folder.glob("*.yaml"))

            def floor() -> float:
                started = time.perf_counter()
                answer = api.get("/v3/targetGroups", params={"includePeriods": "true"})
                assert len(answer.json()["data"]) == COUNT
                for path in files:
                    yaml.load(path.read_text(), Loader=LOADER)
                return time.perf_counter() - started

            def ours() -> tuple[float, int]:
                before = len(emulator.control("GET", "requests")["requests"])
                started = time.perf_counter()
                assert _quiet(["diff", str(folder), "--base-url", emulator.url]) == 0
                elapsed = time.perf_counter() - started
                return elapsed, len(emulator.control("GET", "requests")["requests"]) - before

            for latency in (0, 20):
                emulator.control(
                    "PUT",
                    "faults",
                    json={
                        "rate": 1.0 if latency else 0.0,
                        "kinds": ["latency"],
                        "latencyMs": latency,
                    },
                )
                baseline, mine, requests = [], [], 0
                for _ in range(SAMPLES):
                    baseline.append(floor())
                    elapsed, requests = ours()
                    mine.append(elapsed)
                name = f"audit.diff_{COUNT}_latency_{latency}ms"
                report(f"{name}.requests", f"{requests} (goal: at most {COUNT + 1})")
                report(f"{name}.floor", spread(baseline))
                report(f"{name}.ours", spread(mine))
                report(f"{name}.ratio", ratios(mine, baseline, "≤ 2"))


if __name__ == "__main__":
    main_bench()
