"""Four threads of mixed create/read/update on one provider object, OAuth tokens expiring."""

from __future__ import annotations

import concurrent.futures
import math
import time

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_capillary import TargetGroupProvider
from tests.support import seed, stack_config

TTL = 1  # seconds
SPAN = 2.5 * TTL  # the workers keep going this long, however fast calls are: several expiries


def test_mixed_calls_while_tokens_expire(emulator, control, figure):
    control.put("/clock", json={"now": None})
    control.put("/token-ttl", json={"ttlSeconds": TTL})
    config = {
        k: v["value"] if isinstance(v, dict) else v
        for k, v in stack_config(emulator, oauth=True).items()
    }
    provider = TargetGroupProvider()
    provider.configure(ConfigureRequest(Config(config, "capillary-milestones")))
    started = time.monotonic()

    def worker(index: int) -> int:
        done = 0
        while done < 8 or time.monotonic() - started < SPAN:
            body = seed("be02.request")
            body["name"] = f"worker-{index}-{done}"
            checked = provider.check({}, body)
            created = provider.create(checked.inputs)
            provider.read(created.id, created.outs)
            renamed = dict(checked.inputs, name=body["name"] + "-renamed")
            provider.update(
                created.id, created.outs, provider.check(checked.inputs, renamed).inputs
            )
            done += 1
            time.sleep(0.05)
        return done

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        total = sum(pool.map(worker, range(4)))
    elapsed = time.monotonic() - started
    log = control.get("/requests").json()["requests"]
    generations = sum(1 for r in log if r["path"] == "/v3/oauth/token/generate")
    rejected = sum(1 for r in log if r["status"] == 401)
    # renewal happens at 80% of the ttl: at most one generation per such window
    windows = math.ceil(elapsed / (0.8 * TTL)) + 1
    figure("concurrency.elapsed_s", f"{elapsed:.1f}")
    figure("concurrency.token_generations", f"{generations} (at most {windows} windows)")
    figure("concurrency.errors", 0)
    figure("concurrency.rejected_401", rejected)
    assert generations == provider.core.client.auth.generations
    assert 2 <= generations <= windows and rejected == 0
    assert len(control.get("/groups").json()["groups"]) == total >= 32
