"""Personal access tokens (todo_app/core/access_tokens.py) and migration 0006, on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from todo_app.core import access_tokens
from todo_app.core.access_tokens import TokenScope
from todo_app.core.errors import (
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from todo_app.core.models import AccessToken, utcnow


def test_a_new_token_is_shown_once_and_stored_only_as_its_hash(
    session: Session, alice: int
) -> None:
    new = access_tokens.create_token(session, alice, " CI  script ", "read-write", 30)
    assert new.secret.startswith("todo_pat_") and len(new.secret) == 52
    assert new.view.name == "CI script" and new.view.scope is TokenScope.READ_WRITE
    assert new.secret.startswith(new.view.prefix)
    row = session.exec(select(AccessToken)).one()
    assert row.token_hash == access_tokens.digest(new.secret)
    assert new.secret not in {row.token_hash, row.prefix, row.name}


def test_authenticate_names_the_user_and_scope_and_records_the_use(
    session: Session, alice: int
) -> None:
    new = access_tokens.create_token(session, alice, "reader", "read", None)
    grant = access_tokens.authenticate(session, new.secret)
    assert (grant.user_id, grant.token_id, grant.scope) == (alice, new.view.id, TokenScope.READ)
    session.expire_all()
    (view,) = access_tokens.list_tokens(session, alice)
    assert view.last_used_at is not None and view.expires_at is None


@pytest.mark.parametrize(
    "presented",
    ["", "Bearer x", "todo_pat_short", "todo_pat_" + "!" * 43, "ghp_" + "a" * 43, 42, None],
)
def test_a_malformed_token_is_refused_with_a_sentence(
    session: Session, alice: int, presented: object
) -> None:
    with pytest.raises(AuthenticationError, match="not an API token"):
        access_tokens.authenticate(session, presented)


def test_an_unknown_revoked_or_expired_token_is_refused(
    session: Session, alice: int, bob: int
) -> None:
    with pytest.raises(AuthenticationError, match="not valid"):
        access_tokens.authenticate(session, "todo_pat_" + "a" * 43)
    revoked = access_tokens.create_token(session, alice, "old", "read", 7)
    access_tokens.revoke_token(session, alice, revoked.view.id)
    with pytest.raises(AuthenticationError, match="not valid"):
        access_tokens.authenticate(session, revoked.secret)
    short = access_tokens.create_token(session, alice, "short", "read", 1)
    later = utcnow() + timedelta(days=1, seconds=1)
    with pytest.raises(AuthenticationError, match="expired"):
        access_tokens.authenticate(session, short.secret, now=later)


def test_only_the_owner_revokes_and_another_users_token_does_not_exist(
    session: Session, alice: int, bob: int
) -> None:
    new = access_tokens.create_token(session, alice, "mine", "read", 7)
    for wrong in (bob,):
        with pytest.raises(NotFoundError, match="no longer exists"):
            access_tokens.revoke_token(session, wrong, new.view.id)
    for junk in (0, -1, 2**40, True, "1", None):
        with pytest.raises(NotFoundError):
            access_tokens.revoke_token(session, alice, junk)
    access_tokens.revoke_token(session, alice, new.view.id)
    assert access_tokens.list_tokens(session, alice) == []
    with pytest.raises(NotFoundError):  # revoking twice
        access_tokens.revoke_token(session, alice, new.view.id)


def test_a_read_token_may_not_write() -> None:
    grant = access_tokens.Grant(user_id=1, token_id=1, scope=TokenScope.READ)
    with pytest.raises(ForbiddenError, match="can only read"):
        grant.require_write()
    access_tokens.Grant(1, 1, TokenScope.READ_WRITE).require_write()


@pytest.mark.parametrize(
    ("name", "scope", "days", "message"),
    [
        ("", "read", 7, "give the token a name"),
        ("x" * 101, "read", 7, "at most 100"),
        (["a"], "read", 7, "must be text"),
        ("ok", "admin", 7, "read or read-write"),
        ("ok", None, 7, "read or read-write"),
        ("ok", "read", 0, "from 1 to 366"),
        ("ok", "read", 10_000, "from 1 to 366"),
        ("ok", "read", "30", "from 1 to 366"),
        ("ok", "read", True, "from 1 to 366"),
    ],
)
def test_bad_input_is_refused_with_a_sentence(
    session: Session, alice: int, name: object, scope: object, days: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        access_tokens.create_token(session, alice, name, scope, days)


def test_tokens_per_user_are_bounded(session: Session, alice: int, bob: int) -> None:
    for number in range(access_tokens.MAX_TOKENS_PER_USER):
        access_tokens.create_token(session, alice, f"t{number}", "read", 7)
    with pytest.raises(ValidationError, match="at most 50 tokens"):
        access_tokens.create_token(session, alice, "one more", "read", 7)
    access_tokens.create_token(session, bob, "bob's first", "read", 7)  # per user
    assert len(access_tokens.list_tokens(session, alice)) == access_tokens.MAX_TOKENS_PER_USER


def test_migration_0006_matches_the_models(db: Engine) -> None:
    ours = {"access_tokens", "calendar_feeds"}
    with db.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    touching = [diff for diff in diffs if any(table in repr(diff) for table in ours)]
    assert touching == []
