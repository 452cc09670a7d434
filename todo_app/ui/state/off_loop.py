"""Database work from event handlers, on a worker thread.

Handlers reach it only through SessionState (session.py), which verifies the
user first; ruff (TID251) refuses an import of ``in_session`` anywhere else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from todo_app.core.db import in_transaction

T = TypeVar("T")


async def in_session(operation: Callable[[Session], T]) -> T:
    """Run ``operation`` in one transaction on a worker thread (retried once on a
    connection found dead: core.db.in_transaction).

    A database call made on the event loop would stall every websocket client
    served by this worker until it returned.
    """

    return await asyncio.to_thread(in_transaction, operation)
