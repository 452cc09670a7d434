"""Alembic environment: the schema is SQLModel.metadata, the URL comes from settings."""

from sqlmodel import SQLModel

from alembic import context
from todo_app.core import models  # noqa: F401  (registers the tables)
from todo_app.core.db import build_engine, check_sqlite_foreign_keys, sqlite_foreign_keys_off
from todo_app.settings import get_settings

target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=get_settings().effective_database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # todo_app.core.db.migrate passes its own connection (holding the lock).
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = build_engine(get_settings().effective_database_url)
    # As todo_app.core.db.migrate does: SQLite's foreign keys off while tables are rebuilt.
    with (
        engine.connect() as own_connection,
        sqlite_foreign_keys_off(own_connection),
        own_connection.begin(),
    ):
        _run(own_connection)
        check_sqlite_foreign_keys(own_connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
