"""Natural-language quick add: "Pay rent every month on the 1st #home !high".

The text is split into whitespace-separated tokens; phrases of the small grammar below are
matched case-insensitively (trailing ``,.;:`` ignored), longest first, left to right. Whatever
no phrase consumed is the title. docs/quick-add.md has the table for users.

    phrase     := priority | tag | recurrence | end | date | time
    priority   := "!" (high|h|3|urgent|important | medium|med|m|2 | low|l|1)
                | (p|"!!") (1|2|3|4)                       (Todoist: 1 high ... 4 none)
    tag        := "#" LETTER (LETTER|DIGIT|"-"|"_")*                      at most 40 characters
    date       := [on|by|due [on|by]|before|starting|from] day [period]
    day        := today | tonight | tomorrow | tmrw | tmr | yesterday
                | [the] day after tomorrow | [the] day before yesterday
                | [this|next|last] WEEKDAY | next (week|month|year) | (this|next) weekend
                | [over|at] the weekend | [at] [the] end of [the|this|next] (month|year|MONTH)
                | eom | eoy | in N (days|weeks|months|years) | N (days|weeks|months|years) ago
                | in N (hours|minutes) | in an hour | in half an hour | this period
                | MONTH DAY [YEAR] | DAY [of] MONTH [YEAR] | YYYY-MM-DD | NUMERIC
                | [the] ORDINAL                                   (only after on/by/due/before)
                | christmas [eve|day] | xmas [eve|day] | new year's [eve|day] | nye
    NUMERIC    := M/D[/YY[YY]] (or D/M/..., in the user's order) | YYYY/MM/DD | D.M.YYYY
    time       := [at|@|by|before|around] H[:MM](am|pm) [in the period] | [at] H:MM | at H
                | [at] noon | in the period | at night
    period     := [in the] (morning|afternoon|evening|night) [[at] time]
    recurrence := daily | weekly | monthly | yearly | annually
                | every [N|other|second] (day|week|month|year)[s] [on-part]
                | every (weekday|workday) | every weekend | every WEEKDAYS | every NTH WEEKDAY
                | every ORDINAL-DAY | every (morning|afternoon|evening|night)
                | every MONTH DAY | every DAY [of] MONTH                      (yearly)
    on-part    := on WEEKDAYS | on [the] DAY | on [the] NTH WEEKDAY
    end        := until date | [for] N times               (only with a recurrence)
    WEEKDAYS   := WEEKDAY ([and|&] WEEKDAY)*                      ("mon, wed and fri")
    NTH        := first..fourth | 1st..4th | last

Meanings (all in the user's zone; "today" is the user's local date, not UTC's):

- "friday" / "on friday" / "this friday": today if today is Friday, else the coming Friday.
  "next friday": the first Friday strictly after today (a week away when said on a Friday).
  "last friday": the last Friday strictly before today. "next week": next Monday; "next
  month": the 1st of next month; "next year": 1 January. "this weekend" (and "the weekend"):
  the coming Saturday, today on a Saturday or Sunday; "next weekend" said on a weekend: the
  next Saturday (said Monday to Friday it is unclear: a note, no date). "end of month": its
  last day. "yesterday" and "2 days ago" are past dates, on purpose. "in an hour", "in 20
  minutes": now plus that, to the minute. "this week", "in may", "end of week": a note.
- "by DATE" and "due DATE" are DATE. "before DATE" is the day before ("before christmas" is
  24 December); "before DATE TIME" is DATE at TIME; "before TIME" is TIME; a "before" that
  would be past is a note. "christmas" and "new year" are dates only after
  on/by/due/before/until; "christmas eve", "new year's day", "nye" are on their own too.
- "morning", "afternoon", "evening", "night" are 09:00, 15:00, 19:00, 21:00, after a date or
  a repeat ("saturday morning", "every saturday morning"), after "this" or "in the", or
  "at night"; with a time they read it ("tomorrow evening at 7" is 19:00). "tonight" is 20:00.
- Weak phrases are taken only when nothing but recognised phrases follow them, so titles keep
  their words (and a note says so when nothing else set the same thing): a bare full weekday
  name ("Watch Friday Night Lights"), daily/weekly/monthly/yearly/annually ("Weekly team
  sync"), "end of month", "christmas eve", and, except at the very start, a numeric date ("Plan
  03/04 review"; "12/15 dentist" is a date) or a time without at/by/before ("Buy tickets for
  the 8pm show"; "6pm call" is a time). A time right after a date or a repeat is as weak as
  that ("Call mom tomorrow 6pm about dinner" sets both). Abbreviated weekdays ("fri", "sun",
  "sat") are taken only after on/this/next/last/every/until/due.
- A day and month without a year is the next such date on or after today (29 February: the next
  leap day); "on the 31st" is the next 31st, unless the next month to come has none (then a
  note: 30 November or 31 December?). A numeric date is read in the user's order
  (``day_first``); with a year it may be past; 24/7 and 50/50 are no dates. Lone numbers ("Read
  1984", "Buy 2 apples") and lone month names ("Call May") stay in the title.
- A bare number is a time only after "at" or "around" ("at 7" is 07:00, 24-hour, with a note).
  "tonight" is 20:00, or date-only once it is past 20:00; "tonight at 9" is 21:00. A time
  without a date is today, or tomorrow once it has passed. A time inside a spring-forward gap
  moves forward (2:30 -> 3:30).
- A recurring quick add starts on the first day its rule allows on or after the given date
  (default: today, or tomorrow once an undated time has passed), and its interval counts from
  there: "every other tue" said on a Friday is due next Tuesday. "weekly", "monthly" and
  "every 2 weeks" repeat on the given date's weekday or day of the month.
- Only the first date, time, recurrence, end and priority count; repeats stay in the title,
  with a note. "every hour" and intervals over 365 are no repeats (a note).

Never guess silently: whatever looks like a date, a time or a repeat but was not taken is
left in the title and said in ``notes`` ("“12/45” was not understood as a date (read as
month/day); no due date was set"). When a phrase is unclear, no date is set rather than a
wrong one.
"""

# Parser choice: a hand-written grammar over tokens, with dateutil (already used for the
# rules) for month arithmetic. dateparser's search mode is slow (tens of ms) and over-eager
# ("Read 1984", "Call May" become dates); parsedatetime is unmaintained since 2020 and as
# eager. A closed grammar is predictable, fast enough for every keystroke, and testable.

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from dateutil.relativedelta import relativedelta

from todo_app.core import recurrence
from todo_app.core.due import clock_label, date_label, make_due
from todo_app.core.models import TAG_MAX_LENGTH, Priority
from todo_app.core.todos import TodoFields, clean_fields
from todo_app.core.zones import zone

TONIGHT = time(20, 0)
PERIODS = {"morning": time(9), "afternoon": time(15), "evening": time(19), "night": time(21)}

# Quick add's shorthands, besides the priorities' own words (Priority.parse).
_PRIORITY_SHORTHANDS = {
    **dict.fromkeys(("h", "3", "urgent", "important"), Priority.HIGH),
    **dict.fromkeys(("med", "m", "2"), Priority.MEDIUM),
    **dict.fromkeys(("l", "1"), Priority.LOW),
}
# Todoist's p1-p4 and !!1-!!4: 1 is the highest, 4 is none.
_TODOIST_PRIORITY = re.compile(r"(?:p|!!)([1-4])")
_TODOIST_PRIORITIES = (Priority.HIGH, Priority.MEDIUM, Priority.LOW, Priority.NONE)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ABBR = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3}
_WEEKDAY_ABBR |= {"fri": 4, "sat": 5, "sun": 6}
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_FULL_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(" "), start=1)}
_MONTHS = _FULL_MONTHS | {name[:3]: number for name, number in _FULL_MONTHS.items()}
_MONTHS |= {"sept": 9}
_NTH = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_NTH |= {"fourth": 4, "4th": 4, "last": -1}
_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week"}
_UNITS |= {"month": "month", "months": "month", "year": "year", "years": "year"}
_CLOCK_UNITS = {"hour": 60, "hours": 60, "hr": 60, "hrs": 60, "minute": 1, "minutes": 1}
_CLOCK_UNITS |= {"min": 1, "mins": 1}
_DAYS_FROM_TODAY = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1}
_DAYS_FROM_TODAY |= {"yesterday": -1}
_STEPS = {"day": relativedelta(days=1), "week": relativedelta(weeks=1)}
_STEPS |= {"month": relativedelta(months=1), "year": relativedelta(years=1)}  # months clamp
_SIMPLE_RECURRENCES = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}
_SIMPLE_RECURRENCES |= {"annually": "year"}
# Fixed-date holidays: (words, month, day, taken without a prefix when trailing).
_HOLIDAYS = (
    (("christmas", "eve"), 12, 24, True),
    (("xmas", "eve"), 12, 24, True),
    (("christmas", "day"), 12, 25, True),
    (("xmas", "day"), 12, 25, True),
    (("christmas",), 12, 25, False),
    (("xmas",), 12, 25, False),
    (("new", "year's", "eve"), 12, 31, True),
    (("new", "years", "eve"), 12, 31, True),
    (("nye",), 12, 31, True),
    (("new", "year's", "day"), 1, 1, True),
    (("new", "years", "day"), 1, 1, True),
    (("new", "year"), 1, 1, False),
)
# Date prefixes, and those after which "fri", "sun", "sat" are weekdays.
_DATE_PREFIXES = ("on", "by", "due", "before", "starting", "from")
_ABBREVIATING = ("on", "due", "until", "this", "next", "last")
_NOT_DATES = ("24/7",)

_TAG = re.compile(rf"#([^\W\d_][\w-]{{0,{TAG_MAX_LENGTH - 1}}})")
_DAY = re.compile(r"(\d{1,2})(st|nd|rd|th)?")
_ORDINAL_DAY = re.compile(r"(\d{1,2})(st|nd|rd|th)")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SLASHED_DATE = re.compile(r"(\d{1,4})/(\d{1,2})(?:/(\d{2}|\d{4}))?")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_TIME_12 = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)")
_TIME_24 = re.compile(r"(\d{1,2}):(\d{2})")

_NOT_A_DATE = "“{0}” was not understood as a date"
_TO_DATE = "write “on {0}” to make it the due date"


@dataclass(frozen=True)
class Part:
    """A recognised phrase: what it sets and where it stands in the text (character offsets,
    end exclusive), for highlighting it."""

    kind: str  # date | time | repeat | end | priority | tag
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class QuickAdd:
    """What a quick-add line means. ``due`` is aware, in the user's zone; a date-only due is
    local midnight with ``due_has_time`` False. ``title`` is empty only for blank text.
    ``recognised`` are the phrases taken (as typed), ``parts`` the same with their kinds and
    places; ``notes`` say, one sentence each, what looked like a date, time, repeat or
    priority but was not taken (or was read in a way worth knowing), in the order of the
    text."""

    title: str
    due: datetime | None = None
    due_has_time: bool = False
    priority: Priority = Priority.NONE
    tags: tuple[str, ...] = ()
    recurrence: str | None = None
    recognised: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()


# --- phrase values --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Day:
    day: date
    tonight: bool = False


@dataclass(frozen=True)
class _Time:
    at: time
    meridiem: bool  # "6pm"/"noon"/"evening", as opposed to "at 6" or "6:30"
    bare: bool = False  # a lone hour after "at": "at 7" is 07:00, worth a note


@dataclass(frozen=True)
class _Recur:
    unit: str  # day | week | month | year | weekdays
    interval: int = 1
    days: tuple[int, ...] = ()
    month_day: int | None = None
    nth: tuple[int, int] | None = None

    def build(self, start: date) -> str:
        """The rule; "weekly"/"monthly" without a day take ``start``'s."""
        if self.unit == "weekdays":
            return recurrence.weekdays()
        if self.unit == "week":
            return recurrence.weekly(self.days or (start.weekday(),), self.interval)
        if self.unit == "month" and self.nth is not None:
            return recurrence.monthly_on_nth_weekday(*self.nth, interval=self.interval)
        if self.unit == "month":
            return recurrence.monthly_on_day(self.month_day or start.day, self.interval)
        if self.unit == "year":
            return recurrence.yearly(self.interval)
        return recurrence.daily(self.interval)

    def first_match(self, start: date, earliest: date) -> date:
        """The first day on or after ``earliest`` that the rule's days allow: the series
        starts there, so "every other Tuesday" said on a Friday starts next Tuesday."""
        every_period = replace(self, interval=1).build(start)
        found = recurrence.next_date(every_period, earliest, earliest - timedelta(1))
        assert found is not None  # an endless rule always has a next date
        return found


@dataclass(frozen=True)
class _End:
    count: int | None = None
    until: date | None = None

    def apply(self, rule: str, first_day: date) -> str | None:
        """The rule with this end; None if the series would end before its first day."""
        if self.until is not None:
            return recurrence.with_until(rule, self.until) if self.until >= first_day else None
        return recurrence.with_count(rule, self.count or 1)


@dataclass(frozen=True)
class _Tag:
    name: str


@dataclass(frozen=True)
class _Unclear:
    """Date-like words that were not understood: they stay in the title, with a note.
    ``message`` has "{0}" for the words as typed; ``sets`` is what was therefore not set
    (date | time | repeat | end), which ends the note ("; no due date was set")."""

    message: str
    sets: str = "date"


_Value = _Day | _Time | _Recur | _End | _Tag | Priority | _Unclear
_KINDS: dict[type, str] = {_Day: "date", _Time: "time", _Recur: "repeat", _End: "end"}
_KINDS |= {Priority: "priority", _Tag: "tag"}
_NOUNS: dict[type, str] = {_Day: "date", _Time: "time", _Recur: "repeat"}
_NOUNS |= {_End: "end of a repeat", Priority: "priority"}


@dataclass(frozen=True)
class _Phrase:
    start: int  # token indexes, end exclusive
    end: int
    values: tuple[_Value, ...]  # the first is what the phrase is; others come with it
    weak: bool = False  # taken only if nothing but recognised phrases follow
    hint: str = ""  # for a weak phrase left in the title: how to write it ("{0}": as typed)

    @property
    def kind(self) -> type:
        return type(self.values[0])


def _one(start: int, end: int, *values: _Value, weak: bool = False, hint: str = "") -> _Phrase:
    return _Phrase(start, end, values, weak, hint)


def _unclear(start: int, end: int, message: str, sets: str = "date") -> _Phrase:
    return _one(start, end, _Unclear(message, sets))


# --- grammar --------------------------------------------------------------------------------


class _Words:
    """The lowercased tokens, with safe look-ahead, and what they are read against."""

    def __init__(self, words: Sequence[str], now_local: datetime, *, day_first: bool) -> None:
        self.words, self.now, self.today = words, now_local, now_local.date()
        self.day_first = day_first

    def __getitem__(self, index: int) -> str:
        return self.words[index] if index < len(self.words) else ""

    def starts(self, index: int, words: Sequence[str]) -> bool:
        return all(self[index + k] == word for k, word in enumerate(words))


def _number(word: str, low: int, high: int) -> int | None:
    if word in ("a", "an", "one"):
        return 1 if low <= 1 else None
    if word.isascii() and word.isdigit() and len(word) <= 4 and low <= int(word) <= high:
        return int(word)
    return None


def _weekday(word: str, *, abbreviated: bool = True, plural: bool = True) -> int | None:
    if plural and word.endswith("days"):
        word = word.removesuffix("s")
    if word in _WEEKDAYS:
        return _WEEKDAYS.index(word)
    return _WEEKDAY_ABBR.get(word) if abbreviated else None


def _coming(today: date, weekday: int, *, strictly_after: bool = False) -> date:
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or (7 if strictly_after else 0))


def _this_weekend(today: date) -> date:
    """The coming Saturday; today on a Saturday or a Sunday."""
    return today if today.weekday() >= 5 else _coming(today, 5)


def _weekday_list(w: _Words, i: int) -> tuple[int, tuple[int, ...]] | None:
    first = _weekday(w[i])
    if first is None:
        return None
    days, i = [first], i + 1
    while True:
        j = i + 1 if w[i] in ("and", "&") else i
        day = _weekday(w[j])
        if day is None:
            return i, tuple(days)
        days.append(day)
        i = j + 1


def _on_or_after(today: date, month: int, day: int) -> date | None:
    """The next ``month``/``day`` on or after ``today``; None if no year has it."""
    for year in range(today.year, today.year + 9):  # nine years hold a 29 February
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _dated(w: _Words, year: int | None, month: int, day: int) -> date | None:
    """The date; without a year, the next one on or after today. None if impossible."""
    if year is None:
        return _on_or_after(w.today, month, day)
    if not 1970 <= year <= 2200:  # make_due's range
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(w: _Words, i: int) -> tuple[int, date | None] | None:
    """MONTH DAY [YEAR] | DAY [of] MONTH [YEAR] -> (end, date, or None if impossible)."""
    day_at, month_at = (i + 1, i) if w[i] in _MONTHS else (i, i + 2 if w[i + 1] == "of" else i + 1)
    day_match, month = _DAY.fullmatch(w[day_at]), _MONTHS.get(w[month_at])
    if day_match is None or month is None:
        return None
    day, end = int(day_match.group(1)), max(day_at, month_at) + 1
    year = _number(w[end], w.today.year - 10, w.today.year + 100)
    if year is not None:  # an impossible date with a year is no date at all
        return end + 1, _dated(w, year, month, day)
    return end, _dated(w, None, month, day)


def _numeric_date(w: _Words, word: str) -> date | str | None:
    """A numeric date: the date, a note's message if it looks like a date but is none, or
    None if it does not look like one."""
    if iso := _ISO_DATE.fullmatch(word):
        found = _dated(w, int(iso[1]), int(iso[2]), int(iso[3]))
        return found or _NOT_A_DATE
    if dotted := _DOTTED_DATE.fullmatch(word):
        found = _dated(w, int(dotted[3]), int(dotted[2]), int(dotted[1]))
        return found or _NOT_A_DATE + " (read as day.month.year)"
    slashed = _SLASHED_DATE.fullmatch(word)
    if slashed is None or word in _NOT_DATES:
        return None
    first, second, third = slashed[1], int(slashed[2]), slashed[3]
    if len(first) == 4:  # 2026/12/24
        if third is None or len(third) != 2:
            return None
        return _dated(w, int(first), second, int(third)) or _NOT_A_DATE
    if len(first) == 3 or min(int(first), second) > 12:  # 120/30, 50/50: no date
        return None
    month, day = (second, int(first)) if w.day_first else (int(first), second)
    year = None if third is None else int(third) + (2000 if len(third) == 2 else 0)
    order = "day/month" if w.day_first else "month/day"
    return _dated(w, year, month, day) or f"{_NOT_A_DATE} (read as {order})"


def _next_month_day(w: _Words, start: int, end: int, day: int) -> _Phrase:
    """ "on the 15th": the next 15th on or after today; no date if the next month to come
    has none ("on the 31st" said in November: 30 November or 31 December?)."""
    if not 1 <= day <= 31:
        return _unclear(start, end, _NOT_A_DATE)
    this_month = w.today.replace(day=1)
    for ahead in range(3):
        month = this_month + relativedelta(months=ahead)
        if day > (month + relativedelta(day=31)).day:
            if ahead or day >= w.today.day:
                name = _MONTH_NAMES.split(" ")[month.month - 1].capitalize()
                return _unclear(start, end, "“{0}”: " + f"{name} has no such day")
            continue
        if (candidate := month.replace(day=day)) >= w.today:
            return _one(start, end, _Day(candidate))
    raise AssertionError("a day of the month within three months")  # pragma: no cover


def _end_of(w: _Words, i: int) -> _Phrase | None:
    """[at] [the] end of [the|this|next] (month|year|MONTH|week) | eom | eoy."""
    today = w.today
    if w[i] in ("eom", "eoy"):
        unit, k = w[i][2], i + 1
        which = ""
    else:
        j = i + 2 if w.starts(i, ("at", "the")) else i + 1 if w[i] == "the" else i
        if not w.starts(j, ("end", "of")):
            return None
        k = j + 2
        which = w[k] if w[k] in ("the", "this", "next") else ""
        unit, k = w[k + 1 if which else k], k + 2 if which else k + 1
    hint = "write “by {0}” to make it the due date"
    if unit in ("m", "month"):
        month = today.replace(day=1) + relativedelta(months=2 if which == "next" else 1)
        return _one(i, k, _Day(month - timedelta(1)), weak=True, hint=hint)
    if unit in ("y", "year"):
        year = today.year + (which == "next")
        return _one(i, k, _Day(date(year, 12, 31)), weak=True, hint=hint)
    if unit in _FULL_MONTHS and which in ("", "the"):
        last = date(today.year, _FULL_MONTHS[unit], 1) + relativedelta(day=31)
        if last < today:
            last = date(today.year + 1, last.month, 1) + relativedelta(day=31)
        return _one(i, k, _Day(last), weak=True, hint=hint)
    if unit == "week":
        return _unclear(i, k, "“{0}” is ambiguous (Friday or Sunday?)")
    return None


def _holiday(w: _Words, i: int, *, prefixed: bool) -> _Phrase | None:
    for words, month, day, alone in _HOLIDAYS:
        if w.starts(i, words) and (prefixed or alone):
            found = _on_or_after(w.today, month, day)
            assert found is not None
            return _one(i, i + len(words), _Day(found), weak=not prefixed, hint=_TO_DATE)
    return None


def _in_clock(w: _Words, i: int) -> _Phrase | None:
    """in N hours|minutes | in an hour | in half an hour: now plus that, to the minute."""
    if w[i] != "in":
        return None
    if w.starts(i + 1, ("half", "an", "hour")):
        minutes, end = 30, i + 4
    elif (n := _number(w[i + 1], 1, 9999)) and (unit := _CLOCK_UNITS.get(w[i + 2])):
        minutes, end = n * unit, i + 3
    else:
        return None
    moment = (w.now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(w.now.tzinfo)
    at = _Time(moment.time().replace(second=0, microsecond=0), meridiem=True)
    return _one(i, end, _Day(moment.date()), at)


def _bare_date(w: _Words, i: int, prefix: str = "") -> _Phrase | None:
    """A date at ``i``; after a prefix (on, by, ...) more forms are dates, and none is
    weak."""
    word, today = w[i], w.today
    if word in _DAYS_FROM_TODAY:
        return _one(i, i + 1, _Day(today + timedelta(_DAYS_FROM_TODAY[word]), word == "tonight"))
    j = i + 1 if word == "the" else i
    if w.starts(j, ("day", "after", "tomorrow")):
        return _one(i, j + 3, _Day(today + timedelta(2)))
    if w.starts(j, ("day", "before", "yesterday")):
        return _one(i, j + 3, _Day(today - timedelta(2)))
    following = w[i + 1]
    if word == "this" and following == "weekend":
        return _one(i, i + 2, _Day(_this_weekend(today)))
    if word == "next" and following == "weekend":
        if today.weekday() < 5:  # said on a weekday: the coming one, or the one after?
            return _unclear(i, i + 2, "“{0}” is ambiguous (this coming weekend or the next?)")
        return _one(i, i + 2, _Day(_coming(today, 5, strictly_after=True)))
    if prefix and w[j] == "weekend":  # "on the weekend", "by the weekend"
        return _one(i, j + 1, _Day(_this_weekend(today)))
    if word in ("over", "at") and w.starts(i + 1, ("the", "weekend")):
        return _one(i, i + 3, _Day(_this_weekend(today)))
    if word == "next" and following in ("week", "month", "year"):
        if following == "week":
            return _one(i, i + 2, _Day(_coming(today, 0, strictly_after=True)))
        if following == "month":
            return _one(i, i + 2, _Day(today.replace(day=1) + relativedelta(months=1)))
        return _one(i, i + 2, _Day(date(today.year + 1, 1, 1)))
    if word in ("this", "last") and following in ("week", "month", "year"):
        return _unclear(i, i + 2, "“{0}” names no day")
    if found := _end_of(w, i):
        return found
    if word == "this" and following in PERIODS:
        period = _period(w, i + 1)
        assert period is not None
        return _one(i, period[0], _Day(today), period[1])
    abbreviated = prefix in _ABBREVIATING
    if word in ("next", "this", "last") and (day := _weekday(following, plural=False)) is not None:
        if word == "last":
            return _one(i, i + 2, _Day(today - timedelta((today.weekday() - day) % 7 or 7)))
        return _one(i, i + 2, _Day(_coming(today, day, strictly_after=word == "next")))
    if (day := _weekday(word, abbreviated=abbreviated, plural=False)) is not None:
        return _one(i, i + 1, _Day(_coming(today, day)), weak=not prefix, hint=_TO_DATE)
    if word == "in" and (n := _number(following, 1, 999)) and (unit := _UNITS.get(w[i + 2])):
        return _one(i, i + 3, _Day(today + _STEPS[unit] * n))
    if found := _in_clock(w, i):
        return found
    if word == "in" and following in _FULL_MONTHS:
        return _unclear(i, i + 2, "“{0}” names no day")
    if (n := _number(word, 1, 999)) and (unit := _UNITS.get(following)) and w[i + 2] == "ago":
        return _one(i, i + 3, _Day(today - _STEPS[unit] * n))
    if found := _holiday(w, j if prefix else i, prefixed=bool(prefix)):
        return replace(found, start=i)
    k = j if prefix else i  # "on the 24th of December"
    if month_day := _month_day(w, k):
        end, day_ = month_day
        return _one(i, end, _Day(day_)) if day_ else _unclear(i, end, _NOT_A_DATE)
    numeric = _numeric_date(w, w[k])
    if isinstance(numeric, date):
        return _one(i, k + 1, _Day(numeric), weak=not prefix and i > 0, hint=_TO_DATE)
    if numeric is not None:
        return _unclear(i, k + 1, numeric)
    if prefix and (ordinal := _ORDINAL_DAY.fullmatch(w[k])):
        return _next_month_day(w, i, k + 1, int(ordinal[1]))
    return None


def _date(w: _Words, i: int) -> _Phrase | None:
    word = w[i]
    if word not in _DATE_PREFIXES:
        return _bare_date(w, i)
    j, before = i + 1, word == "before"
    if word == "due" and w[j] in ("on", "by", "before"):
        j, before = j + 1, w[j] == "before"
    inner = _bare_date(w, j, word)
    if inner is None:
        return None
    if isinstance(inner.values[0], _Unclear) or not before:
        return replace(inner, start=i, weak=False, hint="")
    day = inner.values[0]
    if not isinstance(day, _Day) or day.tonight or len(inner.values) > 1:
        return None
    at = _period(w, inner.end)
    clock = _time(w, inner.end) if at is None else None
    if clock is not None and isinstance(value := clock.values[0], _Time):
        at = clock.end, value
    if at is not None:  # "before friday 5pm": by Friday 17:00
        return _one(i, at[0], day, at[1])
    if day.day - timedelta(1) < w.today:
        return _unclear(i, inner.end, "“{0}” is already past")
    return _one(i, inner.end, _Day(day.day - timedelta(1)))


def _clock_at(w: _Words, j: int, *, after_at: bool) -> tuple[int, _Time | None] | None:
    """H[:MM]am|pm, H[:MM] am|pm, H:MM, noon, and a lone hour only ``after_at`` -> (end,
    time); an impossible am/pm time -> (end, None)."""
    if w[j] in ("noon", "midday"):
        return j + 1, _Time(time(12), meridiem=True)
    text, end = w[j], j + 1
    if w[j + 1] in ("am", "pm") and re.fullmatch(r"\d{1,2}(:\d{2})?", text):
        text, end = text + w[j + 1], j + 2  # "6 pm" reads as "6pm"
    if match := _TIME_12.fullmatch(text):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return end, None
        return end, _Time(time(hour % 12 + (12 if match[3] == "pm" else 0), minute), True)
    if match := _TIME_24.fullmatch(text):
        hour, minute = int(match[1]), int(match[2])
        return (end, _Time(time(hour, minute), False)) if hour <= 23 and minute <= 59 else None
    if after_at and re.fullmatch(r"\d{1,2}", text) and int(text) <= 23:
        return end, _Time(time(int(text)), meridiem=False, bare=True)
    return None


def _in_period(at: _Time, period: str) -> _Time:
    """ "evening at 7" is 19:00; "morning at 7" 07:00; an explicit "7am" stays."""
    hour = at.at.hour
    if period != "morning" and not at.meridiem and 1 <= hour <= 11:
        hour += 12
    return _Time(at.at.replace(hour=hour), meridiem=True)


def _period(w: _Words, i: int) -> tuple[int, _Time] | None:
    """[in the] (morning|afternoon|evening|night) [[at] time] -> (end, time)."""
    j = i + 2 if w.starts(i, ("in", "the")) else i
    if w[j] not in PERIODS:
        return None
    name, end = w[j], j + 1
    k = end + 1 if w[end] in ("at", "@", "around") else end
    found = _clock_at(w, k, after_at=k > end)
    if found is not None and found[1] is not None:
        return found[0], _in_period(found[1], name)
    return end, _Time(PERIODS[name], meridiem=True)


def _time(w: _Words, i: int) -> _Phrase | None:
    if w.starts(i, ("at", "night")):
        return _one(i, i + 2, _Time(PERIODS["night"], meridiem=True))
    if w.starts(i, ("in", "the")) and (period := _period(w, i)):
        return _one(i, period[0], period[1])
    word = w[i]
    j = i + 1 if word in ("at", "@", "by", "before", "around") else i
    in_period = w.starts(j + 1, ("in", "the")) and w[j + 3] in PERIODS  # "7 in the evening"
    found = _clock_at(w, j, after_at=word in ("at", "@", "around") or in_period)
    if found is None:
        return None
    end, at = found
    if at is None:
        return _unclear(i, end, "“{0}” was not understood as a time", "time")
    if w.starts(end, ("in", "the")) and w[end + 2] in PERIODS:  # "7 in the evening"
        at, end = _in_period(at, w[end + 2]), end + 3
    # "Buy tickets for the 8pm show", "Read John 3:16 aloud": without "at", a time inside the
    # title stays there (_scan: unless it follows a date)
    return _one(i, end, at, weak=j == i and i > 0, hint="write “at {0}” to set the time")


def _on_part(w: _Words, i: int, base: _Recur) -> tuple[int, _Recur]:
    """The optional "on ..." after "every N weeks/months"."""
    if w[i] != "on":
        return i, base
    j = i + 2 if w[i + 1] == "the" else i + 1
    if base.unit == "week" and (days := _weekday_list(w, i + 1)):
        return days[0], replace(base, days=days[1])
    if base.unit != "month":
        return i, base
    if (n := _NTH.get(w[j])) and (day := _weekday(w[j + 1])) is not None:
        return j + 2, replace(base, nth=(n, day))
    if (match := _DAY.fullmatch(w[j])) and 1 <= int(match[1]) <= 31:
        return j + 1, replace(base, month_day=int(match[1]))
    return i, base


def _recurrence(w: _Words, i: int) -> _Phrase | None:
    if unit := _SIMPLE_RECURRENCES.get(w[i]):
        end, recur = _on_part(w, i + 1, _Recur(unit))
        return _one(i, end, recur, weak=True, hint=f"write “every {unit}” to make it repeat")
    if w[i] != "every":
        return None
    j = i + 1
    if w[j] in ("weekday", "weekdays", "workday", "workdays"):
        return _one(i, j + 1, _Recur("weekdays"))
    if w[j] in ("weekend", "weekends"):
        return _one(i, j + 1, _Recur("week", days=(5, 6)))
    if period := _period(w, j):
        return _one(i, period[0], _Recur("day"), period[1])
    interval = 2 if w[j] in ("other", "second") else _number(w[j], 1, 9999)
    if interval is not None and (unit := _UNITS.get(w[j + 1])):
        if interval > recurrence.MAX_INTERVAL:
            limit = recurrence.MAX_INTERVAL
            return _unclear(i, j + 2, f"“{{0}}” is too far apart (at most every {limit})", "repeat")
        end, recur = _on_part(w, j + 2, _Recur(unit, interval))
        return _one(i, end, recur)
    if unit := _UNITS.get(w[j]):
        end, recur = _on_part(w, j + 1, _Recur(unit))
        return _one(i, end, recur)
    if (n := _NTH.get(w[j])) and (day := _weekday(w[j + 1])) is not None:
        return _one(i, j + 2, _Recur("month", nth=(n, day)))
    if days := _weekday_list(w, j):
        return _one(i, days[0], _Recur("week", days=days[1]))
    if month_day := _month_day(w, j):  # "every jan 1": yearly from the next 1 January
        end, first = month_day
        if first is None:
            return _unclear(i, end, _NOT_A_DATE, "repeat")
        return _one(i, end, _Recur("year"), _Day(first))
    if w[j] in _CLOCK_UNITS or (interval and w[j + 1] in _CLOCK_UNITS):
        end = j + 1 if w[j] in _CLOCK_UNITS else j + 2
        return _unclear(i, end, "“{0}” is too often (at most every day)", "repeat")
    if (match := _DAY.fullmatch(w[j])) and match[2] and 1 <= int(match[1]) <= 31:
        return _one(i, j + 1, _Recur("month", month_day=int(match[1])))
    return None


def _end(w: _Words, i: int) -> _Phrase | None:
    if w[i] == "until" and (found := _bare_date(w, i + 1, "until")):
        if isinstance(found.values[0], _Day) and len(found.values) == 1:
            return _one(i, found.end, _End(until=found.values[0].day))
        if isinstance(unclear := found.values[0], _Unclear):
            return _unclear(i, found.end, unclear.message, "end")
    j = i + 1 if w[i] == "for" else i
    if (count := _number(w[j], 1, recurrence.MAX_COUNT)) and w[j + 1] == "times":
        return _one(i, j + 2, _End(count=count))
    return None


def _priority(w: _Words, i: int) -> _Phrase | None:
    word = w[i]
    if todoist := _TODOIST_PRIORITY.fullmatch(word):
        return _one(i, i + 1, _TODOIST_PRIORITIES[int(todoist[1]) - 1])
    if not word.startswith("!"):
        return None
    priority = Priority.parse(word[1:]) or _PRIORITY_SHORTHANDS.get(word[1:])
    # "!none" sets nothing, so it is no phrase: it stays in the title.
    return _one(i, i + 1, priority) if priority else None


def _tag(w: _Words, i: int) -> _Phrase | None:
    match = _TAG.fullmatch(w[i])
    return _one(i, i + 1, _Tag(match.group(1))) if match else None


_MATCHERS: tuple[Callable[[_Words, int], _Phrase | None], ...] = (
    _priority,
    _tag,
    _recurrence,
    _end,
    _date,
    _time,
)


def _scan(w: _Words) -> list[_Phrase]:
    """Longest phrase at each position, left to right. A date or a repeat takes the period
    of the day after it ("saturday morning"); a time right after one is as weak as it
    ("tomorrow 6pm about dinner", but "Watch Friday 8pm Lights")."""
    phrases: list[_Phrase] = []
    i = 0
    while i < len(w.words):
        found = [p for p in (m(w, i) for m in _MATCHERS) if p is not None]
        if not found:
            i += 1
            continue
        best = max(found, key=lambda p: p.end)
        values = best.values
        if (
            isinstance(values[0], _Day | _Recur)
            and not any(isinstance(v, _Time) for v in values)
            and not (isinstance(values[0], _Day) and values[0].tonight)
            and (period := _period(w, best.end))
        ):
            best = replace(best, end=period[0], values=(*values, period[1]))
        previous = phrases[-1] if phrases else None
        after_date = previous and previous.end == i and previous.kind in (_Day, _Recur)
        if best.kind is _Time and previous and after_date:
            best = replace(best, weak=previous.weak)
        phrases.append(best)
        i = best.end
    return phrases


@dataclass
class _Selection:
    kept: list[_Phrase]
    notes: list[tuple[int, _Phrase, str]]  # (token index, phrase, message with "{0}")


def _select(phrases: list[_Phrase], size: int) -> _Selection:
    """Drop weak phrases that are not trailing, then repeats of a kind, then ends without a
    recurrence; say why where the words looked like a date."""
    notes = []
    kept: list[_Phrase] = []
    weak_dropped: list[_Phrase] = []
    covered_from = size  # every token from here on is in a kept (or unclear) phrase
    for phrase in reversed(phrases):
        if isinstance(unclear := phrase.values[0], _Unclear):
            notes.append((phrase.start, phrase, _note(unclear)))
            covered_from = phrase.start if phrase.end == covered_from else covered_from
            continue
        if phrase.weak and phrase.end != covered_from:
            weak_dropped.append(phrase)
            continue
        kept.insert(0, phrase)
        covered_from = phrase.start if phrase.end == covered_from else covered_from
    seen: set[type] = set()
    unique = []
    for phrase in kept:
        if phrase.kind is not _Tag and phrase.kind in seen:
            message = "“{0}” was left in the title: only the first " + _NOUNS[phrase.kind]
            notes.append((phrase.start, phrase, message + " counts"))
            continue
        seen.update(type(v) for v in phrase.values)
        unique.append(phrase)
    for phrase in weak_dropped:
        if phrase.kind not in seen:
            notes.append(
                (phrase.start, phrase, "“{0}” was read as part of the title; " + phrase.hint)
            )
    if _Recur not in seen:
        for phrase in unique:
            if isinstance(phrase.values[0], _End) and phrase.values[0].until is not None:
                notes.append((phrase.start, phrase, _note(_Unclear("“{0}” only ends a repeat"))))
        unique = [p for p in unique if not isinstance(p.values[0], _End)]
    return _Selection(unique, notes)


def _note(unclear: _Unclear) -> str:
    """The message, with "{consequence}" to fill once the result is known."""
    return unclear.message + "; {" + unclear.sets + "}"


# --- resolution -----------------------------------------------------------------------------


def parse_quick_add(text: str, now: datetime, tz: str, *, day_first: bool = False) -> QuickAdd:
    """Parse a quick-add line typed at ``now`` (aware) by a user in IANA zone ``tz``.
    ``day_first``: numeric dates are day/month (15/12), as in most of the world; the
    default reads them month/day (12/15), as in en-US (date_order.day_first_for_locale)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    now_local = now.astimezone(zone(tz))
    tokens = list(re.finditer(r"\S+", text))
    lowered = [t[0].lower().replace("\u2019", "'").rstrip(",.;:") for t in tokens]
    words = _Words(lowered, now_local, day_first=day_first)
    selection = _select(_scan(words), len(tokens))
    phrases, notes = selection.kept, selection.notes

    day, at, recur = _first(phrases, _Day), _first(phrases, _Time), _first(phrases, _Recur)
    start = day.day if day else now_local.date()
    clock = _clock(day, at, now_local)
    first_day = start
    if day is None and clock and recurrence.localize(datetime.combine(start, clock), tz) <= now:
        first_day += timedelta(1)  # a time of day already past, with no date: tomorrow
    rule = None
    if recur is not None:
        rule, first_day = recur.build(start), recur.first_match(start, first_day)
        end_phrase = next((p for p in phrases if p.kind is _End), None)
        end = _first(phrases, _End)
        if end and (ended := end.apply(rule, first_day)):
            rule = ended
        elif end_phrase:  # the series would end before it starts: not an end after all
            phrases = [p for p in phrases if p is not end_phrase]
            message = "“{0}” is before the first due date, so the repeat has no end"
            notes.append((end_phrase.start, end_phrase, message))
    due = None
    if day or clock or rule:
        due = recurrence.localize(datetime.combine(first_day, clock or time()), tz)

    def typed(phrase: _Phrase) -> tuple[str, int, int]:
        first, last = tokens[phrase.start].start(), tokens[phrase.end - 1].end()
        piece = text[first:last].rstrip(",;:")
        return piece, first, first + len(piece)

    if at is not None and at.bare and clock == at.at and 1 <= at.at.hour <= 11:
        phrase = next(p for p in phrases if at in p.values)
        hour = at.at.hour
        message = f"“{{0}}” was read as {hour:02d}:00; write “at {hour}pm” for {hour + 12}:00"
        notes.append((phrase.start, phrase, message))
    consequences = {
        "date": "no due date was set" if due is None else "it was left in the title",
        "time": "no time was set" if clock is None else "it was left in the title",
        "repeat": "no repeat was set" if rule is None else "it was left in the title",
        "end": "no end was set",
    }
    used = {k for p in phrases for k in range(p.start, p.end)}
    title = " ".join(t[0] for k, t in enumerate(tokens) if k not in used).rstrip(",;:")
    tags = (v.name.lower() for p in phrases for v in p.values if isinstance(v, _Tag))
    return QuickAdd(
        title=title or " ".join(text.split()),
        due=due,
        due_has_time=due is not None and clock is not None,
        priority=_first(phrases, Priority) or Priority.NONE,
        tags=tuple(dict.fromkeys(tags)),
        recurrence=rule,
        recognised=tuple(typed(p)[0] for p in phrases),
        notes=tuple(
            message.format(typed(phrase)[0], **consequences)
            for _, phrase, message in sorted(notes, key=lambda note: note[0])
        ),
        parts=tuple(Part(_KINDS[p.kind], *typed(p)) for p in phrases),
    )


_T = TypeVar("_T")


def _first(phrases: Sequence[_Phrase], kind: type[_T]) -> _T | None:
    return next((v for p in phrases for v in p.values if isinstance(v, kind)), None)


def _clock(day: _Day | None, at: _Time | None, now_local: datetime) -> time | None:
    """The time of day; "tonight" means 20:00 while that is ahead, and reads "at 9" as 21:00."""
    if day is None or not day.tonight:
        return at.at if at else None
    if at is None:
        return TONIGHT if now_local.time() < TONIGHT else None
    if not at.meridiem and 1 <= at.at.hour <= 11:
        return at.at.replace(hour=at.at.hour + 12)
    return at.at


# --- preview --------------------------------------------------------------------------------


def _when(q: QuickAdd, now: datetime | None, locale: str) -> str:
    assert q.due is not None
    due = q.due
    today = now.astimezone(due.tzinfo).date() if now is not None else None
    text = date_label(due.date(), today, relative=False, locale=locale)
    return text + (f" {clock_label(due.time(), locale)}" if q.due_has_time else "")


def preview_parts(
    q: QuickAdd, now: datetime | None = None, locale: str = ""
) -> list[tuple[str, str]]:
    """What the line sets besides its title, as (kind, text): kind is "due", "repeat",
    "tag" or "priority", e.g. ("repeat", "every month on the 1st (next: Tue 1 Dec)").
    Given ``now``, a due in another year shows its year; given the browser's
    ``locale``, dates and times read as its region writes them."""
    parts: list[tuple[str, str]] = []
    if q.recurrence:
        next_due = f" (next: {_when(q, now, locale)})" if q.due else ""
        parts.append(("repeat", recurrence.describe(q.recurrence) + next_due))
    elif q.due:
        parts.append(("due", _when(q, now, locale)))
    parts.extend(("tag", f"#{tag}") for tag in q.tags)
    if q.priority:
        parts.append(("priority", f"{q.priority.key} priority"))
    return parts


def preview(q: QuickAdd, now: datetime | None = None) -> str:
    """One line, e.g. "Pay rent · every month on the 1st (next: Tue 1 Dec) · #home · high
    priority". The notes are not in it: show them beside it (``q.notes``)."""
    parts = preview_parts(q, now)
    tags = " ".join(text for kind, text in parts if kind == "tag")
    texts = [text for kind, text in parts if kind not in ("tag", "priority")]
    texts += [tags] if tags else []
    texts += [text for kind, text in parts if kind == "priority"]
    return " · ".join([q.title, *texts])


def as_fields(q: QuickAdd) -> TodoFields:
    """The todo fields a parsed quick-add line sets (its title aside)."""
    due = None
    if q.due is not None:
        local = q.due
        due = make_due(local.date(), local.timetz() if q.due_has_time else None, str(local.tzinfo))
    return clean_fields(
        priority=q.priority, tags=list(q.tags), due=due, recurrence=q.recurrence or None
    )
