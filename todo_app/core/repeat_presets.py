"""The repeat choices of the edit form, as RRULEs anchored on the due date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from todo_app.core import recurrence
from todo_app.core.errors import ValidationError

# (value, label) in the order the form offers them; "custom" marks a rule the
# form cannot express (made by quick add), which saving leaves as it is.
PRESETS: tuple[tuple[str, str], ...] = (
    ("none", "Does not repeat"),
    ("daily", "Every day"),
    ("weekdays", "Every weekday"),
    ("weekly", "Every week"),
    ("monthly", "Every month"),
    ("yearly", "Every year"),
)
CUSTOM = "custom"


def rule_for(preset: str, start: date) -> str | None:
    """The rule for a preset, anchored on ``start`` (the due date)."""
    builders: dict[str, Callable[[], str | None]] = {
        "none": lambda: None,
        "daily": recurrence.daily,
        "weekdays": recurrence.weekdays,
        "weekly": lambda: recurrence.weekly([start.weekday()]),
        "monthly": lambda: recurrence.monthly_on_day(start.day),
        "yearly": recurrence.yearly,
    }
    if preset not in builders:
        raise ValidationError("Please choose how the todo repeats.")
    return builders[preset]()


def preset_of(rule: str | None, start: date | None) -> str:
    """The preset a stored rule corresponds to, or CUSTOM."""
    if not rule:
        return "none"
    if start is not None:
        for value, _label in PRESETS[1:]:
            if rule_for(value, start) == rule:
                return value
    return CUSTOM
