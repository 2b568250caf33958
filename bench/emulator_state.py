"""The emulator's ``--state`` at org scale: 1,000 and 5,000 creates, against in memory.

Each create is one POST on one keep-alive client, sequentially, so the figure is the cost of
a write: with ``--state`` every write commits one small SQLite transaction, which must not
grow with the org. Goal: within 2x the in-memory time at both sizes. Several samples at
1,000, one at 5,000 (it takes a while); min and median printed.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401 - puts the repository on sys.path
import httpx
from _common import EmulatorProcess, ratios, report, spread
from tests.support import basic_header, seed

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "3"))


def creates(count: int, *extra: str) -> float:
    with EmulatorProcess(*extra) as emulator:
        header = {"Authorization": basic_header(emulator.username, emulator.password)}
        with httpx.Client(base_url=emulator.url, headers=header, timeout=60) as api:
            started = time.perf_counter()
            for i in range(count):
                body = dict(seed("be01.request"), name=f"state-{i:05d}")
                assert api.post("/v3/targetGroups", json=body).status_code == 200
            return time.perf_counter() - started


def main() -> None:
    for count, samples in ((1000, SAMPLES), (5000, 1)):
        memory, state = [], []
        for n in range(samples):
            with tempfile.TemporaryDirectory() as tmp:
                memory.append(creates(count))
                state.append(creates(count, "--state", str(Path(tmp) / f"state-{n}.db")))
        report(f"emulator_state.creates_{count}.in_memory", spread(memory))
        report(f"emulator_state.creates_{count}.with_state", spread(state))
        report(f"emulator_state.creates_{count}.ratio", ratios(state, memory, "≤ 2"))


if __name__ == "__main__":
    main()
