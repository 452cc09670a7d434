"""Per-connection PostgreSQL settings, set without the startup ``options``
parameter that Neon's pooled endpoint (PgBouncer) refuses."""

from __future__ import annotations

from sqlalchemy import text

from tests.support.databases import throwaway_postgres
from todo_app.core.db import build_engine
from todo_app.settings import Settings


def test_statement_timeout_and_jit_are_set_on_each_connection() -> None:
    with throwaway_postgres() as url:
        engine = build_engine(url, Settings(db_statement_timeout_ms=1234))
        try:
            assert "options" not in str(engine.url)
            with engine.connect() as connection:
                assert connection.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
                assert connection.execute(text("SHOW jit")).scalar() == "off"
                # the timeout really cuts a statement off
                try:
                    connection.execute(text("SELECT pg_sleep(3)"))
                except Exception as error:
                    assert "statement timeout" in str(error)
                else:
                    raise AssertionError("a 3 s statement outlived a 1.2 s timeout")
        finally:
            engine.dispose()


def test_migrate_gives_the_role_the_same_defaults_for_pooled_connections() -> None:
    """A connection opened without our per-connection SETs (as a transaction-mode
    pooler's server connection is) still gets the timeout and jit=off."""
    from sqlalchemy import create_engine

    from todo_app.core.db import migrate

    with throwaway_postgres() as url:
        engine = build_engine(url, Settings(db_statement_timeout_ms=4321))
        plain = create_engine(url)
        try:
            migrate(engine)
            with plain.connect() as connection:
                assert connection.execute(text("SHOW statement_timeout")).scalar() == "5s"
                assert connection.execute(text("SHOW jit")).scalar() == "off"
        finally:
            engine.dispose()
            plain.dispose()
