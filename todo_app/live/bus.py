"""Change notices between backend processes: Redis pub/sub, or in-process.

A notice says only which list changed and whose pages may show it; it carries
no todo data. Each process refreshes the open pages it holds, each through its
own user's verified query, so a notice can never leak a change to a page that
may not see it. Notices are best effort: PostgreSQL stays the truth, and a page
that missed one (reconnect, restart, Redis down) catches up on its next load.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CHANNEL = "todo-live:changes"
# A notice names at most the list's owner and its members (bounded by core).
MAX_USERS_PER_NOTICE = 100
# Notices waiting for this process's fan-out; past it the oldest are dropped.
LOCAL_QUEUE_SIZE = 1000
RECONNECT_DELAY_SECONDS = 1.0
REDIS_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class ChangeNotice:
    """Pages of ``users`` that show ``list_id`` (or all their lists) are out of date.

    ``list_id`` None: the user's lists themselves changed (created, renamed,
    shared, left). ``origin`` is the client token of the tab that made the
    change: it has refreshed itself already.
    """

    users: frozenset[int]
    list_id: int | None = None
    origin: str = ""

    def encode(self) -> str:
        return json.dumps(
            {"users": sorted(self.users), "list": self.list_id, "origin": self.origin}
        )

    @classmethod
    def decode(cls, data: str | bytes) -> ChangeNotice | None:
        """The notice in ``data``, or None for anything malformed."""
        try:
            raw = json.loads(data)
            users = raw["users"]
            list_id = raw["list"]
            origin = raw["origin"]
        except (ValueError, TypeError, KeyError):
            return None
        if (
            not isinstance(users, list)
            or len(users) > MAX_USERS_PER_NOTICE
            or not all(type(user) is int for user in users)
            or not (list_id is None or type(list_id) is int)
            or not isinstance(origin, str)
        ):
            return None
        return cls(frozenset(users), list_id, origin[:64])


class ChangeBus(Protocol):
    async def publish(self, notice: ChangeNotice) -> None: ...

    def notices(self) -> AsyncIterator[ChangeNotice]:
        """Every notice published by any process, this one's included."""
        ...

    async def aclose(self) -> None: ...


class LocalBus:
    """One process (a laptop's ``reflex run``): notices go straight to its fan-out."""

    def __init__(self, max_waiting: int = LOCAL_QUEUE_SIZE) -> None:
        self._queue: asyncio.Queue[ChangeNotice] = asyncio.Queue(max_waiting)

    async def publish(self, notice: ChangeNotice) -> None:
        if self._queue.full():
            self._queue.get_nowait()  # the oldest: its pages catch up on their next load
        self._queue.put_nowait(notice)

    async def notices(self) -> AsyncIterator[ChangeNotice]:
        while True:
            yield await self._queue.get()

    async def aclose(self) -> None:
        return None


class RedisBus:
    """Every backend replica: one Redis channel, each process subscribed to it."""

    def __init__(self, redis_url: str) -> None:
        self._client = redis.asyncio.Redis.from_url(
            redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        # No read timeout while subscribed (a quiet channel is not a dead one);
        # keepalives and health checks find a dead connection instead.
        self._listener = redis.asyncio.Redis.from_url(
            redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_keepalive=True,
            health_check_interval=30,
        )
        self._failing = False

    async def publish(self, notice: ChangeNotice) -> None:
        try:
            await self._client.publish(CHANNEL, notice.encode())
        except (RedisError, OSError) as error:
            # The change is committed; other pages see it on their next load.
            log.warning("could not publish a change notice: %s", error)

    async def notices(self) -> AsyncIterator[ChangeNotice]:
        while True:
            try:
                async for notice in self._subscribed():
                    yield notice
            except (RedisError, OSError) as error:
                if not self._failing:
                    log.warning("change notices interrupted (%s); resubscribing", error)
                self._failing = True
                await asyncio.sleep(RECONNECT_DELAY_SECONDS)

    async def _subscribed(self) -> AsyncIterator[ChangeNotice]:
        async with self._listener.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(CHANNEL)
            if self._failing:
                log.info("change notices resumed")
                self._failing = False
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is None or message.get("type") != "message":
                    continue
                notice = ChangeNotice.decode(message["data"])
                if notice is None:
                    log.warning("ignored a malformed change notice")
                    continue
                yield notice

    async def aclose(self) -> None:
        await self._client.aclose()
        await self._listener.aclose()


def bus_for(redis_url: str) -> ChangeBus:
    return RedisBus(redis_url) if redis_url else LocalBus()
