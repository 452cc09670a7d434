"""Engine, sessions and schema migrations."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from alembic import command
from todo_app.observability.metrics import instrument_pool
from todo_app.settings import PROJECT_ROOT, Settings, get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Any constant works; it only has to be the same in every replica.
MIGRATION_LOCK_ID = 7_004_004
# A pooled connection is replaced once it is this old (seconds since it was
# opened), checked at checkout without a round trip. Under the idle timeouts of
# poolers and of Neon's suspended computes (5 minutes), so a connection rarely
# dies in the pool; one that does anyway (PostgreSQL restarted) is caught by
# in_transaction's one retry instead of a ping before every checkout.
POOL_RECYCLE_SECONDS = 240


def build_engine(url: str, settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    if url.startswith("sqlite"):
        database = url.split(":///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_seconds,
        # No pre-ping: it cost a round trip on every checkout (two per event).
        pool_recycle=POOL_RECYCLE_SECONDS,
        connect_args={"connect_timeout": 5},
    )
    event.listen(engine, "connect", _postgres_session_settings(settings.db_statement_timeout_ms))
    return engine


def _postgres_session_settings(statement_timeout_ms: int) -> Any:
    """SET on each new connection, not the startup ``options`` parameter.

    Poolers such as Neon's pooled endpoint (PgBouncer) refuse ``options`` at
    connect. A runaway query is cut off by the server, not left holding a
    worker. JIT compiling costs ~5 ms on every search count and never pays off
    for these small per-user queries (docs/performance.md). Behind a pooler in
    transaction mode the role defaults that migrate() sets do the same.
    """

    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()

    return apply


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return instrument_pool(build_engine(get_settings().effective_database_url))


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def in_transaction(operation: Callable[[Session], T], engine: Engine | None = None) -> T:
    """``operation(session)`` in one transaction, committed on success.

    A connection found dead while the operation runs (PostgreSQL restarted, a
    pooler dropped it) had committed nothing: SQLAlchemy then invalidates the
    pool and the operation runs once more on a fresh connection, so the user
    does not pay for the pool's stale connections. A failure of the commit
    itself is never retried (the commit may have happened), nor a second one.
    """
    for attempt in (1, 2):
        with Session(engine or get_engine(), expire_on_commit=False) as session:
            try:
                result = operation(session)
            except DBAPIError as error:
                session.rollback()
                if attempt == 1 and error.connection_invalidated:
                    log.warning("database connection lost; retrying on a fresh one")
                    continue
                raise
            except BaseException:
                session.rollback()
                raise
            session.commit()
            return result
    raise AssertionError("unreachable")  # the second attempt returns or raises


def migrate(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the schema to the newest revision; safe to run from many processes.

    Concurrent runs wait for each other (a PostgreSQL advisory lock, or a file
    lock beside a SQLite database), so a rollout of N replicas migrates once
    and the others find nothing to do. ``revision`` is for tests that need an
    older schema to migrate from.
    """
    engine = engine or get_engine()
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    with (
        _sqlite_file_lock(engine),
        engine.connect() as connection,
        sqlite_foreign_keys_off(connection),
        connection.begin(),
    ):
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.execute(text("SET LOCAL statement_timeout = 0"))  # DDL may take long
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        check_sqlite_foreign_keys(connection)
        if connection.dialect.name == "postgresql":
            _set_role_defaults(connection, get_settings().db_statement_timeout_ms)


@contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's way to rebuild a table (its "12 steps"): foreign keys off around the
    migration's transaction, since dropping the old table with them on would cascade
    to the rows that reference it. PRAGMA foreign_keys is ignored inside a
    transaction, so it is set before one begins and set back after it ends."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def check_sqlite_foreign_keys(connection: Connection) -> None:
    """Refuse (and roll back) a migration that left a row pointing nowhere: with
    foreign keys off, SQLite does not check them while the tables are rebuilt."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


def _set_role_defaults(connection: Any, statement_timeout_ms: int) -> None:
    """The app role's defaults in this database, for every new server connection.

    The per-connection SETs of build_engine do not survive a pooler in
    transaction mode (Neon's "-pooler" endpoint hands each transaction any
    server connection); role defaults apply to all of them. Scoped to this
    database, so the role's other databases are untouched.
    """
    preparer = connection.dialect.identifier_preparer
    database = preparer.quote(connection.execute(text("SELECT current_database()")).scalar_one())
    timeout = int(statement_timeout_ms)
    for setting in (f"statement_timeout = {timeout}", "jit = off"):
        connection.execute(text(f"ALTER ROLE CURRENT_USER IN DATABASE {database} SET {setting}"))


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
