"""Retries of transient failures (tenacity): capped exponential backoff with jitter, a 429's
``Retry-After`` honoured, and never past the call's total deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base, wait_exponential, wait_random

from ..exceptions import RateLimitedError, TransientError, UnreachableError
from .deadline import Deadline

LAST_TRY = 0.05  # seconds: with less left, no attempt is started (the last error stands)


class _Backoff(wait_base):
    """Exponential with jitter, never sooner than a 429's ``Retry-After``, never past the
    deadline: the last wait is cut so that one more attempt still has ``LAST_TRY``."""

    def __init__(self, initial: float, deadline: Deadline) -> None:
        self._exponential = wait_exponential(multiplier=initial, max=10.0) + wait_random(0, initial)
        self._deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> float:
        wait = self._exponential(retry_state)
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            wait = max(wait, error.retry_after)
        return max(0.0, min(wait, self._deadline.remaining() - LAST_TRY))


class _StopAtDeadline(stop_base):
    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._deadline.remaining() <= LAST_TRY


def retrying(
    deadline: Deadline,
    backoff: float,
    unreachable: bool = True,
    notify: Callable[[str], None] | None = None,
) -> Retrying:
    """Retries of transient failures, all within ``deadline``. Without ``unreachable``, a
    refused connection is not retried (a command fails fast naming the URL); ``notify`` is
    told of each wait, so a person at a terminal knows why nothing seems to happen."""

    def worth_it(error: BaseException) -> bool:
        return isinstance(error, TransientError) and (
            unreachable or not isinstance(error, UnreachableError)
        )

    def before_sleep(state: RetryCallState) -> None:
        if notify is not None and state.next_action is not None and state.outcome is not None:
            notify(
                f"waiting {state.next_action.sleep:.1f} s before retry {state.attempt_number} "
                f"({state.outcome.exception()})"
            )

    return Retrying(
        retry=retry_if_exception(worth_it),
        stop=_StopAtDeadline(deadline) | stop_after_attempt(12),
        wait=_Backoff(backoff, deadline),
        reraise=True,
        sleep=time.sleep,
        before_sleep=before_sleep,
    )
