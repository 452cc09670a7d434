"""Personal access tokens for the REST API (/api/v1): created, listed, revoked by
their user; presented as ``Authorization: Bearer <token>``.

A token is ``todo_pat_`` followed by 43 URL-safe characters (32 random bytes). Only its
SHA-256 is stored. A slow password hash (Argon2id) is for secrets people choose, which
are guessable; 256 random bits are not, so a fast hash loses nothing and keeps each API
request from paying ~50 ms of CPU. The recognisable prefix lets secret scanners (and
people) spot a leaked token.

Every function that acts for a person takes their id; ``authenticate`` is the one
that finds the person, from the token itself.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select, update

from todo_app.core.errors import (
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from todo_app.core.list_access import MAX_ID
from todo_app.core.models import ACCESS_TOKEN_NAME_MAX_LENGTH, AccessToken, utcnow

TOKEN_PREFIX = "todo_pat_"  # noqa: S105 (the public prefix, not a secret)
# token_urlsafe(32): 43 characters of [A-Za-z0-9_-].
_TOKEN_SHAPE = re.compile(r"^todo_pat_[A-Za-z0-9_-]{43}$")
_SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
MAX_TOKENS_PER_USER = 50
MAX_EXPIRY_DAYS = 366
EXPIRY_CHOICES_DAYS = (7, 30, 90, 365)
# last_used_at is written at most this often per token: a busy client must not
# turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

TOKEN_GONE = "That token no longer exists."  # noqa: S105 (a sentence)
MALFORMED = "That is not an API token: expected 'Authorization: Bearer todo_pat_…'."
NOT_VALID = "This API token is not valid: it may have been revoked. Create a new one in the app."
EXPIRED = "This API token has expired. Create a new one in the app."
READ_ONLY = "This token can only read: create a read-write token to make changes."


class TokenScope(StrEnum):
    READ = "read"
    READ_WRITE = "read-write"

    @property
    def can_write(self) -> bool:
        return self is TokenScope.READ_WRITE


@dataclass(frozen=True, slots=True)
class TokenView:
    """A token as its owner's list shows it (never the secret)."""

    id: int
    name: str
    prefix: str
    scope: TokenScope
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just created: ``secret`` is shown once and never kept."""

    view: TokenView
    secret: str


@dataclass(frozen=True, slots=True)
class Grant:
    """What a presented token allows: act as ``user_id`` with ``scope``."""

    user_id: int
    token_id: int
    scope: TokenScope

    def require_write(self) -> None:
        if not self.scope.can_write:
            raise ForbiddenError(READ_ONLY)


def digest(secret: str) -> str:
    """The stored form of a token (and a safe key for its rate limit)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def clean_token_name(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError("The token name must be text.")
    name = " ".join(raw.split())
    if not name:
        raise ValidationError("Please give the token a name, e.g. the script that will use it.")
    if len(name) > ACCESS_TOKEN_NAME_MAX_LENGTH:
        raise ValidationError(
            f"Token names can be at most {ACCESS_TOKEN_NAME_MAX_LENGTH} characters "
            f"(this one has {len(name)})."
        )
    return name


def clean_scope(raw: object) -> TokenScope:
    if isinstance(raw, TokenScope):
        return raw
    if isinstance(raw, str):
        try:
            return TokenScope(raw.strip().lower())
        except ValueError:
            pass
    raise ValidationError("The scope must be read or read-write.")


def clean_expiry_days(raw: object) -> int | None:
    """Days until the token expires; None: it never does."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_EXPIRY_DAYS:
        raise ValidationError(
            f"The expiry must be a number of days from 1 to {MAX_EXPIRY_DAYS}, or none."
        )
    return raw


def _view(row: AccessToken) -> TokenView:
    assert row.id is not None
    return TokenView(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scope=TokenScope(row.scope),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


def create_token(
    session: Session,
    user_id: int,
    name: object,
    scope: object,
    expires_in_days: object,
    *,
    now: datetime | None = None,
) -> NewToken:
    clean_name, clean, days = (
        clean_token_name(name),
        clean_scope(scope),
        clean_expiry_days(expires_in_days),
    )
    live = session.exec(
        select(func.count())
        .select_from(AccessToken)
        .where(col(AccessToken.user_id) == user_id, col(AccessToken.revoked_at).is_(None))
    ).one()
    if live >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            f"You can have at most {MAX_TOKENS_PER_USER} tokens: please revoke one you no "
            "longer use."
        )
    moment = now or utcnow()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = AccessToken(
        user_id=user_id,
        name=clean_name,
        token_hash=digest(secret),
        prefix=secret[:_SHOWN_PREFIX_LENGTH],
        scope=clean.value,
        created_at=moment,
        expires_at=moment + timedelta(days=days) if days is not None else None,
    )
    session.add(row)
    session.flush()
    return NewToken(_view(row), secret)


def list_tokens(session: Session, user_id: int) -> list[TokenView]:
    """The user's tokens not revoked, newest first (at most MAX_TOKENS_PER_USER)."""
    rows = session.exec(
        select(AccessToken)
        .where(col(AccessToken.user_id) == user_id, col(AccessToken.revoked_at).is_(None))
        .order_by(col(AccessToken.created_at).desc(), col(AccessToken.id).desc())
        .limit(MAX_TOKENS_PER_USER)
    ).all()
    return [_view(row) for row in rows]


def revoke_token(session: Session, user_id: int, token_id: object) -> TokenView:
    """Revokes one of the user's tokens at once; someone else's is "no longer exists"."""
    if isinstance(token_id, bool) or not isinstance(token_id, int) or not 0 < token_id <= MAX_ID:
        raise NotFoundError(TOKEN_GONE)
    row = session.get(AccessToken, token_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        raise NotFoundError(TOKEN_GONE)
    row.revoked_at = utcnow()
    session.add(row)
    session.flush()
    return _view(row)


def is_well_formed(presented: str) -> bool:
    return bool(_TOKEN_SHAPE.match(presented))


def authenticate(session: Session, presented: object, *, now: datetime | None = None) -> Grant:
    """Who a presented token acts for, or AuthenticationError with the reason. Records
    its use (to the minute)."""
    if not isinstance(presented, str) or not is_well_formed(presented):
        raise AuthenticationError(MALFORMED)
    # The columns it needs, not the entity: every API request runs this, and
    # building a model instance costs more than the query's round trip.
    row = session.execute(
        sa_select(
            col(AccessToken.id),
            col(AccessToken.user_id),
            col(AccessToken.scope),
            col(AccessToken.revoked_at),
            col(AccessToken.expires_at),
            col(AccessToken.last_used_at),
        ).where(col(AccessToken.token_hash) == digest(presented))
    ).first()
    if row is None or row.revoked_at is not None or row.id is None:
        raise AuthenticationError(NOT_VALID)
    moment = now or utcnow()
    if row.expires_at is not None and row.expires_at <= moment:
        raise AuthenticationError(EXPIRED)
    if row.last_used_at is None or moment - row.last_used_at >= LAST_USED_RESOLUTION:
        session.exec(
            update(AccessToken).where(col(AccessToken.id) == row.id).values(last_used_at=moment)
        )
    return Grant(user_id=row.user_id, token_id=row.id, scope=TokenScope(row.scope))
