"""The pool has no pre-ping: a pooled connection that the server has dropped
(PostgreSQL restarted, a pooler's idle timeout) costs the user nothing, since
in_transaction runs the operation once more on a fresh connection. Only then."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from tests.support.databases import POSTGRES_ADMIN_URL, throwaway_postgres
from todo_app.core.db import build_engine, in_transaction


@pytest.fixture
def engine() -> Iterator[Engine]:
    with throwaway_postgres() as url:
        built = build_engine(url)
        yield built
        built.dispose()


def _backend_pid(session: Session) -> int:
    return int(session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _drop_every_connection(engine: Engine) -> None:
    """What a PostgreSQL restart does to the pool's idle connections."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": engine.url.database},
            )
    finally:
        admin.dispose()


def test_the_pool_does_not_ping_before_each_checkout(engine: Engine) -> None:
    assert not engine.pool._pre_ping
    assert 0 < engine.pool._recycle <= 300


def test_a_dropped_connection_is_retried_once_on_a_fresh_one(engine: Engine) -> None:
    first = in_transaction(_backend_pid, engine)
    _drop_every_connection(engine)
    attempts: list[int] = []

    def operation(session: Session) -> int:
        attempts.append(1)
        session.connection().exec_driver_sql("CREATE TABLE IF NOT EXISTS marks (n int)")
        session.connection().exec_driver_sql("INSERT INTO marks VALUES (1)")
        return _backend_pid(session)

    second = in_transaction(operation, engine)
    assert len(attempts) == 2  # the first found the connection dead
    assert second != first
    with engine.connect() as connection:  # committed once, by the second attempt
        assert connection.exec_driver_sql("SELECT count(*) FROM marks").scalar_one() == 1


def test_other_errors_and_a_second_failure_are_not_retried(engine: Engine) -> None:
    attempts: list[int] = []

    def broken(session: Session) -> None:
        attempts.append(1)
        session.connection().exec_driver_sql("SELECT * FROM no_such_table")

    with pytest.raises(DBAPIError):
        in_transaction(broken, engine)
    assert len(attempts) == 1

    def always_dropped(session: Session) -> None:
        attempts.append(1)
        _backend_pid(session)
        _drop_every_connection(engine)  # this one too, as if the server kept going away
        session.connection().exec_driver_sql("SELECT 1")

    attempts.clear()
    with pytest.raises(OperationalError):
        in_transaction(always_dropped, engine)
    assert len(attempts) == 2
