"""What every API request needs: database sessions, the live-update publisher, rate
limits and the server's secret; and the one way from a bearer token to a user.

Database work runs on a worker thread (``asyncio.to_thread``), never on the event loop
that also serves the page's websockets; the token is checked and the operation runs
in one transaction there, as the page's ``SessionState._as_user`` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TypeVar

from sqlmodel import Session

from todo_app.core import access_tokens
from todo_app.core.list_access import audience
from todo_app.core.rate_limits import RateLimits
from todo_app.live.bus import ChangeNotice

T = TypeVar("T")

Publish = Callable[[ChangeNotice], Awaitable[None]]
Sessions = Callable[[], AbstractContextManager[Session]]


@dataclass
class Work:
    """One request's transaction, as one user; changes to announce once it commits."""

    session: Session
    user_id: int
    notices: list[ChangeNotice] = field(default_factory=list)

    def changed_list(self, list_id: int) -> None:
        """The todos of ``list_id`` changed: pages showing it (or all lists) refresh."""
        users = audience(self.session, list_id) | {self.user_id}
        self.notices.append(ChangeNotice(frozenset(users), list_id=list_id))

    def changed_lists(self, users: set[int]) -> None:
        """Lists themselves changed (created, renamed, deleted, a todo moved between
        them): every page of these users refreshes."""
        self.notices.append(ChangeNotice(frozenset(users | {self.user_id}), list_id=None))


@dataclass
class ApiContext:
    sessions: Sessions
    publish: Publish
    server_secret: Callable[[], str]
    # None: made from the settings at first use, on the server's event loop (where
    # the Redis client's connections belong).
    rate_limits: RateLimits | None = None
    # Requests allowed per token and per client address ("20/second;600/minute");
    # None: the settings' API_RATE_LIMIT_PER_TOKEN / _PER_ADDRESS.
    per_token: str | None = None
    per_address: str | None = None

    async def run(self, token: str, operation: Callable[[Work], T], *, write: bool) -> T:
        """``operation`` as the token's user, in one transaction; announced after it."""

        def run() -> tuple[T, list[ChangeNotice]]:
            with self.sessions() as session:
                grant = access_tokens.authenticate(session, token)
                if write:
                    grant.require_write()
                work = Work(session, grant.user_id)
                return operation(work), work.notices

        result, notices = await asyncio.to_thread(run)
        for notice in _merged(notices):
            await self.publish(notice)
        return result

    async def anonymous(self, operation: Callable[[Session], T]) -> T:
        """A transaction with no user (the calendar feed: its URL is its key)."""

        def run() -> T:
            with self.sessions() as session:
                return operation(session)

        return await asyncio.to_thread(run)


def _merged(notices: list[ChangeNotice]) -> Iterator[ChangeNotice]:
    """One notice per list (a move touches two; a page needs one refresh)."""
    seen: set[tuple[frozenset[int], int | None]] = set()
    for notice in notices:
        key = (notice.users, notice.list_id)
        if key not in seen:
            seen.add(key)
            yield notice


@dataclass(frozen=True)
class Actor:
    """The bearer of a token, not yet checked: every use checks it (``read``/``write``)."""

    context: ApiContext
    token: str

    async def read(self, operation: Callable[[Work], T]) -> T:
        return await self.context.run(self.token, operation, write=False)

    async def write(self, operation: Callable[[Work], T]) -> T:
        """Refused with 403 for a read-only token, before ``operation`` runs."""
        return await self.context.run(self.token, operation, write=True)
