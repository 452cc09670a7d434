"""The file format of a user's todos, written by export.py and read by importing.py.

The JSON document::

    {"format": "todo-app", "version": 1, "exported_at": "2026-12-24T18:30:00Z", "todos": [...]}

holds every todo of the user, oldest first, each with: title, description, completed,
completed_at, priority ("none", "low", "medium", "high"), due_date ("2026-12-24" or null),
due_time (the wall-clock "18:30" in the todo's time_zone, or null), due_at, time_zone,
recurrence (an RRULE or null), series_start, created_at, tags (names), subtasks
([{"title", "done"}]) and follows.

Two fields exist only so that a round trip loses nothing:

- ``due_at`` is the exact UTC instant, given only when due_date and due_time in time_zone
  name a different moment: a time set from a browser in another zone (the stored date is
  that zone's, possibly a day off) or the second 02:30 of a DST fall-back night. It is null
  otherwise, so editing due_date or due_time by hand just works.
- ``follows`` is the number (1-based, as in error messages) of the entry this occurrence of a
  repeating todo was created from. The link is what stops a re-completed occurrence from
  creating its successor twice.

Database ids and owners are never exported, and ignored on import: imported todos belong to
the importing user only. An import is validated whole before anything is written.
"""

from __future__ import annotations

from datetime import time

FORMAT = "todo-app"
VERSION = 1


def clock_text(clock: time) -> str:
    """A due time as the file has it: "18:30", or "18:30:15" when it has seconds."""
    return clock.strftime("%H:%M:%S" if clock.second else "%H:%M")
