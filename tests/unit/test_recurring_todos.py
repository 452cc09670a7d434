"""Completing a repeating todo rolls it forward to its next date, exactly once."""

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


def _reload(session: Session, todo: Todo) -> Todo:
    session.expire_all()
    assert todo.id is not None
    return session.get_one(Todo, todo.id)


def test_completing_rolls_the_todo_forward_in_place(session: Session, owner: int) -> None:
    first = _repeating(session, owner, recurrence.monthly_on_day(31), date(2027, 1, 31))
    done = todos.complete(session, owner, first.id)
    assert done.rollover is not None
    assert (done.rollover.was.date, done.rollover.now.date) == (
        date(2027, 1, 31),
        date(2027, 2, 28),
    )
    (row,) = _series(session, owner)  # one row, still open, with the same details
    assert first.id is not None and row.id == first.id and not row.completed
    assert row.due_date == date(2027, 2, 28)  # clamped to the month's end
    assert (row.title, row.description, row.priority) == ("Pay rent", "the usual", Priority.HIGH)
    assert tags.tags_by_todo(session, [first.id]) == {first.id: ["home"]}

    todos.set_completed(session, owner, first.id, True)
    assert _reload(session, first).due_date == date(2027, 3, 31)  # no drift to the 28th


def test_completing_the_same_occurrence_twice_rolls_once(session: Session, owner: int) -> None:
    first = _repeating(session, owner, recurrence.daily(), date(2026, 11, 26))
    seen = date(2026, 11, 26)  # what both tabs showed
    assert todos.complete(session, owner, first.id, occurrence=seen).rollover is not None
    again = todos.complete(session, owner, first.id, occurrence=seen)  # the stale tab
    assert again.rollover is None and not again.todo.completed
    assert _reload(session, first).due_date == date(2026, 11, 27)
    # Without a date seen (the assistant, the bulk action), it is the current occurrence.
    assert todos.complete(session, owner, first.id).rollover is not None
    assert _reload(session, first).due_date == date(2026, 11, 28)


def test_undo_puts_the_date_back_unless_it_moved_since(session: Session, owner: int) -> None:
    first = _repeating(session, owner, recurrence.weekdays(), date(2026, 11, 27), time(9, 30))
    rollover = todos.complete(session, owner, first.id).rollover
    assert rollover is not None and rollover.now.date == date(2026, 11, 30)
    restored = todos.roll_back(session, owner, rollover)
    assert (restored.due_date, restored.due_at) == (rollover.was.date, rollover.was.at)
    assert not restored.completed

    rollover = todos.complete(session, owner, first.id).rollover
    assert rollover is not None
    todos.update_todo(
        session,
        owner,
        first.id,
        fields=todos.clean_fields(due=make_due(date(2026, 12, 24), None, "Europe/Berlin")),
    )
    with pytest.raises(ValidationError, match="changed since"):
        todos.roll_back(session, owner, rollover)
    assert _reload(session, first).due_date == date(2026, 12, 24)


def test_the_time_of_day_survives_daylight_saving(session: Session, owner: int) -> None:
    # 27 Mar 2026 09:30 Berlin (UTC+1); the next weekday after the change is UTC+2.
    first = _repeating(session, owner, recurrence.weekdays(), date(2026, 3, 27), time(9, 30))
    todos.set_completed(session, owner, first.id, True)
    row = _reload(session, first)
    assert row.due_date == date(2026, 3, 30)
    assert row.due_at is not None and (row.due_at.hour, row.due_at.minute) == (7, 30)


def test_the_last_occurrence_of_a_series_is_completed(session: Session, owner: int) -> None:
    rule = recurrence.with_count(recurrence.weekly([0]), 2)
    first = _repeating(session, owner, rule, date(2026, 11, 30))
    assert todos.complete(session, owner, first.id).rollover is not None
    last = todos.complete(session, owner, first.id)
    assert last.rollover is None and last.todo.completed
    (row,) = _series(session, owner)
    assert row.due_date == date(2026, 12, 7) and row.completed  # no third occurrence
    assert not todos.reopen(session, owner, first.id).completed


def test_a_repeating_todo_needs_a_due_date(session: Session, owner: int) -> None:
    with pytest.raises(ValidationError, match="due date"):
        todos.create_todo(
            session, owner, "No date", fields=todos.clean_fields(recurrence="FREQ=DAILY")
        )


def test_editing_applies_to_the_series(session: Session, owner: int) -> None:
    first = _repeating(session, owner, recurrence.daily(), date(2026, 11, 26))
    todos.update_todo(session, owner, first.id, title="Pay the rent")
    todos.set_completed(session, owner, first.id, True)
    (row,) = _series(session, owner)
    assert (row.title, row.due_date) == ("Pay the rent", date(2026, 11, 27))


def test_concurrent_completions_roll_exactly_once(db: Engine) -> None:
    """Two tabs (or replicas) complete the same occurrence at the same moment."""
    with session_scope(db) as session:
        user = accounts.sign_up(session, "race@example.com", "password!")
        assert user.id is not None
        owner = user.id
        first = _repeating(session, owner, recurrence.daily(), date(2026, 11, 26))
        first_id = first.id
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    rolled: list[bool] = []

    def complete() -> None:
        try:
            with session_scope(db) as session:
                barrier.wait(timeout=10)
                # As the page does: the occurrence it showed. (Without it, a thread
                # that starts after another's commit completes the next occurrence.)
                done = todos.complete(session, owner, first_id, occurrence=date(2026, 11, 26))
                rolled.append(done.rollover is not None)
        except BaseException as error:  # asserted below
            errors.append(error)

    threads = [threading.Thread(target=complete) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with session_scope(db) as session:
        row = session.get_one(Todo, first_id)
        assert (row.due_date, row.completed) == (date(2026, 11, 27), False)
        assert len(session.exec(select(Todo).where(Todo.owner_id == owner)).all()) == 1
    assert rolled.count(True) == 1
    # SQLite serialises writers and may report "database is locked" to a loser;
    # PostgreSQL lets every completion succeed. Either way: one roll.
    assert all("locked" in str(error) for error in errors), errors
