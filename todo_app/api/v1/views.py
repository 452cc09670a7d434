"""Core objects as the API's bodies."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import Session, col, func, select

from todo_app.api.v1.schemas import ListOut, PriorityName, SubtaskOut, TodoOut
from todo_app.core.lists import ListView
from todo_app.core.models import Priority, Subtask, Todo
from todo_app.core.queries import TodoView
from todo_app.core.tags import tags_by_todo


def _priority(value: int) -> PriorityName:
    key = Priority(value).key
    assert key in ("none", "low", "medium", "high")
    return key  # type: ignore[return-value]


def todo_out(todo: Todo, tags: list[str], done: int, total: int, *, can_edit: bool) -> TodoOut:
    assert todo.id is not None
    return TodoOut(
        id=todo.id,
        list_id=todo.list_id,
        title=todo.title,
        description=todo.description,
        completed=todo.completed,
        priority=_priority(todo.priority),
        due_date=todo.due_date,
        due_at=todo.due_at,
        time_zone=todo.time_zone,
        recurrence=todo.recurrence,
        tags=tags,
        subtasks_done=done,
        subtasks_total=total,
        can_edit=can_edit,
        completed_at=todo.completed_at,
        created_at=todo.created_at,
        updated_at=todo.updated_at,
    )


def from_view(view: TodoView) -> TodoOut:
    return todo_out(
        view.todo,
        view.tags,
        view.subtasks_done,
        view.subtasks_total,
        can_edit=view.can_edit,
    )


def read_todo(
    session: Session, todo: Todo, *, can_edit: bool, new: bool = False, untagged: bool = False
) -> TodoOut:
    """One todo the user may read (the caller checked, and knows their role), with its
    tags and progress. Each request is a handful of round trips, so none is spent on
    what the caller knows: a ``new`` todo has no subtasks; an ``untagged`` one no tags."""
    assert todo.id is not None
    session.flush()
    if inspect(todo).expired_attributes:  # written behind the ORM's back (a rollover)
        session.refresh(todo)
    done, total = 0, 0
    if not new:
        done, total = session.exec(
            select(
                func.count().filter(col(Subtask.done).is_(True)),
                func.count(),
            ).where(col(Subtask.todo_id) == todo.id)
        ).one()
    tags = [] if untagged else tags_by_todo(session, [todo.id]).get(todo.id, [])
    return todo_out(todo, tags, done, total, can_edit=can_edit)


def list_out(view: ListView) -> ListOut:
    return ListOut(
        id=view.id,
        name=view.name,
        role=view.role.value,
        is_inbox=view.is_inbox,
        owner_email=view.owner_email,
        member_count=view.member_count,
    )


def subtask_out(subtask: Subtask) -> SubtaskOut:
    assert subtask.id is not None
    return SubtaskOut(
        id=subtask.id,
        todo_id=subtask.todo_id,
        title=subtask.title,
        done=subtask.done,
        position=subtask.position,
    )
