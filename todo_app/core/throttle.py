"""Slows password guessing: too many wrong passwords for one email locks it briefly.

In-process: each backend replica counts on its own, so N replicas allow N times
the attempts (Argon2id already costs every attempt ~50 ms of CPU); a shared
(Redis) counter is the next step when the cluster grows.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from todo_app.core.errors import AuthenticationError

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60
# Bounds memory when someone sprays made-up emails: the oldest entries go first.
MAX_TRACKED_EMAILS = 10_000


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, email: str) -> None:
        """Raise AuthenticationError (a sentence with the wait) while the email is locked."""
        key = email.strip().lower()
        with self._lock:
            recent = self._recent(key)
            if len(recent) >= self.max_failures:
                wait = recent[0] + self.window_seconds - self._clock()
                minutes = max(1, math.ceil(wait / 60))
                raise AuthenticationError(
                    f"Too many wrong passwords for this email. Please try again in {minutes} "
                    f"minute{'s' if minutes != 1 else ''}."
                )

    def failed(self, email: str) -> None:
        key = email.strip().lower()
        with self._lock:
            self._recent(key).append(self._clock())
            while len(self._failures) > MAX_TRACKED_EMAILS:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(email.strip().lower(), None)

    def _recent(self, key: str) -> deque[float]:
        recent = self._failures.setdefault(key, deque())
        while recent and recent[0] <= self._clock() - self.window_seconds:
            recent.popleft()
        return recent
