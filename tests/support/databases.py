"""Throwaway databases: a fresh SQLite file or a fresh PostgreSQL database per use."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

# The machines (and CI) run PostgreSQL on 127.0.0.1 with trust auth; override
# for another server. There is deliberately no skip when it is unreachable.
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Create a uniquely named database, yield its URL, drop it afterwards."""
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield (
                make_url(POSTGRES_ADMIN_URL)
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def throwaway_sqlite(directory: Path) -> Iterator[str]:
    path = directory / f"todo_test_{uuid.uuid4().hex[:12]}.db"
    try:
        yield f"sqlite:///{path}"
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def todo_completed(database_url: str, title: str) -> bool:
    """Whether the one todo with this title is completed, read from the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return bool(
                connection.execute(
                    text("SELECT completed FROM todos WHERE title = :t"), {"t": title}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def wait_until_blocked(engine: Engine, statement_like: str, timeout: float = 10) -> None:
    """Until a statement of the app (``LIKE statement_like``) waits on a lock a test
    holds: the event that runs it is provably mid-flight. TimeoutError otherwise."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND query LIKE :pattern"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # A new transaction each time: pg_stat_activity is a per-transaction snapshot.
        with engine.connect() as connection:
            if connection.execute(query, {"pattern": statement_like}).scalar_one():
                return
        time.sleep(0.05)
    raise TimeoutError(f"no statement like {statement_like!r} came to wait on the lock")
