"""The todo service: every rule about a user's todos lives here.

Each function takes the owner's id, which callers derive from a verified token,
never from client input. A todo of another owner is reported as not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from todo_app.core.errors import NotFoundError, ValidationError
from todo_app.core.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Todo, utcnow

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def clean_title(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError("The title must be text.")
    title = raw.strip()
    if not title:
        raise ValidationError("Please give the todo a title.")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            f"Titles can be at most {TITLE_MAX_LENGTH} characters (this one has {len(title)})."
        )
    return title


def clean_description(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError("The description must be text.")
    description = raw.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            f"Descriptions can be at most {DESCRIPTION_MAX_LENGTH} characters "
            f"(this one has {len(description)})."
        )
    return description


def _clean_id(raw: object) -> int:
    # Event payloads are JSON: an id may arrive as anything. bool is an int
    # subclass in Python, and never a todo id.
    if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
        raise NotFoundError("That todo no longer exists.")
    return raw


@dataclass(frozen=True, slots=True)
class TodoPage:
    items: list[Todo]
    total: int
    has_more: bool


def create_todo(session: Session, owner_id: int, title: object, description: object = "") -> Todo:
    todo = Todo(
        owner_id=owner_id,
        title=clean_title(title),
        description=clean_description(description),
    )
    session.add(todo)
    session.flush()
    return todo


def list_todos(
    session: Session, owner_id: int, limit: int = DEFAULT_PAGE_SIZE, offset: int = 0
) -> TodoPage:
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    # One row more than asked tells whether another page exists.
    rows = session.exec(
        select(Todo)
        .where(Todo.owner_id == owner_id)
        .order_by(col(Todo.created_at).desc(), col(Todo.id).desc())
        .offset(offset)
        .limit(limit + 1)
    ).all()
    total = session.exec(
        select(func.count()).select_from(Todo).where(Todo.owner_id == owner_id)
    ).one()
    return TodoPage(items=list(rows[:limit]), total=total, has_more=len(rows) > limit)


def get_todo(session: Session, owner_id: int, todo_id: object) -> Todo:
    todo = session.exec(
        select(Todo).where(Todo.id == _clean_id(todo_id), Todo.owner_id == owner_id)
    ).first()
    if todo is None:
        raise NotFoundError("That todo no longer exists.")
    return todo


def update_todo(
    session: Session,
    owner_id: int,
    todo_id: object,
    *,
    title: object | None = None,
    description: object | None = None,
) -> Todo:
    # Validate everything before touching the row: a bad field changes nothing.
    new_title = clean_title(title) if title is not None else None
    new_description = clean_description(description) if description is not None else None
    todo = get_todo(session, owner_id, todo_id)
    if new_title is not None:
        todo.title = new_title
    if new_description is not None:
        todo.description = new_description
    todo.updated_at = utcnow()
    session.add(todo)
    session.flush()
    return todo


def set_completed(session: Session, owner_id: int, todo_id: object, completed: object) -> Todo:
    if not isinstance(completed, bool):
        raise ValidationError("Completed must be true or false.")
    todo = get_todo(session, owner_id, todo_id)
    todo.completed = completed
    todo.updated_at = utcnow()
    session.add(todo)
    session.flush()
    return todo


def delete_todo(session: Session, owner_id: int, todo_id: object) -> None:
    session.delete(get_todo(session, owner_id, todo_id))
    session.flush()
