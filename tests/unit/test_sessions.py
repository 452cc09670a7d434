"""Login sessions: tokens that can end (todo_app/core/sessions.py), and the
account controls that end them (todo_app/core/accounts.py). Each runs on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from todo_app.core import accounts, sessions, todos
from todo_app.core.errors import AuthenticationError, ValidationError
from todo_app.core.models import AssistantMessage, LoginSession, Todo, User, utcnow
from todo_app.core.security import verify_token

SECRET = "s" * 48
WEEK = timedelta(days=7)


def test_a_new_session_is_active_for_its_user_only(session: Session, alice: int, bob: int) -> None:
    row = sessions.start(session, alice, WEEK)
    assert sessions.is_active(session, row.id, alice)
    assert not sessions.is_active(session, row.id, bob)
    assert not sessions.is_active(session, "no-such-session", alice)


def test_log_in_issues_a_token_naming_its_session(session: Session, alice: int) -> None:
    token = sessions.log_in(session, alice, SECRET, WEEK)
    claims = verify_token(token, SECRET)
    assert claims.user_id == alice
    assert sessions.is_active(session, claims.session_id, alice)


def test_an_ended_session_stays_ended(session: Session, alice: int) -> None:
    row = sessions.start(session, alice, WEEK)
    sessions.end(session, row.id)
    assert not sessions.is_active(session, row.id, alice)


def test_an_expired_session_is_not_active(session: Session, alice: int) -> None:
    row = sessions.start(session, alice, timedelta(minutes=5))
    assert not sessions.is_active(session, row.id, alice, now=utcnow() + timedelta(minutes=6))


def test_end_all_ends_only_that_users_sessions(session: Session, alice: int, bob: int) -> None:
    mine = [sessions.start(session, alice, WEEK).id for _ in range(3)]
    theirs = sessions.start(session, bob, WEEK).id
    ended = sessions.end_all(session, alice)
    assert sorted(ended) == sorted(mine)
    assert not any(sessions.is_active(session, sid, alice) for sid in mine)
    assert sessions.is_active(session, theirs, bob)


def test_changing_the_password_needs_the_current_one(session: Session, alice: int) -> None:
    row = sessions.start(session, alice, WEEK)
    with pytest.raises(ValidationError, match="current password is not correct"):
        accounts.change_password(session, alice, "wrong password", "a new password")
    assert sessions.is_active(session, row.id, alice)
    assert accounts.authenticate(session, "alice@example.com", "password-a").id == alice


def test_changing_the_password_ends_every_session(session: Session, alice: int) -> None:
    row = sessions.start(session, alice, WEEK)
    accounts.change_password(session, alice, "password-a", "a new password")
    assert not sessions.is_active(session, row.id, alice)
    assert accounts.authenticate(session, "alice@example.com", "a new password").id == alice
    with pytest.raises(AuthenticationError):
        accounts.authenticate(session, "alice@example.com", "password-a")


def test_a_weak_new_password_changes_nothing(session: Session, alice: int) -> None:
    row = sessions.start(session, alice, WEEK)
    with pytest.raises(ValidationError, match="at least"):
        accounts.change_password(session, alice, "password-a", "short")
    assert sessions.is_active(session, row.id, alice)


def test_deleting_the_account_removes_every_row_of_the_user(
    session: Session, alice: int, bob: int
) -> None:
    todos.create_todo(session, alice, "mine")
    todos.create_todo(session, bob, "theirs")
    session.add(AssistantMessage(owner_id=alice, role="user", content="hello"))
    row_id = sessions.start(session, alice, WEEK).id
    with pytest.raises(ValidationError):
        accounts.delete_account(session, alice, "wrong password")
    assert session.get(User, alice) is not None

    accounts.delete_account(session, alice, "password-a")
    session.expire_all()
    assert session.get(User, alice) is None
    assert session.exec(select(Todo).where(Todo.owner_id == alice)).all() == []
    messages = select(AssistantMessage).where(AssistantMessage.owner_id == alice)
    assert session.exec(messages).all() == []
    assert session.get(LoginSession, row_id) is None
    assert [t.title for t in session.exec(select(Todo).where(Todo.owner_id == bob))] == ["theirs"]


def test_a_deleted_users_id_is_never_given_to_a_new_account(session: Session, alice: int) -> None:
    accounts.delete_account(session, alice, "password-a")
    newcomer = accounts.sign_up(session, "carol@example.com", "password-c")
    assert newcomer.id is not None and newcomer.id > alice
    if session.get_bind().dialect.name == "sqlite":
        sql = session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'users'")
        ).scalar_one()
        assert "AUTOINCREMENT" in sql


def test_recently_active_forgets_after_its_ttl_and_stays_bounded() -> None:
    now = [0.0]
    cache = sessions.RecentlyActive(ttl=5, max_entries=3, clock=lambda: now[0])
    cache.remember("a", 1)
    assert cache.confirms("a", 1)
    assert not cache.confirms("a", 2)  # another user's id never matches
    now[0] = 6
    assert not cache.confirms("a", 1)
    for key in "bcde":
        cache.remember(key, 1)
    assert not cache.confirms("b", 1)  # the oldest went first
    assert cache.confirms("e", 1)
    cache.forget("e")
    assert not cache.confirms("e", 1)
