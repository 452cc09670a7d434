"""Which way round a user writes a numeric date: 12/15 (month first) or 15/12 (day first).

Quick add reads "12/15" in the user's order; this module turns a BCP 47 locale (the
browser's ``navigator.language``: "en-US", "en-GB", "de", "fr-CA") into that order.
"""

from __future__ import annotations

import re

# Locales that write a month-day date without its year month first (CLDR's "Md" pattern):
# English in the United States and the places that follow its usage, Canada (en and fr:
# "MM-dd"), and the languages that write year-month-day (Japanese, Chinese, Korean,
# Hungarian, Lithuanian: "M/d", "M. d.", "MM-dd"). Everyone else writes the day first.
_MONTH_FIRST_LANGUAGES = frozenset({"ja", "zh", "ko", "hu", "lt"})
_MONTH_FIRST_ENGLISH_REGIONS = frozenset(
    {"", "US", "CA", "PH", "AS", "GU", "MP", "PR", "UM", "VI", "FM", "MH", "PW"}
)
_LOCALE = re.compile(r"([a-zA-Z]{2,3})(?:[-_][a-zA-Z]{4})?(?:[-_]([a-zA-Z]{2}|\d{3}))?(?:[-_].*)?")


def day_first_for_locale(locale: str | None) -> bool:
    """True if ``locale`` writes 15/12 for 15 December. Unknown or empty: month first, the
    default of "en" (en-US)."""
    match = _LOCALE.fullmatch((locale or "").strip())
    if match is None:
        return False
    language, region = match[1].lower(), (match[2] or "").upper()
    if language in _MONTH_FIRST_LANGUAGES:
        return False
    if language == "en":
        return region not in _MONTH_FIRST_ENGLISH_REGIONS
    return (language, region) != ("fr", "CA") and language != "fil"
