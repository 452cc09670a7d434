"""Subtasks: a checklist inside a todo ("2/5" done). Whoever may read the todo reads its
subtasks; whoever may edit it (owner or editor of its list) changes them."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from todo_app.core.errors import NotFoundError, ValidationError
from todo_app.core.list_access import MAX_ID
from todo_app.core.models import Subtask
from todo_app.core.todos import clean_title, editable_todo, get_todo

MAX_SUBTASKS = 100
SUBTASK_GONE = "That subtask no longer exists."


def list_subtasks(session: Session, user_id: int, todo_id: object) -> list[Subtask]:
    todo = get_todo(session, user_id, todo_id)
    return list(
        session.exec(
            select(Subtask)
            .where(Subtask.todo_id == todo.id)
            .order_by(col(Subtask.position), col(Subtask.id))
        ).all()
    )


def add_subtask(session: Session, user_id: int, todo_id: object, title: object) -> Subtask:
    clean = clean_title(title)
    todo = editable_todo(session, user_id, todo_id)
    count, last = session.exec(
        select(func.count(), func.max(Subtask.position)).where(Subtask.todo_id == todo.id)
    ).one()
    if count >= MAX_SUBTASKS:
        raise ValidationError(f"A todo can have at most {MAX_SUBTASKS} subtasks.")
    assert todo.id is not None
    subtask = Subtask(todo_id=todo.id, title=clean, position=(last or 0) + 1)
    session.add(subtask)
    session.flush()
    return subtask


def _editable(session: Session, user_id: int, subtask_id: object) -> Subtask:
    """A subtask of a todo the user may edit; one they cannot see is "no longer exists"."""
    if isinstance(subtask_id, bool) or not isinstance(subtask_id, int):
        raise NotFoundError(SUBTASK_GONE)
    if not 0 < subtask_id <= MAX_ID:
        raise NotFoundError(SUBTASK_GONE)
    subtask = session.get(Subtask, subtask_id)
    if subtask is None:
        raise NotFoundError(SUBTASK_GONE)
    try:
        editable_todo(session, user_id, subtask.todo_id)
    except NotFoundError:
        raise NotFoundError(SUBTASK_GONE) from None
    return subtask


def set_subtask_done(session: Session, user_id: int, subtask_id: object, done: object) -> Subtask:
    if not isinstance(done, bool):
        raise ValidationError("Done must be true or false.")
    subtask = _editable(session, user_id, subtask_id)
    subtask.done = done
    session.add(subtask)
    session.flush()
    return subtask


def delete_subtask(session: Session, user_id: int, subtask_id: object) -> None:
    session.delete(_editable(session, user_id, subtask_id))
    session.flush()
