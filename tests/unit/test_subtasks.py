import pytest
from sqlmodel import Session

from todo_app.core import accounts, subtasks, todos
from todo_app.core.errors import NotFoundError, ValidationError
from todo_app.core.models import utcnow
from todo_app.core.queries import TodoQuery, find_todos


@pytest.fixture
def owner(session: Session) -> int:
    user = accounts.sign_up(session, "lists@example.com", "password!")
    assert user.id is not None
    return user.id


def test_checklist_and_progress(session: Session, owner: int) -> None:
    todo = todos.create_todo(session, owner, "Move house")
    items = [subtasks.add_subtask(session, owner, todo.id, f" step {n} ") for n in range(5)]
    subtasks.set_subtask_done(session, owner, items[0].id, True)
    subtasks.set_subtask_done(session, owner, items[3].id, True)
    assert [s.title for s in subtasks.list_subtasks(session, owner, todo.id)] == [
        f"step {n}" for n in range(5)
    ]
    (view,) = find_todos(session, owner, TodoQuery(), utcnow(), "UTC").items
    assert (view.subtasks_done, view.subtasks_total) == (2, 5)
    subtasks.delete_subtask(session, owner, items[1].id)
    (view,) = find_todos(session, owner, TodoQuery(), utcnow(), "UTC").items
    assert (view.subtasks_done, view.subtasks_total) == (2, 4)


def test_subtask_titles_follow_the_title_rules(session: Session, owner: int) -> None:
    todo = todos.create_todo(session, owner, "Trip")
    with pytest.raises(ValidationError):
        subtasks.add_subtask(session, owner, todo.id, "   ")
    with pytest.raises(ValidationError):
        subtasks.add_subtask(session, owner, todo.id, "x" * 501)


def test_another_user_cannot_touch_subtasks(session: Session, owner: int) -> None:
    other = accounts.sign_up(session, "snoop@example.com", "password!")
    assert other.id is not None
    todo = todos.create_todo(session, owner, "Private")
    item = subtasks.add_subtask(session, owner, todo.id, "secret step")
    with pytest.raises(NotFoundError):
        subtasks.list_subtasks(session, other.id, todo.id)
    with pytest.raises(NotFoundError):
        subtasks.add_subtask(session, other.id, todo.id, "sneaky")
    with pytest.raises(NotFoundError):
        subtasks.set_subtask_done(session, other.id, item.id, True)
    with pytest.raises(NotFoundError):
        subtasks.delete_subtask(session, other.id, item.id)
    assert not subtasks.list_subtasks(session, owner, todo.id)[0].done
