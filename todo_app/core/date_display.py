"""Due dates and times as the user's region writes them, in English (the page's language).

The browser's language ("en-US", "en-GB", "de-DE", "fr") picks the English of that
region from CLDR (Babel): "Tue, Dec 1" and "9:30 AM" in the United States, "Tue 1 Dec"
and "09:30" in Britain, "Tue, 1 Dec" and "09:30" in Germany. A region CLDR has no English
for falls back to the British or American style by the way the locale orders a numeric
date (``date_order``), so a date always reads in the order the user writes one.
"""

from __future__ import annotations

import functools
from datetime import date, time

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_skeleton, format_time

from todo_app.core.date_order import day_first_for_locale

# Browser language tags are short; anything longer is not one (and is not cached).
MAX_TAG_LENGTH = 35
_DAY_FIRST, _MONTH_FIRST = Locale("en", "GB"), Locale("en", "US")


@functools.lru_cache(maxsize=256)
def english_for(tag: str) -> Locale:
    """The English locale of ``tag``'s region: "de-DE" -> en_DE, "de" -> en_DE (its
    likely region), "ja" -> en_US (CLDR has no en_JP; Japanese writes month first)."""
    region = _region(tag)
    if region:
        try:
            return Locale("en", region)
        except UnknownLocaleError:
            pass
    return _DAY_FIRST if day_first_for_locale(tag) else _MONTH_FIRST


def _region(tag: str) -> str:
    try:
        parsed = Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return ""
    if parsed.territory:
        return str(parsed.territory)
    likely = str(get_global("likely_subtags").get(parsed.language, ""))  # "de_Latn_DE"
    return likely.rsplit("_", 1)[-1] if "_" in likely else ""


def day_text(day: date, tag: str, *, with_year: bool) -> str:
    """ "Tue, Dec 1" (en-US) or "Tue 1 Dec" (en-GB); with its year when asked."""
    locale = english_for(tag[:MAX_TAG_LENGTH])
    return format_skeleton("yMMMEd" if with_year else "MMMEd", day, locale=locale)


def clock_text(clock: time, tag: str) -> str:
    """ "9:30 AM" (en-US) or "09:30" (en-GB)."""
    return format_time(clock, "short", locale=english_for(tag[:MAX_TAG_LENGTH]))
