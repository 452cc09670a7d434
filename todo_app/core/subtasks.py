"""Subtasks: a checklist inside a todo ("2/5" done)."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from todo_app.core.errors import NotFoundError, ValidationError
from todo_app.core.models import Subtask, Todo
from todo_app.core.todos import clean_title, get_todo

MAX_SUBTASKS = 100


def list_subtasks(session: Session, owner_id: int, todo_id: object) -> list[Subtask]:
    todo = get_todo(session, owner_id, todo_id)
    return list(
        session.exec(
            select(Subtask)
            .where(Subtask.todo_id == todo.id)
            .order_by(col(Subtask.position), col(Subtask.id))
        ).all()
    )


def add_subtask(session: Session, owner_id: int, todo_id: object, title: object) -> Subtask:
    clean = clean_title(title)
    todo = get_todo(session, owner_id, todo_id)
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


def _get(session: Session, owner_id: int, subtask_id: object) -> Subtask:
    if isinstance(subtask_id, bool) or not isinstance(subtask_id, int) or subtask_id <= 0:
        raise NotFoundError("That subtask no longer exists.")
    subtask = session.exec(
        select(Subtask)
        .join(Todo, col(Todo.id) == col(Subtask.todo_id))
        .where(Subtask.id == subtask_id, Todo.owner_id == owner_id)
    ).first()
    if subtask is None:
        raise NotFoundError("That subtask no longer exists.")
    return subtask


def set_subtask_done(session: Session, owner_id: int, subtask_id: object, done: object) -> Subtask:
    if not isinstance(done, bool):
        raise ValidationError("Done must be true or false.")
    subtask = _get(session, owner_id, subtask_id)
    subtask.done = done
    session.add(subtask)
    session.flush()
    return subtask


def delete_subtask(session: Session, owner_id: int, subtask_id: object) -> None:
    session.delete(_get(session, owner_id, subtask_id))
    session.flush()
