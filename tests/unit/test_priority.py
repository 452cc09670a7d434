"""One priority vocabulary: the enum's own words, read and shown everywhere alike."""

from datetime import UTC, datetime

import pytest

from todo_app.core.models import Priority
from todo_app.core.quickadd import parse_quick_add, preview
from todo_app.core.todos import clean_priority

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_each_priority_has_a_word_and_a_label() -> None:
    assert [(p.key, p.label) for p in Priority] == [
        ("none", "None"),
        ("low", "Low"),
        ("medium", "Medium"),
        ("high", "High"),
    ]


@pytest.mark.parametrize("text", ["high", "High", " HIGH "])
def test_parse_reads_the_word_in_any_case(text: str) -> None:
    assert Priority.parse(text) is Priority.HIGH


@pytest.mark.parametrize("text", ["urgent", "", "h", 3, None])
def test_parse_refuses_anything_else(text: object) -> None:
    assert Priority.parse(text) is None


def test_services_and_quick_add_share_it() -> None:
    assert clean_priority("Medium") is Priority.MEDIUM
    parsed = parse_quick_add("Call mom !medium", NOW, "UTC")
    assert parsed.priority is Priority.MEDIUM
    assert preview(parsed).endswith("medium priority")


def test_quick_add_bang_none_stays_in_the_title() -> None:
    parsed = parse_quick_add("Worry !none", NOW, "UTC")
    assert (parsed.title, parsed.priority) == ("Worry !none", Priority.NONE)
