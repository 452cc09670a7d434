"""Quick add in the user's date order: the locale decides how 12/15 and 15/12 are read."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from todo_app.core.date_order import day_first_for_locale
from todo_app.core.quickadd import parse_quick_add

NOW = datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("locale", "day_first"),
    [
        ("en-US", False),
        ("en", False),
        ("en_US", False),
        ("en-PH", False),
        ("en-CA", False),
        ("fr-CA", False),
        ("ja-JP", False),
        ("zh-Hans-CN", False),
        ("ko", False),
        ("hu-HU", False),
        ("", False),
        (None, False),
        ("not a locale!", False),
        ("en-GB", True),
        ("en-AU", True),
        ("en-IN", True),
        ("en-IE", True),
        ("de", True),
        ("de-DE", True),
        ("fr-FR", True),
        ("es-US", True),
        ("es-419", True),
        ("pt-BR", True),
        ("ru", True),
    ],
)
def test_day_first_for_locale(locale: str | None, day_first: bool) -> None:
    assert day_first_for_locale(locale) is day_first


@pytest.mark.parametrize(
    ("locale", "text", "due"),
    [
        ("en-US", "Dentist 12/15", "2026-12-15"),
        ("en-GB", "Dentist 15/12", "2026-12-15"),
        ("en-US", "Dentist 3/4", "2027-03-04"),
        ("en-GB", "Dentist 3/4", "2027-04-03"),
        ("de-DE", "Zahnarzt 15.12.2026", "2026-12-15"),
        ("en-US", "Zahnarzt 15.12.2026", "2026-12-15"),
    ],
)
def test_the_locale_orders_numeric_dates(locale: str, text: str, due: str) -> None:
    q = parse_quick_add(text, NOW, "Europe/London", day_first=day_first_for_locale(locale))
    assert q.due is not None
    assert (q.title, f"{q.due:%Y-%m-%d}", q.notes) == (text.split()[0], due, ())


def test_month_first_is_the_default() -> None:
    """The existing call sites (three positional arguments) read en-US order."""
    assert parse_quick_add("Dentist 12/15", NOW, "Europe/London") == parse_quick_add(
        "Dentist 12/15", NOW, "Europe/London", day_first=False
    )


def test_the_other_order_is_said_not_guessed() -> None:
    q = parse_quick_add("Dentist 15/12", NOW, "Europe/London")
    assert (q.title, q.due) == ("Dentist 15/12", None)
    assert q.notes == (
        "“15/12” was not understood as a date (read as month/day); no due date was set",
    )
