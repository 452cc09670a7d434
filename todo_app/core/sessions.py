"""Log-in sessions: what makes a token revocable.

A token (JWT) carries its session's id as ``jti``. It is honoured only while
that row exists (deleting the user deletes it), has not ended (log out, log
out everywhere, a password change) and has not expired. Checking PostgreSQL on
every event would add a round trip to each click, so a positive answer is
remembered for a few seconds per process: an ended session stops working on
the process that ended it at once, and on the other replicas within
``CACHE_SECONDS``.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from todo_app.core.models import LoginSession, utcnow
from todo_app.core.security import issue_token

CACHE_SECONDS = 5.0
CACHE_MAX_ENTRIES = 10_000


def start(session: Session, user_id: int, lifetime: timedelta) -> LoginSession:
    now = utcnow()
    row = LoginSession(
        id=secrets.token_hex(16), user_id=user_id, created_at=now, expires_at=now + lifetime
    )
    session.add(row)
    session.flush()
    return row


def log_in(session: Session, user_id: int, secret: str, lifetime: timedelta) -> str:
    """Opens a login session and returns its token."""
    return issue_token(user_id, secret, lifetime, start(session, user_id, lifetime).id)


def is_active(session: Session, session_id: str, user_id: int, now: datetime | None = None) -> bool:
    row = session.get(LoginSession, session_id)
    moment = now or utcnow()
    return (
        row is not None
        and row.user_id == user_id
        and row.ended_at is None
        and row.expires_at > moment
    )


def end(session: Session, session_id: str) -> None:
    session.exec(
        update(LoginSession)
        .where(col(LoginSession.id) == session_id, col(LoginSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
    recent.forget(session_id)


def end_all(session: Session, user_id: int) -> list[str]:
    """Ends every open session of the user; returns their ids."""
    ids = list(
        session.exec(
            select(LoginSession.id).where(
                LoginSession.user_id == user_id, col(LoginSession.ended_at).is_(None)
            )
        )
    )
    if ids:
        session.exec(
            update(LoginSession).where(col(LoginSession.id).in_(ids)).values(ended_at=utcnow())
        )
    for session_id in ids:
        recent.forget(session_id)
    return ids


class RecentlyActive:
    """Sessions seen active in the last few seconds (bounded, thread-safe)."""

    def __init__(
        self,
        ttl: float = CACHE_SECONDS,
        max_entries: int = CACHE_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl, self._max, self._clock = ttl, max_entries, clock
        self._seen: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def confirms(self, session_id: str, user_id: int) -> bool:
        with self._lock:
            entry = self._seen.get(session_id)
            if entry is None:
                return False
            owner, seen_at = entry
            if owner != user_id or self._clock() - seen_at > self._ttl:
                del self._seen[session_id]
                return False
            return True

    def remember(self, session_id: str, user_id: int) -> None:
        with self._lock:
            self._seen[session_id] = (user_id, self._clock())
            self._seen.move_to_end(session_id)
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._seen.pop(session_id, None)


recent = RecentlyActive()
