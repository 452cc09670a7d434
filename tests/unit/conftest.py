"""Two users for the core tests (each test runs on SQLite and on PostgreSQL)."""

import pytest
from sqlmodel import Session

from todo_app.core import accounts


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
