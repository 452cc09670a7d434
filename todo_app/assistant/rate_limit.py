"""The per-user limit on assistant requests (asking, Groq or offline, and Suggest), shared
by every backend replica through the app's rate-limit storage (Redis in the cluster, this
process's memory on a laptop): the same ``core.rate_limits`` the log-in throttle counts in.

A refused request is not counted, so asking during a refusal never extends it. A storage
that does not answer fails open (see ``core.rate_limits``): Groq's own rate limit and the
per-request change budget still apply.
"""

from __future__ import annotations

from limits import RateLimitItem, parse

from todo_app.core.errors import AssistantUnavailable
from todo_app.core.rate_limits import RateLimits
from todo_app.settings import get_settings

ASSISTANT_REQUESTS_PER_USER = parse("20/5 minutes")
USER_RATE_LIMIT_MESSAGE = "You have sent many requests; please wait a minute."


class AssistantRateLimit:
    def __init__(
        self, counts: RateLimits | None = None, limit: RateLimitItem = ASSISTANT_REQUESTS_PER_USER
    ) -> None:
        # None: from the settings at first use, on the server's event loop (where the
        # Redis client's connections belong), as the log-in throttle does.
        self._counts = counts
        self.limit = limit

    @property
    def counts(self) -> RateLimits:
        if self._counts is None:
            self._counts = RateLimits.for_redis_url(get_settings().effective_redis_url)
        return self._counts

    async def check(self, user_id: int) -> None:
        """Count one request of ``user_id`` (the user bound on the server, never a client's
        id), or raise AssistantUnavailable, uncounted, when the user is over the limit."""
        if not await self.counts.hit(self.limit, "assistant", str(user_id)):
            raise AssistantUnavailable(USER_RATE_LIMIT_MESSAGE)
