"""Counts of events per key in a moving window, shared by every backend replica.

A thin layer over the `limits` library (moving-window strategy). Counters live
in Redis when the app has one (the URL Reflex uses), so every replica sees the
same counts; each counter is a Redis key with a TTL of its window, so nothing
can push a counter out early, however many other keys an attacker makes. On a
laptop, with no Redis, they live in this process's memory (one process there).

The strategy only runs EVALSHA/SCRIPT LOAD (Lua: LPUSH, LTRIM, LINDEX, EXPIRE)
and DEL, all allowed to the app's Redis ACL user (``+@all -@dangerous``); never
call ``storage.reset()``, which runs KEYS.

A storage that does not answer fails open: counting stops, with one warning
per outage, rather than refusing every log-in in the cluster. Each attempt
still costs an Argon2id hash (~50 ms of CPU, a few at a time per pod), which
keeps guessing slow while the limits are off; and Reflex keeps its own state
in the same Redis, so the app is mostly down during such an outage anyway.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import redis.asyncio
from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from todo_app.observability.metrics import timed_redis

log = logging.getLogger(__name__)

T = TypeVar("T")

KEY_PREFIX = "todo-limits"
# A Redis that does not answer costs a log-in at most this long per call...
REDIS_TIMEOUT_SECONDS = 1.0
# ...and after a failure it is left alone this long (no timeout paid per call).
RETRY_AFTER_FAILURE_SECONDS = 10.0


@dataclass(frozen=True)
class Window:
    remaining: int
    # Seconds until the oldest counted event leaves the window (one place frees).
    frees_in: float


class RateLimits:
    def __init__(
        self,
        storage: Storage,
        retry_after_failure: float = RETRY_AFTER_FAILURE_SECONDS,
        pool: redis.asyncio.ConnectionPool | None = None,
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._pool = pool
        self._retry_after_failure = retry_after_failure
        self._failing = False
        self._retry_at = 0.0

    @classmethod
    def for_redis_url(cls, redis_url: str) -> RateLimits:
        """Redis at ``redis_url`` (credentials included), or memory when it is empty."""
        if not redis_url:
            return cls(MemoryStorage())
        # Our own pool, so that it can be closed (tests run one event loop each).
        pool = redis.asyncio.ConnectionPool.from_url(
            redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        storage = RedisStorage(
            f"async+{redis_url}",
            implementation="redispy",  # redis-py's asyncio client: no extra dependency
            wrap_exceptions=True,
            key_prefix=KEY_PREFIX,
            connection_pool=pool,  # type: ignore[arg-type]
        )
        return cls(storage, pool=pool)

    async def aclose(self) -> None:
        """Close the Redis connections (the app's one instance lives as long as the process)."""
        if self._pool is not None:
            await self._pool.aclose()

    async def window(self, item: RateLimitItem, *key: str) -> Window:
        async def read() -> Window:
            stats = await self._limiter.get_window_stats(item, *key)
            return Window(stats.remaining, max(0.0, stats.reset_time - time.time()))

        return await self._fail_open(read, Window(item.amount, 0.0))

    async def hit(self, item: RateLimitItem, *key: str) -> bool:
        """Count one event if there is room (atomically); False when there is none."""
        return await self._fail_open(lambda: self._limiter.hit(item, *key), True)

    async def clear(self, item: RateLimitItem, *key: str) -> None:
        async def clear() -> None:
            await self._limiter.clear(item, *key)

        await self._fail_open(clear, None)

    async def _fail_open(self, operation: Callable[[], Awaitable[T]], fallback: T) -> T:
        if self._failing and time.monotonic() < self._retry_at:
            return fallback
        try:
            result = await timed_redis(operation, "rate_limits", enabled=self._pool is not None)
        except (StorageError, OSError) as error:
            self._retry_at = time.monotonic() + self._retry_after_failure
            if not self._failing:
                self._failing = True
                log.warning(
                    "rate-limit storage unreachable (%s): log-in, sign-up and the "
                    "assistant are NOT throttled until it answers again",
                    error,
                )
            return fallback
        if self._failing:
            self._failing = False
            log.info("rate-limit storage answers again: throttling resumed")
        return result
