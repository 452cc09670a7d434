"""Migration 0005 on a database with data in it (SQLite and PostgreSQL): every user gets an
Inbox, every todo lands in its owner's Inbox, nothing else changes, and running the data step
again changes nothing."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from alembic.config import Config
from sqlalchemy import Connection, Engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from alembic import command
from tests.support.databases import throwaway_postgres, throwaway_sqlite
from todo_app.core import lists, todos
from todo_app.core.db import build_engine, migrate
from todo_app.core.errors import NotFoundError, ValidationError
from todo_app.core.models import Subtask, Tag, Todo, TodoTag, User
from todo_app.settings import PROJECT_ROOT

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def _revision_0005() -> ModuleType:
    path = PROJECT_ROOT / "alembic" / "versions" / "0005_lists_and_sharing.py"
    spec = importlib.util.spec_from_file_location("revision_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def at_0004(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A fresh database of the session engine's kind, migrated up to 0004 only."""
    fresh = (
        throwaway_postgres() if engine.dialect.name == "postgresql" else throwaway_sqlite(tmp_path)
    )
    with fresh as url:
        old = build_engine(url)
        migrate(old, "0004")
        yield old
        old.dispose()


def _table(model: Any) -> Any:
    return model.__table__


def _seed(connection: Connection) -> dict[str, Any]:
    """Three users (one without todos), todos with tags, subtasks and a repeat link, written
    as rows of the 0004 schema (no list_id)."""
    users = connection.execute(
        insert(_table(User)).returning(_table(User).c.id, sort_by_parameter_order=True),
        [
            {"email": f"user{n}@example.com", "password_hash": "h", "created_at": T0}
            for n in range(3)
        ],
    ).scalars()
    first, second, _third = list(users)
    rows = [
        {
            "owner_id": owner,
            "title": f"{label} {n}",
            "description": "",
            "completed": n % 2 == 0,
            "priority": n % 4,
            "time_zone": "UTC",
            "due_date": date(2026, 2, n + 1),
            "created_at": T0 + timedelta(minutes=n),
            "updated_at": T0 + timedelta(minutes=n),
        }
        for owner, label in ((first, "first"), (second, "second"))
        for n in range(5)
    ]
    todo_table = _table(Todo)
    ids = list(
        connection.execute(
            insert(todo_table).returning(todo_table.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    connection.execute(
        todo_table.update().where(todo_table.c.id == ids[1]).values(previous_id=ids[0])
    )
    tag_ids = list(
        connection.execute(
            insert(_table(Tag)).returning(_table(Tag).c.id, sort_by_parameter_order=True),
            [{"owner_id": first, "name": "home"}, {"owner_id": second, "name": "work"}],
        ).scalars()
    )
    connection.execute(
        insert(_table(TodoTag)),
        [
            {"todo_id": ids[0], "tag_id": tag_ids[0]},
            {"todo_id": ids[2], "tag_id": tag_ids[0]},
            {"todo_id": ids[5], "tag_id": tag_ids[1]},
        ],
    )
    connection.execute(
        insert(_table(Subtask)),
        [
            {"todo_id": todo_id, "title": f"step {n}", "done": n == 0, "position": n}
            for todo_id in (ids[0], ids[6])
            for n in range(3)
        ],
    )
    return {"users": [first, second, _third], "todos": ids}


def _everything(connection: Connection) -> dict[str, Any]:
    """Every row that must survive, as plain values."""

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in connection.execute(text(sql)).all()]

    return {
        "users": rows("SELECT id, email FROM users ORDER BY id"),
        "todos": rows(
            "SELECT id, owner_id, title, completed, priority, due_date, previous_id "
            "FROM todos ORDER BY id"
        ),
        "subtasks": rows("SELECT id, todo_id, title, done, position FROM subtasks ORDER BY id"),
        "tags": rows("SELECT id, owner_id, name FROM tags ORDER BY id"),
        "todo_tags": rows("SELECT todo_id, tag_id FROM todo_tags ORDER BY todo_id, tag_id"),
    }


def test_every_todo_lands_in_its_owners_inbox_and_nothing_is_lost(at_0004: Engine) -> None:
    with at_0004.begin() as connection:
        seeded = _seed(connection)
        before = _everything(connection)

    migrate(at_0004)

    with at_0004.connect() as connection:
        assert _everything(connection) == before  # ids, links, subtasks, tags: all kept
        inboxes: dict[int, int] = dict(
            connection.execute(
                text("SELECT owner_id, id FROM lists WHERE is_inbox ORDER BY owner_id")
            ).all()
        )
        assert sorted(inboxes) == sorted(seeded["users"])  # the user without todos too
        names = connection.execute(text("SELECT DISTINCT name FROM lists")).scalars().all()
        assert names == ["Inbox"]
        placed = connection.execute(text("SELECT owner_id, list_id FROM todos")).all()
        assert len(placed) == 10 and all(inboxes[owner] == list_id for owner, list_id in placed)
        if connection.dialect.name == "sqlite":  # the rebuild left foreign keys enforced
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []

    list_id = next(c for c in inspect(at_0004).get_columns("todos") if c["name"] == "list_id")
    assert list_id["nullable"] is False
    indexes = {index["name"] for index in inspect(at_0004).get_indexes("todos")}
    assert {"ix_todos_list_created", "ix_todos_list_due", "ix_todos_owner_created"} <= indexes
    with pytest.raises(IntegrityError), at_0004.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO todos (owner_id, title, description, completed, priority, "
                "time_zone, created_at, updated_at) VALUES (:owner, 'no list', '', false, 0, "
                "'UTC', :now, :now)"
            ),
            {"owner": seeded["users"][0], "now": T0},
        )


def test_the_data_step_run_again_changes_nothing(at_0004: Engine) -> None:
    with at_0004.begin() as connection:
        _seed(connection)
    migrate(at_0004)
    with at_0004.connect() as connection:
        before = (_everything(connection), connection.execute(text("SELECT * FROM lists")).all())

    with at_0004.begin() as connection:
        assert _revision_0005().fill_inboxes(connection) == (0, 0)

    with at_0004.connect() as connection:
        after = (_everything(connection), connection.execute(text("SELECT * FROM lists")).all())
    assert after == before
    migrate(at_0004)  # and the migration as a whole is a no-op at head


def test_the_migrated_data_works_through_the_services(at_0004: Engine) -> None:
    with at_0004.begin() as connection:
        seeded = _seed(connection)
    migrate(at_0004)
    first = seeded["users"][0]
    with Session(at_0004) as session:
        (inbox,) = lists.visible_lists(session, first)
        assert inbox.name == "Inbox" and inbox.is_inbox
        assert todos.get_todo(session, first, seeded["todos"][0]).list_id == inbox.id
        with pytest.raises(ValidationError, match="Inbox cannot be deleted"):
            lists.delete_list(session, first, inbox.id)
        assert todos.create_todo(session, first, "After the migration").list_id == inbox.id
        with pytest.raises(NotFoundError):  # another user's todo, as before the migration
            todos.get_todo(session, seeded["users"][1], seeded["todos"][0])
        session.rollback()


def test_downgrade_and_upgrade_again_keep_every_todo(at_0004: Engine) -> None:
    with at_0004.begin() as connection:
        _seed(connection)
        before = _everything(connection)
    migrate(at_0004)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    with at_0004.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
        assert "lists" not in inspect(connection).get_table_names()
        assert _everything(connection) == before
    migrate(at_0004)
    with at_0004.connect() as connection:
        assert _everything(connection) == before
        assert connection.execute(select(text("count(*)")).select_from(text("lists"))).scalar() == 3
