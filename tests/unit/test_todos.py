import pytest
from sqlmodel import Session, select

from todo_app.core import queries, todos
from todo_app.core.errors import NotFoundError, ValidationError
from todo_app.core.models import Todo, User


def test_create_trims_the_title(session: Session, alice: int) -> None:
    todo = todos.create_todo(session, alice, "  Buy milk  ", "  two litres ")
    assert (todo.title, todo.description, todo.completed) == ("Buy milk", "two litres", False)


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_empty_title_is_refused_and_nothing_is_written(
    session: Session, alice: int, title: str
) -> None:
    with pytest.raises(ValidationError, match="title"):
        todos.create_todo(session, alice, title)
    assert session.exec(select(Todo)).all() == []


def test_title_limits_are_500_characters(session: Session, alice: int) -> None:
    assert len(todos.create_todo(session, alice, "x" * 500).title) == 500
    with pytest.raises(ValidationError, match="at most 500"):
        todos.create_todo(session, alice, "x" * 501)
    assert len(session.exec(select(Todo)).all()) == 1


def test_description_limit_is_10000_characters(session: Session, alice: int) -> None:
    todos.create_todo(session, alice, "ok", "d" * 10_000)
    with pytest.raises(ValidationError, match="10000"):
        todos.create_todo(session, alice, "too long", "d" * 10_001)


@pytest.mark.parametrize("title", [None, 42, ["a"], {"t": 1}])
def test_non_text_title_is_refused(session: Session, alice: int, title: object) -> None:
    with pytest.raises(ValidationError):
        todos.create_todo(session, alice, title)


def test_list_is_newest_first_and_only_the_owners(session: Session, alice: int, bob: int) -> None:
    for title in ("first", "second", "third"):
        todos.create_todo(session, alice, title)
    todos.create_todo(session, bob, "bob's")
    page = queries.list_todos(session, alice)
    assert [v.todo.title for v in page.items] == ["third", "second", "first"]
    assert page.total == 3
    assert not page.has_more


def test_list_is_paginated(session: Session, alice: int) -> None:
    for n in range(7):
        todos.create_todo(session, alice, f"todo {n}")
    first = queries.list_todos(session, alice, limit=3)
    rest = queries.list_todos(session, alice, limit=3, offset=6)
    assert [v.todo.title for v in first.items] == ["todo 6", "todo 5", "todo 4"]
    assert first.has_more and first.total == 7
    assert [v.todo.title for v in rest.items] == ["todo 0"] and not rest.has_more


def test_complete_and_uncomplete(session: Session, alice: int) -> None:
    todo = todos.create_todo(session, alice, "toggle me")
    assert todos.set_completed(session, alice, todo.id, True).completed
    assert not todos.set_completed(session, alice, todo.id, False).completed


def test_completed_must_be_a_boolean(session: Session, alice: int) -> None:
    todo = todos.create_todo(session, alice, "strict")
    with pytest.raises(ValidationError):
        todos.set_completed(session, alice, todo.id, "yes")


def test_update_changes_title_and_description(session: Session, alice: int) -> None:
    todo = todos.create_todo(session, alice, "old")
    updated = todos.update_todo(session, alice, todo.id, title=" new ", description="notes")
    assert (updated.title, updated.description) == ("new", "notes")
    assert updated.updated_at >= updated.created_at


def test_invalid_update_changes_nothing(session: Session, alice: int) -> None:
    todo = todos.create_todo(session, alice, "keep me", "and me")
    with pytest.raises(ValidationError):
        todos.update_todo(session, alice, todo.id, title="fine", description="d" * 10_001)
    session.expire_all()
    stored = todos.get_todo(session, alice, todo.id)
    assert (stored.title, stored.description) == ("keep me", "and me")


def test_delete(session: Session, alice: int) -> None:
    todo = todos.create_todo(session, alice, "bye")
    todos.delete_todo(session, alice, todo.id)
    with pytest.raises(NotFoundError):
        todos.get_todo(session, alice, todo.id)


def test_another_user_cannot_read_change_or_delete(session: Session, alice: int, bob: int) -> None:
    todo = todos.create_todo(session, alice, "alice's secret", "private")
    with pytest.raises(NotFoundError):
        todos.get_todo(session, bob, todo.id)
    with pytest.raises(NotFoundError):
        todos.update_todo(session, bob, todo.id, title="pwned")
    with pytest.raises(NotFoundError):
        todos.set_completed(session, bob, todo.id, True)
    with pytest.raises(NotFoundError):
        todos.delete_todo(session, bob, todo.id)
    assert queries.list_todos(session, bob).items == []
    session.expire_all()
    stored = todos.get_todo(session, alice, todo.id)
    assert (stored.title, stored.completed) == ("alice's secret", False)


@pytest.mark.parametrize("todo_id", [0, -1, True, "1", 1.0, None, [1]])
def test_malformed_ids_are_not_found(session: Session, alice: int, todo_id: object) -> None:
    todos.create_todo(session, alice, "one")
    with pytest.raises(NotFoundError):
        todos.get_todo(session, alice, todo_id)


def test_deleting_a_user_deletes_their_todos(session: Session, alice: int) -> None:
    todos.create_todo(session, alice, "orphan?")
    user = session.get(User, alice)
    session.delete(user)
    session.flush()
    assert session.exec(select(Todo)).all() == []
