"""Fixtures shared by every layer of the suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from tests.support.databases import throwaway_postgres, throwaway_sqlite
from tests.support.live_app import LiveApp, reflex_dev_app
from todo_app.core.db import build_engine, migrate, session_scope


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of each kind; core tests run once on each."""
    if request.param == "sqlite":
        context = throwaway_sqlite(tmp_path_factory.mktemp("sqlite"))
    else:
        context = throwaway_postgres()
    with context as url:
        db_engine = build_engine(url)
        migrate(db_engine)
        yield db_engine
        db_engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The engine, emptied after the test so tests stay independent."""
    yield engine
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM todos"))
        connection.execute(text("DELETE FROM users"))


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    with session_scope(db) as db_session:
        yield db_session


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The real app (``reflex run``) on a throwaway PostgreSQL database."""
    log = tmp_path_factory.mktemp("live-app") / "reflex.log"
    with throwaway_postgres() as database_url, reflex_dev_app(database_url, log) as app:
        yield app
