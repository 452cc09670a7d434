"""Recurrence rules: builders, validation, next occurrences on wall-clock time, descriptions."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from todo_app.core import recurrence as r
from todo_app.core.errors import ValidationError

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11


def local(tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return local(BERLIN, year, month, day, hour, minute)


# --- builders and validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        pytest.param(r.daily(), "FREQ=DAILY", id="daily"),
        pytest.param(r.daily(3), "FREQ=DAILY;INTERVAL=3", id="every-3-days"),
        pytest.param(r.weekdays(), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", id="weekdays"),
        pytest.param(r.weekly([2, 0, 2]), "FREQ=WEEKLY;BYDAY=MO,WE", id="weekly-sorted-unique"),
        pytest.param(r.weekly([6], 2), "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", id="fortnightly"),
        pytest.param(r.monthly_on_day(15), "FREQ=MONTHLY;BYMONTHDAY=15", id="month-15"),
        pytest.param(r.monthly_on_day(28), "FREQ=MONTHLY;BYMONTHDAY=28", id="month-28"),
        pytest.param(
            r.monthly_on_day(29), "FREQ=MONTHLY;BYMONTHDAY=28,29;BYSETPOS=-1", id="month-29"
        ),
        pytest.param(
            r.monthly_on_day(31, 3),
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=28,29,30,31;BYSETPOS=-1",
            id="quarterly-31",
        ),
        pytest.param(r.monthly_on_nth_weekday(-1, 4), "FREQ=MONTHLY;BYDAY=-1FR", id="last-fri"),
        pytest.param(r.monthly_on_nth_weekday(2, 1), "FREQ=MONTHLY;BYDAY=2TU", id="2nd-tue"),
        pytest.param(r.yearly(), "FREQ=YEARLY", id="yearly"),
        pytest.param(r.with_count(r.daily(), 5), "FREQ=DAILY;COUNT=5", id="count"),
        pytest.param(
            r.with_until(r.weekly([0]), date(2026, 12, 31)),
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231T235959",
            id="until",
        ),
        pytest.param(
            r.with_until(r.with_count(r.daily(), 5), date(2026, 1, 2)),
            "FREQ=DAILY;UNTIL=20260102T235959",
            id="until-replaces-count",
        ),
        pytest.param(
            r.with_count(r.with_until(r.daily(), date(2026, 1, 2)), 2),
            "FREQ=DAILY;COUNT=2",
            id="count-replaces-until",
        ),
    ],
)
def test_builders_produce_canonical_rules(built: str, expected: str) -> None:
    assert built == expected
    assert r.validate_rule(built) == expected


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        pytest.param("freq=weekly;byday=we,mo", "FREQ=WEEKLY;BYDAY=MO,WE", id="case-and-order"),
        pytest.param("RRULE:FREQ=DAILY;INTERVAL=1;", "FREQ=DAILY", id="prefix-default-trailing"),
        pytest.param("BYDAY=FR;FREQ=MONTHLY;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=-1FR", id="setpos"),
        pytest.param("FREQ=MONTHLY;BYDAY=+1MO", "FREQ=MONTHLY;BYDAY=1MO", id="plus-ordinal"),
        pytest.param(
            "FREQ=MONTHLY;BYSETPOS=-1;BYMONTHDAY=28,29,30",
            "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1",
            id="clamped-30",
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231T235959", id="until-date"
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20261231T120000Z",
            "FREQ=DAILY;UNTIL=20261231T235959",
            id="until-utc-is-a-day",
        ),
        pytest.param("FREQ=WEEKLY;WKST=MO", "FREQ=WEEKLY", id="wkst-monday"),
        pytest.param("FREQ=MONTHLY", "FREQ=MONTHLY", id="plain-monthly"),
    ],
)
def test_validate_rule_normalises(given: str, canonical: str) -> None:
    assert r.validate_rule(given) == canonical


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param("", id="empty"),
        pytest.param("every day", id="garbage"),
        pytest.param("FREQ=", id="empty-value"),
        pytest.param("INTERVAL=2", id="no-freq"),
        pytest.param("FREQ=SECONDLY", id="secondly"),
        pytest.param("FREQ=MINUTELY", id="minutely"),
        pytest.param("FREQ=HOURLY", id="hourly"),
        pytest.param("FREQ=FORTNIGHTLY", id="unknown-freq"),
        pytest.param("FREQ=DAILY;FREQ=WEEKLY", id="repeated-part"),
        pytest.param("FREQ=DAILY;INTERVAL=0", id="interval-0"),
        pytest.param("FREQ=DAILY;INTERVAL=366", id="interval-366"),
        pytest.param("FREQ=DAILY;INTERVAL=two", id="interval-text"),
        pytest.param("FREQ=DAILY;COUNT=0", id="count-0"),
        pytest.param("FREQ=DAILY;COUNT=1001", id="count-1001"),
        pytest.param("FREQ=DAILY;COUNT=2;UNTIL=20261231", id="count-and-until"),
        pytest.param("FREQ=DAILY;UNTIL=20260230", id="until-impossible"),
        pytest.param("FREQ=DAILY;UNTIL=tomorrow", id="until-garbage"),
        pytest.param("FREQ=DAILY;BYHOUR=9", id="byhour"),
        pytest.param("FREQ=YEARLY;BYMONTH=3", id="bymonth"),
        pytest.param("FREQ=WEEKLY;WKST=SU", id="wkst-sunday"),
        pytest.param("FREQ=DAILY;BYDAY=MO", id="daily-byday"),
        pytest.param("FREQ=WEEKLY;BYDAY=XX", id="bad-weekday"),
        pytest.param("FREQ=WEEKLY;BYDAY=1MO", id="weekly-ordinal"),
        pytest.param("FREQ=MONTHLY;BYDAY=MO", id="monthly-weekday-without-ordinal"),
        pytest.param("FREQ=MONTHLY;BYDAY=5FR", id="fifth-friday"),
        pytest.param("FREQ=MONTHLY;BYDAY=1MO,1TU", id="two-weekdays"),
        pytest.param("FREQ=MONTHLY;BYMONTHDAY=0", id="monthday-0"),
        pytest.param("FREQ=MONTHLY;BYMONTHDAY=31", id="monthday-31-unclamped"),
        pytest.param("FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=1", id="wrong-setpos"),
        pytest.param("FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=MO", id="day-and-weekday"),
        pytest.param(None, id="not-text"),
    ],
)
def test_invalid_rules_are_refused_with_a_sentence(rule: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        # None on purpose: what a page or an import sends is not checked by mypy.
        r.validate_rule(rule)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message[0].isupper() and message.endswith("."), message


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: r.daily(0), id="interval-0"),
        pytest.param(lambda: r.daily(366), id="interval-366"),
        pytest.param(lambda: r.weekly([]), id="no-days"),
        pytest.param(lambda: r.weekly([7]), id="day-7"),
        pytest.param(lambda: r.monthly_on_day(0), id="monthday-0"),
        pytest.param(lambda: r.monthly_on_day(32), id="monthday-32"),
        pytest.param(lambda: r.monthly_on_nth_weekday(5, 0), id="fifth"),
        pytest.param(lambda: r.monthly_on_nth_weekday(0, 0), id="zeroth"),
        pytest.param(lambda: r.with_count(r.daily(), 0), id="count-0"),
        pytest.param(lambda: r.with_count(r.daily(), 1001), id="count-1001"),
        pytest.param(lambda: r.with_count("FREQ=HOURLY", 2), id="bad-base-rule"),
    ],
)
def test_builders_refuse_bad_arguments(build: Callable[[], str]) -> None:
    with pytest.raises(ValidationError):
        build()


# --- next occurrence ------------------------------------------------------------------------

FIRST_MON, LAST_FRI = r.monthly_on_nth_weekday(1, 0), r.monthly_on_nth_weekday(-1, 4)
FOURTH_THU = r.monthly_on_nth_weekday(4, 3)

# id: (rule, series start, after, expected), wall-clock times in Berlin
NEXT: dict[str, tuple[str, str, str, str]] = {
    "daily-strictly-after": (r.daily(), "2026-06-01 09", "2026-06-01 09", "2026-06-02 09"),
    "daily-later-same-day": (r.daily(), "2026-06-01 09", "2026-06-03 08", "2026-06-03 09"),
    "before-start-is-start": (r.daily(), "2026-06-01 09", "2026-05-01 00", "2026-06-01 09"),
    "every-3-days": (r.daily(3), "2026-06-01 09", "2026-06-02 00", "2026-06-04 09"),
    "weekdays-skip-weekend": (r.weekdays(), "2026-06-01 09", "2026-06-05 09", "2026-06-08 09"),
    "mon-wed": (r.weekly([0, 2]), "2026-06-01 09", "2026-06-01 09", "2026-06-03 09"),
    "fortnightly": (r.weekly([0], 2), "2026-06-01 09", "2026-06-01 09", "2026-06-15 09"),
    "fortnightly-mon-wed": (r.weekly([0, 2], 2), "2026-06-01 09", "2026-06-03 09", "2026-06-15 09"),
    "plain-weekly": ("FREQ=WEEKLY", "2026-06-03 09", "2026-06-03 09", "2026-06-10 09"),
    "15th": (r.monthly_on_day(15), "2026-06-15 09", "2026-06-15 09", "2026-07-15 09"),
    "31st-in-feb": (r.monthly_on_day(31), "2026-01-31 09", "2026-01-31 09", "2026-02-28 09"),
    "31st-in-mar": (r.monthly_on_day(31), "2026-01-31 09", "2026-02-28 09", "2026-03-31 09"),
    "31st-in-apr": (r.monthly_on_day(31), "2026-01-31 09", "2026-03-31 09", "2026-04-30 09"),
    "31st-leap-feb": (r.monthly_on_day(31), "2028-01-31 09", "2028-01-31 09", "2028-02-29 09"),
    "30th-after-feb": (r.monthly_on_day(30), "2026-01-30 09", "2026-02-28 09", "2026-03-30 09"),
    "plain-monthly-clamps": ("FREQ=MONTHLY", "2026-01-31 09", "2026-01-31 09", "2026-02-28 09"),
    "every-2-months": (r.monthly_on_day(1, 2), "2026-01-01 09", "2026-01-01 09", "2026-03-01 09"),
    "first-monday-itself": (FIRST_MON, "2026-06-01 09", "2026-06-01 00", "2026-06-01 09"),
    "first-monday-next": (FIRST_MON, "2026-06-01 09", "2026-06-01 09", "2026-07-06 09"),
    "last-friday": (LAST_FRI, "2026-06-26 09", "2026-06-26 09", "2026-07-31 09"),
    "fourth-thursday": (FOURTH_THU, "2026-01-22 09", "2026-01-22 09", "2026-02-26 09"),
    "yearly": (r.yearly(), "2026-03-15 09", "2026-03-15 09", "2027-03-15 09"),
    "every-2-years": (r.yearly(2), "2026-03-15 09", "2026-03-15 09", "2028-03-15 09"),
    "leap-day-common-year": (r.yearly(), "2028-02-29 09", "2028-02-29 09", "2029-02-28 09"),
    "leap-day-leap-year": (r.yearly(), "2028-02-29 09", "2031-03-01 00", "2032-02-29 09"),
}


def berlin_at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(BERLIN))


@pytest.mark.parametrize(("rule", "start", "after", "expected"), NEXT.values(), ids=NEXT.keys())
def test_next_occurrence(rule: str, start: str, after: str, expected: str) -> None:
    found = r.next_occurrence(rule, berlin_at(start), berlin_at(after), BERLIN)
    assert found == berlin_at(expected)


def test_count_is_counted_from_the_series_start() -> None:
    rule, start = r.with_count(r.daily(), 3), berlin(2026, 6, 1, 9)
    assert r.next_occurrence(rule, start, berlin(2026, 6, 2, 9), BERLIN) == berlin(2026, 6, 3, 9)
    assert r.next_occurrence(rule, start, berlin(2026, 6, 3, 9), BERLIN) is None
    assert r.next_occurrence(rule, start, berlin(2027, 1, 1), BERLIN) is None


def test_until_includes_its_whole_day() -> None:
    rule, start = r.with_until(r.weekly([0]), date(2026, 6, 15)), berlin(2026, 6, 1, 21)
    assert r.next_occurrence(rule, start, berlin(2026, 6, 8, 21), BERLIN) == berlin(2026, 6, 15, 21)
    assert r.next_occurrence(rule, start, berlin(2026, 6, 15, 21), BERLIN) is None


def test_results_are_in_the_given_zone_whatever_the_inputs_zone() -> None:
    start = datetime(2026, 6, 1, 7, 30, tzinfo=UTC)  # 9:30 in Berlin
    found = r.next_occurrence(r.daily(), start, start, BERLIN)
    assert found == berlin(2026, 6, 2, 9, 30)
    assert found is not None and str(found.tzinfo) == BERLIN


def test_naive_datetimes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        r.next_occurrence(r.daily(), datetime(2026, 6, 1), berlin(2026, 6, 1), BERLIN)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        r.next_occurrence(r.daily(), berlin(2026, 6, 1), berlin(2026, 6, 1), "Mars/Olympus")


# --- wall-clock time across DST and far zones -----------------------------------------------


def offset_hours(moment: datetime | None) -> float:
    assert moment is not None
    offset = moment.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


MONDAYS, DAILY = r.weekly([0]), r.daily()

# id: (zone, rule, series start, after, expected wall time, expected UTC offset in hours);
# all in 2026. EU clocks change on 29 Mar and 25 Oct, US clocks on 8 Mar and 1 Nov.
WALL_CLOCK: dict[str, tuple[str, str, str, str, str, int]] = {
    "berlin-spring": (BERLIN, MONDAYS, "03-23 09:30", "03-23 09:30", "03-30 09:30", 2),
    "berlin-autumn": (BERLIN, MONDAYS, "10-19 09:30", "10-19 09:30", "10-26 09:30", 1),
    "new-york-spring": (NEW_YORK, DAILY, "03-07 08:00", "03-07 08:00", "03-08 08:00", -4),
    "new-york-autumn": (NEW_YORK, DAILY, "10-31 08:00", "10-31 08:00", "11-01 08:00", -5),
    "gap-moves-forward": (BERLIN, DAILY, "03-28 02:30", "03-28 02:30", "03-29 03:30", 2),
    "after-gap-back-to-2:30": (BERLIN, DAILY, "03-28 02:30", "03-29 03:30", "03-30 02:30", 2),
    "ambiguous-takes-first": (BERLIN, DAILY, "10-24 02:30", "10-24 02:30", "10-25 02:30", 2),
    "new-york-gap": (NEW_YORK, DAILY, "03-07 02:30", "03-07 02:30", "03-08 03:30", -4),
    "kiritimati-monday": (KIRITIMATI, MONDAYS, "06-01 09:00", "06-01 09:00", "06-08 09:00", 14),
    "pago-pago-monday": (PAGO_PAGO, MONDAYS, "06-01 09:00", "06-01 09:00", "06-08 09:00", -11),
    "kiritimati-month-end": (
        KIRITIMATI,
        r.monthly_on_day(31),
        "01-31 23:00",
        "01-31 23:00",
        "02-28 23:00",
        14,
    ),
}


def in_2026(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-{text}")


@pytest.mark.parametrize(
    ("tz", "rule", "start", "after", "expected", "offset"),
    WALL_CLOCK.values(),
    ids=WALL_CLOCK.keys(),
)
def test_local_wall_time_is_kept(
    tz: str, rule: str, start: str, after: str, expected: str, offset: int
) -> None:
    zone = ZoneInfo(tz)
    found = r.next_occurrence(
        rule, in_2026(start).replace(tzinfo=zone), in_2026(after).replace(tzinfo=zone), tz
    )
    assert found is not None
    assert found.replace(tzinfo=None) == in_2026(expected)
    assert offset_hours(found) == offset


def test_second_instance_of_an_ambiguous_hour_is_not_an_occurrence() -> None:
    first_230 = berlin(2026, 10, 25, 2, 30)  # fold=0: CEST, UTC+2
    found = r.next_occurrence(r.daily(), berlin(2026, 10, 24, 2, 30), first_230, BERLIN)
    assert found == berlin(2026, 10, 26, 2, 30)


def test_far_zones_use_the_local_date_not_utcs() -> None:
    # 10:00 UTC on Sunday 31 May is already 00:00 Monday 1 June in Kiritimati.
    start = local(KIRITIMATI, 2026, 5, 25, 9)
    found = r.next_occurrence(
        r.weekly([0]), start, datetime(2026, 5, 31, 10, tzinfo=UTC), KIRITIMATI
    )
    assert found == local(KIRITIMATI, 2026, 6, 1, 9)
    # 10:00 UTC on Monday 1 June is still 23:00 Sunday 31 May in Pago Pago.
    start = local(PAGO_PAGO, 2026, 5, 25, 9)
    found = r.next_occurrence(r.weekly([0]), start, datetime(2026, 6, 1, 10, tzinfo=UTC), PAGO_PAGO)
    assert found == local(PAGO_PAGO, 2026, 6, 1, 9)


def test_localize_handles_gaps_and_folds() -> None:
    assert r.localize(datetime(2026, 3, 29, 2, 30), BERLIN) == berlin(2026, 3, 29, 3, 30)
    ambiguous = r.localize(datetime(2026, 10, 25, 2, 30), BERLIN)
    assert offset_hours(ambiguous) == 2


# --- date-only series -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "start", "after", "expected"),
    [
        pytest.param(r.daily(), date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 2), id="daily"),
        pytest.param(
            r.daily(), date(2026, 6, 1), date(2026, 5, 31), date(2026, 6, 1), id="start-itself"
        ),
        pytest.param(
            r.weekdays(), date(2026, 6, 5), date(2026, 6, 5), date(2026, 6, 8), id="weekdays"
        ),
        pytest.param(
            r.monthly_on_day(31),
            date(2027, 12, 31),
            date(2028, 1, 31),
            date(2028, 2, 29),
            id="31st-leap-february",
        ),
        pytest.param(
            r.monthly_on_nth_weekday(-1, 6),
            date(2026, 5, 31),
            date(2026, 5, 31),
            date(2026, 6, 28),
            id="last-sunday",
        ),
        pytest.param(
            r.yearly(), date(2024, 2, 29), date(2024, 2, 29), date(2025, 2, 28), id="leap-day"
        ),
        pytest.param(
            r.with_count(r.daily(), 2), date(2026, 6, 1), date(2026, 6, 2), None, id="count-end"
        ),
        pytest.param(
            r.with_until(r.daily(), date(2026, 6, 3)),
            date(2026, 6, 1),
            date(2026, 6, 2),
            date(2026, 6, 3),
            id="until-inclusive",
        ),
        pytest.param(
            r.with_until(r.daily(), date(2026, 6, 3)),
            date(2026, 6, 1),
            date(2026, 6, 3),
            None,
            id="until-end",
        ),
    ],
)
def test_next_date(rule: str, start: date, after: date, expected: date | None) -> None:
    assert r.next_date(rule, start, after) == expected


def test_a_series_started_years_ago() -> None:
    start = berlin(2016, 1, 1, 9)
    found = r.next_occurrence(r.daily(), start, berlin(2026, 6, 1, 10), BERLIN)
    assert found == berlin(2026, 6, 2, 9)
    assert r.next_date(r.daily(), date(2016, 1, 1), date(2026, 6, 1)) == date(2026, 6, 2)


# --- descriptions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        pytest.param(r.daily(), "every day", id="daily"),
        pytest.param(r.daily(3), "every 3 days", id="every-3-days"),
        pytest.param(r.weekdays(), "every weekday", id="weekdays"),
        pytest.param(r.weekly([0]), "every Monday", id="monday"),
        pytest.param(r.weekly([0, 2]), "every Mon, Wed", id="mon-wed"),
        pytest.param(r.weekly([6, 5]), "every weekend", id="weekend"),
        pytest.param(r.weekly([0, 2], 2), "every 2 weeks on Mon, Wed", id="fortnightly"),
        pytest.param(r.weekly(range(5), 2), "every 2 weeks on Mon, Tue, Wed, Thu, Fri", id="wd2"),
        pytest.param("FREQ=WEEKLY", "every week", id="plain-weekly"),
        pytest.param("FREQ=WEEKLY;INTERVAL=2", "every 2 weeks", id="plain-fortnightly"),
        pytest.param("FREQ=MONTHLY", "every month", id="plain-monthly"),
        pytest.param(r.monthly_on_day(1), "every month on the 1st", id="1st"),
        pytest.param(r.monthly_on_day(22), "every month on the 22nd", id="22nd"),
        pytest.param(r.monthly_on_day(13, 2), "every 2 months on the 13th", id="13th"),
        pytest.param(r.monthly_on_day(31), "every month on the 31st (or the last day)", id="31"),
        pytest.param(r.monthly_on_nth_weekday(-1, 4), "every month on the last Friday", id="lf"),
        pytest.param(r.monthly_on_nth_weekday(2, 1), "every month on the second Tuesday", id="2t"),
        pytest.param(r.yearly(), "every year", id="yearly"),
        pytest.param(r.yearly(2), "every 2 years", id="every-2-years"),
        pytest.param(r.with_count(r.daily(), 5), "every day, 5 times", id="count"),
        pytest.param(r.with_count(r.daily(), 1), "every day, once", id="once"),
        pytest.param(
            r.with_until(r.weekdays(), date(2026, 12, 31)),
            "every weekday, until 31 Dec 2026",
            id="until",
        ),
    ],
)
def test_describe(rule: str, text: str) -> None:
    assert r.describe(rule) == text


def test_skipping_ahead_in_long_series_matches_walking_them() -> None:
    # next_date skips whole intervals of old DAILY/WEEKLY series; dateutil walks every one.
    rng = random.Random(20261120)
    for _ in range(300):
        interval, days = rng.randint(1, 4), rng.sample(range(7), rng.randint(1, 3))
        rule = rng.choice([r.daily(interval), r.weekly(days, interval), r.weekdays()])
        start = date(2016, 1, 1) + timedelta(days=rng.randint(0, 400))
        after = start + timedelta(days=rng.randint(-3, 4000))
        walked = rrulestr(rule, dtstart=datetime.combine(start, time())).after(
            datetime.combine(after, time())
        )
        assert walked is not None
        assert r.next_date(rule, start, after) == walked.date(), (rule, start, after)
