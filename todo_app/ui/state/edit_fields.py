"""The edit panel's fields as changes to a todo: each saved as the user leaves it.

A field's text (as the page sends it) becomes the one change it makes, checked by the
same ``core`` rules as the whole form; an unchanged field makes none, so leaving a
field without typing writes nothing and tells no other page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from todo_app.core import repeat_presets
from todo_app.core import todos as todo_service
from todo_app.core.due import Due, parse_due
from todo_app.core.errors import ValidationError
from todo_app.core.models import Priority
from todo_app.core.tags import clean_tag_names

# The fields saved one at a time ("due" is the date and time together: save_due).
SINGLE_FIELDS = frozenset({"title", "description", "priority", "repeat", "list"})
NO_REPEAT_WITHOUT_DUE = "Please give a repeating todo a due date to repeat from."


class EditedTodo(Protocol):
    """What the panel shows of the todo it edits (``TodoRow``)."""

    title: str
    description: str
    priority: int
    due_date: str
    due_time: str
    repeat: str
    list_id: str
    tags: list[str]


@dataclass(frozen=True, slots=True)
class Change:
    """Arguments for ``todos.update_todo`` (KEEP: as it is), and a list to move to."""

    title: Any = todo_service.KEEP
    description: Any = todo_service.KEEP
    fields: todo_service.TodoFields | None = None
    move_to: int | None = None


# What the panel's fields hold. A change to one of them in another window is news
# to the person editing; a label that follows the clock ("Today", overdue) is not.
PANEL_FIELDS = (
    "title",
    "description",
    "priority",
    "due_date",
    "due_time",
    "repeat",
    "list_id",
    "tags",
)


def changed_elsewhere(shown: EditedTodo, now: EditedTodo) -> bool:
    """Whether the todo as it is ``now`` differs from what the panel ``shown`` holds."""
    return any(getattr(shown, name) != getattr(now, name) for name in PANEL_FIELDS)


def repeat_rule(repeat: str, due: Due | None) -> Any:
    """The recurrence a Repeat choice gives a todo due ``due`` (KEEP for a custom rule
    the page cannot show)."""
    if repeat == repeat_presets.CUSTOM:
        return todo_service.KEEP
    if repeat != "none" and due is None:
        raise ValidationError(NO_REPEAT_WITHOUT_DUE)
    return repeat_presets.rule_for(repeat, due.date) if due else None


def list_choice(chosen: str) -> int | None:
    """The "List" select's value: a list id, or None when the form sent none."""
    if not chosen:
        return None
    if not (chosen.isdecimal() and len(chosen) < 12):
        raise ValidationError("Please choose a list from the menu.")
    return int(chosen)


def field_change(field: str, value: str, todo: EditedTodo) -> Change | None:
    """The change of one field left with ``value``; None when it is what ``todo`` has."""
    if field not in SINGLE_FIELDS:
        raise ValidationError("Please change a field the edit panel offers.")
    if field == "title":
        title = todo_service.clean_title(value)
        return None if title == todo.title else Change(title=title)
    if field == "description":
        text = todo_service.clean_description(value)
        return None if text == todo.description else Change(description=text)
    if field == "priority":
        priority = todo_service.clean_priority(value or Priority.NONE.key)
        if priority == todo.priority:
            return None
        return Change(fields=todo_service.clean_fields(priority=priority))
    if field == "repeat":
        if value == todo.repeat:
            return None
        due = Due(date.fromisoformat(todo.due_date)) if todo.due_date else None
        rule = repeat_rule(value or "none", due)
        return Change(fields=todo_service.clean_fields(recurrence=rule))
    target = list_choice(value)
    return None if target is None or str(target) == todo.list_id else Change(move_to=target)


def due_change(due_date: str, due_time: str, todo: EditedTodo, tz: str) -> Change | None:
    """The due date and time together (a time needs its date); a repeating todo
    keeps repeating the same way from its new date."""
    if not isinstance(due_date, str) or not isinstance(due_time, str):
        raise ValidationError("The due date must be text.")
    due_date, due_time = due_date.strip(), due_time.strip()
    if not due_date:
        # No date, no time: clearing the date clears its time, and a time typed first
        # waits for its date (no error while the user is still filling them in).
        due_time = ""
    if (due_date, due_time) == (todo.due_date, todo.due_time):
        return None
    due = parse_due(due_date, due_time, tz)
    rule = repeat_rule(todo.repeat, due)
    return Change(fields=todo_service.clean_fields(due=due, recurrence=rule))


def with_tags(todo: EditedTodo, typed: str) -> Change | None:
    """The todo's tags with those typed ("home, errands" or "#home") added."""
    added = clean_tag_names([name for name in typed.split(",") if name.strip()])
    names = list(dict.fromkeys([*todo.tags, *added]))
    return None if names == todo.tags else Change(fields=todo_service.clean_fields(tags=names))


def without_tag(todo: EditedTodo, name: str) -> Change | None:
    names = [tag for tag in todo.tags if tag != name]
    return None if names == todo.tags else Change(fields=todo_service.clean_fields(tags=names))
