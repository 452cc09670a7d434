"""The calendar feed: a secret URL per user (and per list) whose iCalendar parses back
(with the icalendar library) into the user's dated todos, repeats as RRULE; reset and
revoke end the old URL; another user's list has no feed for you."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from icalendar import Calendar

from tests.api.conftest import SERVER_SECRET, Api, Person
from todo_app.core import calendar_feeds, lists
from todo_app.core.db import session_scope
from todo_app.core.errors import NotFoundError


def _add(api: Api, who: Person, **body: object) -> dict[str, object]:
    answer = api.client.post("/api/v1/todos", json=body, headers=who.headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, object] = answer.json()
    return created


def _feed_path(api: Api, who: Person, **params: object) -> str:
    answer = api.client.get("/api/v1/calendar/feed", params=params, headers=who.headers)
    assert answer.status_code == 200, answer.text
    path: str = answer.json()["path"]
    assert path.startswith("/api/v1/calendar/") and path.endswith(".ics")
    return path


def _when(component: Any, name: str) -> date:
    """A DTSTART/DUE/DTEND as Python: a date, or an aware datetime."""
    value = component.decoded(name)
    assert isinstance(value, date)
    return value


def _parse(api: Api, path: str, **params: str) -> Calendar:
    answer = api.client.get(path, params=params)  # no Authorization: the URL is the key
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(answer.content)


def test_the_feed_parses_back_into_the_users_dated_todos(api: Api, alice: Person) -> None:
    rent = _add(
        api,
        alice,
        title="Pay rent",
        due_date="2030-02-01",
        recurrence="FREQ=MONTHLY;BYMONTHDAY=1",
        tags=["home"],
        priority="high",
    )
    call = _add(
        api,
        alice,
        title="Call mum",
        due_date="2030-01-15",
        due_time="18:30",
        time_zone="Europe/Paris",
    )
    _add(api, alice, title="Someday, no date")
    cal = _parse(api, _feed_path(api, alice))
    todos: dict[str, Any] = {str(item["SUMMARY"]): item for item in cal.walk("VTODO")}
    assert set(todos) == {"Pay rent", "Call mum"}
    repeating = todos["Pay rent"]
    assert repeating["UID"] == f"todo-{rent['id']}@todo-app"
    assert _when(repeating, "DTSTART") == date(2030, 2, 1)
    assert repeating["RRULE"].to_ical() == b"FREQ=MONTHLY;BYMONTHDAY=1"
    assert repeating["PRIORITY"] == 1 and repeating["STATUS"] == "NEEDS-ACTION"
    timed = _when(todos["Call mum"], "DUE")
    assert isinstance(timed, datetime) and str(timed.tzinfo) == "Europe/Paris"
    assert (timed.hour, timed.minute) == (18, 30)
    assert todos["Call mum"]["UID"] == f"todo-{call['id']}@todo-app"
    assert any(tz["TZID"] == "Europe/Paris" for tz in cal.walk("VTIMEZONE"))
    # As events, for calendar apps that show no tasks.
    events = _parse(api, _feed_path(api, alice), kind="event").walk("VEVENT")
    assert {str(event["SUMMARY"]) for event in events} == {"Pay rent", "Call mum"}
    for event in events:
        start, end = _when(event, "DTSTART"), _when(event, "DTEND")
        assert type(start) is type(end) and end > start


def test_a_list_feed_holds_that_list_only(api: Api, alice: Person) -> None:
    work = api.client.post("/api/v1/lists", json={"name": "Work"}, headers=alice.headers).json()
    _add(api, alice, title="Report", due_date="2030-03-01", list_id=work["id"])
    _add(api, alice, title="Inbox thing", due_date="2030-03-02")
    cal = _parse(api, _feed_path(api, alice, list=work["id"]))
    assert [str(item["SUMMARY"]) for item in cal.walk("VTODO")] == ["Report"]
    assert str(cal["X-WR-CALNAME"]) == "Work"


def test_reset_and_revoke_end_the_old_url(api: Api, alice: Person, bob: Person) -> None:
    old = _feed_path(api, alice)
    assert _feed_path(api, alice) == old  # stable: calendar apps keep one URL
    reset = api.client.post("/api/v1/calendar/feed/reset", headers=alice.headers)
    new = reset.json()["path"]
    assert new != old
    gone = api.client.get(old)
    assert gone.status_code == 404 and "no longer works" in gone.json()["detail"]
    assert api.client.get(new).status_code == 200
    with session_scope(api.engine) as session:
        calendar_feeds.revoke_feed(session, alice.id)
    assert api.client.get(new).status_code == 404
    # Tampered and malformed tokens read the same.
    for junk in ("1-" + "A" * 43, "x", "99999999999-" + "A" * 43):
        assert api.client.get(f"/api/v1/calendar/{junk}.ics").status_code == 404


def test_a_feed_of_a_list_its_user_lost_is_gone(api: Api, alice: Person, bob: Person) -> None:
    shared = api.client.post("/api/v1/lists", json={"name": "Family"}, headers=alice.headers)
    list_id = shared.json()["id"]
    with session_scope(api.engine) as session:
        lists.share_list(session, alice.id, list_id, "bob@example.com", "viewer")
    path = _feed_path(api, bob, list=list_id)
    assert api.client.get(path).status_code == 200
    with session_scope(api.engine) as session:
        lists.remove_member(session, alice.id, list_id, bob.id)
    assert api.client.get(path).status_code == 404


def test_a_feed_token_made_with_another_secret_opens_nothing(api: Api, alice: Person) -> None:
    with session_scope(api.engine) as session:
        feed = calendar_feeds.feed(session, alice.id, "another-secret-" + "y" * 32)
        with pytest.raises(NotFoundError):
            calendar_feeds.resolve(session, feed.token, SERVER_SECRET + "!")
        assert calendar_feeds.resolve(session, feed.token, "another-secret-" + "y" * 32)
