"""The todo service: every rule about a user's todos lives here.

Each function takes the owner's id, which callers derive from a verified token,
never from client input. A todo of another owner is reported as not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from todo_app.core import recurrence
from todo_app.core.due import Due, next_due
from todo_app.core.errors import NotFoundError, ValidationError
from todo_app.core.models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Priority,
    Subtask,
    Todo,
    utcnow,
)
from todo_app.core.tags import clean_tag_names, set_todo_tags, tags_by_todo
from todo_app.core.zones import zone


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


class _Keep:
    """Marks a field an update leaves alone (None is a value: "no due date")."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass(frozen=True, slots=True)
class TodoFields:
    """Validated values for a new or changed todo; KEEP leaves a field as it is."""

    title: Any = KEEP  # str
    description: Any = KEEP  # str
    priority: Any = KEEP  # Priority
    due: Any = KEEP  # Due | None
    tags: Any = KEEP  # list[str]
    recurrence: Any = KEEP  # str | None


def clean_fields(
    *,
    title: object = KEEP,
    description: object = KEEP,
    priority: object = KEEP,
    due: object = KEEP,
    tags: object = KEEP,
    recurrence: object = KEEP,
) -> TodoFields:
    """Validates every given field up front: one bad field changes nothing."""
    if due is not KEEP and due is not None and not isinstance(due, Due):
        raise ValidationError("The due date is not valid.")
    return TodoFields(
        title=KEEP if title is KEEP else clean_title(title),
        description=KEEP if description is KEEP else clean_description(description),
        priority=KEEP if priority is KEEP else clean_priority(priority),
        due=due,
        tags=KEEP if tags is KEEP else clean_tag_names(_as_list(tags)),
        recurrence=KEEP if recurrence is KEEP else clean_recurrence(recurrence),
    )


def clean_priority(raw: object) -> Priority:
    if isinstance(raw, Priority):
        return raw
    if isinstance(raw, str) and (named := Priority.parse(raw)) is not None:
        return named
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 3:
        return Priority(raw)
    raise ValidationError("Priority must be none, low, medium or high.")


def clean_recurrence(raw: object) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ValidationError("The repeat rule must be text.")
    return recurrence.validate_rule(raw)


def _as_list(raw: object) -> list[object]:
    if not isinstance(raw, list | tuple):
        raise ValidationError("Tags must be a list.")
    return list(raw)


def create_todo(
    session: Session,
    owner_id: int,
    title: object,
    description: object = "",
    *,
    time_zone: str = "UTC",
    fields: TodoFields | None = None,
) -> Todo:
    base = clean_fields(title=title, description=description)
    todo = Todo(
        owner_id=owner_id,
        title=base.title,
        description=base.description,
        time_zone=zone(time_zone).key,
    )
    session.add(todo)
    session.flush()
    if fields is not None:
        _apply(session, todo, fields)
    return todo


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
    title: object = KEEP,
    description: object = KEEP,
    fields: TodoFields | None = None,
) -> Todo:
    """A change to a repeating todo applies to the series: later occurrences copy it."""
    base = clean_fields(title=title, description=description)
    todo = get_todo(session, owner_id, todo_id)
    _apply(session, todo, base)
    if fields is not None:
        _apply(session, todo, fields)
    return todo


def _apply(session: Session, todo: Todo, fields: TodoFields) -> None:
    assert todo.id is not None
    if fields.title is not KEEP:
        todo.title = fields.title
    if fields.description is not KEEP:
        todo.description = fields.description
    if fields.priority is not KEEP:
        todo.priority = int(fields.priority)
    if fields.due is not KEEP:
        todo.due_date = fields.due.date if fields.due else None
        todo.due_at = fields.due.at if fields.due else None
    if fields.recurrence is not KEEP:
        todo.recurrence = fields.recurrence
    if todo.recurrence and todo.due_date is None:
        raise ValidationError("Please give a repeating todo a due date to repeat from.")
    if fields.due is not KEEP or fields.recurrence is not KEEP:
        # A new rule or a moved date starts the series afresh from this due date.
        todo.series_start = todo.due_date if todo.recurrence else None
    if fields.tags is not KEEP:
        set_todo_tags(session, todo.owner_id, todo.id, fields.tags)
    todo.updated_at = utcnow()
    session.add(todo)
    session.flush()


def set_completed(session: Session, owner_id: int, todo_id: object, completed: object) -> Todo:
    if not isinstance(completed, bool):
        raise ValidationError("Completed must be true or false.")
    todo = get_todo(session, owner_id, todo_id)
    if completed and not todo.completed and todo.recurrence:
        _create_next_occurrence(session, todo)
    todo.completed = completed
    todo.completed_at = utcnow() if completed else None
    todo.updated_at = utcnow()
    session.add(todo)
    session.flush()
    return todo


def _create_next_occurrence(session: Session, todo: Todo) -> Todo | None:
    """The series' next todo, created once however often this one is completed.

    ``previous_id`` is unique: a second completion (double click, another tab,
    another replica) collides with the first one's successor and adds nothing.
    """
    assert todo.id is not None and todo.recurrence and todo.due_date is not None
    due = next_due(
        todo.recurrence,
        todo.series_start or todo.due_date,
        todo.due_date,
        todo.due_at,
        todo.time_zone,
    )
    if due is None:
        return None  # the series has ended
    now = utcnow()  # created == updated marks an untouched successor (see reopen)
    successor = Todo(
        owner_id=todo.owner_id,
        title=todo.title,
        description=todo.description,
        priority=todo.priority,
        due_date=due.date,
        due_at=due.at,
        time_zone=todo.time_zone,
        recurrence=todo.recurrence,
        series_start=todo.series_start,
        previous_id=todo.id,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(successor)
    except IntegrityError:
        return None  # another completion created it already
    assert successor.id is not None
    tags = tags_by_todo(session, [todo.id]).get(todo.id, [])
    set_todo_tags(session, todo.owner_id, successor.id, tags)
    return successor


@dataclass(frozen=True, slots=True)
class TodoSnapshot:
    """Everything needed to put a deleted todo back (for Undo)."""

    title: str
    description: str
    completed: bool
    priority: int
    due_date: date | None
    due_at: datetime | None
    time_zone: str
    recurrence: str | None
    series_start: date | None
    created_at: datetime
    tags: tuple[str, ...]
    subtasks: tuple[tuple[str, bool], ...]


def delete_todo(session: Session, owner_id: int, todo_id: object) -> TodoSnapshot:
    todo = get_todo(session, owner_id, todo_id)
    assert todo.id is not None
    subtasks = session.exec(
        select(Subtask).where(Subtask.todo_id == todo.id).order_by(col(Subtask.position))
    ).all()
    snapshot = TodoSnapshot(
        title=todo.title,
        description=todo.description,
        completed=todo.completed,
        priority=todo.priority,
        due_date=todo.due_date,
        due_at=todo.due_at,
        time_zone=todo.time_zone,
        recurrence=todo.recurrence,
        series_start=todo.series_start,
        created_at=todo.created_at,
        tags=tuple(tags_by_todo(session, [todo.id]).get(todo.id, [])),
        subtasks=tuple((subtask.title, subtask.done) for subtask in subtasks),
    )
    session.delete(todo)
    session.flush()
    return snapshot


def restore(session: Session, owner_id: int, snapshot: TodoSnapshot) -> Todo:
    """Undo a delete: the same todo again (under a new id), in its old place."""
    todo = Todo(
        owner_id=owner_id,
        title=clean_title(snapshot.title),
        description=clean_description(snapshot.description),
        completed=snapshot.completed,
        priority=int(clean_priority(snapshot.priority)),
        due_date=snapshot.due_date,
        due_at=snapshot.due_at,
        time_zone=zone(snapshot.time_zone).key,
        recurrence=snapshot.recurrence,
        series_start=snapshot.series_start,
        created_at=snapshot.created_at,
    )
    session.add(todo)
    session.flush()
    assert todo.id is not None
    set_todo_tags(session, owner_id, todo.id, clean_tag_names(snapshot.tags))
    for position, (title, done) in enumerate(snapshot.subtasks):
        session.add(Subtask(todo_id=todo.id, title=title, done=done, position=position))
    session.flush()
    return todo


def reopen(session: Session, owner_id: int, todo_id: object) -> Todo:
    """Undo a completion. A repeating todo's successor goes too, if still untouched."""
    todo = set_completed(session, owner_id, todo_id, False)
    successor = session.exec(
        select(Todo).where(Todo.previous_id == todo.id, Todo.owner_id == owner_id)
    ).first()
    if (
        successor is not None
        and not successor.completed
        and successor.updated_at == successor.created_at
    ):
        session.delete(successor)
        session.flush()
    return todo
