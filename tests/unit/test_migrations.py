import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, inspect

from tests.support.databases import throwaway_postgres, throwaway_sqlite
from todo_app.core.db import build_engine, migrate


def test_migrations_are_idempotent(db: Engine) -> None:
    migrate(db)
    migrate(db)
    tables = set(inspect(db).get_table_names())
    assert {"users", "todos", "alembic_version"} <= tables


def test_concurrent_migrations_from_several_processes_agree(engine: Engine, tmp_path: Path) -> None:
    """Replicas starting together on an empty database: one migrates, none fails."""
    fresh = (
        throwaway_postgres() if engine.dialect.name == "postgresql" else throwaway_sqlite(tmp_path)
    )
    with fresh as url:
        env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "local"}
        processes = [
            subprocess.Popen([sys.executable, "-m", "todo_app.migrate"], env=env) for _ in range(3)
        ]
        assert [process.wait(timeout=120) for process in processes] == [0, 0, 0]
        migrated = build_engine(url)
        try:
            assert {"users", "todos"} <= set(inspect(migrated).get_table_names())
        finally:
            migrated.dispose()
