"""Due dates and times in the English of the user's region."""

from datetime import date, time

import pytest

from todo_app.core.date_display import clock_text, day_text, english_for
from todo_app.core.due import clock_label, date_label

DEC_1 = date(2026, 12, 1)
TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("tag", "day", "clock"),
    [
        ("en-US", "Tue, Dec 1", "9:30\u202fAM"),
        ("en-GB", "Tue 1 Dec", "09:30"),
        ("en_GB", "Tue 1 Dec", "09:30"),
        ("de-DE", "Tue, 1 Dec", "09:30"),
        ("de", "Tue, 1 Dec", "09:30"),  # German's likely region: Germany
        ("fr-CA", "Tue, Dec 1", "9:30\u202fa.m."),  # en_CA
        ("en-AU", "Tue, 1 Dec", "9:30\u202fam"),
        ("ja-JP", "Tue, Dec 1", "9:30\u202fAM"),  # no en_JP: month first, as Japanese
        ("pt-BR", "Tue 1 Dec", "09:30"),  # no en_BR: day first, as Brazil (en_GB)
    ],
)
def test_each_region_writes_its_own_way(tag: str, day: str, clock: str) -> None:
    assert day_text(DEC_1, tag, with_year=False) == day
    assert clock_text(time(9, 30), tag) == clock


JUNK = ["", "x", "not a locale at all", "12-34", "en-ZZ", "\x00", "a" * 99]


@pytest.mark.parametrize("junk", JUNK)
def test_a_tag_that_is_no_locale_falls_back_to_a_known_style(junk: str) -> None:
    assert english_for(junk).language == "en"
    assert day_text(DEC_1, junk, with_year=False) in ("Tue, Dec 1", "Tue 1 Dec")


def test_the_year_shows_when_it_is_not_this_one() -> None:
    assert date_label(date(2031, 5, 20), TODAY, locale="en-US") == "Tue, May 20, 2031"
    assert date_label(date(2031, 5, 20), TODAY, locale="en-GB") == "Tue, 20 May 2031"
    assert date_label(DEC_1, TODAY, relative=False, locale="en-US") == "Tue, Dec 1"


def test_relative_days_stay_words_in_every_region() -> None:
    assert date_label(DEC_1, TODAY, locale="en-US") == "Tomorrow"
    assert date_label(TODAY, TODAY, locale="de-DE") == "Today"


def test_without_a_locale_the_house_style_stays() -> None:
    assert date_label(DEC_1, TODAY, relative=False) == "Tue 1 Dec"
    assert clock_label(time(18, 0)) == "18:00"
    assert clock_label(time(18, 0), "en-US") == "6:00\u202fPM"
