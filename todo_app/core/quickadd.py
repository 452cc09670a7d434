"""Natural-language quick add: "Pay rent every month on the 1st #home !high".

The text is split into whitespace-separated tokens; phrases of the small grammar below are
matched case-insensitively (trailing ``,.;:`` ignored), longest first, left to right. Whatever
no phrase consumed is the title.

    phrase     := priority | tag | recurrence | end | date | time
    priority   := "!" (high|h|3 | medium|med|m|2 | low|l|1)
    tag        := "#" LETTER (LETTER|DIGIT|"-"|"_")*                      at most 40 characters
    date       := today | tonight | tomorrow | tmrw | tmr | [the] day after tomorrow
                | [on|this] WEEKDAY | next WEEKDAY | next week | in N (days|weeks|months|years)
                | [on|starting|from] (MONTH DAY [YEAR] | DAY [of] MONTH [YEAR] | YYYY-MM-DD)
    time       := [at] H[:MM](am|pm) | [at] H[:MM] (am|pm) | [at] H:MM | at H | [at] noon
    recurrence := daily | weekly | monthly | yearly | annually
                | every [N|other] (day|week|month|year)[s] [on-part] | every (weekday|workday)
                | every weekend | every WEEKDAYS | every NTH WEEKDAY | every ORDINAL-DAY
    on-part    := on WEEKDAYS | on [the] DAY | on [the] NTH WEEKDAY
    end        := until date | [for] N times               (only with a recurrence)
    WEEKDAYS   := WEEKDAY ([and|&] WEEKDAY)*                      ("mon, wed and fri")
    NTH        := first..fourth | 1st..4th | last

Meanings (all in the user's zone; "today" is the user's local date, not UTC's):

- "friday" / "on friday" / "this friday": today if today is Friday, else the coming Friday.
  "next friday": the first Friday strictly after today (a week away when said on a Friday).
  "next week": next Monday.
- A bare full weekday name ("friday") is taken only when nothing but recognised phrases follow
  it, so "Watch Friday Night Lights" keeps its title; abbreviations ("fri", "sun", "sat") are
  taken only after on/this/next/every/until. "on friday" is a date wherever it stands.
- A day and month without a year is the next such date on or after today (29 February: the next
  leap day). Numeric dates other than ISO (03/04: March or April?) stay in the title, and so do
  lone numbers ("Read 1984", "Buy 2 apples") and lone month names ("Call May").
- A bare number is a time only after "at" ("at 7" is 07:00, 24-hour). "tonight" is 20:00, or
  date-only once it is past 20:00; "tonight at 9" is 21:00. A time without a date is today, or
  tomorrow once it has passed. A time inside a spring-forward gap moves forward (2:30 -> 3:30).
- A recurring quick add starts on the first day its rule allows on or after the given date
  (default: today, or tomorrow once an undated time has passed), and its interval counts from
  there: "every other tue" said on a Friday is due next Tuesday. "weekly", "monthly" and
  "every 2 weeks" repeat on the given date's weekday or day of the month.
- Only the first date, time, recurrence, end and priority count; repeats stay in the title.
"""

# Parser choice: a hand-written grammar over tokens, with dateutil (already used for the
# rules) for month arithmetic. dateparser's search mode is slow (tens of ms) and over-eager
# ("Read 1984", "Call May" become dates); parsedatetime is unmaintained since 2020 and as
# eager. A closed grammar is predictable, fast enough for every keystroke, and testable.

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from dateutil.relativedelta import relativedelta

from todo_app.core import recurrence
from todo_app.core.due import date_label, make_due
from todo_app.core.models import TAG_MAX_LENGTH, Priority
from todo_app.core.todos import TodoFields, clean_fields
from todo_app.core.zones import zone

TONIGHT = time(20, 0)

# Quick add's shorthands, besides the priorities' own words (Priority.parse).
_PRIORITY_SHORTHANDS = {
    **dict.fromkeys(("h", "3"), Priority.HIGH),
    **dict.fromkeys(("med", "m", "2"), Priority.MEDIUM),
    **dict.fromkeys(("l", "1"), Priority.LOW),
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ABBR = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3}
_WEEKDAY_ABBR |= {"fri": 4, "sat": 5, "sun": 6}
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {
    name: number
    for number, full in enumerate(_MONTH_NAMES.split(" "), start=1)
    for name in (full, full[:3])
} | {"sept": 9}
_NTH = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_NTH |= {"fourth": 4, "4th": 4, "last": -1}
_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week"}
_UNITS |= {"month": "month", "months": "month", "year": "year", "years": "year"}
_DAYS_FROM_TODAY = {"today": timedelta(0), "tonight": timedelta(0), "tomorrow": timedelta(1)}
_DAYS_FROM_TODAY |= {"tmrw": timedelta(1), "tmr": timedelta(1)}
_STEPS = {"day": relativedelta(days=1), "week": relativedelta(weeks=1)}
_STEPS |= {"month": relativedelta(months=1), "year": relativedelta(years=1)}  # months clamp
_SIMPLE_RECURRENCES = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}
_SIMPLE_RECURRENCES |= {"annually": "year"}

_TAG = re.compile(rf"#([^\W\d_][\w-]{{0,{TAG_MAX_LENGTH - 1}}})")
_DAY = re.compile(r"(\d{1,2})(st|nd|rd|th)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME_12 = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)")
_TIME_24 = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class QuickAdd:
    """What a quick-add line means. ``due`` is aware, in the user's zone; a date-only due is
    local midnight with ``due_has_time`` False. ``title`` is empty only for blank text."""

    title: str
    due: datetime | None = None
    due_has_time: bool = False
    priority: Priority = Priority.NONE
    tags: tuple[str, ...] = ()
    recurrence: str | None = None
    recognised: tuple[str, ...] = ()


# --- phrase values --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Day:
    day: date
    tonight: bool = False


@dataclass(frozen=True)
class _Time:
    at: time
    meridiem: bool  # "6pm"/"noon", as opposed to "at 6" or "6:30"


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


_Value = _Day | _Time | _Recur | _End | _Tag | Priority


@dataclass(frozen=True)
class _Phrase:
    start: int  # token indexes, end exclusive
    end: int
    value: _Value
    weak: bool = False  # taken only if nothing but recognised phrases follow


# --- grammar --------------------------------------------------------------------------------


class _Words:
    """The lowercased tokens, with safe look-ahead."""

    def __init__(self, words: Sequence[str], today: date) -> None:
        self.words, self.today = words, today

    def __getitem__(self, index: int) -> str:
        return self.words[index] if index < len(self.words) else ""


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


def _month_day(w: _Words, i: int) -> tuple[int, date] | None:
    """MONTH DAY [YEAR] | DAY [of] MONTH [YEAR] | YYYY-MM-DD -> (end, date)."""
    if iso := _ISO_DATE.fullmatch(w[i]):
        try:
            return i + 1, date(*(int(g) for g in iso.groups()))
        except ValueError:
            return None
    day_at, month_at = (i + 1, i) if w[i] in _MONTHS else (i, i + 2 if w[i + 1] == "of" else i + 1)
    day_match, month = _DAY.fullmatch(w[day_at]), _MONTHS.get(w[month_at])
    if day_match is None or month is None:
        return None
    day, end = int(day_match.group(1)), max(day_at, month_at) + 1
    year = _number(w[end], w.today.year - 10, w.today.year + 100)
    try:
        if year is not None:  # an impossible date with a year is no date at all
            return end + 1, date(year, month, day)
    except ValueError:
        return None
    for year in range(w.today.year, w.today.year + 9):  # nine years hold a 29 February
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= w.today:
            return end, candidate
    return None


def _date(w: _Words, i: int) -> _Phrase | None:
    word, today = w[i], w.today
    if word in _DAYS_FROM_TODAY:
        return _Phrase(i, i + 1, _Day(today + _DAYS_FROM_TODAY[word], word == "tonight"))
    j = i + 1 if word == "the" else i
    if (w[j], w[j + 1], w[j + 2]) == ("day", "after", "tomorrow"):
        return _Phrase(i, j + 3, _Day(today + timedelta(2)))
    if word == "next" and w[i + 1] == "week":
        return _Phrase(i, i + 2, _Day(_coming(today, 0, strictly_after=True)))
    if word in ("next", "this", "on") and (day := _weekday(w[i + 1], plural=False)) is not None:
        return _Phrase(i, i + 2, _Day(_coming(today, day, strictly_after=word == "next")))
    if (day := _weekday(word, abbreviated=False, plural=False)) is not None:
        return _Phrase(i, i + 1, _Day(_coming(today, day)), weak=True)
    if word == "in" and (n := _number(w[i + 1], 1, 999)) and (unit := _UNITS.get(w[i + 2])):
        return _Phrase(i, i + 3, _Day(today + _STEPS[unit] * n))
    prefixed = i + 1 if word in ("on", "starting", "from") else i
    if found := _month_day(w, prefixed):
        return _Phrase(i, found[0], _Day(found[1]))
    return None


def _time(w: _Words, i: int) -> _Phrase | None:
    j = i + 1 if w[i] in ("at", "@") else i
    if w[j] in ("noon", "midday"):
        return _Phrase(i, j + 1, _Time(time(12), meridiem=True))
    text, end = w[j], j + 1
    if w[j + 1] in ("am", "pm") and re.fullmatch(r"\d{1,2}(:\d{2})?", text):
        text, end = text + w[j + 1], j + 2  # "6 pm" reads as "6pm"
    if match := _TIME_12.fullmatch(text):
        hour, minute, meridiem = int(match[1]), int(match[2] or 0), True
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    elif match := _TIME_24.fullmatch(text):
        hour, minute, meridiem = int(match[1]), int(match[2]), False
    elif j > i and re.fullmatch(r"\d{1,2}", text):  # a bare number only after "at"
        hour, minute, meridiem = int(text), 0, False
    else:
        return None
    if hour > 23 or minute > 59:
        return None
    return _Phrase(i, end, _Time(time(hour, minute), meridiem))


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
        return _Phrase(i, *_on_part(w, i + 1, _Recur(unit)))
    if w[i] != "every":
        return None
    j = i + 1
    if w[j] in ("weekday", "weekdays", "workday", "workdays"):
        return _Phrase(i, j + 1, _Recur("weekdays"))
    if w[j] in ("weekend", "weekends"):
        return _Phrase(i, j + 1, _Recur("week", days=(5, 6)))
    interval = 2 if w[j] == "other" else _number(w[j], 1, recurrence.MAX_INTERVAL)
    if interval is not None and (unit := _UNITS.get(w[j + 1])):
        return _Phrase(i, *_on_part(w, j + 2, _Recur(unit, interval)))
    if unit := _UNITS.get(w[j]):
        return _Phrase(i, *_on_part(w, j + 1, _Recur(unit)))
    if (n := _NTH.get(w[j])) and (day := _weekday(w[j + 1])) is not None:
        return _Phrase(i, j + 2, _Recur("month", nth=(n, day)))
    if days := _weekday_list(w, j):
        return _Phrase(i, days[0], _Recur("week", days=days[1]))
    if (match := _DAY.fullmatch(w[j])) and match[2] and 1 <= int(match[1]) <= 31:
        return _Phrase(i, j + 1, _Recur("month", month_day=int(match[1])))
    return None


def _end(w: _Words, i: int) -> _Phrase | None:
    if w[i] == "until" and (found := _date(w, i + 1)) and isinstance(found.value, _Day):
        return _Phrase(i, found.end, _End(until=found.value.day))
    j = i + 1 if w[i] == "for" else i
    if (count := _number(w[j], 1, recurrence.MAX_COUNT)) and w[j + 1] == "times":
        return _Phrase(i, j + 2, _End(count=count))
    return None


def _priority(w: _Words, i: int) -> _Phrase | None:
    word = w[i]
    if not word.startswith("!"):
        return None
    priority = Priority.parse(word[1:]) or _PRIORITY_SHORTHANDS.get(word[1:])
    # "!none" sets nothing, so it is no phrase: it stays in the title.
    return _Phrase(i, i + 1, priority) if priority else None


def _tag(w: _Words, i: int) -> _Phrase | None:
    match = _TAG.fullmatch(w[i])
    return _Phrase(i, i + 1, _Tag(match.group(1))) if match else None


_MATCHERS: tuple[Callable[[_Words, int], _Phrase | None], ...] = (
    _priority,
    _tag,
    _recurrence,
    _end,
    _date,
    _time,
)


def _scan(w: _Words) -> list[_Phrase]:
    """Longest phrase at each position, left to right."""
    phrases, i = [], 0
    while i < len(w.words):
        found = [p for p in (m(w, i) for m in _MATCHERS) if p is not None]
        if found:
            phrases.append(max(found, key=lambda p: p.end))
            i = phrases[-1].end
        else:
            i += 1
    return phrases


def _select(phrases: list[_Phrase], size: int) -> list[_Phrase]:
    """Drop weak phrases that are not trailing, then repeats of a kind, then ends without a
    recurrence."""
    kept: list[_Phrase] = []
    covered_from = size  # every token from here on is in a kept phrase
    for phrase in reversed(phrases):
        if phrase.weak and phrase.end != covered_from:
            continue
        kept.insert(0, phrase)
        covered_from = phrase.start if phrase.end == covered_from else covered_from
    seen: set[type] = set()
    unique = []
    for phrase in kept:
        kind = type(phrase.value)
        if kind is not _Tag and kind in seen:
            continue
        seen.add(kind)
        unique.append(phrase)
    return [p for p in unique if not isinstance(p.value, _End) or _Recur in seen]


# --- resolution -----------------------------------------------------------------------------


def parse_quick_add(text: str, now: datetime, tz: str) -> QuickAdd:
    """Parse a quick-add line typed at ``now`` (aware) by a user in IANA zone ``tz``."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    now_local = now.astimezone(zone(tz))
    tokens = list(re.finditer(r"\S+", text))
    words = _Words([t[0].lower().rstrip(",.;:") for t in tokens], now_local.date())
    phrases = _select(_scan(words), len(tokens))

    day, at, recur = _first(phrases, _Day), _first(phrases, _Time), _first(phrases, _Recur)
    start = day.day if day else now_local.date()
    clock = _clock(day, at, now_local)
    first_day = start
    if day is None and clock and recurrence.localize(datetime.combine(start, clock), tz) <= now:
        first_day += timedelta(1)  # a time of day already past, with no date: tomorrow
    rule = None
    if recur is not None:
        rule, first_day = recur.build(start), recur.first_match(start, first_day)
        if (end := _first(phrases, _End)) and (ended := end.apply(rule, first_day)):
            rule = ended
        elif end:  # the series would end before it starts: not an end after all
            phrases = [p for p in phrases if p.value is not end]
    due = None
    if day or clock or rule:
        due = recurrence.localize(datetime.combine(first_day, clock or time()), tz)

    used = {k for p in phrases for k in range(p.start, p.end)}
    title = " ".join(t[0] for k, t in enumerate(tokens) if k not in used).rstrip(",;:")
    tags = (p.value.name.lower() for p in phrases if isinstance(p.value, _Tag))
    return QuickAdd(
        title=title or " ".join(text.split()),
        due=due,
        due_has_time=due is not None and clock is not None,
        priority=_first(phrases, Priority) or Priority.NONE,
        tags=tuple(dict.fromkeys(tags)),
        recurrence=rule,
        recognised=tuple(
            text[tokens[p.start].start() : tokens[p.end - 1].end()].rstrip(",;:") for p in phrases
        ),
    )


_T = TypeVar("_T")


def _first(phrases: Sequence[_Phrase], kind: type[_T]) -> _T | None:
    return next((p.value for p in phrases if isinstance(p.value, kind)), None)


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


def _when(q: QuickAdd, now: datetime | None) -> str:
    assert q.due is not None
    due = q.due
    today = now.astimezone(due.tzinfo).date() if now is not None else None
    text = date_label(due.date(), today, relative=False)
    return text + (f" {due:%H:%M}" if q.due_has_time else "")


def preview(q: QuickAdd, now: datetime | None = None) -> str:
    """One line, e.g. "Pay rent · every month on the 1st (next: Tue 1 Dec) · #home · high
    priority". Given ``now``, a due in another year shows its year."""
    parts = [q.title]
    if q.recurrence:
        next_due = f" (next: {_when(q, now)})" if q.due else ""
        parts.append(recurrence.describe(q.recurrence) + next_due)
    elif q.due:
        parts.append(_when(q, now))
    if q.tags:
        parts.append(" ".join(f"#{tag}" for tag in q.tags))
    if q.priority:
        parts.append(f"{q.priority.key} priority")
    return " · ".join(parts)


def as_fields(q: QuickAdd) -> TodoFields:
    """The todo fields a parsed quick-add line sets (its title aside)."""
    due = None
    if q.due is not None:
        local = q.due
        due = make_due(local.date(), local.timetz() if q.due_has_time else None, str(local.tzinfo))
    return clean_fields(
        priority=q.priority, tags=list(q.tags), due=due, recurrence=q.recurrence or None
    )
