"""A request budget per minute, shared by everything in one process that uses one API key.

Capillary limits requests per minute per API key (1,000 on its demo and test clusters), so
the budget belongs to the credentials, not to a client: the provider's threads, a command's
readers and a token renewal all draw from the same one. It is a sliding window — at most
``per_minute`` requests in any 60 seconds — and a request that would overdraw it waits, never
past its call's deadline. (A few lines over a library: the wait must end at our deadline.)
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from .deadline import Deadline

WINDOW = 60.0  # seconds


class Budget:
    """At most ``per_minute`` requests in any ``WINDOW`` seconds; thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def wait_needed(self) -> float:
        """Seconds until one more request fits (0: now, and it is counted)."""
        with self._lock:
            now = self._clock()
            while self._sent and self._sent[0] <= now - WINDOW:
                self._sent.popleft()
            if len(self._sent) < self.per_minute:
                self._sent.append(now)
                return 0.0
            return self._sent[len(self._sent) - self.per_minute] + WINDOW - now

    def take(
        self,
        deadline: Deadline,
        tell: Callable[[float], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> bool:
        """Wait until a request fits; ``False`` (nothing taken) if it would not before the
        deadline. ``tell`` hears of each wait longer than a second."""
        while True:
            wait = self.wait_needed()
            if wait <= 0:
                return True
            if wait >= deadline.remaining():
                return False
            if tell is not None and wait > 1:
                tell(wait)
            sleep(wait)


_SHARED: dict[tuple[str, str], Budget] = {}
_LOCK = threading.Lock()


def shared(base_url: str, identity: str, per_minute: int) -> Budget:
    """The process's budget for one API key at one URL (the latest setting wins)."""
    with _LOCK:
        budget = _SHARED.setdefault((base_url, identity), Budget(per_minute))
        budget.per_minute = per_minute
        return budget
