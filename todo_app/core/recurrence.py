"""Recurring todos: RFC 5545 RRULE strings without DTSTART, on local wall-clock time.

A todo stores a rule such as ``FREQ=WEEKLY;BYDAY=MO,WE`` and, beside it, the series start
(its first due). Occurrences are computed on naive local times in the user's IANA zone and
only then given the zone, so "every Monday 9:30" stays at 9:30 across DST changes.

Only a small subset of RRULE is supported, the one the builders below produce:

- ``DAILY`` and ``YEARLY``, with INTERVAL;
- ``WEEKLY``, with a plain BYDAY list (``MO,WE``) or none (the series start's weekday);
- ``MONTHLY``, with one BYMONTHDAY 1..28, or ``28,..,d;BYSETPOS=-1`` for d in 29..31 (the day,
  or the month's last day when it is shorter), or one BYDAY with an ordinal 1..4 or -1
  (``-1FR``: the last Friday), or neither (the series start's day, clamped the same way);
- ends: COUNT (counted from the series start) or UNTIL (a local date, inclusive).

Weeks start on Monday (WKST=MO). Like dateutil, a series start that does not match its rule
is not itself an occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal

# dateutil's rrule is the long-standing, widely used RFC 5545 implementation for Python;
# BYSETPOS, COUNT and UNTIL are exactly the corners we would otherwise get subtly wrong.
from dateutil.rrule import DAILY, FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, YEARLY, rrule

from todo_app.core.errors import ValidationError
from todo_app.core.zones import zone

MAX_INTERVAL = 365
MAX_COUNT = 1000

_FREQS: dict[str, Literal[0, 1, 2, 3]] = {
    "DAILY": DAILY,
    "WEEKLY": WEEKLY,
    "MONTHLY": MONTHLY,
    "YEARLY": YEARLY,
}
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RRULE_WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_WEEKDAY_SET = (0, 1, 2, 3, 4)
_BYDAY_ITEM = re.compile(r"([+-]?\d{1,2})?([A-Z]{2})")
_UNTIL_VALUE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T\d{6}Z?)?")
# Wall-clock order and absolute order differ by at most a DST shift (a few hours at most).
_DST_SLACK = timedelta(hours=3)


@dataclass(frozen=True)
class _Rule:
    freq: str
    interval: int = 1
    days: tuple[int, ...] = ()  # WEEKLY: BYDAY, 0=Mon..6=Sun
    month_day: int | None = None  # MONTHLY: 1..31; 29..31 clamp to the month's last day
    nth: tuple[int, int] | None = None  # MONTHLY: (1..4 or -1, weekday)
    count: int | None = None
    until: date | None = None

    def __str__(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.days:
            parts.append("BYDAY=" + ",".join(_DAY_CODES[d] for d in self.days))
        if self.nth:
            parts.append(f"BYDAY={self.nth[0]}{_DAY_CODES[self.nth[1]]}")
        if self.month_day is not None:
            parts.append(_bymonthday(self.month_day))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            # A floating local date-time: RFC 5545 wants UNTIL of DTSTART's type.
            parts.append(f"UNTIL={self.until:%Y%m%d}T235959")
        return ";".join(parts)

    def to_rrule(self, dtstart: datetime, near: datetime) -> rrule:
        """The series from ``dtstart`` (naive local); ``near`` is where the caller will look:
        an endless DAILY or WEEKLY series skips whole intervals up to there, instead of walking
        years of past days. Any occurrence it drops lies before ``near``."""
        if self.count is None and self.freq in ("DAILY", "WEEKLY"):
            period = timedelta(days=self.interval * (1 if self.freq == "DAILY" else 7))
            dtstart += period * max(0, (near - dtstart) // period - 1)
        kwargs: dict[str, Any] = {"interval": self.interval, "wkst": MO, "count": self.count}
        if self.until is not None:
            kwargs["until"] = datetime.combine(self.until, time.max)
        month_day = self.month_day
        if self.freq == "MONTHLY" and self.nth is None and month_day is None:
            month_day = dtstart.day  # dateutil would skip short months: clamp instead
        if self.days:
            kwargs["byweekday"] = self.days
        if self.nth:
            kwargs["byweekday"] = _RRULE_WEEKDAYS[self.nth[1]](self.nth[0])
        if month_day is not None and month_day <= 28:
            kwargs["bymonthday"] = month_day
        elif month_day is not None:
            kwargs.update(bymonthday=tuple(range(28, month_day + 1)), bysetpos=-1)
        if self.freq == "YEARLY" and (dtstart.month, dtstart.day) == (2, 29):
            kwargs.update(bymonth=2, bymonthday=(28, 29), bysetpos=-1)  # Feb 28 in common years
        return rrule(_FREQS[self.freq], dtstart=dtstart, **kwargs)


def _bymonthday(day: int) -> str:
    if day <= 28:
        return f"BYMONTHDAY={day}"
    return "BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)) + ";BYSETPOS=-1"


# --- builders -------------------------------------------------------------------------------


def _check_interval(interval: int) -> int:
    if isinstance(interval, bool) or not isinstance(interval, int):
        raise ValidationError("The repeat interval must be a whole number.")
    if not 1 <= interval <= MAX_INTERVAL:
        raise ValidationError(f"The repeat interval must be from 1 to {MAX_INTERVAL}.")
    return interval


def _check_weekday(weekday: int) -> int:
    if isinstance(weekday, bool) or weekday not in range(7):
        raise ValidationError("A weekday must be 0 (Monday) to 6 (Sunday).")
    return weekday


def daily(interval: int = 1) -> str:
    return str(_Rule("DAILY", _check_interval(interval)))


def weekdays() -> str:
    """Monday to Friday."""
    return str(_Rule("WEEKLY", days=_WEEKDAY_SET))


def weekly(days: Sequence[int], interval: int = 1) -> str:
    """On the given weekdays (0=Monday..6=Sunday) of every ``interval``-th week."""
    if not days:
        raise ValidationError("Pick at least one day of the week.")
    unique = tuple(sorted({_check_weekday(d) for d in days}))
    return str(_Rule("WEEKLY", _check_interval(interval), days=unique))


def monthly_on_day(day: int, interval: int = 1) -> str:
    """On day 1..31 of the month; a day past a month's end falls on its last day."""
    if isinstance(day, bool) or day not in range(1, 32):
        raise ValidationError("A day of the month must be from 1 to 31.")
    return str(_Rule("MONTHLY", _check_interval(interval), month_day=day))


def monthly_on_nth_weekday(n: int, weekday: int, interval: int = 1) -> str:
    """On the n-th (1..4, or -1 for the last) given weekday of the month."""
    if isinstance(n, bool) or n not in _NTH_WORDS:
        raise ValidationError("Pick the first, second, third, fourth or last weekday.")
    return str(_Rule("MONTHLY", _check_interval(interval), nth=(n, _check_weekday(weekday))))


def yearly(interval: int = 1) -> str:
    """On the series start's month and day (29 February falls on the 28th in common years)."""
    return str(_Rule("YEARLY", _check_interval(interval)))


def with_count(rule: str, count: int) -> str:
    """End the series after ``count`` occurrences; replaces any other end."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ValidationError(f"The number of repetitions must be from 1 to {MAX_COUNT}.")
    return str(replace(_parse(rule), count=count, until=None))


def with_until(rule: str, until: date) -> str:
    """End the series after the local date ``until`` (inclusive); replaces any other end."""
    day = until.date() if isinstance(until, datetime) else until
    return str(replace(_parse(rule), count=None, until=day))


# --- parsing ----------------------------------------------------------------------------------


def validate_rule(rule: str) -> str:
    """The rule in canonical form; ValidationError if malformed or unsupported. UNTIL keeps
    only its date (series end on a local day)."""
    if not isinstance(rule, str):
        raise ValidationError("The repeat rule must be text.")
    return str(_parse(rule))


@lru_cache(maxsize=1024)
def _parse(rule: str) -> _Rule:
    text = rule.strip().upper().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for part in filter(None, text.split(";")):
        name, sep, value = part.partition("=")
        if not sep or not name or not value:
            raise ValidationError("The repeat rule is not understood.")
        if name in parts:
            raise ValidationError(f"The repeat rule gives {name} twice.")
        parts[name] = value
    freq = parts.pop("FREQ", None)
    if freq is None:
        raise ValidationError("The repeat rule is not understood: it has no frequency.")
    if freq in ("SECONDLY", "MINUTELY", "HOURLY"):
        raise ValidationError("Repeating more often than once a day is not supported.")
    if freq not in _FREQS:
        raise ValidationError("A todo can repeat daily, weekly, monthly or yearly.")
    if parts.pop("WKST", "MO") != "MO":
        raise ValidationError("Weeks start on Monday; other week starts are not supported.")
    rule_ = _Rule(
        freq,
        interval=_check_interval(_number(parts.pop("INTERVAL", "1"))),
        count=_parse_count(parts.pop("COUNT", None)),
        until=_parse_until(parts.pop("UNTIL", None)),
    )
    if rule_.count is not None and rule_.until is not None:
        raise ValidationError("A series ends after a number of times or on a date, not both.")
    byday, bymonthday, bysetpos = (parts.pop(k, None) for k in ("BYDAY", "BYMONTHDAY", "BYSETPOS"))
    if parts:
        raise ValidationError(f"Repeat rules with {min(parts)} are not supported.")
    if freq == "WEEKLY" and byday and not bymonthday and not bysetpos:
        return replace(rule_, days=_parse_weekly_days(byday))
    if freq == "MONTHLY" and byday and not bymonthday:
        return replace(rule_, nth=_parse_nth(byday, bysetpos))
    if freq == "MONTHLY" and bymonthday and not byday:
        return replace(rule_, month_day=_parse_month_day(bymonthday, bysetpos))
    if byday or bymonthday or bysetpos:
        raise ValidationError("This combination of repeat rule parts is not supported.")
    return rule_


def _number(value: str) -> int:
    if not re.fullmatch(r"[+-]?\d{1,6}", value):
        raise ValidationError("The repeat rule has a number that is not a whole number.")
    return int(value)


def _parse_count(value: str | None) -> int | None:
    if value is None:
        return None
    count = _number(value)
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError(f"The number of repetitions must be from 1 to {MAX_COUNT}.")
    return count


def _parse_until(value: str | None) -> date | None:
    if value is None:
        return None
    match = _UNTIL_VALUE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ValidationError("The end date of the repeat rule is not a valid date.") from None


def _parse_weekly_days(value: str) -> tuple[int, ...]:
    days = set()
    for item in value.split(","):
        if item not in _DAY_CODES:
            raise ValidationError("A weekly rule takes plain weekdays, such as BYDAY=MO,WE.")
        days.add(_DAY_CODES.index(item))
    return tuple(sorted(days))


def _parse_nth(byday: str, bysetpos: str | None) -> tuple[int, int]:
    match = _BYDAY_ITEM.fullmatch(byday)
    if match is None or match.group(2) not in _DAY_CODES:
        raise ValidationError("A monthly rule takes one weekday, such as BYDAY=-1FR.")
    ordinal, code = match.groups()
    if (ordinal is None) == (bysetpos is None):
        raise ValidationError("A monthly rule on a weekday must say which one (1st..4th, last).")
    n = _number(ordinal or bysetpos or "")
    if n not in _NTH_WORDS:
        raise ValidationError("Only the 1st to 4th or the last weekday of a month is supported.")
    return n, _DAY_CODES.index(code)


def _parse_month_day(bymonthday: str, bysetpos: str | None) -> int:
    days = [_number(d) for d in bymonthday.split(",")]
    if len(days) == 1 and bysetpos is None and 1 <= days[0] <= 28:
        return days[0]
    if bysetpos == "-1" and 29 <= days[-1] <= 31 and days == list(range(28, days[-1] + 1)):
        return days[-1]
    raise ValidationError(
        "A monthly rule takes one day from 1 to 28, or 29 to 31 falling back to the last day."
    )


# --- evaluation -----------------------------------------------------------------------------


def localize(local: datetime, tz: str) -> datetime:
    """Give a naive local wall time the zone ``tz``.

    An ambiguous time (autumn) is its first instance (fold=0); a time inside a spring-forward
    gap moves forward by the gap (2:30 becomes 3:30 in Europe/Berlin).
    """
    zone_ = zone(tz)
    # fold=0 reads a gap time with the pre-transition offset; the UTC round trip turns it
    # into the real, later wall time.
    return local.replace(tzinfo=zone_, fold=0).astimezone(UTC).astimezone(zone_)


def next_occurrence(rule: str, series_start: datetime, after: datetime, tz: str) -> datetime | None:
    """The first occurrence strictly after ``after``, in ``tz``; None once the series ended.

    ``series_start`` (the series' first due) and ``after`` must be aware. Occurrences keep
    series_start's local wall time in ``tz``.
    """
    if series_start.tzinfo is None or after.tzinfo is None:
        raise ValueError("series_start and after must be aware datetimes")
    parsed, zone_ = _parse(rule), zone(tz)
    start_local = series_start.astimezone(zone_).replace(tzinfo=None, fold=0)
    after_local = after.astimezone(zone_).replace(tzinfo=None, fold=0)
    earliest = after_local - _DST_SLACK
    for local in parsed.to_rrule(start_local, earliest).xafter(earliest, inc=True):
        due = localize(local, tz)
        if due > after:
            return due
    return None


def next_date(rule: str, series_start: date, after: date) -> date | None:
    """For date-only todos: the first occurrence date strictly after ``after``."""
    start, after_ = datetime.combine(series_start, time()), datetime.combine(after, time())
    found = _parse(rule).to_rrule(start, after_).after(after_, inc=False)
    return found.date() if found is not None else None


# --- description ----------------------------------------------------------------------------


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _every(interval: int, unit: str) -> str:
    return f"every {unit}" if interval == 1 else f"every {interval} {unit}s"


def describe(rule: str) -> str:
    """Short English, e.g. "every 2 weeks on Mon, Wed" or "every month on the last Friday"."""
    r = _parse(rule)
    if r.freq == "WEEKLY" and r.days == _WEEKDAY_SET and r.interval == 1:
        text = "every weekday"
    elif r.freq == "WEEKLY" and r.days == (5, 6) and r.interval == 1:
        text = "every weekend"
    elif r.freq == "WEEKLY" and r.days and r.interval == 1:
        names = [_DAY_NAMES[d] if len(r.days) == 1 else _DAY_NAMES[d][:3] for d in r.days]
        text = "every " + ", ".join(names)
    elif r.freq == "WEEKLY" and r.days:
        text = _every(r.interval, "week") + " on " + ", ".join(_DAY_NAMES[d][:3] for d in r.days)
    elif r.freq == "MONTHLY" and r.nth is not None:
        n, weekday = r.nth
        text = f"{_every(r.interval, 'month')} on the {_NTH_WORDS[n]} {_DAY_NAMES[weekday]}"
    elif r.freq == "MONTHLY" and r.month_day is not None:
        text = f"{_every(r.interval, 'month')} on the {_ordinal(r.month_day)}"
        text += " (or the last day)" if r.month_day > 28 else ""
    else:
        text = _every(r.interval, _UNITS[r.freq])
    if r.count is not None:
        text += ", once" if r.count == 1 else f", {r.count} times"
    if r.until is not None:
        text += f", until {r.until.day} {_MONTH_ABBR[r.until.month - 1]} {r.until.year}"
    return text
