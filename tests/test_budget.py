"""The request budget: at most N requests in any minute, shared by every client of one API
key in a process, waiting within the call's deadline and never past it."""

from __future__ import annotations

import httpx
import pytest

from pulumi_capillary.api.budget import Budget, shared
from pulumi_capillary.api.client import CapillaryClient
from pulumi_capillary.api.deadline import Deadline
from pulumi_capillary.api.settings import load_settings
from pulumi_capillary.exceptions import DeadlineExceededError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_at_most_n_in_any_minute():
    clock = Clock()
    budget = Budget(3, clock)
    waits = []
    deadline = Deadline(at=float("inf"), seconds=float("inf"))
    for step in (0, 10, 10, 10, 0):
        clock.now += step
        budget.take(deadline, waits.append, clock.sleep)
    # the 4th request waits for the 1st to leave the window (t=1060); the 5th for the 2nd
    assert clock.now == pytest.approx(1070.0)
    assert waits == [pytest.approx(30.0), pytest.approx(10.0)]


def test_a_wait_past_the_deadline_takes_nothing():
    clock = Clock()
    budget = Budget(1, clock)
    deadline = Deadline(at=float("inf"), seconds=float("inf"))
    assert budget.take(deadline, None, clock.sleep)
    short = Deadline(at=clock.now + 5, seconds=5)
    assert not budget.take(short, None, clock.sleep)
    assert clock.now == 1000.0  # it did not sleep in vain


def test_one_budget_per_key_and_url():
    assert shared("https://a", "k", 5) is shared("https://a", "k", 7)
    assert shared("https://a", "k", 7).per_minute == 7  # the latest setting
    assert shared("https://a", "other", 5) is not shared("https://a", "k", 5)


def test_clients_of_one_key_share_it_and_say_how_to_raise_it():
    environ = {
        "CAPILLARY_BASE_URL": "https://budget.test",
        "CAPILLARY_USERNAME": "till",
        "CAPILLARY_PASSWORD": "pw-secret",
        "CAPILLARY_RETRY_DEADLINE_SECONDS": "0.5",
        "CAPILLARY_REQUESTS_PER_MINUTE": "3",
    }
    answer = httpx.MockTransport(lambda r: httpx.Response(200, json={"data": [], "errors": None}))
    first, second = (
        CapillaryClient(load_settings(None, environ), transport=answer) for _ in range(2)
    )
    first.targets(1)
    second.targets(1)
    first.targets(1)
    with pytest.raises(DeadlineExceededError) as caught:
        second.targets(1)
    assert str(caught.value) == (
        "GET /v3/targetGroups/1/targets could not be sent within the call's 0.5 s deadline: the "
        "budget of 3 requests a minute to Capillary is spent; run again in a minute, or raise "
        "capillary:requestsPerMinute if Capillary's limit for this API key allows it."
    )
