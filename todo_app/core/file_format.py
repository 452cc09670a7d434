"""The file format of a user's todos, written by export.py and read by importing.py.

The JSON document (version 2)::

    {"format": "todo-app", "version": 2, "exported_at": "2026-12-24T18:30:00Z",
     "lists": [{"name": "Inbox"}, {"name": "Groceries"}], "todos": [...]}

holds the exported lists by name, in the user's order (the Inbox first; a list with no
todos is kept too), and every todo of those lists, oldest first, each with: title,
description, completed, completed_at, priority ("none", "low", "medium", "high"),
due_date ("2026-12-24" or null), due_time (the wall-clock "18:30" in the todo's
time_zone, or null), due_at, time_zone, recurrence (an RRULE or null), series_start,
created_at, tags (names), subtasks ([{"title", "done"}]), follows and list (its list's
name).

Lists travel by name only. An import puts each todo in the importing user's own list of
that name (any case; "Inbox" is the Inbox), creating the missing ones (within the limit
of own lists); a todo without a list goes to the Inbox. Version 1 files (before lists:
no "lists", no "list") still import, every todo into the Inbox.

Two fields exist only so that a round trip loses nothing:

- ``due_at`` is the exact UTC instant, given only when due_date and due_time in time_zone
  name a different moment: a time set from a browser in another zone (the stored date is
  that zone's, possibly a day off) or the second 02:30 of a DST fall-back night. It is null
  otherwise, so editing due_date or due_time by hand just works.
- ``follows`` is the number (1-based, as in error messages) of the entry this occurrence of a
  repeating todo was created from. Only files from versions before repeating todos rolled
  forward in place (one row per series) have it; it is kept so those import unchanged.

Database ids, owners and members are never exported, and ignored on import: imported todos
belong to the importing user only, in their own lists (an import never writes into a list
shared with them). An import is validated whole before anything is written.
"""

from __future__ import annotations

from datetime import time

FORMAT = "todo-app"
VERSION = 2
READABLE_VERSIONS = (1, 2)


def clock_text(clock: time) -> str:
    """A due time as the file has it: "18:30", or "18:30:15" when it has seconds."""
    return clock.strftime("%H:%M:%S" if clock.second else "%H:%M")
