"""Live updates, Reflex side: the process's fan-out, run for the app's lifespan.

A handler that changes todos or lists publishes a ``ChangeNotice`` (who may
see the change) after its transaction commits. Every backend process receives
it (Redis pub/sub; in-process without Redis) and refreshes the open todo pages
it holds a socket for: each page re-reads the database as its own verified
user (``TodoListState._follow_change``), so nothing reaches a page that may not
see it, and Reflex sends the page only what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import reflex as rx

from todo_app.live.bus import ChangeNotice, bus_for
from todo_app.live.fanout import Fanout
from todo_app.live.pages import OpenPages
from todo_app.settings import get_settings

if TYPE_CHECKING:
    from reflex.app import EventNamespace

log = logging.getLogger(__name__)

_fanout: Fanout | None = None


def open_pages() -> OpenPages | None:
    """This process's open pages; None until the app's lifespan has started."""
    return _fanout.pages if _fanout is not None else None


async def publish(notice: ChangeNotice) -> None:
    if _fanout is not None:
        await _fanout.publish(notice)


@contextlib.asynccontextmanager
async def run_live_updates(app: rx.App) -> AsyncIterator[None]:
    """Lifespan task: one subscriber per backend process."""
    global _fanout
    bus = bus_for(get_settings().effective_redis_url)
    _fanout = Fanout(bus, OpenPages(), functools.partial(_refresh, app))
    receiving = asyncio.create_task(_fanout.run(), name="live-updates")
    try:
        yield
    finally:
        receiving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiving
        await bus.aclose()
        _fanout = None


async def _refresh(app: rx.App, token: str) -> bool:
    namespace = app.event_namespace
    if namespace is None or not _socket_here(namespace, token):
        return False  # closed, or its tab now talks to another process
    # Imported here: the state module imports this one to publish.
    from todo_app.ui.state.todos import TodoListState

    async with app.modify_state(rx.BaseStateToken(ident=token, cls=TodoListState)) as state:
        page = await state.get_state(TodoListState)
        return await page._follow_change()


def _socket_here(namespace: EventNamespace, token: str) -> bool:
    manager = namespace._token_manager
    record = manager.token_to_socket.get(token)
    return record is not None and record.instance_id == manager.instance_id
