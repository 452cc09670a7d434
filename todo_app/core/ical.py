"""Todos as an iCalendar (RFC 5545) document, built with the `icalendar` library.

Each dated todo is a VTODO (or, for calendar apps that show no tasks, a VEVENT):
a due date without a time is an all-day DUE, one with a time an exact instant; a
repeating todo carries its RRULE with the series' first date as DTSTART (RFC 5545
needs DTSTART for a recurrence). The UID is stable across fetches, so a calendar
app updates its copy instead of duplicating it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from icalendar import Calendar, Event, vRecur
from icalendar import Todo as VTodo

from todo_app.core.models import Priority, Todo, utcnow
from todo_app.core.zones import zone

PRODUCT_ID = "-//todo-app//calendar feed//EN"
UID_DOMAIN = "todo-app"
# RFC 5545 PRIORITY: 1 highest, 9 lowest, 0 undefined.
_ICAL_PRIORITY = {Priority.NONE: 0, Priority.LOW: 9, Priority.MEDIUM: 5, Priority.HIGH: 1}


class Kind(StrEnum):
    TODO = "todo"
    EVENT = "event"


def _first(todo: Todo) -> date | datetime:
    """DTSTART of a repeating todo: its current occurrence, or, when the rule counts
    occurrences (COUNT), the series' first one, which the count starts from."""
    assert todo.due_date is not None and todo.recurrence is not None
    counted = "COUNT=" in todo.recurrence.upper()
    day = todo.series_start if counted and todo.series_start else todo.due_date
    if todo.due_at is None:
        return day
    local = todo.due_at.astimezone(zone(todo.time_zone))
    return datetime.combine(day, local.time(), tzinfo=local.tzinfo)


def _due(todo: Todo) -> date | datetime:
    assert todo.due_date is not None
    if todo.due_at is None:
        return todo.due_date
    return todo.due_at.astimezone(zone(todo.time_zone))


def calendar(
    name: str,
    todos: Sequence[Todo],
    tags: Mapping[int, list[str]],
    kind: Kind = Kind.TODO,
    now: datetime | None = None,
) -> bytes:
    """The feed's bytes. ``tags``: todo id -> its tag names (CATEGORIES)."""
    cal = Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = now or utcnow()
    for todo in todos:
        if todo.due_date is None or todo.id is None:
            continue
        cal.add_component(_component(todo, tags.get(todo.id, []), kind, stamp))
    cal.add_missing_timezones()  # a VTIMEZONE for each zone a due time names
    document: bytes = cal.to_ical()
    return document


def _component(todo: Todo, tags: list[str], kind: Kind, stamp: datetime) -> VTodo | Event:
    item: VTodo | Event = VTodo() if kind is Kind.TODO else Event()
    item.add("uid", f"todo-{todo.id}@{UID_DOMAIN}")
    item.add("dtstamp", stamp)
    item.add("summary", todo.title)
    if todo.description:
        item.add("description", todo.description)
    item.add("created", todo.created_at)
    item.add("last-modified", todo.updated_at)
    if priority := _ICAL_PRIORITY[Priority(todo.priority)]:
        item.add("priority", priority)
    if tags:
        item.add("categories", tags)
    start = _first(todo) if todo.recurrence else _due(todo)
    if kind is Kind.TODO:
        # DUE must come after DTSTART: a repeating task has DTSTART (its series), a
        # single one only DUE.
        item.add("dtstart" if todo.recurrence else "due", start)
        item.add("status", "COMPLETED" if todo.completed else "NEEDS-ACTION")
        if todo.completed_at is not None:
            item.add("completed", todo.completed_at)
    else:
        item.add("dtstart", start)
        # DTEND must come after DTSTART: an all-day event lasts its day, a timed one
        # is a half-hour slot.
        timed = isinstance(start, datetime)
        item.add("dtend", start + (timedelta(minutes=30) if timed else timedelta(days=1)))
        item.add("transp", "TRANSPARENT")
    if todo.recurrence:
        item.add("rrule", vRecur.from_ical(todo.recurrence))
    return item
