"""Import of a user's todos from a JSON export (the format of file_format.py).

The whole file is validated before anything is written, and every problem is reported, one
sentence each; then all of it is written in one savepoint, or nothing. Ids and owners in the
file are ignored: imported todos belong to the importing user only, in their own lists by
name (created when missing, within ``lists.MAX_LISTS``); a todo without a list, and every
todo of a version 1 file, goes to the Inbox. An import never writes into a list shared with
the user: a shared list's name makes (or finds) an own list of that name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from sqlmodel import Session

from todo_app.core import lists
from todo_app.core.due import make_due
from todo_app.core.errors import ValidationError
from todo_app.core.file_format import FORMAT, READABLE_VERSIONS, VERSION, clock_text
from todo_app.core.models import TITLE_MAX_LENGTH, Priority, Subtask, Todo, TodoTag, utcnow
from todo_app.core.subtasks import MAX_SUBTASKS
from todo_app.core.tags import clean_tag_names, ensure_tags
from todo_app.core.todos import clean_description, clean_priority, clean_recurrence, clean_title
from todo_app.core.zones import zone

MAX_BYTES = 5_000_000
MAX_TODOS = 10_000
# How many problems str(ImportRejected) spells out; all of them are in ``problems``.
SHOWN_PROBLEMS = 3
# ASCII digits only: \d would let other scripts' digits through to fromisoformat.
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_SHAPE = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?")
_EARLIEST_YEAR, _LATEST_YEAR = 1970, 2200
# Tag names per ensure_tags call: keeps each IN (...) list well inside SQLite's limits.
_TAG_CHUNK = 500

T = TypeVar("T")


class ImportRejected(ValidationError):
    """The file was not imported, not even in part. ``problems`` has every reason, one
    sentence each ("Entry 3 (“Buy milk”): ..."); ``str()`` is a summary fit to show."""

    def __init__(self, message: str, problems: Sequence[str]) -> None:
        super().__init__(_encodable(message))
        self.problems = [_encodable(problem) for problem in problems]


def _encodable(text: str) -> str:
    """``text`` with each lone surrogate (JSON may spell one: "\\ud800") as "?": quoted
    from the file, it would make the message, and every reply showing it, unencodable."""
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True, slots=True)
class ImportResult:
    imported: int


@dataclass(frozen=True, slots=True)
class _Entry:
    title: str
    description: str
    completed: bool
    completed_at: datetime | None
    priority: Priority
    due_date: date | None
    due_at: datetime | None
    time_zone: str
    recurrence: str | None
    series_start: date | None
    created_at: datetime | None
    tags: list[str]
    subtasks: list[tuple[str, bool]]
    follows: int | None  # 0-based index of the entry this one follows
    list_name: str | None  # None: the Inbox


class _Problem(Exception):
    """One thing wrong with one field: a clause such as "the due date “x” is not a date"."""


def import_json(
    session: Session,
    owner_id: int,
    text: str,
    max_bytes: int = MAX_BYTES,
    max_todos: int = MAX_TODOS,
) -> ImportResult:
    """Adds the file's todos to the owner's, all or none: ImportRejected lists every problem."""
    list_names, entries = _read(text, max_bytes, max_todos)
    # A savepoint: a database error undoes the whole import and nothing else of the caller's.
    with session.begin_nested():
        _write(session, owner_id, entries, _target_lists(session, owner_id, list_names, entries))
    return ImportResult(imported=len(entries))


def _reject_file(reason: str) -> ImportRejected:
    return ImportRejected(f"The file was not imported: {reason}", [f"The file {reason}"])


def _read(text: str, max_bytes: int, max_todos: int) -> tuple[list[str], list[_Entry]]:
    """The file's list names (in order) and its entries, or ImportRejected."""
    if not isinstance(text, str):
        raise _reject_file("is not text.")
    # Counted before parsing: a huge file costs nothing but this check.
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise _reject_file(f"is larger than {_size(max_bytes)}.")
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise _reject_file(
            f"is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from None
    except (ValueError, RecursionError):  # NaN, a 5,000-digit number, deep nesting
        raise _reject_file("is not valid JSON.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _reject_file("is not a todo-app export (its “format” is not “todo-app”).")
    version = document.get("version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise _reject_file(
            f"is a version {_show(version)} export; this app reads versions up to {VERSION}."
        )
    items = document.get("todos")
    if not isinstance(items, list):
        raise _reject_file("has no list of todos (its “todos” is not a list).")
    if len(items) > max_todos:
        raise _reject_file(
            f"has {len(items):,} todos; at most {max_todos:,} can be imported at once."
        )
    list_names, problems = _check_lists(document.get("lists"))
    entries: list[_Entry | None] = []
    wrong: set[int] = set()
    for index, item in enumerate(items):
        entry, found = _check_entry(item, index, len(items))
        entries.append(entry)
        problems += found
        if found:
            wrong.add(index)
    for index, problem in _check_links(entries):
        problems.append(f"{_label(items[index], index)}: {problem}")
        wrong.add(index)
    if problems:
        if wrong:
            count = "1 entry is wrong" if len(wrong) == 1 else f"{len(wrong):,} entries are wrong"
        else:
            count = "its lists are wrong"
        shown = " ".join(problems[:SHOWN_PROBLEMS])
        more = len(problems) - SHOWN_PROBLEMS
        tail = f" …and {more:,} more." if more > 0 else ""
        raise ImportRejected(f"The file was not imported: {count}. {shown}{tail}", problems)
    return list_names, [entry for entry in entries if entry is not None]


def _check_lists(raw: object) -> tuple[list[str], list[str]]:
    """The names in the file's "lists" (absent in version 1) and the problems with them."""
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        raise _reject_file("has a “lists” that is not a list.")
    if len(raw) > lists.MAX_LISTS + 1:  # the Inbox and the most one can own
        raise _reject_file(f"has {len(raw):,} lists; at most {lists.MAX_LISTS} can be imported.")
    names: list[str] = []
    problems: list[str] = []
    for number, item in enumerate(raw, start=1):
        name = item.get("name") if isinstance(item, dict) else item
        try:
            names.append(_storable(lists.clean_list_name(name), "name"))
        except _Problem as problem:
            problems.append(f"List {number}: {problem}")
        except ValidationError as error:
            problems.append(f"List {number}: {_reason(error)}")
    return names, problems


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _size(max_bytes: int) -> str:
    if max_bytes >= 1_000_000:
        return f"{max_bytes / 1_000_000:g} MB"
    return f"{max_bytes:,} bytes"


def _show(raw: object) -> str:
    """A value from the file, quoted and cut short for a message."""
    if isinstance(raw, str):
        return "“" + (raw if len(raw) <= 40 else raw[:40] + "…") + "”"
    text = json.dumps(raw, ensure_ascii=False)
    return text if len(text) <= 40 else text[:40] + "…"


def _label(item: object, index: int) -> str:
    title = item.get("title") if isinstance(item, dict) else None
    if isinstance(title, str) and title.strip():
        return f"Entry {index + 1} ({_show(title.strip())})"
    return f"Entry {index + 1}"


def _reason(error: ValidationError) -> str:
    """A service's sentence as a clause after "Entry 3 (…): "."""
    text = str(error)
    return text[:1].lower() + text[1:]


class _Checker:
    """Runs each field's check, collecting problems instead of stopping at the first."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.item = item
        self.problems: list[str] = []

    def take(self, key: str, clean: Callable[[object], T], fallback: T) -> T:
        """The field, cleaned; ``fallback`` if it is wrong (the entry is rejected then)."""
        return self.run(lambda: clean(self.item.get(key)), fallback)

    def run(self, check: Callable[[], T], fallback: T) -> T:
        try:
            return check()
        except _Problem as problem:
            self.problems.append(str(problem))
        except ValidationError as error:
            self.problems.append(_reason(error))
        return fallback

    def ok_since(self, mark: int) -> bool:
        return len(self.problems) == mark


def _check_entry(item: object, index: int, count: int) -> tuple[_Entry | None, list[str]]:
    label = _label(item, index)
    if not isinstance(item, dict):
        return None, [f"{label}: is not a todo (an object with a title and other fields)."]
    check = _Checker(item)
    title = check.take("title", _title, "")
    description = check.take("description", _description, "")
    completed = check.take("completed", _flag("completed"), False)
    completed_at = check.take("completed_at", _moment("completion time"), None)
    priority = check.take("priority", _priority, Priority.NONE)
    mark = len(check.problems)
    due_date = check.take("due_date", _day("due date"), None)
    clock = check.take("due_time", _clock, None)
    due_at = check.take("due_at", _moment("exact due time (due_at)"), None)
    time_zone = check.take("time_zone", _time_zone, "UTC")
    due_ok = check.ok_since(mark)
    if due_ok:
        due_at = check.run(lambda: _due(due_date, clock, due_at, time_zone), None)
    mark = len(check.problems)
    rule = check.take("recurrence", _recurrence, None)
    rule_ok = check.ok_since(mark)
    series_start = check.take("series_start", _day("series start"), None)
    created_at = check.take("created_at", _moment("creation time"), None)
    tags: list[str] = check.take("tags", _tags, [])
    subtasks: list[tuple[str, bool]] = check.take("subtasks", _subtasks, [])
    follows = check.take("follows", _follows(index, count), None)
    list_name = check.take("list", _optional_list_name, None)
    if completed_at is not None and not completed:
        check.problems.append("it is not completed but has a completion time.")
    if rule is not None and due_date is None and due_ok:
        check.problems.append("it repeats but has no due date to repeat from.")
    if series_start is not None and rule is None and rule_ok:
        check.problems.append("it has a series start but does not repeat.")
    if series_start is not None and due_date is not None and series_start > due_date:
        check.problems.append("its series start is after its due date.")
    if check.problems:
        return None, [f"{label}: {problem}" for problem in check.problems]
    return _Entry(
        title=title,
        description=description,
        completed=completed,
        completed_at=completed_at,
        priority=priority,
        due_date=due_date,
        due_at=due_at,
        time_zone=time_zone,
        recurrence=rule,
        series_start=(series_start or due_date) if rule else None,
        created_at=created_at,
        tags=tags,
        subtasks=subtasks,
        follows=follows,
        list_name=list_name,
    ), []


def _title(raw: object) -> str:
    if raw is None:
        raise _Problem("it has no title.")
    if isinstance(raw, str) and not raw.strip():
        raise _Problem("its title is empty.")
    return _storable(clean_title(raw), "title")


def _list_name(raw: object) -> str:
    if isinstance(raw, str) and not raw.strip():
        raise _Problem("its list has no name.")
    return _storable(lists.clean_list_name(raw), "list name")


def _optional_list_name(raw: object) -> str | None:
    return None if raw is None else _list_name(raw)


def _description(raw: object) -> str:
    return "" if raw is None else _storable(clean_description(raw), "description")


def _storable(text: str, what: str) -> str:
    """JSON escapes can spell a NUL or half a surrogate pair; neither can be stored
    (PostgreSQL refuses both), so they are a problem of the entry, not a crash later."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Problem(f"its {what} contains broken Unicode (a lone surrogate).") from None
    if "\x00" in text:
        raise _Problem(f"its {what} contains a NUL character.")
    return text


def _flag(what: str) -> Callable[[object], bool]:
    def clean(raw: object) -> bool:
        if raw is None:
            return False
        if not isinstance(raw, bool):
            raise _Problem(f"“{what}” must be true or false, not {_show(raw)}.")
        return raw

    return clean


def _priority(raw: object) -> Priority:
    if raw is None:
        return Priority.NONE
    try:
        return clean_priority(raw)
    except ValidationError:
        raise _Problem(
            f"the priority {_show(raw)} is not one of none, low, medium or high."
        ) from None


def _day(what: str) -> Callable[[object], date | None]:
    def clean(raw: object) -> date | None:
        if raw is None:
            return None
        if isinstance(raw, str) and _DATE_SHAPE.fullmatch(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        raise _Problem(f"the {what} {_show(raw)} is not a date like 2026-12-24.")

    return clean


def _clock(raw: object) -> time | None:
    if raw is None:
        return None
    if isinstance(raw, str) and _TIME_SHAPE.fullmatch(raw):
        try:
            return time.fromisoformat(raw)
        except ValueError:
            pass
    raise _Problem(f"the due time {_show(raw)} is not a time like 18:30.")


def _moment(what: str) -> Callable[[object], datetime | None]:
    def clean(raw: object) -> datetime | None:
        if raw is None:
            return None
        example = "a moment like 2026-12-24T18:30:00Z"
        if not isinstance(raw, str) or len(raw) > 40:
            raise _Problem(f"the {what} {_show(raw)} is not {example}.")
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise _Problem(f"the {what} {_show(raw)} is not {example}.") from None
        if value.tzinfo is None:
            raise _Problem(f"the {what} {_show(raw)} has no UTC offset, as in {example[9:]}.")
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # year 1 or 9999 shifted out of datetime's range
            raise _Problem(f"the {what} {_show(raw)} is not between 1970 and 2200.") from None
        if not _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
            raise _Problem(f"the {what} {_show(raw)} is not between 1970 and 2200.")
        return value

    return clean


def _time_zone(raw: object) -> str:
    if raw is None:
        return "UTC"
    try:
        return zone(raw).key
    except ValidationError:
        raise _Problem(f"the time zone {_show(raw)} is not a time zone we know.") from None


def _due(day: date | None, clock: time | None, due_at: datetime | None, tz: str) -> datetime | None:
    """The due instant; make_due also checks the date's range."""
    if day is None:
        if clock is not None:
            raise _Problem("it has a due time but no due date.")
        if due_at is not None:
            raise _Problem("it has an exact due time (due_at) but no due date.")
        return None
    due = make_due(day, clock, tz)
    if clock is None:
        if due_at is not None:
            raise _Problem("it has an exact due time (due_at) but no due time.")
        return None
    if due_at is None:
        return due.at
    # due_at only pins down which instant the date and time mean (see file_format.py): it must
    # show the same wall-clock time, on the date or a neighbouring one (another zone's date).
    local = due_at.astimezone(zone(tz))
    if local.time().replace(microsecond=0) != clock or abs((local.date() - day).days) > 1:
        raise _Problem(
            f"its exact due time (due_at) is not {clock_text(clock)} in {tz} near {day}: "
            "remove due_at when changing the due date or time."
        )
    return due_at


def _recurrence(raw: object) -> str | None:
    try:
        return clean_recurrence(raw)
    except ValidationError as error:
        raise _Problem(f"the repeat rule {_show(raw)} is not accepted: {_reason(error)}") from None


def _tags(raw: object) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _Problem("its tags must be a list of names.")
    return clean_tag_names(raw)


def _subtasks(raw: object) -> list[tuple[str, bool]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _Problem("its subtasks must be a list.")
    if len(raw) > MAX_SUBTASKS:
        raise _Problem(f"a todo can have at most {MAX_SUBTASKS} subtasks.")
    subtasks = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise _Problem(f"subtask {number} is not an object with a title.")
        title, done = item.get("title"), item.get("done", False)
        if not isinstance(title, str) or not title.strip():
            raise _Problem(f"subtask {number} has no title.")
        if len(title.strip()) > TITLE_MAX_LENGTH:
            raise _Problem(
                f"subtask {number} has a title longer than {TITLE_MAX_LENGTH} characters."
            )
        if not isinstance(done, bool):
            raise _Problem(f"subtask {number} has a “done” that is not true or false.")
        subtasks.append((_storable(title.strip(), f"subtask {number}"), done))
    return subtasks


def _follows(index: int, count: int) -> Callable[[object], int | None]:
    def clean(raw: object) -> int | None:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= count:
            raise _Problem(f"“follows” must be the number of an entry, not {_show(raw)}.")
        if raw == index + 1:
            raise _Problem("it cannot follow itself.")
        return raw - 1

    return clean


def _check_links(entries: list[_Entry | None]) -> list[tuple[int, str]]:
    """Each entry followed by one other at most, and no loops (A follows B follows A)."""
    problems: list[tuple[int, str]] = []
    followed_by: dict[int, int] = {}
    for index, entry in enumerate(entries):
        if entry is None or entry.follows is None:
            continue
        if entry.follows in followed_by:
            other = followed_by[entry.follows] + 1
            problems.append((index, f"entry {other} already follows entry {entry.follows + 1}."))
        else:
            followed_by[entry.follows] = index
    # Every entry follows one other at most: walking "follows" from each entry, marking the
    # walked ones, finds every loop in linear time (a 10,000-entry chain is walked once).
    state = [0] * len(entries)  # 0 not seen, 1 on the current walk, 2 checked
    for start in range(len(entries)):
        path: list[int] = []
        step: int | None = start
        while step is not None and state[step] == 0:
            state[step] = 1
            path.append(step)
            entry = entries[step]
            step = entry.follows if entry else None
        if step is not None and state[step] == 1:
            problems.append((step, "the entries it follows form a loop."))
        for walked in path:
            state[walked] = 2
    return problems


def _target_lists(
    session: Session, owner_id: int, list_names: list[str], entries: list[_Entry]
) -> dict[str, int]:
    """The importing user's own list for each name (by ``lists.name_key``; "" is the
    Inbox), creating the missing ones in the file's order: all of them fit, or none."""
    inbox = lists.ensure_inbox(session, owner_id)
    assert inbox.id is not None
    own_lists = [view for view in lists.visible_lists(session, owner_id) if view.is_own]
    own = {lists.name_key(view.name): view.id for view in own_lists}
    own[""] = inbox.id
    missing: dict[str, str] = {}
    for name in [*list_names, *(entry.list_name for entry in entries if entry.list_name)]:
        key = lists.name_key(name)
        if key not in own and key not in missing:
            missing[key] = name
    have = sum(not view.is_inbox for view in own_lists)
    if have + len(missing) > lists.MAX_LISTS:
        reason = (
            f"it has {len(missing):,} lists you do not have yet, and you can have at most "
            f"{lists.MAX_LISTS} lists (you have {have})."
        )
        raise ImportRejected(f"The file was not imported: {reason}", [f"The file: {reason}"])
    for key, name in missing.items():
        own[key] = lists.create_list(session, owner_id, name).id
    return own


def _write(
    session: Session, owner_id: int, entries: list[_Entry], list_ids: dict[str, int]
) -> None:
    now = utcnow()
    todos = [
        Todo(
            owner_id=owner_id,
            list_id=list_ids[lists.name_key(entry.list_name or "")],
            title=entry.title,
            description=entry.description,
            completed=entry.completed,
            completed_at=entry.completed_at,
            priority=int(entry.priority),
            due_date=entry.due_date,
            due_at=entry.due_at,
            time_zone=entry.time_zone,
            recurrence=entry.recurrence,
            series_start=entry.series_start,
            created_at=entry.created_at or now,
            updated_at=now,
        )
        for entry in entries
    ]
    session.add_all(todos)
    session.flush()
    for todo, entry in zip(todos, entries, strict=True):
        if entry.follows is not None:
            todo.previous_id = todos[entry.follows].id
    names = list(dict.fromkeys(name for entry in entries for name in entry.tags))
    tag_ids: dict[str, int] = {}
    for start in range(0, len(names), _TAG_CHUNK):
        for tag in ensure_tags(session, owner_id, names[start : start + _TAG_CHUNK]):
            assert tag.id is not None
            tag_ids[tag.name] = tag.id
    for todo, entry in zip(todos, entries, strict=True):
        assert todo.id is not None
        session.add_all(TodoTag(todo_id=todo.id, tag_id=tag_ids[name]) for name in entry.tags)
        session.add_all(
            Subtask(todo_id=todo.id, title=title, done=done, position=position)
            for position, (title, done) in enumerate(entry.subtasks)
        )
    session.flush()
