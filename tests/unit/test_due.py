from datetime import UTC, date, datetime, time

import pytest

from todo_app.core.due import (
    date_label,
    is_due_soon,
    is_overdue,
    local_today,
    make_due,
    parse_due,
)
from todo_app.core.errors import ValidationError
from todo_app.core.zones import zone


def test_date_only_due_has_no_instant() -> None:
    due = parse_due("2026-12-24", "", "Europe/Berlin")
    assert due is not None and due.date == date(2026, 12, 24) and due.at is None


def test_due_time_is_kept_as_an_instant_in_utc() -> None:
    due = parse_due("2026-12-24", "18:30", "Europe/Berlin")
    assert due is not None and due.at == datetime(2026, 12, 24, 17, 30, tzinfo=UTC)


def test_empty_date_means_no_due() -> None:
    assert parse_due("", "", "UTC") is None


@pytest.mark.parametrize(
    ("raw_date", "raw_time", "message"),
    [
        ("24/12/2026", "", "not a date like 2026-12-24"),
        ("2026-02-30", "", "not a date"),
        ("2026-12-24", "25:00", "not a time like 18:30"),
        ("", "18:00", "choose a date"),
        ("0001-01-01", "", "between 1970 and 2200"),
    ],
)
def test_malformed_due_gets_a_sentence(raw_date: str, raw_time: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_due(raw_date, raw_time, "UTC")


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../../etc/passwd", 42])
def test_unknown_time_zones_are_refused(name: object) -> None:
    with pytest.raises(ValidationError):
        zone(name)


def test_today_is_the_users_local_date_not_utcs() -> None:
    now = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    assert local_today(now, "Pacific/Kiritimati") == date(2026, 11, 27)  # UTC+14
    assert local_today(now, "Pacific/Pago_Pago") == date(2026, 11, 26)  # UTC-11
    assert local_today(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), "Pacific/Pago_Pago") == date(
        2026, 11, 26
    )


def test_overdue_by_date_and_by_time() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert is_overdue(date(2026, 11, 25), None, now, "UTC")
    assert not is_overdue(date(2026, 11, 26), None, now, "UTC")  # due today, not late yet
    due = make_due(date(2026, 11, 26), time(11, 0), "UTC")
    assert is_overdue(due.date, due.at, now, "UTC")
    assert not is_overdue(None, None, now, "UTC")


def test_daylight_saving_day_keeps_the_wall_clock() -> None:
    # 29 March 2026: Berlin moves from UTC+1 to UTC+2 at 02:00.
    before = make_due(date(2026, 3, 28), time(9, 30), "Europe/Berlin")
    after = make_due(date(2026, 3, 29), time(9, 30), "Europe/Berlin")
    assert before.at is not None and after.at is not None
    assert before.at.hour == 8 and after.at.hour == 7


def test_due_soon_is_within_a_day_and_never_overdue() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    soon = make_due(date(2026, 11, 27), time(11, 0), "UTC")
    later = make_due(date(2026, 11, 27), time(13, 0), "UTC")
    assert is_due_soon(soon.date, soon.at, now, "UTC")
    assert not is_due_soon(later.date, later.at, now, "UTC")
    assert is_due_soon(date(2026, 11, 26), None, now, "UTC")  # date-only, today
    assert not is_due_soon(date(2026, 11, 25), None, now, "UTC")  # overdue instead


@pytest.mark.parametrize("name", ["America", "Etc", "America/", "../etc/passwd", "UTC\x00"])
def test_a_zone_database_folder_or_a_path_is_refused_without_showing_a_path(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        zone(name)
    assert "/" not in str(caught.value) and "site-packages" not in str(caught.value)


@pytest.mark.parametrize(
    ("day", "relative", "label"),
    [
        (date(2026, 11, 26), True, "Today"),
        (date(2026, 11, 27), True, "Tomorrow"),
        (date(2026, 11, 25), True, "Yesterday"),
        (date(2026, 11, 28), True, "Sat 28 Nov"),
        (date(2027, 1, 5), True, "Tue 5 Jan 2027"),  # another year shows its year
        (date(2026, 11, 26), False, "Thu 26 Nov"),  # quick add's preview names the day
    ],
)
def test_date_labels(day: date, relative: bool, label: str) -> None:
    assert date_label(day, date(2026, 11, 26), relative=relative) == label


def test_a_date_label_without_today_has_no_year_and_no_relative_name() -> None:
    assert date_label(date(2031, 5, 20)) == "Tue 20 May"


def test_recurrence_reads_zones_like_everything_else() -> None:
    """One zone(): a zone database folder is a sentence, not an IsADirectoryError."""
    from todo_app.core import recurrence

    with pytest.raises(ValidationError, match="not a time zone we know"):
        recurrence.localize(datetime(2026, 1, 1, 9, 0), "America")
