"""The edit panel's fields as changes: one field each, none when left unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from todo_app.core.errors import ValidationError
from todo_app.core.models import Priority
from todo_app.core.todos import KEEP
from todo_app.ui.state import edit_fields


@dataclass
class Shown:
    title: str = "Water plants"
    description: str = ""
    priority: int = 0
    due_date: str = "2026-12-01"
    due_time: str = ""
    repeat: str = "weekly"
    list_id: str = "7"
    tags: list[str] = field(default_factory=lambda: ["home"])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("title", "Water plants"),
        ("title", "  Water plants  "),  # the same once cleaned
        ("description", ""),
        ("priority", "none"),
        ("priority", ""),
        ("repeat", "weekly"),
        ("list", "7"),
        ("list", ""),
    ],
)
def test_a_field_left_as_it_was_changes_nothing(name: str, value: str) -> None:
    assert edit_fields.field_change(name, value, Shown()) is None


def test_each_field_changes_only_itself() -> None:
    title = edit_fields.field_change("title", "Water the plants", Shown())
    assert title is not None and title.title == "Water the plants"
    assert title.description is KEEP and title.fields is None and title.move_to is None
    priority = edit_fields.field_change("priority", "high", Shown())
    assert priority is not None and priority.fields is not None
    assert priority.fields.priority == Priority.HIGH and priority.fields.due is KEEP
    moved = edit_fields.field_change("list", "9", Shown())
    assert moved is not None and moved.move_to == 9 and moved.fields is None


@dataclass
class Row(Shown):
    """A ``TodoRow`` beyond the panel's fields: labels drawn from the clock."""

    due_label: str = "Today"
    overdue: bool = False


def test_the_clock_moving_on_is_no_change_made_elsewhere() -> None:
    # At midnight "Today" becomes "Yesterday" and the todo overdue: nobody changed it.
    assert not edit_fields.changed_elsewhere(Row(), Row(due_label="Yesterday", overdue=True))


@pytest.mark.parametrize(
    "changed",
    [
        {"title": "Water the plants"},
        {"description": "Twice"},
        {"priority": 3},
        {"due_date": "2026-12-02"},
        {"due_time": "09:30"},
        {"repeat": "daily"},
        {"list_id": "9"},
        {"tags": ["home", "garden"]},
    ],
)
def test_any_field_of_the_panel_changed_elsewhere_is_said(changed: dict[str, object]) -> None:
    assert edit_fields.changed_elsewhere(Row(), Row(**changed))  # type: ignore[arg-type]


def test_a_new_repeat_is_anchored_on_the_due_date() -> None:
    change = edit_fields.field_change("repeat", "monthly", Shown())
    assert change is not None and change.fields is not None
    assert change.fields.recurrence == "FREQ=MONTHLY;BYMONTHDAY=1"


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        ("title", "   ", "Please give the todo a title."),
        ("priority", "urgent", "Priority must be none, low, medium or high."),
        ("list", "../7", "Please choose a list from the menu."),
        ("owner_id", "1", "Please change a field the edit panel offers."),
        ("repeat", "daily", "due date to repeat from"),
    ],
)
def test_a_bad_value_gets_a_sentence(name: str, value: str, sentence: str) -> None:
    undated = Shown(due_date="", repeat="none")
    with pytest.raises(ValidationError, match=sentence):
        edit_fields.field_change(name, value, undated)


def test_the_due_date_and_time_go_together() -> None:
    assert edit_fields.due_change("2026-12-01", "", Shown(), "UTC") is None
    timed = edit_fields.due_change("2026-12-08", "09:30", Shown(), "Europe/London")
    assert timed is not None and timed.fields is not None
    assert timed.fields.due.date == date(2026, 12, 8) and timed.fields.due.at is not None
    # A weekly todo keeps repeating on its (new) weekday.
    assert timed.fields.recurrence == "FREQ=WEEKLY;BYDAY=TU"
    # A time typed before its date waits for the date (no error while filling in).
    assert edit_fields.due_change("", "09:30", Shown(due_date="", repeat="none"), "UTC") is None


def test_clearing_the_date_clears_its_time_and_a_repeat_needs_one() -> None:
    timed = Shown(due_time="09:30", repeat="none")
    cleared = edit_fields.due_change("", "09:30", timed, "UTC")
    assert cleared is not None and cleared.fields is not None and cleared.fields.due is None
    with pytest.raises(ValidationError, match="due date to repeat from"):
        edit_fields.due_change("", "", Shown(), "UTC")


def test_tags_are_added_once_and_removed() -> None:
    added = edit_fields.with_tags(Shown(), "#errands, home ,garden")
    assert added is not None and added.fields is not None
    assert added.fields.tags == ["home", "errands", "garden"]
    assert edit_fields.with_tags(Shown(), "home") is None
    removed = edit_fields.without_tag(Shown(), "home")
    assert removed is not None and removed.fields is not None and removed.fields.tags == []
    assert edit_fields.without_tag(Shown(), "work") is None
