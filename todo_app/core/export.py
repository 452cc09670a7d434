"""Export of a user's todos: JSON (full fidelity, the format of file_format.py, which
importing.py reads back) and CSV for spreadsheets (cells defused against formulas).

What is exported is what the user can read: every list they can see ("All lists"), or
one of them (``list_id``; any role on it may export it). Database ids, owners and
members are never exported."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from todo_app.core import lists
from todo_app.core.due import make_due
from todo_app.core.errors import ValidationError
from todo_app.core.file_format import FORMAT, VERSION, clock_text
from todo_app.core.list_access import INBOX_NAME, Scope, scope_of
from todo_app.core.models import Priority, Subtask, Tag, Todo, TodoTag, utcnow
from todo_app.core.zones import zone

CSV_HEADER = (
    "title",
    "description",
    "completed",
    "priority",
    "due_date",
    "due_time",
    "time_zone",
    "tags",
    "recurrence",
    "created_at",
    "subtasks",
    "list",
)
# OWASP "CSV injection": spreadsheets run a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_json(session: Session, user_id: int, *, list_id: int | None = None) -> str:
    names, rows = _export(session, user_id, list_id)
    number_of = {row.todo.id: number for number, row in enumerate(rows, start=1)}
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _instant(utcnow().replace(microsecond=0)),
        "lists": [{"name": name} for name in dict.fromkeys(names.values())],
        "todos": [
            {
                "title": row.todo.title,
                "description": row.todo.description,
                "completed": row.todo.completed,
                "completed_at": _instant(row.todo.completed_at),
                "priority": Priority(row.todo.priority).key,
                "due_date": _iso_date(row.todo.due_date),
                "due_time": _due_time(row.todo),
                "due_at": _exact_due_at(row.todo),
                "time_zone": row.todo.time_zone,
                "recurrence": row.todo.recurrence,
                "series_start": _iso_date(row.todo.series_start),
                "created_at": _instant(row.todo.created_at),
                "tags": row.tags,
                "subtasks": [{"title": title, "done": done} for title, done in row.subtasks],
                "follows": number_of.get(row.todo.previous_id),
                "list": names.get(row.todo.list_id, INBOX_NAME),
            }
            for row in rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def export_csv(session: Session, user_id: int, *, list_id: int | None = None) -> str:
    """One row per todo, for spreadsheets; JSON is the format to import back."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    names, rows = _export(session, user_id, list_id)
    for row in rows:
        todo = row.todo
        done = sum(1 for _, is_done in row.subtasks if is_done)
        cells = [
            todo.title,
            todo.description,
            "true" if todo.completed else "false",
            Priority(todo.priority).key,
            _iso_date(todo.due_date) or "",
            _due_time(todo) or "",
            todo.time_zone,
            ";".join(row.tags),
            todo.recurrence or "",
            _instant(todo.created_at) or "",
            # "1 of 3", not "1/3": spreadsheets read "1/3" as the 1st of March.
            f"{done} of {len(row.subtasks)}" if row.subtasks else "",
            names.get(todo.list_id, INBOX_NAME),
        ]
        writer.writerow([_defuse(cell) for cell in cells])
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class _Row:
    todo: Todo
    tags: list[str]
    subtasks: list[tuple[str, bool]]


def _export(
    session: Session, user_id: int, list_id: int | None
) -> tuple[dict[int, str], list[_Row]]:
    """The names of the exported lists by id (in the user's order) and their todos."""
    scope = scope_of(session, user_id, list_id)
    if list_id is None:
        names = {view.id: view.name for view in lists.visible_lists(session, user_id)}
    else:
        names = {(view := lists.get_list(session, user_id, list_id)).id: view.name}
    return names, _export_rows(session, scope)


def _export_rows(session: Session, scope: Scope) -> list[_Row]:
    """The todos in scope, oldest first, with tags and subtasks: three queries in all.
    Tags and subtasks are joined on the scope, not listed by id: no IN list of 10,000 ids."""
    visible = scope.todos()
    todos = session.exec(
        select(Todo).where(visible).order_by(col(Todo.created_at), col(Todo.id))
    ).all()
    tags: dict[int, list[str]] = {}
    for todo_id, name in session.exec(
        select(TodoTag.todo_id, Tag.name)
        .join(Tag, col(Tag.id) == col(TodoTag.tag_id))
        .join(Todo, col(Todo.id) == col(TodoTag.todo_id))
        .where(visible)
        .order_by(col(Tag.name))
    ).all():
        tags.setdefault(todo_id, []).append(name)
    subtasks: dict[int, list[tuple[str, bool]]] = {}
    for subtask in session.exec(
        select(Subtask)
        .join(Todo, col(Todo.id) == col(Subtask.todo_id))
        .where(visible)
        .order_by(col(Subtask.position), col(Subtask.id))
    ).all():
        subtasks.setdefault(subtask.todo_id, []).append((subtask.title, subtask.done))
    rows = []
    for todo in todos:
        assert todo.id is not None
        rows.append(_Row(todo, tags.get(todo.id, []), subtasks.get(todo.id, [])))
    return rows


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _due_time(todo: Todo) -> str | None:
    if todo.due_at is None:
        return None
    return clock_text(todo.due_at.astimezone(zone(todo.time_zone)).time())


def _exact_due_at(todo: Todo) -> str | None:
    """due_at, only when due_date + due_time in the todo's zone would not give it back."""
    if todo.due_at is None or todo.due_date is None:
        return None
    local = todo.due_at.astimezone(zone(todo.time_zone))
    # fold=0: an import reads "02:30" as the first 02:30 of a fall-back night.
    clock = local.time().replace(microsecond=0, fold=0)
    try:
        rebuilt = make_due(todo.due_date, clock, todo.time_zone).at
    except ValidationError:  # a date past 2200 that a long series reached
        rebuilt = None
    return None if rebuilt == todo.due_at else _instant(todo.due_at)


def _defuse(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell
