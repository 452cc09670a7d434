"""Search, filters, smart views and sort, combined, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlmodel import Session

from todo_app.core import accounts, todos
from todo_app.core.due import make_due
from todo_app.core.models import TAG_MAX_LENGTH, Priority
from todo_app.core.queries import (
    MAX_PAGE_SIZE,
    Sort,
    Status,
    TodoQuery,
    View,
    band_of,
    band_starts,
    find_todos,
    new_row_position,
    new_todo,
    open_counts,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday
TZ = "Europe/Berlin"


@pytest.fixture
def owner(session: Session) -> int:
    user = accounts.sign_up(session, "finder@example.com", "password!")
    assert user.id is not None
    other = accounts.sign_up(session, "noise@example.com", "password!")
    assert other.id is not None
    todos.create_todo(session, other.id, "Buy milk (someone else's)")
    seed = [
        ("Buy milk", "two litres", Priority.HIGH, ["errands"], date(2026, 11, 26), None),
        ("Pay rent", "", Priority.HIGH, ["home"], date(2026, 12, 1), None),
        ("Call mom", "about Sunday", Priority.MEDIUM, [], date(2026, 11, 26), time(18, 0)),
        ("Old report", "", Priority.LOW, ["work"], date(2026, 11, 20), None),
        ("Someday: learn Go", "", Priority.NONE, [], None, None),
        ("Meeting notes", "100% done_ok", Priority.NONE, ["work"], date(2026, 11, 26), time(9, 0)),
    ]
    for title, description, priority, tags, day, clock in seed:
        due = make_due(day, clock, TZ) if day else None
        todos.create_todo(
            session,
            user.id,
            title,
            description,
            time_zone=TZ,
            fields=todos.clean_fields(priority=priority, tags=tags, due=due),
        )
    done = todos.create_todo(
        session, user.id, "Filed taxes", fields=todos.clean_fields(tags=["home"])
    )
    todos.set_completed(session, user.id, done.id, True)
    return user.id


def titles(session: Session, owner: int, **params: str) -> list[str]:
    page = find_todos(session, owner, TodoQuery.from_params(params), NOW, TZ)
    return [view.todo.title for view in page.items]


def test_default_puts_what_is_due_first_then_the_rest_newest_first_done_included(
    session: Session, owner: int
) -> None:
    page = find_todos(session, owner, TodoQuery(), NOW, TZ)
    listed = [view.todo.title for view in page.items]
    # Overdue and today's by due (09:00 has passed in Berlin, 18:00 not; a dated
    # todo without a time after the timed ones), then the others newest first, then done.
    assert listed == [
        "Old report",
        "Meeting notes",
        "Call mom",
        "Buy milk",
        "Someday: learn Go",
        "Pay rent",
        "Filed taxes",
    ]
    assert band_starts(page.items, date(2026, 11, 26)) == [
        "Overdue",
        "",
        "Today",
        "",
        "Later",
        "",
        "Done",
    ]
    assert titles(session, owner, sort="created")[0] == "Filed taxes"  # newest first


def test_one_band_has_no_heading(session: Session, owner: int) -> None:
    page = find_todos(session, owner, TodoQuery(view=View.NO_DATE, status=Status.OPEN), NOW, TZ)
    assert [view.todo.title for view in page.items] == ["Someday: learn Go"]
    assert band_starts(page.items, date(2026, 11, 26)) == [""]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("MILK", ["Buy milk"]),  # case-insensitive, title
        ("sunday", ["Call mom"]),  # description
        ("errands", ["Buy milk"]),  # tag
        ("100%", ["Meeting notes"]),  # LIKE wildcards are literal
        ("done_", ["Meeting notes"]),
        ("nothing like it", []),
    ],
)
def test_search(session: Session, owner: int, q: str, expected: list[str]) -> None:
    assert titles(session, owner, q=q) == expected


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("today", {"Buy milk", "Call mom", "Meeting notes"}),
        ("upcoming", {"Pay rent"}),
        ("overdue", {"Old report", "Meeting notes"}),  # 09:00 Berlin < 13:00 Berlin
        ("no-date", {"Someday: learn Go", "Filed taxes"}),
    ],
)
def test_smart_views(session: Session, owner: int, view: str, expected: set[str]) -> None:
    assert set(titles(session, owner, view=view)) == expected


def test_status_priority_tag_and_due_range_filters(session: Session, owner: int) -> None:
    assert titles(session, owner, status="done") == ["Filed taxes"]
    assert "Filed taxes" not in titles(session, owner, status="open")
    assert set(titles(session, owner, priority="high")) == {"Buy milk", "Pay rent"}
    assert set(titles(session, owner, tag="work")) == {"Old report", "Meeting notes"}
    assert set(titles(session, owner, **{"from": "2026-11-26", "to": "2026-11-30"})) == {
        "Buy milk",
        "Call mom",
        "Meeting notes",
    }


def test_filters_combine(session: Session, owner: int) -> None:
    assert titles(session, owner, q="m", tag="work", priority="none", status="open") == [
        "Meeting notes"
    ]


def test_sorts(session: Session, owner: int) -> None:
    by_due = titles(session, owner, sort="due")
    assert by_due[:2] == ["Old report", "Meeting notes"]  # earliest date, then earliest time
    assert set(by_due[-2:]) == {"Someday: learn Go", "Filed taxes"}  # undated last
    assert titles(session, owner, sort="priority")[:2] in (
        ["Pay rent", "Buy milk"],
        ["Buy milk", "Pay rent"],
    )
    assert titles(session, owner, sort="title")[:2] == ["Buy milk", "Call mom"]


def test_query_round_trips_through_url_params() -> None:
    query = TodoQuery(
        search="milk",
        status=Status.OPEN,
        view=View.TODAY,
        priority=Priority.HIGH,
        tag="home",
        due_from=date(2026, 1, 1),
        sort=Sort.DUE,
    )
    assert TodoQuery.from_params(query.to_params()) == query
    assert TodoQuery().to_params() == {}


def test_malformed_params_fall_back_to_defaults() -> None:
    query = TodoQuery.from_params(
        {"status": "bogus", "view": 3, "priority": "urgent", "from": "yesterday", "sort": "x"}
    )
    assert query == TodoQuery()


def test_rows_carry_tags_progress_and_overdue(session: Session, owner: int) -> None:
    page = find_todos(session, owner, TodoQuery(tag="work", sort=Sort.TITLE), NOW, TZ)
    meeting, old = page.items
    assert meeting.tags == ["work"] and meeting.overdue and old.overdue
    assert page.total == 2 and not page.has_more


def test_control_characters_in_the_url_are_dropped() -> None:
    """A link with ?q=%00 once broke the list: PostgreSQL refuses NUL in a string."""
    query = TodoQuery.from_params({"q": "rep\x00ort\x07", "tag": "\x00work"})
    assert (query.search, query.tag) == ("report", "work")


def test_a_search_with_a_nul_byte_runs(session: Session) -> None:
    owner = accounts.sign_up(session, "nul@example.com", "password-n").id
    assert owner is not None
    todos.create_todo(session, owner, "anything")
    page = find_todos(session, owner, TodoQuery.from_params({"q": "\x00"}), NOW, TZ)
    assert page.total == 1  # an empty search: everything


def test_rows_due_within_a_day_are_due_soon_unless_overdue_or_done(
    session: Session, owner: int
) -> None:
    """The "Due soon" badge: due today (date only) or within DUE_SOON_HOURS, not late yet."""

    def soon() -> set[str]:
        page = find_todos(session, owner, TodoQuery(), NOW, TZ)
        return {view.todo.title for view in page.items if view.due_soon}

    # Not "Meeting notes" (09:00 today: overdue), "Old report" (overdue), "Pay rent" (Dec 1).
    assert soon() == {"Buy milk", "Call mom"}
    call = find_todos(session, owner, TodoQuery(search="Call mom"), NOW, TZ).items[0].todo
    assert call.id is not None
    todos.set_completed(session, owner, call.id, True)
    assert soon() == {"Buy milk"}  # a done todo is due no more


def test_a_tag_in_the_url_is_cut_to_the_longest_tag_there_can_be() -> None:
    query = TodoQuery.from_params({"tag": "#" + "x" * (TAG_MAX_LENGTH + 10)})
    assert query.tag == "x" * TAG_MAX_LENGTH


def test_priority_in_the_url_is_the_priorities_own_word() -> None:
    assert TodoQuery.from_params({"priority": "Medium"}).priority is Priority.MEDIUM
    assert TodoQuery(priority=Priority.LOW).to_params() == {"priority": "low"}


def test_open_counts_per_view(session: Session, owner: int) -> None:
    counts = open_counts(session, owner, None, NOW, TZ)
    assert counts == {
        View.ALL: 6,  # "Filed taxes" is done
        View.TODAY: 3,
        View.UPCOMING: 1,
        View.OVERDUE: 2,  # Old report, and Meeting notes (09:00 has passed)
        View.NO_DATE: 1,
    }
    for view, count in counts.items():  # the same as the view's own open todos
        assert len(titles(session, owner, view=view.value, status="open")) == count


# --- a todo just added, placed without the page query (the add's fast path) ---------------

NEW_TODOS: list[tuple[str, dict[str, Any]]] = [
    ("Plain new", {}),
    ("Tagged errand", {"tags": ["errands"]}),
    ("High and later", {"priority": Priority.HIGH, "due": (date(2026, 12, 3), None)}),
    ("Due today", {"due": (date(2026, 11, 26), time(20, 0))}),
    ("Overdue already", {"due": (date(2026, 11, 2), None)}),
    ("A report of sorts", {"tags": ["new-tag"]}),
]
PAGE_QUERIES = [
    {},
    {"sort": "created"},
    {"q": "report"},
    {"q": "errands"},
    {"status": "done"},
    {"status": "open", "view": "no-date"},
    {"view": "today"},
    {"view": "upcoming", "priority": "high"},
    {"tag": "errands"},
    {"sort": "priority"},
]


@pytest.mark.parametrize(
    "params", PAGE_QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "default"
)
@pytest.mark.parametrize("limit", [2, 50])
def test_a_new_todo_is_placed_as_the_page_query_would_show_it(
    session: Session, owner: int, params: dict[str, str], limit: int
) -> None:
    query = TodoQuery.from_params(params).page(limit)
    today = date(2026, 11, 26)
    for title, extra in NEW_TODOS:
        before = find_todos(session, owner, query, NOW, TZ)
        counts_before = open_counts(session, owner, None, NOW, TZ)
        due = extra.get("due")
        fields = todos.clean_fields(
            priority=extra.get("priority", Priority.NONE),
            tags=extra.get("tags", []),
            due=make_due(due[0], due[1], TZ) if due else None,
        )
        todo = todos.create_todo(session, owner, title, time_zone=TZ, fields=fields)
        placed = new_todo(session, owner, todo, query, NOW, TZ, tagged=bool(extra.get("tags")))
        after = find_todos(session, owner, query, NOW, TZ)
        everything = find_todos(session, owner, query.page(MAX_PAGE_SIZE), NOW, TZ)

        assert placed.matches == any(v.todo.id == todo.id for v in everything.items), title
        assert after.total == before.total + placed.matches, title
        assert placed.view.tags == sorted(extra.get("tags", [])), title
        counts_after = open_counts(session, owner, None, NOW, TZ)
        assert {v for v in View if counts_after[v] != counts_before[v]} == placed.views, title
        assert all(counts_after[v] == counts_before[v] + 1 for v in placed.views), title
        if not placed.matches:
            assert [v.todo.id for v in after.items] == [v.todo.id for v in before.items], title
            continue
        bands = [band_of(view, today) for view in before.items]
        position = new_row_position(query.sort, band_of(placed.view, today), bands)
        if position is None:
            assert query.sort not in (Sort.CREATED,), title  # only the query can tell
            continue
        expected = [v.todo.id for v in before.items]
        if position < len(expected) or not before.has_more:
            expected.insert(position, todo.id)
        assert [v.todo.id for v in after.items] == expected[:limit], (title, position)
        assert after.has_more == (before.has_more or len(expected) > limit), title


def test_only_a_new_todo_due_now_needs_the_query_to_find_its_place() -> None:
    later, due_now = ["Today", "Overdue", "Later", "Done"], ["Overdue", "Today"]
    assert new_row_position(Sort.SMART, "Later", later) == 2  # after what is due now
    assert new_row_position(Sort.SMART, "Later", due_now) == 2  # at the end of the window
    assert new_row_position(Sort.SMART, "Later", []) == 0
    assert new_row_position(Sort.SMART, "Today", later) is None
    assert new_row_position(Sort.CREATED, "Today", later) == 0
    for sort in (Sort.DUE, Sort.PRIORITY, Sort.TITLE):
        assert new_row_position(sort, "Later", later) is None


@pytest.mark.parametrize("offset", [0, 2, 4, 5, 9])
def test_every_page_knows_the_total_even_past_the_end(
    session: Session, owner: int, offset: int
) -> None:
    for number in range(5):
        todos.create_todo(session, owner, f"Todo {number}", time_zone=TZ)
    todos.create_todo(session, owner, "Other words", time_zone=TZ)
    query = TodoQuery.from_params({"q": "todo"}).page(2, offset)
    page = find_todos(session, owner, query, NOW, TZ)
    assert page.total == 5
    assert len(page.items) == max(0, min(2, 5 - offset))
    assert page.has_more == (offset + 2 < 5)
