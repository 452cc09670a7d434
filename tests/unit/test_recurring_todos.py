"""Completing a repeating todo creates its next occurrence exactly once."""

import threading
from datetime import date, time

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from todo_app.core import accounts, recurrence, tags, todos
from todo_app.core.db import session_scope
from todo_app.core.due import make_due
from todo_app.core.errors import ValidationError
from todo_app.core.models import Priority, Todo


@pytest.fixture
def owner(session: Session) -> int:
    user = accounts.sign_up(session, "repeat@example.com", "password!")
    assert user.id is not None
    return user.id


def _repeating(
    session: Session, owner: int, rule: str, day: date, clock: time | None = None
) -> Todo:
    return todos.create_todo(
        session,
        owner,
        "Pay rent",
        "the usual",
        time_zone="Europe/Berlin",
        fields=todos.clean_fields(
            recurrence=rule,
            due=make_due(day, clock, "Europe/Berlin"),
            priority=Priority.HIGH,
            tags=["home"],
        ),
    )


def _series(session: Session, owner: int) -> list[Todo]:
    return list(
        session.exec(
            select(Todo).where(Todo.owner_id == owner).order_by(col(Todo.due_date), col(Todo.id))
        ).all()
    )


def test_completing_creates_the_next_occurrence_with_the_same_details(
    session: Session, owner: int
) -> None:
    first = _repeating(session, owner, recurrence.monthly_on_day(31), date(2027, 1, 31))
    todos.set_completed(session, owner, first.id, True)
    done, following = _series(session, owner)
    assert done.completed and not following.completed
    assert following.due_date == date(2027, 2, 28)  # clamped to the month's end
    assert (following.title, following.description, following.priority) == (
        "Pay rent",
        "the usual",
        Priority.HIGH,
    )
    assert following.previous_id == first.id
    assert following.id is not None
    assert tags.tags_by_todo(session, [following.id]) == {following.id: ["home"]}

    todos.set_completed(session, owner, following.id, True)
    assert _series(session, owner)[-1].due_date == date(2027, 3, 31)  # no drift to the 28th


def test_completing_twice_creates_one_successor(session: Session, owner: int) -> None:
    first = _repeating(session, owner, recurrence.daily(), date(2026, 11, 26))
    todos.set_completed(session, owner, first.id, True)
    todos.set_completed(session, owner, first.id, False)
    todos.set_completed(session, owner, first.id, True)
    assert len(_series(session, owner)) == 2


def test_the_time_of_day_survives_daylight_saving(session: Session, owner: int) -> None:
    # 27 Mar 2026 09:30 Berlin (UTC+1); the next weekday after the change is UTC+2.
    first = _repeating(session, owner, recurrence.weekdays(), date(2026, 3, 27), time(9, 30))
    todos.set_completed(session, owner, first.id, True)
    following = _series(session, owner)[-1]
    assert following.due_date == date(2026, 3, 30)
    assert following.due_at is not None and (following.due_at.hour, following.due_at.minute) == (
        7,
        30,
    )


def test_a_series_with_a_count_ends(session: Session, owner: int) -> None:
    rule = recurrence.with_count(recurrence.weekly([0]), 2)
    first = _repeating(session, owner, rule, date(2026, 11, 30))
    todos.set_completed(session, owner, first.id, True)
    second = _series(session, owner)[-1]
    todos.set_completed(session, owner, second.id, True)
    assert len(_series(session, owner)) == 2  # no third occurrence


def test_a_repeating_todo_needs_a_due_date(session: Session, owner: int) -> None:
    with pytest.raises(ValidationError, match="due date"):
        todos.create_todo(
            session, owner, "No date", fields=todos.clean_fields(recurrence="FREQ=DAILY")
        )


def test_editing_applies_to_the_series(session: Session, owner: int) -> None:
    first = _repeating(session, owner, recurrence.daily(), date(2026, 11, 26))
    todos.update_todo(session, owner, first.id, title="Pay the rent")
    todos.set_completed(session, owner, first.id, True)
    assert _series(session, owner)[-1].title == "Pay the rent"


def test_concurrent_completions_create_exactly_one_successor(db: Engine) -> None:
    """Two tabs (or replicas) complete the same occurrence at the same moment."""
    with session_scope(db) as session:
        user = accounts.sign_up(session, "race@example.com", "password!")
        assert user.id is not None
        owner = user.id
        first = _repeating(session, owner, recurrence.daily(), date(2026, 11, 26))
        first_id = first.id
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def complete() -> None:
        try:
            with session_scope(db) as session:
                barrier.wait(timeout=10)
                todos.set_completed(session, owner, first_id, True)
        except BaseException as error:  # asserted below
            errors.append(error)

    threads = [threading.Thread(target=complete) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with session_scope(db) as session:
        successors = session.exec(select(Todo).where(Todo.previous_id == first_id)).all()
    assert len(successors) == 1
    # SQLite serialises writers and may report "database is locked" to a loser;
    # PostgreSQL lets every completion succeed. Either way: one successor.
    assert all("locked" in str(error) for error in errors), errors
