"""Secret calendar URLs: one per user for all their lists, and one per list they can see.

The URL's token is ``<feed id>-<MAC>``, the MAC an HMAC-SHA256 of the feed's id and
random nonce under a key derived from the server's secret. The database keeps only the
nonce: a copy of it opens no calendar, and the page can show the URL again whenever
it is asked (calendar apps need the same URL for good). Reset draws a new nonce, which
ends the old URL at once; revoke deletes the feed. Rotating the server secret ends
every feed URL (as it ends every login).

Who may read a list is asked again on every fetch (``todos_for_feed``): a feed of a
list its user has lost access to is "no longer exists".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from todo_app.core.errors import NotFoundError
from todo_app.core.list_access import MAX_ID, list_and_role, scope_of
from todo_app.core.models import CalendarFeed, Todo, utcnow

FEED_GONE = "This calendar link no longer works: copy the new one from the app."
# Todos in one feed: the open ones and those completed lately, soonest due first.
MAX_FEED_TODOS = 1000
COMPLETED_KEPT_FOR = timedelta(days=30)
_TOKEN_SHAPE = re.compile(r"^([1-9][0-9]{0,9})-([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    list_id: int | None
    token: str


def _key(server_secret: str) -> bytes:
    # A key of its own, derived from the server's secret: a feed MAC is never a
    # valid signature of anything else made with that secret.
    return hmac.new(server_secret.encode(), b"todo-calendar-feed-v1", hashlib.sha256).digest()


def _token(feed: CalendarFeed, server_secret: str) -> str:
    assert feed.id is not None
    mac = hmac.new(_key(server_secret), f"{feed.id}:{feed.nonce}".encode(), hashlib.sha256)
    return f"{feed.id}-{base64.urlsafe_b64encode(mac.digest()).decode().rstrip('=')}"


def _feed_row(session: Session, user_id: int, list_id: int | None) -> CalendarFeed | None:
    where = (
        col(CalendarFeed.list_id).is_(None)
        if list_id is None
        else col(CalendarFeed.list_id) == list_id
    )
    return session.exec(
        select(CalendarFeed)
        .where(col(CalendarFeed.user_id) == user_id, where)
        .order_by(col(CalendarFeed.id))
    ).first()


def _check_list(session: Session, user_id: int, list_id: object) -> int | None:
    if list_id is None:
        return None
    the_list, _role = list_and_role(session, user_id, list_id)
    return the_list.id


def feed(session: Session, user_id: int, server_secret: str, list_id: object = None) -> Feed:
    """The user's feed (of all lists, or of ``list_id``), made on first use."""
    checked = _check_list(session, user_id, list_id)
    row = _feed_row(session, user_id, checked)
    if row is None:
        row = CalendarFeed(user_id=user_id, list_id=checked, nonce=secrets.token_hex(16))
        session.add(row)
        session.flush()
    assert row.id is not None
    return Feed(row.id, row.list_id, _token(row, server_secret))


def reset_feed(session: Session, user_id: int, server_secret: str, list_id: object = None) -> Feed:
    """A new URL for the feed; the old one stops working at once."""
    checked = _check_list(session, user_id, list_id)
    row = _feed_row(session, user_id, checked)
    if row is None:
        return feed(session, user_id, server_secret, checked)
    row.nonce = secrets.token_hex(16)
    session.add(row)
    session.flush()
    assert row.id is not None
    return Feed(row.id, row.list_id, _token(row, server_secret))


def revoke_feed(session: Session, user_id: int, list_id: object = None) -> None:
    """No URL for this feed any more (until ``feed`` makes a new one)."""
    checked = _check_list(session, user_id, list_id)
    row = _feed_row(session, user_id, checked)
    if row is not None:
        session.delete(row)
        session.flush()


def resolve(session: Session, token: object, server_secret: str) -> CalendarFeed:
    """The feed a URL's token names, or NotFoundError (malformed, reset, revoked)."""
    if not isinstance(token, str) or (match := _TOKEN_SHAPE.match(token)) is None:
        raise NotFoundError(FEED_GONE)
    if int(match[1]) > MAX_ID:
        raise NotFoundError(FEED_GONE)
    row = session.get(CalendarFeed, int(match[1]))
    if row is None or not hmac.compare_digest(_token(row, server_secret), token):
        raise NotFoundError(FEED_GONE)
    return row


def todos_for_feed(session: Session, row: CalendarFeed, now: datetime | None = None) -> list[Todo]:
    """The dated todos the feed's user may read now in its scope: open ones and those
    completed in the last 30 days, soonest due first, at most MAX_FEED_TODOS."""
    try:
        scope = scope_of(session, row.user_id, row.list_id)
    except NotFoundError:
        raise NotFoundError(FEED_GONE) from None
    since = (now or utcnow()) - COMPLETED_KEPT_FOR
    return list(
        session.exec(
            select(Todo)
            .where(
                scope.todos(),
                col(Todo.due_date).is_not(None),
                or_(col(Todo.completed).is_(False), col(Todo.completed_at) >= since),
            )
            .order_by(col(Todo.due_date), col(Todo.id))
            .limit(MAX_FEED_TODOS)
        ).all()
    )
