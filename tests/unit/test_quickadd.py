"""Quick add: natural-language phrases to title, due, recurrence, tags and priority."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from todo_app.core import recurrence as r
from todo_app.core.errors import ValidationError
from todo_app.core.models import Priority
from todo_app.core.quickadd import Part, QuickAdd, parse_quick_add, preview, preview_parts

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11

# "now" values: local wall time in the zone under test, unless they carry an offset.
FRI = "2026-11-20 10:00"  # a Friday
FRI_LATE = "2026-11-20 21:30"
WED = "2026-11-18 10:00"
JAN_31 = "2026-01-31 10:00"
NEW_YEARS_EVE = "2026-12-31 10:00"
CHRISTMAS = "2026-12-25 10:00"
LEAP_EVE = "2028-02-28 10:00"  # 29 February 2028 is tomorrow
LEAP_DAY = "2028-02-29 10:00"
COMMON_FEB_28 = "2027-02-28 10:00"  # no 29 February in 2027
SPRING_EVE = "2026-03-28 12:00"  # Berlin skips 02:00-03:00 tonight
AUTUMN_EVE = "2026-10-24 12:00"  # Berlin lives 02:00-03:00 twice tonight
NY_SPRING_EVE = "2026-03-07 12:00"  # New York skips 02:00-03:00 tonight


def parse(text: str, now: str = FRI, tz: str = BERLIN) -> QuickAdd:
    moment = datetime.fromisoformat(now)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return parse_quick_add(text, moment, tz)


def due_text(q: QuickAdd, tz: str = BERLIN) -> str | None:
    """ "YYYY-MM-DD HH:MM" for a due with a time, "YYYY-MM-DD" for a date-only due."""
    if q.due is None:
        assert not q.due_has_time
        return None
    assert str(q.due.tzinfo) == tz
    if q.due_has_time:
        return f"{q.due:%Y-%m-%d %H:%M}"
    assert (q.due.hour, q.due.minute) == (0, 0)
    return f"{q.due:%Y-%m-%d}"


def offset_hours(q: QuickAdd) -> float:
    assert q.due is not None
    offset = q.due.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


# --- dates and times ------------------------------------------------------------------------

# id: (text, now, expected title, expected due); Berlin
DATES: dict[str, tuple[str, str, str, str | None]] = {
    "today": ("Buy milk today", FRI, "Buy milk", "2026-11-20"),
    "tomorrow": ("Buy milk tomorrow", FRI, "Buy milk", "2026-11-21"),
    "tmrw": ("Buy milk tmrw", FRI, "Buy milk", "2026-11-21"),
    "comma-before-date": ("Call mom, tomorrow", FRI, "Call mom", "2026-11-21"),
    "capitals": ("Call mom TOMORROW", FRI, "Call mom", "2026-11-21"),
    "day-after-tomorrow": ("Pay day after tomorrow", FRI, "Pay", "2026-11-22"),
    "the-day-after-tomorrow": ("Pay the day after tomorrow", FRI, "Pay", "2026-11-22"),
    "tomorrow-6pm": ("call mom tomorrow 6pm", FRI, "call mom", "2026-11-21 18:00"),
    "tomorrow-at-6:30-pm": ("call mom tomorrow at 6:30 pm", FRI, "call mom", "2026-11-21 18:30"),
    "time-before-date": ("call mom at 18:00 tomorrow", FRI, "call mom", "2026-11-21 18:00"),
    "tonight": ("Dinner tonight", FRI, "Dinner", "2026-11-20 20:00"),
    "tonight-after-8pm": ("Dinner tonight", FRI_LATE, "Dinner", "2026-11-20"),
    "tonight-at-9": ("Dinner tonight at 9", FRI, "Dinner", "2026-11-20 21:00"),
    "tonight-11pm-late": ("Dinner tonight 11pm", FRI_LATE, "Dinner", "2026-11-20 23:00"),
    "friday-on-friday": ("Report friday", FRI, "Report", "2026-11-20"),
    "friday-on-wednesday": ("Report friday", WED, "Report", "2026-11-20"),
    "next-friday-on-friday": ("Report next friday", FRI, "Report", "2026-11-27"),
    "next-friday-on-wednesday": ("Report next friday", WED, "Report", "2026-11-20"),
    "this-friday": ("Report this friday", FRI, "Report", "2026-11-20"),
    "on-fri": ("Report on fri", WED, "Report", "2026-11-20"),
    "monday": ("Report monday", FRI, "Report", "2026-11-23"),
    "friday-9am-on-friday-10am": ("Report friday 9am", FRI, "Report", "2026-11-20 09:00"),
    "next-week-on-friday": ("Plan next week", FRI, "Plan", "2026-11-23"),
    "next-week-on-wednesday": ("Plan next week", WED, "Plan", "2026-11-23"),
    "in-3-days": ("Renew in 3 days", FRI, "Renew", "2026-11-23"),
    "in-2-weeks": ("Renew in 2 weeks", FRI, "Renew", "2026-12-04"),
    "in-a-week": ("Renew in a week", FRI, "Renew", "2026-11-27"),
    "in-1-month-from-jan-31": ("Renew in 1 month", JAN_31, "Renew", "2026-02-28"),
    "in-1-year-from-leap-day": ("Renew in 1 year", LEAP_DAY, "Renew", "2029-02-28"),
    "month-day": ("Party Dec 24", FRI, "Party", "2026-12-24"),
    "day-month": ("Party 24 Dec", FRI, "Party", "2026-12-24"),
    "full-month-ordinal": ("Party December 24th", FRI, "Party", "2026-12-24"),
    "day-of-month": ("Party 24th of December", FRI, "Party", "2026-12-24"),
    "on-month-day": ("Party on Dec 24", FRI, "Party", "2026-12-24"),
    "iso": ("Party 2026-12-24", FRI, "Party", "2026-12-24"),
    "with-year": ("Party Dec 24 2027", FRI, "Party", "2027-12-24"),
    "passed-this-year": ("Party Dec 24", CHRISTMAS, "Party", "2027-12-24"),
    "date-and-time": ("Party dec 24 6pm", FRI, "Party", "2026-12-24 18:00"),
    "today-is-the-date": ("Pay Jan 31", JAN_31, "Pay", "2026-01-31"),
    "noon": ("Lunch at noon", FRI, "Lunch", "2026-11-20 12:00"),
    "24h-ahead-today": ("Call 18:00", FRI, "Call", "2026-11-20 18:00"),
    "24h-passed-tomorrow": ("Standup 9:30", FRI, "Standup", "2026-11-21 09:30"),
    "at-7-is-7am": ("Gym at 7", FRI, "Gym", "2026-11-21 07:00"),
    "at-19": ("Gym at 19", FRI, "Gym", "2026-11-20 19:00"),
    "6-pm": ("Gym 6 pm", FRI, "Gym", "2026-11-20 18:00"),
    "12am-is-midnight": ("Backup at 12am", FRI, "Backup", "2026-11-21 00:00"),
    "12pm-is-noon": ("Backup 12pm", FRI, "Backup", "2026-11-20 12:00"),
    "month-end-tomorrow": ("Submit tomorrow", JAN_31, "Submit", "2026-02-01"),
    "leap-day-tomorrow": ("Submit tomorrow", LEAP_EVE, "Submit", "2028-02-29"),
    "no-leap-day-tomorrow": ("Submit tomorrow", COMMON_FEB_28, "Submit", "2027-03-01"),
    "year-end-tomorrow": ("Submit tomorrow", NEW_YEARS_EVE, "Submit", "2027-01-01"),
    "feb-29-is-next-leap-day": ("Birthday Feb 29", FRI, "Birthday", "2028-02-29"),
    "feb-29-2028": ("Birthday feb 29 2028", FRI, "Birthday", "2028-02-29"),
    "all-consumed-keeps-text": ("tomorrow 6pm", FRI, "tomorrow 6pm", "2026-11-21 18:00"),
}


@pytest.mark.parametrize(("text", "now", "title", "due"), DATES.values(), ids=DATES.keys())
def test_dates_and_times(text: str, now: str, title: str, due: str | None) -> None:
    q = parse(text, now)
    assert (q.title, due_text(q), q.recurrence) == (title, due, None)


# --- daylight saving and far zones ----------------------------------------------------------

# id: (text, now, zone, expected due, expected UTC offset in hours)
ZONES: dict[str, tuple[str, str, str, str, float]] = {
    "berlin-gap-moves-forward": ("tomorrow 2:30am", SPRING_EVE, BERLIN, "2026-03-29 03:30", 2),
    "berlin-after-spring-change": ("tomorrow 9am", SPRING_EVE, BERLIN, "2026-03-29 09:00", 2),
    "berlin-ambiguous-first": ("tomorrow 2:30am", AUTUMN_EVE, BERLIN, "2026-10-25 02:30", 2),
    "berlin-after-autumn-change": ("tomorrow 9am", AUTUMN_EVE, BERLIN, "2026-10-25 09:00", 1),
    "new-york-gap": ("tomorrow 2:30am", NY_SPRING_EVE, NEW_YORK, "2026-03-08 03:30", -4),
    # 11:00 UTC on Friday 20 Nov is already 01:00 on Saturday 21 Nov in Kiritimati.
    "kiritimati-today": ("today", "2026-11-20 11:00Z", KIRITIMATI, "2026-11-21", 14),
    "kiritimati-tomorrow-9am": (
        "tomorrow 9am",
        "2026-11-20 11:00Z",
        KIRITIMATI,
        "2026-11-22 09:00",
        14,
    ),
    "kiritimati-friday": ("friday", "2026-11-20 11:00Z", KIRITIMATI, "2026-11-27", 14),
    # 09:00 UTC on Friday 20 Nov is still 22:00 on Thursday 19 Nov in Pago Pago.
    "pago-pago-today": ("today", "2026-11-20 09:00Z", PAGO_PAGO, "2026-11-19", -11),
    "pago-pago-tonight-late": ("tonight", "2026-11-20 09:00Z", PAGO_PAGO, "2026-11-19", -11),
    "pago-pago-friday": ("friday", "2026-11-20 09:00Z", PAGO_PAGO, "2026-11-20", -11),
    "pago-pago-9am-passed": ("9am", "2026-11-20 09:00Z", PAGO_PAGO, "2026-11-20 09:00", -11),
}


@pytest.mark.parametrize(("text", "now", "tz", "due", "offset"), ZONES.values(), ids=ZONES.keys())
def test_daylight_saving_and_far_zones(
    text: str, now: str, tz: str, due: str, offset: float
) -> None:
    q = parse(f"Call {text}", now, tz)
    assert (q.title, due_text(q, tz), offset_hours(q)) == ("Call", due, offset)


# --- recurrence -----------------------------------------------------------------------------

# id: (phrase after "Task ", now, expected first due, expected rule); Berlin
RECURRING: dict[str, tuple[str, str, str, str]] = {
    "every-day": ("every day", FRI, "2026-11-20", "FREQ=DAILY"),
    "daily-8pm": ("daily 8pm", FRI, "2026-11-20 20:00", "FREQ=DAILY"),
    "every-day-9am-passed": ("every day 9am", FRI, "2026-11-21 09:00", "FREQ=DAILY"),
    "every-3-days": ("every 3 days", FRI, "2026-11-20", "FREQ=DAILY;INTERVAL=3"),
    "every-weekday-9:30": ("every weekday 9:30", FRI, "2026-11-23 09:30", r.weekdays()),
    "every-workday": ("every workday", FRI, "2026-11-20", r.weekdays()),
    "every-monday": ("every monday", FRI, "2026-11-23", "FREQ=WEEKLY;BYDAY=MO"),
    "every-friday-on-friday": ("every friday", FRI, "2026-11-20", "FREQ=WEEKLY;BYDAY=FR"),
    "every-mon-and-wed": (
        "every mon and wed 7am",
        FRI,
        "2026-11-23 07:00",
        "FREQ=WEEKLY;BYDAY=MO,WE",
    ),
    "every-list": ("every mon, wed & fri at 6:30pm", FRI, "2026-11-20 18:30", r.weekly([0, 2, 4])),
    "every-weekend": ("every weekend", FRI, "2026-11-21", "FREQ=WEEKLY;BYDAY=SA,SU"),
    "weekly-takes-today": ("weekly", WED, "2026-11-18", "FREQ=WEEKLY;BYDAY=WE"),
    "every-2-weeks": ("every 2 weeks", FRI, "2026-11-20", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    "every-other-week-on-tue": ("every other week on tue", FRI, "2026-11-24", r.weekly([1], 2)),
    "every-month-on-1st": ("every month on the 1st", FRI, "2026-12-01", r.monthly_on_day(1)),
    "every-month-on-31st": ("every month on the 31st", FRI, "2026-11-30", r.monthly_on_day(31)),
    "monthly-on-jan-31": ("monthly", JAN_31, "2026-01-31", r.monthly_on_day(31)),
    "monthly-on-the-15th": ("monthly on the 15th", FRI, "2026-12-15", r.monthly_on_day(15)),
    "every-2-months": ("every 2 months", FRI, "2026-11-20", r.monthly_on_day(20, 2)),
    "every-1st": ("every 1st", FRI, "2026-12-01", r.monthly_on_day(1)),
    "every-last-friday": ("every last friday", FRI, "2026-11-27", "FREQ=MONTHLY;BYDAY=-1FR"),
    "every-2nd-tuesday": ("every 2nd tuesday", FRI, "2026-12-08", "FREQ=MONTHLY;BYDAY=2TU"),
    "month-first-monday": (
        "every month on the first mon",
        FRI,
        "2026-12-07",
        "FREQ=MONTHLY;BYDAY=1MO",
    ),
    "every-year": ("every year", FRI, "2026-11-20", "FREQ=YEARLY"),
    "yearly-from-a-date": ("yearly Mar 3", FRI, "2027-03-03", "FREQ=YEARLY"),
    "annually": ("annually", FRI, "2026-11-20", "FREQ=YEARLY"),
    "starting": ("every monday starting Dec 1", FRI, "2026-12-07", "FREQ=WEEKLY;BYDAY=MO"),
    "for-5-times": ("every day for 5 times", FRI, "2026-11-20", "FREQ=DAILY;COUNT=5"),
    "3-times": ("every day 3 times", FRI, "2026-11-20", "FREQ=DAILY;COUNT=3"),
    "until": ("every day until dec 31", FRI, "2026-11-20", "FREQ=DAILY;UNTIL=20261231T235959"),
}


@pytest.mark.parametrize(("phrase", "now", "due", "rule"), RECURRING.values(), ids=RECURRING.keys())
def test_recurrence(phrase: str, now: str, due: str, rule: str) -> None:
    q = parse(f"Task {phrase}", now)
    assert (q.title, due_text(q), q.recurrence) == ("Task", due, rule)


def test_an_end_before_the_first_due_is_not_an_end() -> None:
    q = parse("Pills every day until 2020-01-01")
    assert (q.title, due_text(q), q.recurrence) == (
        "Pills until 2020-01-01",
        "2026-11-20",
        "FREQ=DAILY",
    )
    assert q.recognised == ("every day",)
    assert q.notes == ("“until 2020-01-01” is before the first due date, so the repeat has no end",)


def test_the_first_due_is_an_occurrence_of_the_series() -> None:
    q = parse("Bins every other week on tue 7am", FRI)
    assert q.due is not None and q.recurrence is not None
    assert due_text(q) == "2026-11-24 07:00"
    assert r.next_occurrence(q.recurrence, q.due, q.due, BERLIN) == q.due + timedelta(days=14)


# --- what stays in the title ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Read 1984", id="year-looking-number"),
        pytest.param("Buy 2 apples", id="count"),
        pytest.param("Call May", id="month-name-alone"),
        pytest.param("Sit in the sun", id="weekday-abbreviation-alone"),
        pytest.param("Email john@example.com", id="email"),
        pytest.param("Fix bug #12", id="hash-number"),
        pytest.param("Meeting at the station", id="at-without-time"),
        pytest.param("Wow !", id="lone-bang"),
        pytest.param("Use # for comments", id="lone-hash"),
        pytest.param("Learn C#", id="hash-inside-word"),
        pytest.param("Repeat 5 times", id="count-without-recurrence"),
        pytest.param("Read chapter 25:61", id="not-a-time"),
        pytest.param("Walk every now and then", id="every-without-unit"),
        pytest.param("Do it !soon", id="unknown-priority"),
        pytest.param("Morning run", id="period-without-date"),
        pytest.param("Support 24/7", id="around-the-clock"),
        pytest.param("Gym at 25", id="hour-too-large"),
    ],
)
def test_phrases_that_stay_in_the_title(text: str) -> None:
    """Not date-like at all: no note either (the date-like ones that stay in the title, with
    a note, are in test_quickadd_phrases.py)."""
    q = parse(text)
    assert q == QuickAdd(title=text)


def test_weekday_trailing_after_other_phrases_is_a_date() -> None:
    q = parse("Watch Friday Night Lights friday 8pm #tv")
    assert (q.title, due_text(q), q.tags) == (
        "Watch Friday Night Lights",
        "2026-11-20 20:00",
        ("tv",),
    )


def test_on_weekday_is_a_date_wherever_it_stands() -> None:
    q = parse("Meeting on friday with Bob", WED)
    assert (q.title, due_text(q)) == ("Meeting with Bob", "2026-11-20")


def test_only_the_first_of_each_kind_counts() -> None:
    q = parse("Call tomorrow friday !h !l 6pm 7pm")
    assert (q.title, due_text(q), q.priority) == (
        "Call friday !l 7pm",
        "2026-11-21 18:00",
        Priority.HIGH,
    )


def test_whitespace_is_collapsed() -> None:
    assert parse("  Buy \t milk   tomorrow ").title == "Buy milk"
    assert parse("   ").title == ""


# --- tags and priority ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title", "tags"),
    [
        pytest.param("Clean #home", "Clean", ("home",), id="one"),
        pytest.param("Plan #Work-Stuff #home_2", "Plan", ("work-stuff", "home_2"), id="case"),
        pytest.param("Plan #b #a #B", "Plan", ("b", "a"), id="unique-in-order"),
        pytest.param("Plan #home, now", "Plan now", ("home",), id="trailing-comma"),
        pytest.param("Plan #café", "Plan", ("café",), id="unicode-letter"),
        pytest.param("Plan #" + "a" * 40, "Plan", ("a" * 40,), id="40-characters"),
        pytest.param("Plan #" + "a" * 41, "Plan #" + "a" * 41, (), id="41-characters"),
        pytest.param("Plan #123abc", "Plan #123abc", (), id="starts-with-digit"),
    ],
)
def test_tags(text: str, title: str, tags: tuple[str, ...]) -> None:
    q = parse(text)
    assert (q.title, q.tags) == (title, tags)


@pytest.mark.parametrize(
    ("word", "priority"),
    [
        *(pytest.param(w, Priority.HIGH, id=w) for w in ("!high", "!h", "!3", "!HIGH")),
        *(pytest.param(w, Priority.MEDIUM, id=w) for w in ("!medium", "!med", "!m", "!2")),
        *(pytest.param(w, Priority.LOW, id=w) for w in ("!low", "!l", "!1")),
    ],
)
def test_priority(word: str, priority: Priority) -> None:
    q = parse(f"Pay bills {word}")
    assert (q.title, q.priority, q.recognised) == ("Pay bills", priority, (word,))


# --- the whole result and the preview -------------------------------------------------------


def test_everything_at_once() -> None:
    q = parse("Pay rent every month on the 1st #home !high")
    assert q == QuickAdd(
        title="Pay rent",
        due=datetime(2026, 12, 1, tzinfo=ZoneInfo(BERLIN)),
        due_has_time=False,
        priority=Priority.HIGH,
        tags=("home",),
        recurrence="FREQ=MONTHLY;BYMONTHDAY=1",
        recognised=("every month on the 1st", "#home", "!high"),
        parts=(
            Part("repeat", "every month on the 1st", 9, 31),
            Part("tag", "#home", 32, 37),
            Part("priority", "!high", 38, 43),
        ),
    )
    assert (
        preview(q) == "Pay rent · every month on the 1st (next: Tue 1 Dec) · #home · high priority"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Buy milk", "Buy milk", id="title-only"),
        pytest.param("call mom tomorrow 6pm", "call mom · Sat 21 Nov 18:00", id="date-time"),
        pytest.param("Party dec 24 !m", "Party · Thu 24 Dec · medium priority", id="date"),
        pytest.param("Leap feb 29", "Leap · Tue 29 Feb 2028", id="other-year"),
        pytest.param(
            "Standup every weekday 9:30 #work #daily !l",
            "Standup · every weekday (next: Mon 23 Nov 09:30) · #work #daily · low priority",
            id="recurring",
        ),
        pytest.param(
            "Pills every day for 5 times",
            "Pills · every day, 5 times (next: Fri 20 Nov)",
            id="count",
        ),
    ],
)
def test_preview(text: str, expected: str) -> None:
    assert (
        preview(parse(text), datetime.fromisoformat(FRI).replace(tzinfo=ZoneInfo(BERLIN)))
        == expected
    )


# --- errors -----------------------------------------------------------------------------


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        parse_quick_add("Buy milk", datetime(2026, 11, 20, tzinfo=UTC), "Europe/Nowhere")


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_quick_add("Buy milk", datetime(2026, 11, 20), BERLIN)


def test_preview_parts_are_what_the_chips_show() -> None:
    now = datetime.fromisoformat(FRI).replace(tzinfo=ZoneInfo(BERLIN))
    assert preview_parts(parse("Standup every weekday 9:30 #work #daily !l"), now) == [
        ("repeat", "every weekday (next: Mon 23 Nov 09:30)"),
        ("tag", "#work"),
        ("tag", "#daily"),
        ("priority", "low priority"),
    ]
    assert preview_parts(parse("call mom tomorrow 6pm"), now) == [("due", "Sat 21 Nov 18:00")]
    assert preview_parts(parse("Buy milk"), now) == []
