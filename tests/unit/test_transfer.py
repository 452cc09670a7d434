"""Import and export: JSON round trips losing nothing, broken files importing nothing, CSV
safe to open in a spreadsheet, and nobody else's todos in anybody's file."""

import csv
import io
import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlmodel import Session, col, select

from todo_app.core import lists, recurrence, tags, todos
from todo_app.core.due import Due, make_due
from todo_app.core.export import CSV_HEADER, export_csv, export_json
from todo_app.core.importing import ImportRejected, import_json
from todo_app.core.models import Priority, Subtask, Tag, Todo


def _add(
    session: Session,
    owner: int,
    title: str,
    description: str = "",
    *,
    zone: str = "UTC",
    **fields: Any,
) -> Todo:
    return todos.create_todo(
        session, owner, title, description, time_zone=zone, fields=todos.clean_fields(**fields)
    )


def _subtasks(session: Session, todo: Todo, *items: tuple[str, bool]) -> None:
    assert todo.id is not None
    for position, (title, done) in enumerate(items):
        session.add(Subtask(todo_id=todo.id, title=title, done=done, position=position))
    session.flush()


def _legacy_successor(session: Session, done: Todo, due: Due) -> Todo:
    """A completed occurrence and the open one that follows it, as versions before
    repeating todos rolled forward in place made them (the file's "follows")."""
    done.completed, done.completed_at = True, datetime.now(UTC)
    session.add(done)
    following = Todo(
        owner_id=done.owner_id,
        list_id=done.list_id,
        title=done.title,
        time_zone=done.time_zone,
        recurrence=done.recurrence,
        series_start=done.series_start,
        due_date=due.date,
        due_at=due.at,
        previous_id=done.id,
    )
    session.add(following)
    session.flush()
    assert done.id is not None and following.id is not None
    tags.set_todo_tags(
        session, done.owner_id, following.id, tags.tags_by_todo(session, [done.id]).get(done.id, [])
    )
    return following


def _varied(session: Session, owner: int) -> None:
    """A bit of everything a user can see."""
    _add(
        session,
        owner,
        "Buy milk",
        'two litres, "fresh"\nnot UHT',
        priority="low",
        tags=["shop", "home"],
    )
    _add(
        session,
        owner,
        "Call mum",
        zone="Europe/Berlin",
        priority="medium",
        due=make_due(date(2026, 12, 24), None, "Europe/Berlin"),
    )
    dentist = _add(
        session,
        owner,
        "Dentist",
        zone="America/New_York",
        priority=Priority.HIGH,
        due=make_due(date(2026, 12, 24), time(9, 30), "America/New_York"),
    )
    _subtasks(session, dentist, ("Find the card", True), ("Book a taxi", False))
    rent = _add(
        session,
        owner,
        "Pay rent",
        zone="Europe/Berlin",
        tags=["home"],
        recurrence=recurrence.monthly_on_day(31),
        due=make_due(date(2027, 1, 31), time(18, 0), "Europe/Berlin"),
    )
    _legacy_successor(session, rent, make_due(date(2027, 2, 28), time(18, 0), "Europe/Berlin"))
    done = _add(session, owner, "Read a book")
    todos.set_completed(session, owner, done.id, True)
    # Edited from a New York browser: 22:00 there is 04:00 the next day in Berlin.
    _add(
        session,
        owner,
        "Travel call",
        zone="Europe/Berlin",
        due=make_due(date(2026, 12, 24), time(22, 0), "America/New_York"),
    )
    # The second 02:30 of Berlin's fall-back night (01:30 UTC; the first one is 00:30 UTC).
    night = _add(session, owner, "Night shift", zone="Europe/Berlin")
    night.due_date, night.due_at = date(2026, 10, 25), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    session.add(night)
    _add(session, owner, "Café ☕ — 日本語", "emoji 🎉", tags=["ünïcode"])
    session.flush()


def _document(text: str) -> dict[str, Any]:
    document = json.loads(text)
    assert isinstance(document, dict)
    return document


def _without_exported_at(text: str) -> dict[str, Any]:
    document = _document(text)
    del document["exported_at"]
    return document


def _todos_of(session: Session, owner: int) -> list[Todo]:
    return list(
        session.exec(
            select(Todo).where(Todo.owner_id == owner).order_by(col(Todo.created_at), col(Todo.id))
        ).all()
    )


def _file(*entries: object, **top: object) -> str:
    return json.dumps({"format": "todo-app", "version": 1, "todos": list(entries), **top})


# --- JSON round trip --------------------------------------------------------------------------


def test_a_round_trip_loses_nothing(session: Session, alice: int, bob: int) -> None:
    _varied(session, alice)
    tags.ensure_tags(session, bob, ["home"])  # an existing tag is reused, not duplicated
    exported = export_json(session, alice)

    result = import_json(session, bob, exported)

    assert result.imported == 9
    assert _without_exported_at(export_json(session, bob)) == _without_exported_at(exported)
    originals, copies = _todos_of(session, alice), _todos_of(session, bob)
    assert [(t.due_date, t.due_at, t.created_at) for t in copies] == [
        (t.due_date, t.due_at, t.created_at) for t in originals
    ]
    assert {t.id for t in copies}.isdisjoint(t.id for t in originals)
    assert len(session.exec(select(Tag).where(Tag.owner_id == bob, Tag.name == "home")).all()) == 1


def test_the_document_reads_as_documented(session: Session, alice: int) -> None:
    _varied(session, alice)
    document = _document(export_json(session, alice))
    assert (document["format"], document["version"]) == ("todo-app", 2)
    assert document["lists"] == [{"name": "Inbox"}]
    assert datetime.fromisoformat(document["exported_at"]).utcoffset() is not None
    entries = {entry["title"]: entry for entry in document["todos"]}
    assert list(entries)[:2] == ["Buy milk", "Call mum"]  # oldest first
    assert entries["Buy milk"]["tags"] == ["home", "shop"]
    assert entries["Buy milk"]["priority"] == "low"
    assert entries["Call mum"]["due_date"] == "2026-12-24"
    assert entries["Call mum"]["due_time"] is None
    dentist = entries["Dentist"]
    assert (dentist["due_time"], dentist["time_zone"], dentist["due_at"]) == (
        "09:30",
        "America/New_York",
        None,  # the date and time say it all
    )
    assert dentist["subtasks"] == [
        {"title": "Find the card", "done": True},
        {"title": "Book a taxi", "done": False},
    ]
    assert entries["Travel call"]["due_time"] == "04:00"
    assert entries["Travel call"]["due_at"] == "2026-12-25T03:00:00Z"
    assert entries["Night shift"]["due_at"] == "2026-10-25T01:30:00Z"
    first, following = (e for e in document["todos"] if e["title"] == "Pay rent")
    assert first["completed"] and first["completed_at"] is not None
    assert (following["due_date"], following["series_start"]) == ("2027-02-28", "2027-01-31")
    assert following["follows"] == document["todos"].index(first) + 1
    assert "id" not in first and "owner_id" not in first
    assert {entry["list"] for entry in document["todos"]} == {"Inbox"}


def test_an_imported_series_rolls_forward_in_place(session: Session, alice: int, bob: int) -> None:
    rent = _add(
        session,
        alice,
        "Pay rent",
        recurrence=recurrence.daily(),
        due=make_due(date(2026, 11, 26), None, "UTC"),
    )
    _legacy_successor(session, rent, make_due(date(2026, 11, 27), None, "UTC"))
    import_json(session, bob, export_json(session, alice))
    first, following = _todos_of(session, bob)
    assert first.completed and following.previous_id == first.id
    rolled = todos.complete(session, bob, following.id).rollover
    assert rolled is not None and rolled.now.date == date(2026, 11, 28)
    assert len(_todos_of(session, bob)) == 2  # rolled in place: no third row


def test_a_hand_written_file_needs_only_titles(session: Session, bob: int) -> None:
    text = _file(
        {"title": "  Just a title "},
        {
            "title": "Dated",
            "due_date": "2026-12-24",
            "due_time": "18:30",
            "time_zone": "Europe/Berlin",
            "tags": ["#Work"],
        },
    )
    assert import_json(session, bob, text).imported == 2
    plain, dated = _todos_of(session, bob)
    assert (plain.title, plain.description, plain.priority, plain.time_zone) == (
        "Just a title",
        "",
        Priority.NONE,
        "UTC",
    )
    assert dated.due_at == datetime(2026, 12, 24, 17, 30, tzinfo=UTC)
    assert dated.id is not None
    assert tags.tags_by_todo(session, [dated.id]) == {dated.id: ["work"]}


def test_ids_and_owners_in_the_file_are_ignored(session: Session, alice: int, bob: int) -> None:
    mine = _add(session, alice, "Alice's own")
    text = _file({"title": "Sneaky", "id": mine.id, "owner_id": alice, "owner": "alice"})
    import_json(session, bob, text)
    assert [t.title for t in _todos_of(session, alice)] == ["Alice's own"]
    assert [(t.title, t.owner_id) for t in _todos_of(session, bob)] == [("Sneaky", bob)]


def test_an_edited_due_time_with_a_stale_due_at_is_refused(session: Session, bob: int) -> None:
    entry = {
        "title": "Travel call",
        "due_date": "2026-12-24",
        "due_time": "05:00",
        "time_zone": "Europe/Berlin",
        "due_at": "2026-12-25T03:00:00Z",
    }
    with pytest.raises(ImportRejected, match="remove due_at"):
        import_json(session, bob, _file(entry))
    del entry["due_at"]
    import_json(session, bob, _file(entry))
    assert _todos_of(session, bob)[0].due_at == datetime(2026, 12, 24, 4, 0, tzinfo=UTC)


# --- broken files import nothing ---------------------------------------------------------------


def _assert_nothing_written(session: Session, owner: int) -> None:
    assert _todos_of(session, owner) == []
    assert session.exec(select(Tag).where(Tag.owner_id == owner)).all() == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"format": "todo-app", "version": 1, "todos": [', "is not valid JSON"),
        ("", "is not valid JSON"),
        ('{"format": "todo-app", "version": 1, "todos": [NaN]}', "is not valid JSON"),
        ("[1, 2]", "is not a todo-app export"),
        ('{"format": "other-app", "version": 1, "todos": []}', "is not a todo-app export"),
        ('{"format": "todo-app", "version": 3, "todos": []}', "version 3 export"),
        ('{"format": "todo-app", "version": true, "todos": []}', "version true export"),
        ('{"format": "todo-app", "version": 1, "todos": {}}', "“todos” is not a list"),
    ],
    ids=["truncated", "empty", "nan", "list", "format", "version", "bool-version", "not-a-list"],
)
def test_a_broken_file_is_refused_whole(session: Session, bob: int, text: str, reason: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_json(session, bob, text)
    assert str(caught.value).startswith("The file was not imported: ")
    assert reason in str(caught.value)
    assert caught.value.problems and reason in caught.value.problems[0]
    _assert_nothing_written(session, bob)


def test_wrong_entries_are_all_reported_and_nothing_is_imported(session: Session, bob: int) -> None:
    text = _file(
        {"title": "Fine", "tags": ["fresh"]},
        {"title": "Second", "due_date": "2026-02-30"},
        {"title": "Third", "priority": "urgent", "tags": ["1x"]},
    )
    with pytest.raises(ImportRejected) as caught:
        import_json(session, bob, text)
    problems = caught.value.problems
    assert problems == [
        "Entry 2 (“Second”): the due date “2026-02-30” is not a date like 2026-12-24.",
        "Entry 3 (“Third”): the priority “urgent” is not one of none, low, medium or high.",
        "Entry 3 (“Third”): “1x” is not a valid tag: start with a letter, then letters, "
        "digits, - or _.",
    ]
    message = str(caught.value)
    assert message.startswith("The file was not imported: 2 entries are wrong. Entry 2")
    assert "Entry 1" not in message
    _assert_nothing_written(session, bob)  # not even the fine first entry, nor its tag


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("just text", "Entry 1: is not a todo"),
        ({"description": "no title"}, "it has no title."),
        ({"title": "   "}, "its title is empty."),
        ({"title": 42}, "the title must be text."),
        ({"title": "x" * 501}, "titles can be at most 500 characters"),
        ({"title": "t", "description": ["x"]}, "the description must be text."),
        ({"title": "t", "description": "bad \u0000 byte"}, "contains a NUL character"),
        ({"title": "t", "description": "half \ud800 pair"}, "lone surrogate"),
        ({"title": "t", "completed": "yes"}, "“completed” must be true or false, not “yes”."),
        ({"title": "t", "completed_at": "2026-01-01T00:00:00Z"}, "not completed but has"),
        ({"title": "t", "completed": True, "completed_at": "yesterday"}, "not a moment like"),
        ({"title": "t", "created_at": "2026-01-01T00:00:00"}, "has no UTC offset"),
        ({"title": "t", "created_at": "0001-01-01T00:00:00+05:00"}, "between 1970 and 2200"),
        ({"title": "t", "priority": 7}, "the priority 7 is not one of"),
        ({"title": "t", "due_date": "24.12.2026"}, "“24.12.2026” is not a date like"),
        ({"title": "t", "due_date": "20261224"}, "is not a date like 2026-12-24"),
        ({"title": "t", "due_date": "1900-01-01"}, "between 1970 and 2200"),
        ({"title": "t", "due_date": "2026-12-24", "due_time": "25:00"}, "not a time like"),
        ({"title": "t", "due_time": "18:30"}, "has a due time but no due date"),
        ({"title": "t", "due_date": "2026-12-24", "time_zone": "Mars/Base"}, "“Mars/Base”"),
        ({"title": "t", "due_date": "2026-12-24", "recurrence": "FREQ=HOURLY"}, "once a day"),
        ({"title": "t", "recurrence": "FREQ=DAILY"}, "repeats but has no due date"),
        ({"title": "t", "series_start": "2026-12-24"}, "has a series start but does not"),
        ({"title": "t", "tags": "home"}, "its tags must be a list of names."),
        ({"title": "t", "tags": [f"t{n}" for n in range(21)]}, "at most 20 tags"),
        ({"title": "t", "subtasks": {"title": "s"}}, "its subtasks must be a list."),
        ({"title": "t", "subtasks": [{"done": True}]}, "subtask 1 has no title."),
        ({"title": "t", "subtasks": [{"title": "s", "done": 1}]}, "subtask 1 has a “done”"),
        ({"title": "t", "follows": 1}, "it cannot follow itself."),
        ({"title": "t", "follows": 9}, "“follows” must be the number of an entry, not 9."),
    ],
)
def test_each_wrong_field_is_named(session: Session, bob: int, entry: object, reason: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_json(session, bob, _file(entry))
    assert len(caught.value.problems) == 1
    assert reason in caught.value.problems[0]
    assert "1 entry is wrong" in str(caught.value)
    _assert_nothing_written(session, bob)


def test_entries_following_in_a_loop_are_refused(session: Session, bob: int) -> None:
    text = _file({"title": "a", "follows": 2}, {"title": "b", "follows": 1}, {"title": "c"})
    with pytest.raises(ImportRejected, match="form a loop"):
        import_json(session, bob, text)
    text = _file({"title": "a"}, {"title": "b", "follows": 1}, {"title": "c", "follows": 1})
    with pytest.raises(ImportRejected, match="entry 2 already follows entry 1"):
        import_json(session, bob, text)
    _assert_nothing_written(session, bob)


def test_a_file_too_big_is_refused_before_reading(session: Session, bob: int) -> None:
    text = _file({"title": "x" * 200})
    with pytest.raises(ImportRejected, match="is larger than 100 bytes"):
        import_json(session, bob, text, max_bytes=100)
    # Counted in bytes, not characters: each emoji is 4 bytes of UTF-8.
    emoji = json.dumps(
        {"format": "todo-app", "version": 1, "todos": [{"title": "🎉" * 40}]}, ensure_ascii=False
    )
    assert len(emoji) <= 150 < len(emoji.encode())
    with pytest.raises(ImportRejected, match="larger than 150 bytes"):
        import_json(session, bob, emoji, max_bytes=150)
    _assert_nothing_written(session, bob)


def test_a_file_with_too_many_todos_is_refused(session: Session, bob: int) -> None:
    text = _file(*({"title": f"todo {n}"} for n in range(3)))
    with pytest.raises(ImportRejected, match="has 3 todos; at most 2"):
        import_json(session, bob, text, max_todos=2)
    _assert_nothing_written(session, bob)
    assert import_json(session, bob, text, max_todos=3).imported == 3


def test_the_message_shows_a_few_problems_and_keeps_them_all(session: Session, bob: int) -> None:
    text = _file(*({"title": ""} for _ in range(5)))
    with pytest.raises(ImportRejected) as caught:
        import_json(session, bob, text)
    assert len(caught.value.problems) == 5
    assert str(caught.value).endswith("…and 2 more.")
    assert "5 entries are wrong" in str(caught.value)


# --- CSV -------------------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_has_a_header_and_one_row_per_todo(session: Session, alice: int) -> None:
    _varied(session, alice)
    rows = _rows(export_csv(session, alice))
    assert rows[0] == list(CSV_HEADER)
    assert len(rows) == 1 + len(_todos_of(session, alice))
    by_title = {row[0]: dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]}
    milk = by_title["Buy milk"]
    assert milk["description"] == 'two litres, "fresh"\nnot UHT'  # quoted, newline kept
    assert (milk["tags"], milk["priority"], milk["completed"]) == ("home;shop", "low", "false")
    dentist = by_title["Dentist"]
    assert (dentist["due_date"], dentist["due_time"], dentist["time_zone"]) == (
        "2026-12-24",
        "09:30",
        "America/New_York",
    )
    assert dentist["subtasks"] == "1 of 2"
    assert by_title["Read a book"]["completed"] == "true"


def test_csv_cells_cannot_run_as_formulas(session: Session, alice: int) -> None:
    for title in ('=HYPERLINK("http://evil.example","x")', "+1 call", "-minus", "@SUM(A1)"):
        _add(session, alice, title, "-2+3")
    # Leading tabs and CRs never pass the title rules: written directly, as older data might be.
    inbox = lists.ensure_inbox(session, alice)
    assert inbox.id is not None
    session.add(Todo(owner_id=alice, list_id=inbox.id, title="\tTabbed", description="\rReturn"))
    session.flush()
    rows = _rows(export_csv(session, alice))[1:]
    assert [(row[0], row[1]) for row in rows] == [
        ('\'=HYPERLINK("http://evil.example","x")', "'-2+3"),
        ("'+1 call", "'-2+3"),
        ("'-minus", "'-2+3"),
        ("'@SUM(A1)", "'-2+3"),
        ("'\tTabbed", "'\rReturn"),
    ]


# --- only the owner's todos -------------------------------------------------------------------


def test_another_users_todos_never_appear(session: Session, alice: int, bob: int) -> None:
    secret = _add(session, alice, "Alice's secret", "private", tags=["hidden"])
    _subtasks(session, secret, ("Alice's step", False))
    shared = _add(session, bob, "Bob's todo", tags=["hidden"])  # same tag name, own tag
    _subtasks(session, shared, ("Bob's step", True))

    document = _document(export_json(session, bob))
    assert [entry["title"] for entry in document["todos"]] == ["Bob's todo"]
    assert document["todos"][0]["subtasks"] == [{"title": "Bob's step", "done": True}]
    assert document["todos"][0]["tags"] == ["hidden"]
    for text in (export_json(session, bob), export_csv(session, bob)):
        assert "Alice" not in text and "private" not in text
    assert _document(export_json(session, 10_000_000))["todos"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "America"),  # a folder of the zone database, once an OSError and a 500
        ("time_zone", "Etc"),
        ("time_zone", "../../etc/passwd"),
        ("title", "\ud800 lone surrogate"),
        ("tags", ["\udfff"]),
        ("description", "\x00"),
    ],
)
def test_hostile_values_are_refused_with_a_sentence(
    session: Session, alice: int, field: str, value: object
) -> None:
    entry: dict[str, object] = {"title": "Fine title", field: value}
    document = json.dumps({"format": "todo-app", "version": 1, "todos": [entry]})
    with pytest.raises(ImportRejected) as caught:
        import_json(session, alice, document)
    assert "/" not in str(caught.value).replace("../../etc/passwd", "")  # no filesystem path
    # Shown to the user as it is: it must encode (a quoted lone surrogate would not).
    for sentence in (str(caught.value), *caught.value.problems):
        sentence.encode("utf-8")
    assert session.exec(select(Todo).where(Todo.owner_id == alice)).all() == []
