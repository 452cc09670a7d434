"""Every role on a shared list against every operation, through the core services (each test
runs on SQLite and on PostgreSQL).

The owner and editors read and write the list's todos, viewers read them, and a stranger or a
removed member gets the answer of a list that does not exist. Only the owner renames, deletes
or shares the list. A refused operation changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session, col, select

from tests.unit.conftest import make_user
from todo_app.core import bulk, export, lists, queries, subtasks, tags, todos
from todo_app.core.errors import DomainError, ForbiddenError, NotFoundError
from todo_app.core.list_access import VIEW_ONLY
from todo_app.core.models import ListMember, Subtask, Todo, TodoList, TodoTag

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ROLES = ("owner", "editor", "viewer", "stranger", "removed")


@dataclass
class World:
    """Alice's list "Family" with a tagged todo that has a subtask; Carol views it; the
    actor is Alice herself (owner) or Bob in the role under test."""

    role: str
    owner: int
    actor: int
    carol: int
    list_id: int
    todo_id: int
    subtask_id: int
    actor_inbox: int
    actor_todo_id: int  # a todo in the actor's own Inbox


@pytest.fixture(params=ROLES)
def world(request: pytest.FixtureRequest, session: Session) -> World:
    role: str = request.param
    alice = make_user(session, "alice@example.com")
    bob = make_user(session, "bob@example.com")
    carol = make_user(session, "carol@example.com")
    family = lists.create_list(session, alice, "Family")
    todo = todos.create_todo(
        session, alice, "Milk", list_id=family.id, fields=todos.clean_fields(tags=["dairy"])
    )
    assert todo.id is not None
    step = subtasks.add_subtask(session, alice, todo.id, "Check the fridge")
    lists.share_list(session, alice, family.id, "carol@example.com", "viewer")
    actor = alice if role == "owner" else bob
    if role in ("editor", "viewer"):
        lists.share_list(session, alice, family.id, "bob@example.com", role)
    if role == "removed":
        lists.share_list(session, alice, family.id, "bob@example.com", "editor")
        lists.remove_member(session, alice, family.id, bob)
    inbox = lists.ensure_inbox(session, actor)
    own = todos.create_todo(session, actor, "Actor's own")
    assert inbox.id is not None and own.id is not None and step.id is not None
    return World(role, alice, actor, carol, family.id, todo.id, step.id, inbox.id, own.id)


def fingerprint(session: Session, world: World) -> Any:
    """Everything an operation could change, read afresh from the database."""
    session.expire_all()
    the_list = session.get(TodoList, world.list_id)
    rows = session.exec(select(Todo).order_by(col(Todo.id))).all()
    return (
        (the_list.name, the_list.position) if the_list else None,
        sorted(session.exec(select(ListMember.list_id, ListMember.user_id, ListMember.role)).all()),
        [
            (t.id, t.list_id, t.owner_id, t.title, t.completed, t.priority, t.updated_at)
            for t in rows
        ],
        sorted(
            session.exec(select(Subtask.id, Subtask.todo_id, Subtask.title, Subtask.done)).all()
        ),
        sorted(session.exec(select(TodoTag.todo_id, TodoTag.tag_id)).all()),
        [(t.id, t.name) for t in session.exec(select(TodoList).order_by(col(TodoList.id))).all()],
    )


Operation = Callable[[Session, World], object]


def _snapshot_of(session: Session, world: World) -> todos.TodoSnapshot:
    (snapshot,) = todos.snapshots(session, col(Todo.id) == world.todo_id)
    return snapshot


READS: dict[str, Operation] = {
    "read the todo": lambda s, w: todos.get_todo(s, w.actor, w.todo_id),
    "open the list": lambda s, w: queries.find_todos(
        s, w.actor, queries.TodoQuery(list_id=w.list_id), NOW, "UTC"
    ),
    "search the list": lambda s, w: queries.find_todos(
        s, w.actor, queries.TodoQuery(list_id=w.list_id, search="milk"), NOW, "UTC"
    ),
    "filter by tag": lambda s, w: queries.find_todos(
        s, w.actor, queries.TodoQuery(list_id=w.list_id, tag="dairy"), NOW, "UTC"
    ),
    "read subtasks": lambda s, w: subtasks.list_subtasks(s, w.actor, w.todo_id),
    "read the list's tags": lambda s, w: tags.list_tags(s, w.actor, list_id=w.list_id),
    "export JSON": lambda s, w: export.export_json(s, w.actor, list_id=w.list_id),
    "export CSV": lambda s, w: export.export_csv(s, w.actor, list_id=w.list_id),
    "read members": lambda s, w: lists.members(s, w.actor, w.list_id),
    "read the list": lambda s, w: lists.get_list(s, w.actor, w.list_id),
    "role": lambda s, w: lists.role_in(s, w.actor, w.list_id),
}

WRITES: dict[str, Operation] = {
    "add a todo": lambda s, w: todos.create_todo(s, w.actor, "Bread", list_id=w.list_id),
    "edit": lambda s, w: todos.update_todo(s, w.actor, w.todo_id, title="Oat milk"),
    "set tags": lambda s, w: todos.update_todo(
        s, w.actor, w.todo_id, fields=todos.clean_fields(tags=["vegan"])
    ),
    "complete": lambda s, w: todos.set_completed(s, w.actor, w.todo_id, True),
    "reopen": lambda s, w: todos.reopen(s, w.actor, w.todo_id),
    "delete": lambda s, w: todos.delete_todo(s, w.actor, w.todo_id),
    "undo a delete": lambda s, w: todos.restore(s, w.actor, _snapshot_of(s, w)),
    "move out": lambda s, w: todos.move_todo(s, w.actor, w.todo_id, w.actor_inbox),
    "move in": lambda s, w: todos.move_todo(s, w.actor, w.actor_todo_id, w.list_id),
    "add a subtask": lambda s, w: subtasks.add_subtask(s, w.actor, w.todo_id, "Buy two"),
    "tick a subtask": lambda s, w: subtasks.set_subtask_done(s, w.actor, w.subtask_id, True),
    "delete a subtask": lambda s, w: subtasks.delete_subtask(s, w.actor, w.subtask_id),
    "bulk complete": lambda s, w: bulk.complete_all(s, w.actor, [w.todo_id]),
    "bulk delete": lambda s, w: bulk.delete_all(s, w.actor, [w.todo_id]),
    "bulk tag": lambda s, w: bulk.tag_all(s, w.actor, [w.todo_id], "urgent"),
    "bulk move out": lambda s, w: bulk.move_all(s, w.actor, [w.todo_id], w.actor_inbox),
    "bulk move in": lambda s, w: bulk.move_all(s, w.actor, [w.actor_todo_id], w.list_id),
}

OWNER_ONLY: dict[str, Operation] = {
    "rename the list": lambda s, w: lists.rename_list(s, w.actor, w.list_id, "Home"),
    "delete the list": lambda s, w: lists.delete_list(s, w.actor, w.list_id),
    "share the list": lambda s, w: lists.share_list(
        s, w.actor, w.list_id, "dave@example.com", "editor"
    ),
    "change a role": lambda s, w: lists.set_member_role(s, w.actor, w.list_id, w.carol, "editor"),
    "remove a member": lambda s, w: lists.remove_member(s, w.actor, w.list_id, w.carol),
}


def expected(kind: str, role: str) -> type[DomainError] | None:
    if role in ("stranger", "removed"):
        return NotFoundError  # the list is not revealed
    if kind == "read" or role == "owner" or (kind == "write" and role == "editor"):
        return None
    return ForbiddenError


CASES = [
    *(pytest.param("read", name, id=name) for name in READS),
    *(pytest.param("write", name, id=name) for name in WRITES),
    *(pytest.param("owner", name, id=name) for name in OWNER_ONLY),
]


@pytest.mark.parametrize(("kind", "name"), CASES)
def test_each_role_may_do_exactly_what_its_role_allows(
    session: Session, world: World, kind: str, name: str
) -> None:
    make_user(session, "dave@example.com")  # someone to share with
    operation = {**READS, **WRITES, **OWNER_ONLY}[name]
    error = expected(kind, world.role)
    before = fingerprint(session, world)
    if error is None:
        operation(session, world)
        if kind != "read":
            assert fingerprint(session, world) != before, "an allowed change changed nothing"
        else:
            assert fingerprint(session, world) == before, "a read changed something"
        return
    with pytest.raises(error) as caught:
        operation(session, world)
    if error is NotFoundError:
        assert "no longer exists" in str(caught.value)  # the sentence of a missing thing
    elif kind == "write":
        assert str(caught.value) == VIEW_ONLY
    else:
        assert str(caught.value).startswith("Only the list's owner can")
    assert fingerprint(session, world) == before, "a refused operation changed something"


def test_a_member_sees_shared_todos_in_all_lists_with_their_rights(
    session: Session, world: World
) -> None:
    page = queries.find_todos(session, world.actor, queries.TodoQuery(), NOW, "UTC")
    shown = {view.todo.id: view.can_edit for view in page.items}
    assert shown[world.actor_todo_id] is True  # their own Inbox
    if world.role in ("stranger", "removed"):
        assert world.todo_id not in shown and page.total == 1
    else:
        assert shown[world.todo_id] is (world.role != "viewer")
        assert page.total == 2


def test_search_and_tag_filter_across_lists_reach_shared_todos(
    session: Session, world: World
) -> None:
    def found(**query: Any) -> set[int | None]:
        page = queries.find_todos(session, world.actor, queries.TodoQuery(**query), NOW, "UTC")
        return {view.todo.id for view in page.items}

    sees = world.role not in ("stranger", "removed")
    assert (world.todo_id in found(search="milk")) is sees
    assert (world.todo_id in found(search="dairy")) is sees  # the owner's tag, by name
    assert (world.todo_id in found(tag="dairy")) is sees
    assert world.actor_todo_id in found(search="own")


def test_reminders_cover_the_lists_shared_with_the_user(session: Session, world: World) -> None:
    todo = session.get(Todo, world.todo_id)
    assert todo is not None
    todo.due_at, todo.due_date = NOW, NOW.date()
    session.add(todo)
    session.flush()
    reminded = {row[0] for row in queries.upcoming_reminders(session, world.actor, NOW)}
    assert (world.todo_id in reminded) is (world.role not in ("stranger", "removed"))


def test_export_of_all_lists_carries_shared_lists_only_to_who_sees_them(
    session: Session, world: World
) -> None:
    document = export.export_json(session, world.actor)
    titles = {entry["title"]: entry["list"] for entry in json.loads(document)["todos"]}
    if world.role in ("stranger", "removed"):
        assert titles == {"Actor's own": "Inbox"}
        assert "Family" not in document and "Milk" not in document
    else:
        assert titles == {"Actor's own": "Inbox", "Milk": "Family"}


def test_leaving_is_for_members_only(session: Session, world: World) -> None:
    if world.role == "owner":
        with pytest.raises(DomainError, match="delete it instead of leaving"):
            lists.leave_list(session, world.actor, world.list_id)
        return
    if world.role in ("stranger", "removed"):
        with pytest.raises(NotFoundError, match="no longer exists"):
            lists.leave_list(session, world.actor, world.list_id)
        return
    lists.leave_list(session, world.actor, world.list_id)
    with pytest.raises(NotFoundError):
        todos.get_todo(session, world.actor, world.todo_id)
    assert todos.get_todo(session, world.owner, world.todo_id).title == "Milk"  # it stays
    assert [view.name for view in lists.visible_lists(session, world.actor)] == ["Inbox"]


def test_audience_is_the_owner_and_current_members(session: Session, world: World) -> None:
    expected_users = {world.owner, world.carol}
    if world.role in ("editor", "viewer"):
        expected_users.add(world.actor)
    assert lists.audience(session, world.list_id) == expected_users
