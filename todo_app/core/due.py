"""Due dates: a calendar date, an optional time, in the user's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from todo_app.core import recurrence
from todo_app.core.date_display import clock_text, day_text
from todo_app.core.errors import ValidationError
from todo_app.core.zones import zone

DUE_SOON_HOURS = 24
_EARLIEST = date(1970, 1, 1)
_LATEST = date(2200, 12, 31)
_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RELATIVE_DAYS = {-1: "Yesterday", 0: "Today", 1: "Tomorrow"}


@dataclass(frozen=True, slots=True)
class Due:
    """When a todo is due. ``at`` is set only when a time of day was given."""

    date: date
    at: datetime | None = None


def make_due(day: date, clock: time | None, tz_name: str) -> Due:
    if not _EARLIEST <= day <= _LATEST:
        raise ValidationError("Please choose a due date between 1970 and 2200.")
    if clock is None:
        return Due(day)
    local = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone(tz_name))
    return Due(day, local.astimezone(UTC))


def parse_due(raw_date: object, raw_time: object, tz_name: str) -> Due | None:
    """The form's date ("YYYY-MM-DD") and time ("HH:MM") fields; empty date = no due."""
    date_text = raw_date.strip() if isinstance(raw_date, str) else None
    time_text = raw_time.strip() if isinstance(raw_time, str) else None
    if date_text is None or time_text is None:
        raise ValidationError("The due date must be text.")
    if not date_text:
        if time_text:
            raise ValidationError("Please choose a date for the due time.")
        return None
    try:
        day = date.fromisoformat(date_text)
    except ValueError as error:
        raise ValidationError(f"“{date_text}” is not a date like 2026-12-24.") from error
    clock = None
    if time_text:
        try:
            clock = time.fromisoformat(time_text)
        except ValueError as error:
            raise ValidationError(f"“{time_text}” is not a time like 18:30.") from error
    return make_due(day, clock, tz_name)


def next_due(
    rule: str, series_start: date, due_date: date, due_at: datetime | None, tz_name: str
) -> Due | None:
    """The due of the occurrence after this one, or None when the series has ended."""
    if due_at is None:
        day = recurrence.next_date(rule, series_start, due_date)
        return Due(day) if day else None
    local = due_at.astimezone(zone(tz_name))
    start = datetime.combine(series_start, local.time(), tzinfo=local.tzinfo)
    following = recurrence.next_occurrence(rule, start, local, tz_name)
    if following is None:
        return None
    return Due(following.astimezone(zone(tz_name)).date(), following.astimezone(UTC))


def local_today(now: datetime, tz_name: str) -> date:
    return now.astimezone(zone(tz_name)).date()


def is_due_soon(
    due_date: date | None, due_at: datetime | None, now: datetime, tz_name: str
) -> bool:
    """Not overdue yet, but due within DUE_SOON_HOURS (or today, for a date-only todo)."""
    if due_date is None or is_overdue(due_date, due_at, now, tz_name):
        return False
    if due_at is not None:
        return due_at - now <= timedelta(hours=DUE_SOON_HOURS)
    return due_date == local_today(now, tz_name)


def is_overdue(due_date: date | None, due_at: datetime | None, now: datetime, tz_name: str) -> bool:
    if due_date is None:
        return False
    if due_at is not None:
        return due_at < now
    return due_date < local_today(now, tz_name)


def date_label(
    day: date, today: date | None = None, *, relative: bool = True, locale: str = ""
) -> str:
    """A due date as the page shows it: "Today", "Tomorrow" or "Yesterday" (when
    ``relative``), else "Tue 1 Dec", with its year when that is not ``today``'s.
    Given the browser's ``locale``, as its region writes it ("Tue, Dec 1" in en-US);
    without one, spelt out here (not with strftime, so no server locale changes it)."""
    if today is not None and relative and (name := _RELATIVE_DAYS.get((day - today).days)):
        return name
    with_year = today is not None and day.year != today.year
    if locale:
        return day_text(day, locale, with_year=with_year)
    text = f"{_DAY_ABBR[day.weekday()]} {day.day} {_MONTH_ABBR[day.month - 1]}"
    return text + (f" {day.year}" if with_year else "")


def clock_label(clock: time, locale: str = "") -> str:
    """A time of day: "09:30", or as the browser's ``locale`` writes it ("9:30 AM")."""
    return clock_text(clock, locale) if locale else f"{clock:%H:%M}"
