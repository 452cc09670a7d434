"""Refreshing this process's open pages when a change notice arrives."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from todo_app.live.bus import ChangeBus, ChangeNotice
from todo_app.live.pages import OpenPages

log = logging.getLogger(__name__)

# Pages refreshed at once: each refresh is one short query on a worker thread.
MAX_CONCURRENT_REFRESHES = 8

# Refreshes the page of a client token; False when that page is gone from
# this process (its socket closed or moved), so it is forgotten.
Refresh = Callable[[str], Awaitable[bool]]


class Fanout:
    def __init__(
        self,
        bus: ChangeBus,
        pages: OpenPages,
        refresh: Refresh,
        max_concurrent: int = MAX_CONCURRENT_REFRESHES,
    ) -> None:
        self.bus = bus
        self.pages = pages
        self._refresh = refresh
        self._slots = asyncio.Semaphore(max_concurrent)
        # A page with a refresh waiting needs no second one: the first reads
        # the database after every change that came before it.
        self._waiting: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def publish(self, notice: ChangeNotice) -> None:
        await self.bus.publish(notice)

    async def run(self) -> None:
        """Refresh the pages each notice reaches, until cancelled."""
        async for notice in self.bus.notices():
            self.deliver(notice)

    def deliver(self, notice: ChangeNotice) -> None:
        for token in self.pages.reached_by(notice):
            if token in self._waiting:
                continue
            self._waiting.add(token)
            task = asyncio.create_task(self._refresh_page(token))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _refresh_page(self, token: str) -> None:
        async with self._slots:
            self._waiting.discard(token)
            try:
                still_open = await self._refresh(token)
            except Exception:
                # One page's failure must not stop the others'; it catches up on load.
                log.exception("live update of a page failed")
                return
        if not still_open:
            self.pages.close(token)

    async def idle(self) -> None:
        """Wait for the refreshes under way (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
