"""Two users for the core tests (each test runs on SQLite and on PostgreSQL)."""

import pytest
from sqlmodel import Session

from todo_app.core import accounts, lists
from todo_app.core.models import User


def make_user(session: Session, email: str) -> int:
    """An account with its Inbox, as sign-up makes it, without the cost of hashing a
    password (the role tests make many)."""
    user = User(email=email, password_hash="not-a-real-hash")
    session.add(user)
    session.flush()
    assert user.id is not None
    lists.ensure_inbox(session, user.id)
    return user.id


@pytest.fixture
def alice(session: Session) -> int:
    user = accounts.sign_up(session, "alice@example.com", "password-a")
    assert user.id is not None
    return user.id


@pytest.fixture
def bob(session: Session) -> int:
    user = accounts.sign_up(session, "bob@example.com", "password-b")
    assert user.id is not None
    return user.id
