"""The todo service: every rule about todos lives here.

Each function takes the acting user's id, which callers derive from a verified token,
never from client input. Access is by the todo's list (list_access.py): its owner and
editors read and write, viewers read; a todo of a list the user cannot see is reported
as not found, the same sentence as a todo that does not exist.

``Todo.owner_id`` is always the owner of the todo's list (a todo moved into another
owner's list moves to that owner, with its tags): it is the tag namespace, the key of
the owner-led indexes, and what deleting an account removes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, col, select

from todo_app.core import recurrence
from todo_app.core.due import Due, next_due
from todo_app.core.errors import ForbiddenError, NotFoundError, ValidationError
from todo_app.core.list_access import (
    MAX_ID,
    VIEW_ONLY,
    Role,
    ensure_inbox,
    require_editor,
)
from todo_app.core.models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ListMember,
    Priority,
    Subtask,
    Tag,
    Todo,
    TodoList,
    TodoTag,
    utcnow,
)
from todo_app.core.tags import clean_tag_names, ensure_tags, set_todo_tags, tags_by_todo
from todo_app.core.zones import zone

TODO_GONE = "That todo no longer exists."
# Ids per IN (...) list when snapshotting or restoring many todos at once.
_CHUNK = 500


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
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= MAX_ID:
        raise NotFoundError(TODO_GONE)
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
    user_id: int,
    title: object,
    description: object = "",
    *,
    time_zone: str = "UTC",
    fields: TodoFields | None = None,
    list_id: int | None = None,
) -> Todo:
    """A new todo in ``list_id`` (the user must be its owner or an editor), or, without
    one, in the user's Inbox."""
    base = clean_fields(title=title, description=description)
    the_list = (
        ensure_inbox(session, user_id)
        if list_id is None
        else require_editor(session, user_id, list_id)
    )
    assert the_list.id is not None
    todo = Todo(
        owner_id=the_list.owner_id,
        list_id=the_list.id,
        title=base.title,
        description=base.description,
        time_zone=zone(time_zone).key,
    )
    if fields is not None:
        _set_fields(todo, fields)  # in the INSERT itself, not an UPDATE after it
    session.add(todo)
    session.flush()
    if fields is not None and fields.tags is not KEEP and fields.tags:
        assert todo.id is not None
        set_todo_tags(session, todo.owner_id, todo.id, fields.tags)  # a new todo has none yet
    return todo


def todo_and_role(session: Session, user_id: int, todo_id: object) -> tuple[Todo, Role]:
    """The todo and the user's role on its list, in one query; NotFoundError if the user
    may not see it."""
    row = session.exec(
        select(Todo, ListMember.role)
        .join(
            ListMember,
            and_(col(ListMember.list_id) == col(Todo.list_id), col(ListMember.user_id) == user_id),
            isouter=True,
        )
        .where(col(Todo.id) == _clean_id(todo_id))
    ).first()
    if row is None:
        raise NotFoundError(TODO_GONE)
    todo, member_role = row
    if todo.owner_id == user_id:  # the owner of its list
        return todo, Role.OWNER
    if member_role is None:
        raise NotFoundError(TODO_GONE)
    return todo, Role(member_role)


def get_todo(session: Session, user_id: int, todo_id: object) -> Todo:
    """A todo the user may read (any role on its list)."""
    return todo_and_role(session, user_id, todo_id)[0]


def editable_todo(session: Session, user_id: int, todo_id: object) -> Todo:
    """A todo the user may change (owner or editor of its list); a viewer is told so."""
    todo, role = todo_and_role(session, user_id, todo_id)
    if not role.can_edit:
        raise ForbiddenError(VIEW_ONLY)
    return todo


def update_todo(
    session: Session,
    user_id: int,
    todo_id: object,
    *,
    title: object = KEEP,
    description: object = KEEP,
    fields: TodoFields | None = None,
) -> Todo:
    """A change to a repeating todo applies to the series: later occurrences copy it."""
    base = clean_fields(title=title, description=description)
    todo = editable_todo(session, user_id, todo_id)
    _apply(session, todo, base)
    if fields is not None:
        _apply(session, todo, fields)
    return todo


def move_todo(session: Session, user_id: int, todo_id: object, list_id: object) -> Todo:
    """Moves a todo to another list; the user must be able to edit both. Into another
    owner's list, the todo becomes that owner's and its tags are the same names among
    that owner's tags (its subtasks go with it)."""
    todo = editable_todo(session, user_id, todo_id)
    target = require_editor(session, user_id, list_id)
    assert todo.id is not None and target.id is not None
    if target.id == todo.list_id:
        return todo
    if target.owner_id != todo.owner_id:
        names = tags_by_todo(session, [todo.id]).get(todo.id, [])
        todo.owner_id = target.owner_id
        set_todo_tags(session, target.owner_id, todo.id, names)
    todo.list_id = target.id
    todo.updated_at = utcnow()
    session.add(todo)
    session.flush()
    return todo


def _apply(session: Session, todo: Todo, fields: TodoFields) -> None:
    assert todo.id is not None
    _set_fields(todo, fields)
    if fields.tags is not KEEP:
        set_todo_tags(session, todo.owner_id, todo.id, fields.tags)
    session.add(todo)
    session.flush()


def _set_fields(todo: Todo, fields: TodoFields) -> None:
    """The todo's own columns from ``fields`` (its tags aside), checked together."""
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
    todo.updated_at = utcnow()


def set_completed(session: Session, user_id: int, todo_id: object, completed: object) -> Todo:
    """Complete or reopen a todo. Completing a repeating todo rolls it forward
    (see ``complete``): it stays open, due on its next date."""
    if not isinstance(completed, bool):
        raise ValidationError("Completed must be true or false.")
    if completed:
        return complete(session, user_id, todo_id).todo
    todo = editable_todo(session, user_id, todo_id)
    todo.completed, todo.completed_at, todo.updated_at = False, None, utcnow()
    session.add(todo)
    session.flush()
    return todo


@dataclass(frozen=True, slots=True)
class Rollover:
    """A repeating todo moved on to its next date when completed: the due it had
    (what Undo puts back) and the one it has now."""

    todo_id: int
    was: Due
    now: Due


@dataclass(frozen=True, slots=True)
class Completion:
    todo: Todo
    rollover: Rollover | None = None


def complete(
    session: Session, user_id: int, todo_id: object, *, occurrence: date | None = None
) -> Completion:
    """Complete a todo. A repeating one rolls forward in place: one row, open,
    due on the series' next date (its last occurrence is completed as any todo).

    ``occurrence`` is the due date the user saw: a page that is behind (a
    double click, another tab) completes an occurrence that is gone already,
    which changes nothing. The roll itself is a conditional update on the due
    date it was read at, so concurrent completions (two replicas) roll once.
    """
    todo = editable_todo(session, user_id, todo_id)
    assert todo.id is not None
    if occurrence is not None and todo.recurrence and todo.due_date != occurrence:
        return Completion(todo)  # that occurrence was completed already
    following = _next_due(todo) if not todo.completed else None
    if following is None:  # not repeating, the series has ended, or done already
        if not todo.completed:
            todo.completed, todo.completed_at = True, utcnow()
            todo.updated_at = todo.completed_at
            session.add(todo)
            session.flush()
        return Completion(todo)
    assert todo.due_date is not None
    was = Due(todo.due_date, todo.due_at)
    moved = session.exec(
        update(Todo)
        .where(
            col(Todo.id) == todo.id,
            col(Todo.due_date) == was.date,
            col(Todo.completed).is_(False),
        )
        .values(due_date=following.date, due_at=following.at, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(todo)
    if moved.rowcount != 1:
        return Completion(todo)  # another completion rolled it already
    return Completion(todo, Rollover(todo.id, was, following))


def _next_due(todo: Todo) -> Due | None:
    if not todo.recurrence or todo.due_date is None:
        return None
    return next_due(
        todo.recurrence,
        todo.series_start or todo.due_date,
        todo.due_date,
        todo.due_at,
        todo.time_zone,
    )


def roll_back(session: Session, user_id: int, rollover: Rollover) -> Todo:
    """Undo a rollover: the todo is due again on the date it was completed at,
    unless it has moved since (edited, or completed again), which is kept."""
    todo = editable_todo(session, user_id, rollover.todo_id)
    if todo.due_date != rollover.now.date or todo.completed:
        raise ValidationError("That todo has changed since, so it was left as it is.")
    todo.due_date, todo.due_at, todo.updated_at = rollover.was.date, rollover.was.at, utcnow()
    session.add(todo)
    session.flush()
    return todo


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
    list_id: int | None = None  # the list it was in (None: the Inbox)


def snapshots(session: Session, where: ColumnElement[bool]) -> list[TodoSnapshot]:
    """Snapshots of the todos matching ``where`` (oldest first), with their tags and
    subtasks: three queries however many todos (a whole list for its delete)."""
    todos = session.exec(
        select(Todo).where(where).order_by(col(Todo.created_at), col(Todo.id))
    ).all()
    tags: dict[int, list[str]] = {}
    for todo_id, name in session.exec(
        select(TodoTag.todo_id, Tag.name)
        .join(Tag, col(Tag.id) == col(TodoTag.tag_id))
        .join(Todo, col(Todo.id) == col(TodoTag.todo_id))
        .where(where)
        .order_by(col(Tag.name))
    ).all():
        tags.setdefault(todo_id, []).append(name)
    steps: dict[int, list[tuple[str, bool]]] = {}
    for subtask in session.exec(
        select(Subtask)
        .join(Todo, col(Todo.id) == col(Subtask.todo_id))
        .where(where)
        .order_by(col(Subtask.position), col(Subtask.id))
    ).all():
        steps.setdefault(subtask.todo_id, []).append((subtask.title, subtask.done))
    return [
        TodoSnapshot(
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
            tags=tuple(tags.get(todo.id or 0, [])),
            subtasks=tuple(steps.get(todo.id or 0, [])),
            list_id=todo.list_id,
        )
        for todo in todos
    ]


def delete_todo(session: Session, user_id: int, todo_id: object) -> TodoSnapshot:
    todo = editable_todo(session, user_id, todo_id)
    (snapshot,) = snapshots(session, col(Todo.id) == todo.id)
    session.delete(todo)
    session.flush()
    return snapshot


def restore(session: Session, user_id: int, snapshot: TodoSnapshot) -> Todo:
    """Undo a delete: the same todo again (under a new id), in its old place, if the user
    may still edit that list (a snapshot from before lists goes to the Inbox)."""
    list_id = getattr(snapshot, "list_id", None)  # None: the Inbox
    the_list = (
        ensure_inbox(session, user_id)
        if list_id is None
        else require_editor(session, user_id, list_id)
    )
    (todo,) = restore_into(session, the_list, [snapshot])
    return todo


def restore_into(session: Session, the_list: TodoList, saved: Sequence[TodoSnapshot]) -> list[Todo]:
    """Puts snapshots back into ``the_list`` (the caller checked the user may edit it),
    with their tags (the list owner's) and subtasks, in a few statements."""
    assert the_list.id is not None
    todos = [
        Todo(
            owner_id=the_list.owner_id,
            list_id=the_list.id,
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
        for snapshot in saved
    ]
    names_of = [clean_tag_names(snapshot.tags) for snapshot in saved]
    session.add_all(todos)
    session.flush()
    every_name = list(dict.fromkeys(name for names in names_of for name in names))
    tag_ids: dict[str, int] = {}
    for start in range(0, len(every_name), _CHUNK):
        for tag in ensure_tags(session, the_list.owner_id, every_name[start : start + _CHUNK]):
            assert tag.id is not None
            tag_ids[tag.name] = tag.id
    for todo, names, snapshot in zip(todos, names_of, saved, strict=True):
        assert todo.id is not None
        session.add_all(TodoTag(todo_id=todo.id, tag_id=tag_ids[name]) for name in names)
        session.add_all(
            Subtask(todo_id=todo.id, title=title, done=done, position=position)
            for position, (title, done) in enumerate(snapshot.subtasks)
        )
    session.flush()
    return todos


def reopen(session: Session, user_id: int, todo_id: object) -> Todo:
    """Undo a completion."""
    return set_completed(session, user_id, todo_id, False)
