"""The phrase table: everyday quick-add lines, each with everything it must set and say.

"now" is Friday 20 November 2026, 10:00 in Europe/Berlin unless a case says otherwise;
numeric dates are month/day unless a case is day-first. A case with no due expects none,
and a case with no notes expects none: nothing date-like may be dropped silently, and
nothing may be read as a date unless it was meant as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from todo_app.core import recurrence as r
from todo_app.core.models import Priority
from todo_app.core.quickadd import QuickAdd, parse_quick_add

BERLIN = "Europe/Berlin"
FRI = "2026-11-20 10:00"  # a Friday
FRI_LATE = "2026-11-20 23:30"
SAT = "2026-11-21 10:00"
DEC_2 = "2026-12-02 10:00"
JAN_31 = "2026-01-31 10:00"
CHRISTMAS = "2026-12-25 10:00"

HIGH, MEDIUM, LOW, NONE = Priority.HIGH, Priority.MEDIUM, Priority.LOW, Priority.NONE
NO_DUE = "no due date was set"
IN_TITLE = "it was left in the title"


@dataclass(frozen=True)
class Case:
    text: str
    title: str
    due: str | None = None  # "YYYY-MM-DD" (date only) or "YYYY-MM-DD HH:MM", in Berlin
    priority: Priority = NONE
    tags: tuple[str, ...] = ()
    rule: str | None = None
    notes: tuple[str, ...] = ()
    now: str = FRI
    day_first: bool = False

    @property
    def id(self) -> str:
        extra = (" [day-first]" if self.day_first else "") + (
            f" [now {self.now}]" if self.now != FRI else ""
        )
        return self.text + extra


# --- the notes, as the user reads them ------------------------------------------------------


def unread(text: str, then: str = NO_DUE, order: str = "month/day") -> str:
    return f"“{text}” was not understood as a date (read as {order}); {then}"


def not_a_date(text: str, then: str = NO_DUE) -> str:
    return f"“{text}” was not understood as a date; {then}"


def title_date(text: str) -> str:
    return f"“{text}” was read as part of the title; write “on {text}” to make it the due date"


def title_time(text: str) -> str:
    return f"“{text}” was read as part of the title; write “at {text}” to set the time"


def title_repeat(text: str, unit: str) -> str:
    return f"“{text}” was read as part of the title; write “every {unit}” to make it repeat"


def only_first(text: str, noun: str) -> str:
    return f"“{text}” was left in the title: only the first {noun} counts"


def no_day(text: str) -> str:
    return f"“{text}” names no day; {NO_DUE}"


def bare_hour(text: str, hour: int) -> str:
    return f"“{text}” was read as {hour:02d}:00; write “at {hour}pm” for {hour + 12}:00"


# --- the table ------------------------------------------------------------------------------

# Issue 14's phrases: the eleven that failed silently, the three priorities left in the
# title, and thirteen that already worked.
ISSUE = [
    Case("doctor appointment 12/15 10am", "doctor appointment", "2026-12-15 10:00"),
    Case("pay bills end of month", "pay bills", "2026-11-30"),
    Case("pay rent on the 1st", "pay rent", "2026-12-01"),
    Case("next month plan trip", "plan trip", "2026-12-01"),
    Case("call bob this weekend", "call bob", "2026-11-21"),
    Case("email Anna in an hour", "email Anna", "2026-11-20 11:00"),
    Case("buy gift for mom before christmas", "buy gift for mom", "2026-12-24"),
    Case("Renew car insurance yesterday", "Renew car insurance", "2026-11-19"),
    Case("Fix leaking tap 2 days ago", "Fix leaking tap", "2026-11-18"),
    Case("submit taxes by april 15", "submit taxes", "2027-04-15"),
    Case(
        "clean kitchen every saturday morning",
        "clean kitchen",
        "2026-11-21 09:00",
        rule="FREQ=WEEKLY;BYDAY=SA",
    ),
    Case(
        "Weekly team sync every monday 10am",
        "Weekly team sync",
        "2026-11-23 10:00",
        rule="FREQ=WEEKLY;BYDAY=MO",
    ),
    Case("p1 finish slides", "finish slides", priority=HIGH),
    Case("finish slides !!1", "finish slides", priority=HIGH),
    Case("Do it !urgent", "Do it", priority=HIGH),
    Case("Buy milk tomorrow", "Buy milk", "2026-11-21"),
    Case("Call mom tomorrow at 6pm", "Call mom", "2026-11-21 18:00"),
    Case("Dentist friday 3pm", "Dentist", "2026-11-20 15:00"),
    Case("Team meeting every monday", "Team meeting", "2026-11-23", rule="FREQ=WEEKLY;BYDAY=MO"),
    Case(
        "Pay rent every month on the 1st #home !high",
        "Pay rent",
        "2026-12-01",
        HIGH,
        ("home",),
        r.monthly_on_day(1),
    ),
    Case("Gym at 7am", "Gym", "2026-11-21 07:00"),
    Case("Party dec 24", "Party", "2026-12-24"),
    Case("Water plants every 3 days", "Water plants", "2026-11-20", rule="FREQ=DAILY;INTERVAL=3"),
    Case("Submit report next friday", "Submit report", "2026-11-27"),
    Case("Standup every weekday 9:30", "Standup", "2026-11-23 09:30", rule=r.weekdays()),
    Case("Renew passport in 2 weeks", "Renew passport", "2026-12-04"),
    Case("Dinner tonight", "Dinner", "2026-11-20 20:00"),
    Case("Call grandma on sunday", "Call grandma", "2026-11-22"),
]

TODOIST = [
    Case("Finish slides p2", "Finish slides", priority=MEDIUM),
    Case("Finish slides p3", "Finish slides", priority=LOW),
    Case("Finish slides p4", "Finish slides", priority=NONE),
    Case("P1 call the bank", "call the bank", priority=HIGH),
    Case("!!2 reply to Sam", "reply to Sam", priority=MEDIUM),
    Case("Reply to Sam !!3", "Reply to Sam", priority=LOW),
    Case("Reply to Sam !!4", "Reply to Sam", priority=NONE),
    Case("Call Sam !important", "Call Sam", priority=HIGH),
    Case("Write report tomorrow p1 #work", "Write report", "2026-11-21", HIGH, ("work",)),
    Case("Take vitamins every day", "Take vitamins", "2026-11-20", rule="FREQ=DAILY"),
    Case("Take out trash every other week", "Take out trash", "2026-11-20", rule=r.weekly([4], 2)),
    Case("Pay card every 15th", "Pay card", "2026-12-15", rule=r.monthly_on_day(15)),
    Case(
        "Review budget every last friday",
        "Review budget",
        "2026-11-27",
        rule=r.monthly_on_nth_weekday(-1, 4),
    ),
    Case(
        "Team lunch every 2nd tuesday",
        "Team lunch",
        "2026-12-08",
        rule=r.monthly_on_nth_weekday(2, 1),
    ),
    Case("Birthday every jan 1", "Birthday", "2027-01-01", rule="FREQ=YEARLY"),
    Case("Anniversary every 3 march", "Anniversary", "2027-03-03", rule="FREQ=YEARLY"),
    Case("Call mom every sunday 6pm", "Call mom", "2026-11-22 18:00", rule=r.weekly([6])),
    Case(
        "Yoga every mon, wed and fri at 7am", "Yoga", "2026-11-23 07:00", rule=r.weekly([0, 2, 4])
    ),
    Case("Meeting next tuesday at 3pm", "Meeting", "2026-11-24 15:00"),
    Case("Submit by friday", "Submit", "2026-11-20"),
    Case("Book flights in 3 weeks", "Book flights", "2026-12-11"),
    Case("Dentist on the 15th at 9am", "Dentist", "2026-12-15 09:00"),
    Case("Inspect car next week", "Inspect car", "2026-11-23"),
    Case("Renew domain next year", "Renew domain", "2027-01-01"),
    Case("Plan party this saturday", "Plan party", "2026-11-21"),
    Case(
        "Standup every weekday at 9am #work",
        "Standup",
        "2026-11-23 09:00",
        tags=("work",),
        rule=r.weekdays(),
    ),
    Case("Order food today at 18:30 #home", "Order food", "2026-11-20 18:30", tags=("home",)),
    Case("Pay rent monthly", "Pay rent", "2026-11-20", rule=r.monthly_on_day(20)),
    Case("Renew lease every year", "Renew lease", "2026-11-20", rule="FREQ=YEARLY"),
    Case("Clean gutters every weekend", "Clean gutters", "2026-11-21", rule=r.weekly([5, 6])),
    Case("Backup every second day", "Backup", "2026-11-20", rule="FREQ=DAILY;INTERVAL=2"),
    Case(
        "Water plants every 2 weeks on saturday",
        "Water plants",
        "2026-11-21",
        rule=r.weekly([5], 2),
    ),
    Case(
        "Pills every day until dec 31",
        "Pills",
        "2026-11-20",
        rule="FREQ=DAILY;UNTIL=20261231T235959",
    ),
    Case(
        "Pills every day until 12/31",
        "Pills",
        "2026-11-20",
        rule="FREQ=DAILY;UNTIL=20261231T235959",
    ),
    Case("Pills every day for 10 times", "Pills", "2026-11-20", rule="FREQ=DAILY;COUNT=10"),
]

PERIODS_AND_CLOCKS = [
    Case("Pills every morning", "Pills", "2026-11-21 09:00", rule="FREQ=DAILY"),
    Case("Read every night", "Read", "2026-11-20 21:00", rule="FREQ=DAILY"),
    Case("Pills every evening at 8", "Pills", "2026-11-20 20:00", rule="FREQ=DAILY"),
    Case("Email report tomorrow morning", "Email report", "2026-11-21 09:00"),
    Case("Call dad tomorrow evening at 7", "Call dad", "2026-11-21 19:00"),
    Case("Call dad tomorrow afternoon", "Call dad", "2026-11-21 15:00"),
    Case("Take out bins tomorrow night", "Take out bins", "2026-11-21 21:00"),
    Case("Walk dog this evening", "Walk dog", "2026-11-20 19:00"),
    Case("Report this morning", "Report", "2026-11-20 09:00"),
    Case("Check locks at night", "Check locks", "2026-11-20 21:00"),
    Case("Nap in the afternoon", "Nap", "2026-11-20 15:00"),
    Case("Water plants sunday morning", "Water plants", "2026-11-22 09:00"),
    Case("Jog saturday morning at 8", "Jog", "2026-11-21 08:00"),
    Case("Email boss tomorrow morning 10am", "Email boss", "2026-11-21 10:00"),
    Case("Gym every tue and thu evening", "Gym", "2026-11-24 19:00", rule=r.weekly([1, 3])),
    Case("Meet at 7 in the evening", "Meet", "2026-11-20 19:00"),
    Case("Call Tom in 30 minutes", "Call Tom", "2026-11-20 10:30"),
    Case("Leave in 2 hours", "Leave", "2026-11-20 12:00"),
    Case("Stretch in half an hour", "Stretch", "2026-11-20 10:30"),
    Case("Call back in an hour", "Call back", "2026-11-21 00:30", now=FRI_LATE),
    Case("Call the plumber before 5pm", "Call the plumber", "2026-11-20 17:00"),
    Case("Send invoice by 5pm tomorrow", "Send invoice", "2026-11-21 17:00"),
    Case("Finish draft before friday 5pm", "Finish draft", "2026-11-20 17:00"),
    Case("Call mom tomorrow 6pm about dinner", "Call mom about dinner", "2026-11-21 18:00"),
    Case("6pm call with Bob", "call with Bob", "2026-11-20 18:00"),
    Case("Call 6pm tomorrow", "Call", "2026-11-21 18:00"),
    Case("Lunch at noon", "Lunch", "2026-11-20 12:00"),
    Case("Standup 9:30", "Standup", "2026-11-21 09:30"),
    Case("Call bank 4:30 pm", "Call bank", "2026-11-20 16:30"),
    Case("Gym at 19", "Gym", "2026-11-20 19:00"),
    Case("Gym at 7", "Gym", "2026-11-21 07:00", notes=(bare_hour("at 7", 7),)),
    Case("Dinner tonight at 9", "Dinner", "2026-11-20 21:00"),
    Case("Dinner tonight", "Dinner", "2026-11-20", now="2026-11-20 21:30"),
]

CALENDAR = [
    Case("Finish draft before monday", "Finish draft", "2026-11-22"),
    Case("Pack before the weekend", "Pack", "2026-11-20"),
    Case("Pay invoice due friday", "Pay invoice", "2026-11-20"),
    Case("Pay invoice due by monday", "Pay invoice", "2026-11-23"),
    Case("Return library book due on dec 3", "Return library book", "2026-12-03"),
    Case("Library book due", "Library book due"),
    Case("Clean garage over the weekend", "Clean garage", "2026-11-21"),
    Case("Visit gran on the weekend", "Visit gran", "2026-11-21"),
    Case("Call bob this weekend", "Call bob", "2026-11-21", now=SAT),
    Case("Party next weekend", "Party", "2026-11-28", now=SAT),
    Case("Plan trip end of the month", "Plan trip", "2026-11-30"),
    Case("File expenses by end of month", "File expenses", "2026-11-30"),
    Case("Close books at the end of the month", "Close books", "2026-11-30"),
    Case("Review goals end of year", "Review goals", "2026-12-31"),
    Case("Renew lease end of next month", "Renew lease", "2026-12-31"),
    Case("Budget eom", "Budget", "2026-11-30"),
    Case("Plan ski trip end of february", "Plan ski trip", "2027-02-28"),
    Case("Pay bills end of month", "Pay bills", "2026-01-31", now=JAN_31),
    Case("Buy tree before christmas eve", "Buy tree", "2026-12-23"),
    Case("Wrap presents christmas eve", "Wrap presents", "2026-12-24"),
    Case("Call family on christmas day", "Call family", "2026-12-25"),
    Case("Book restaurant by new year's eve", "Book restaurant", "2026-12-31"),
    Case("Party nye 8pm", "Party", "2026-12-31 20:00"),
    Case("Send cards by xmas", "Send cards", "2026-12-25"),
    Case("Buy gift before christmas", "Buy gift", "2027-12-24", now="2026-12-26 10:00"),
    Case("Cancel trial on the 30th", "Cancel trial", "2026-11-30"),
    Case("Pay rent by the 1st", "Pay rent", "2026-12-01"),
    Case("Pay on the 31st", "Pay", "2026-12-31", now=DEC_2),
    Case("Invoice on the 20th", "Invoice", "2026-11-20"),
    Case("Renew car insurance last friday", "Renew car insurance", "2026-11-13"),
    Case("Log hours a week ago", "Log hours", "2026-11-13"),
    Case("Submit claim the day before yesterday", "Submit claim", "2026-11-18"),
    Case("Refill prescription 3 weeks ago", "Refill prescription", "2026-10-30"),
    Case("Party the day after tomorrow", "Party", "2026-11-22"),
    Case("Renew in 3 months", "Renew", "2027-02-20"),
    Case("Meet on 24 december at 6pm", "Meet", "2026-12-24 18:00"),
    Case("Meet on the 24th of december", "Meet", "2026-12-24"),
    Case("Dentist mar 3 at 14:00", "Dentist", "2027-03-03 14:00"),
    Case("Dentist 2027-03-03", "Dentist", "2027-03-03"),
    Case("Report on fri", "Report", "2026-11-20"),
]

NUMERIC = [
    Case("Dentist 12/15", "Dentist", "2026-12-15"),
    Case("12/15 dentist", "dentist", "2026-12-15"),
    Case("Dentist on 12/15 at 3pm", "Dentist", "2026-12-15 15:00"),
    Case("Dentist 12/15/2027", "Dentist", "2027-12-15"),
    Case("Dentist 12/15/27", "Dentist", "2027-12-15"),
    Case("Tax return 4/15", "Tax return", "2027-04-15"),
    Case("Dentist 3/4", "Dentist", "2027-03-04"),
    Case("Dentist 3/4", "Dentist", "2027-04-03", day_first=True),
    Case("Dentist 15/12", "Dentist", "2026-12-15", day_first=True),
    Case("Dentist 15/12 10am", "Dentist", "2026-12-15 10:00", day_first=True),
    Case("Meeting 15.12.2026", "Meeting", "2026-12-15"),
    Case("Meeting 2026/12/15", "Meeting", "2026-12-15"),
    Case("Old invoice 1/5/2025", "Old invoice", "2025-01-05"),
    Case("Old invoice 1/5/2025", "Old invoice", "2025-05-01", day_first=True),
    Case("Pay 12/1", "Pay", "2026-12-01"),
    Case("Pay 11/20", "Pay", "2026-11-20"),
    Case("Pay 11/19", "Pay", "2027-11-19"),
    Case("Dentist 15/12", "Dentist 15/12", notes=(unread("15/12"),)),
    Case("Pay 24/12", "Pay 24/12", notes=(unread("24/12"),)),
    Case(
        "Dentist 12/15",
        "Dentist 12/15",
        notes=(unread("12/15", order="day/month"),),
        day_first=True,
    ),
    Case("doctor appointment 12/45", "doctor appointment 12/45", notes=(unread("12/45"),)),
    Case("Call 12/45 tomorrow", "Call 12/45", "2026-11-21", notes=(unread("12/45", IN_TITLE),)),
    Case("Holiday 2026-02-30", "Holiday 2026-02-30", notes=(not_a_date("2026-02-30"),)),
    Case(
        "Meeting 31.02.2027",
        "Meeting 31.02.2027",
        notes=(f"“31.02.2027” was not understood as a date (read as day.month.year); {NO_DUE}",),
    ),
    Case("Plan 03/04 review", "Plan 03/04 review", notes=(title_date("03/04"),)),
    Case("Buy 1/2 lb butter", "Buy 1/2 lb butter", notes=(title_date("1/2"),)),
    Case("Watch 9/11 documentary", "Watch 9/11 documentary", notes=(title_date("9/11"),)),
    Case("Plan 03/04 review on friday", "Plan 03/04 review", "2026-11-20"),
    Case("Support 24/7", "Support 24/7"),
    Case("Split bill 50/50", "Split bill 50/50"),
    Case("Read pages 120/300", "Read pages 120/300"),
]

TITLES = [
    Case("May's birthday gift", "May's birthday gift"),
    Case("Read 1984", "Read 1984"),
    Case("call 911 about the leak", "call 911 about the leak"),
    Case("buy 2 apples", "buy 2 apples"),
    Case("Buy 2 apples tomorrow", "Buy 2 apples", "2026-11-21"),
    Case("Call May", "Call May"),
    Case("Call May's mom tomorrow", "Call May's mom", "2026-11-21"),
    Case("Learn March of the Penguins lines", "Learn March of the Penguins lines"),
    Case("Read 1984 by sunday", "Read 1984", "2026-11-22"),
    Case("Morning run", "Morning run"),
    Case("Movie night", "Movie night"),
    Case("Good evening email", "Good evening email"),
    Case("Sit in the sun", "Sit in the sun"),
    Case("Protect plants from sun", "Protect plants from sun"),
    Case("Meeting at the station", "Meeting at the station"),
    Case("Email john@example.com", "Email john@example.com"),
    Case("Fix bug #12", "Fix bug #12"),
    Case("Learn C#", "Learn C#"),
    Case("Walk every now and then", "Walk every now and then"),
    Case("Repeat 5 times", "Repeat 5 times"),
    Case("Worry !none", "Worry !none"),
    Case("Read chapter 25:61", "Read chapter 25:61"),
    Case("Gym at 25", "Gym at 25"),
    Case("Buy 3 tickets for christmas", "Buy 3 tickets for christmas"),
    Case("Buy milk #groceries tomorrow", "Buy milk", "2026-11-21", tags=("groceries",)),
    Case(
        "Watch Friday Night Lights friday 8pm #tv",
        "Watch Friday Night Lights",
        "2026-11-20 20:00",
        tags=("tv",),
    ),
    Case(
        "Watch Friday Night Lights",
        "Watch Friday Night Lights",
        notes=(title_date("Friday Night"),),
    ),
    Case("Sunday roast prep", "Sunday roast prep", notes=(title_date("Sunday"),)),
    Case(
        "Watch Friday 8pm Lights",
        "Watch Friday 8pm Lights",
        notes=(title_date("Friday"), title_time("8pm")),
    ),
    Case(
        "Buy tickets for the 8pm show", "Buy tickets for the 8pm show", notes=(title_time("8pm"),)
    ),
    Case("Dinner 7pm at Luigi's", "Dinner 7pm at Luigi's", notes=(title_time("7pm"),)),
    Case("Read John 3:16 aloud", "Read John 3:16 aloud", notes=(title_time("3:16"),)),
    Case("new year's eve party", "new year's eve party", notes=(title_date("new year's eve"),)),
    Case(
        "Daily standup at 9:30",
        "Daily standup",
        "2026-11-21 09:30",
        notes=(title_repeat("Daily", "day"),),
    ),
    Case("Weekly review", "Weekly review", notes=(title_repeat("Weekly", "week"),)),
    Case("Weekly review every friday 4pm", "Weekly review", "2026-11-20 16:00", rule=r.weekly([4])),
]

UNCLEAR = [
    Case("Plant tomatoes in may", "Plant tomatoes in may", notes=(no_day("in may"),)),
    Case("Finish report this week", "Finish report this week", notes=(no_day("this week"),)),
    Case("Renew lease last month", "Renew lease last month", notes=(no_day("last month"),)),
    Case(
        "Finish report end of week",
        "Finish report end of week",
        notes=(f"“end of week” is ambiguous (Friday or Sunday?); {NO_DUE}",),
    ),
    Case(
        "Party next weekend",
        "Party next weekend",
        notes=(f"“next weekend” is ambiguous (this coming weekend or the next?); {NO_DUE}",),
    ),
    Case(
        "Pay on the 31st",
        "Pay on the 31st",
        notes=(f"“on the 31st”: November has no such day; {NO_DUE}",),
    ),
    Case(
        "Pay on the 30th",
        "Pay on the 30th",
        notes=(f"“on the 30th”: February has no such day; {NO_DUE}",),
        now=JAN_31,
    ),
    Case("Pay on the 32nd", "Pay on the 32nd", notes=(not_a_date("on the 32nd"),)),
    Case("Holiday feb 30", "Holiday feb 30", notes=(not_a_date("feb 30"),)),
    Case(
        "Buy feb 29 2027 calendar", "Buy feb 29 2027 calendar", notes=(not_a_date("feb 29 2027"),)
    ),
    Case(
        "Call before friday",
        "Call before friday",
        notes=(f"“before friday” is already past; {NO_DUE}",),
    ),
    Case(
        "Buy gift before christmas",
        "Buy gift before christmas",
        notes=(f"“before christmas” is already past; {NO_DUE}",),
        now=CHRISTMAS,
    ),
    Case("Open 13pm", "Open 13pm", notes=("“13pm” was not understood as a time; no time was set",)),
    Case(
        "Call at 12:75pm tomorrow",
        "Call at 12:75pm",
        "2026-11-21",
        notes=("“at 12:75pm” was not understood as a time; no time was set",),
    ),
    Case(
        "Drink water every hour",
        "Drink water every hour",
        notes=("“every hour” is too often (at most every day); no repeat was set",),
    ),
    Case(
        "Stretch every 2 hours",
        "Stretch every 2 hours",
        notes=("“every 2 hours” is too often (at most every day); no repeat was set",),
    ),
    Case(
        "Run every 400 days",
        "Run every 400 days",
        notes=("“every 400 days” is too far apart (at most every 365); no repeat was set",),
    ),
    Case(
        "Work until dec 31",
        "Work until dec 31",
        notes=(f"“until dec 31” only ends a repeat; {NO_DUE}",),
    ),
    Case(
        "Pills every day until 12/45",
        "Pills until 12/45",
        "2026-11-20",
        rule="FREQ=DAILY",
        notes=(unread("until 12/45", "no end was set"),),
    ),
    Case(
        "Pills every day until 2020-01-01",
        "Pills until 2020-01-01",
        "2026-11-20",
        rule="FREQ=DAILY",
        notes=("“until 2020-01-01” is before the first due date, so the repeat has no end",),
    ),
    Case(
        "Call mom tomorrow friday",
        "Call mom friday",
        "2026-11-21",
        notes=(only_first("friday", "date"),),
    ),
    Case(
        "Call 6pm 7pm",
        "Call 7pm",
        "2026-11-20 18:00",
        notes=(only_first("7pm", "time"),),
    ),
    Case("Do it !h !l", "Do it !l", priority=HIGH, notes=(only_first("!l", "priority"),)),
    Case(
        "Gym every monday every friday",
        "Gym every friday",
        "2026-11-23",
        rule=r.weekly([0]),
        notes=(only_first("every friday", "repeat"),),
    ),
    Case("Call around 5", "Call", "2026-11-21 05:00", notes=(bare_hour("around 5", 5),)),
]

CASES = ISSUE + TODOIST + PERIODS_AND_CLOCKS + CALENDAR + NUMERIC + TITLES + UNCLEAR


def parse(case: Case) -> QuickAdd:
    now = datetime.fromisoformat(case.now).replace(tzinfo=ZoneInfo(BERLIN))
    return parse_quick_add(case.text, now, BERLIN, day_first=case.day_first)


def due_text(q: QuickAdd) -> str | None:
    if q.due is None:
        return None
    assert str(q.due.tzinfo) == BERLIN
    return f"{q.due:%Y-%m-%d %H:%M}" if q.due_has_time else f"{q.due:%Y-%m-%d}"


def test_the_table_is_large_and_has_no_duplicates() -> None:
    assert len(CASES) >= 150
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_phrase(case: Case) -> None:
    q = parse(case)
    got = (q.title, due_text(q), q.priority, q.tags, q.recurrence, q.notes)
    assert got == (case.title, case.due, case.priority, case.tags, case.rule, case.notes)
    # The recognised parts are the text's own words, in order, and none is in the title.
    assert tuple(part.text for part in q.parts) == q.recognised
    for part in q.parts:
        assert case.text[part.start : part.end] == part.text
    starts = [part.start for part in q.parts]
    assert starts == sorted(starts)
