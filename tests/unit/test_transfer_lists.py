"""Import and export with lists: a todo's list travels by name, an import makes the importing
user's own lists (never writing into a list shared with them), old files go to the Inbox."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlmodel import Session, col, select

from tests.unit.conftest import make_user
from todo_app.core import lists, tags, todos
from todo_app.core.export import CSV_HEADER, export_csv, export_json
from todo_app.core.importing import ImportRejected, import_json
from todo_app.core.models import Todo, TodoList


@pytest.fixture
def alice(session: Session) -> int:
    return make_user(session, "alice@example.com")


@pytest.fixture
def bob(session: Session) -> int:
    return make_user(session, "bob@example.com")


def _placed(session: Session, user_id: int) -> list[tuple[str, str]]:
    """(title, list name) of every todo the user owns, oldest first."""
    rows = session.exec(
        select(Todo.title, TodoList.name)
        .join(TodoList, col(TodoList.id) == col(Todo.list_id))
        .where(Todo.owner_id == user_id)
        .order_by(col(Todo.created_at), col(Todo.id))
    ).all()
    return [(title, name) for title, name in rows]


def _file(*entries: dict[str, Any], version: int = 2, **top: Any) -> str:
    return json.dumps({"format": "todo-app", "version": version, "todos": list(entries), **top})


def test_a_round_trip_keeps_each_todo_in_its_list_and_empty_lists_too(
    session: Session, alice: int, bob: int
) -> None:
    groceries = lists.create_list(session, alice, "Groceries")
    lists.create_list(session, alice, "Empty for now")
    todos.create_todo(session, alice, "Loose")
    todos.create_todo(
        session,
        alice,
        "Milk",
        list_id=groceries.id,
        fields=todos.clean_fields(tags=["dairy"]),
    )
    text = export_json(session, alice)
    document = json.loads(text)
    assert document["lists"] == [
        {"name": "Inbox"},
        {"name": "Groceries"},
        {"name": "Empty for now"},
    ]
    assert [(e["title"], e["list"]) for e in document["todos"]] == [
        ("Loose", "Inbox"),
        ("Milk", "Groceries"),
    ]

    assert import_json(session, bob, text).imported == 2

    assert _placed(session, bob) == [("Loose", "Inbox"), ("Milk", "Groceries")]
    assert [v.name for v in lists.visible_lists(session, bob)] == [
        "Inbox",
        "Groceries",
        "Empty for now",
    ]
    again = json.loads(export_json(session, bob))
    assert again["lists"] == document["lists"]
    assert [(e["title"], e["list"], e["tags"]) for e in again["todos"]] == [
        ("Loose", "Inbox", []),
        ("Milk", "Groceries", ["dairy"]),
    ]


def test_an_existing_list_of_the_same_name_is_reused_in_any_case(
    session: Session, alice: int
) -> None:
    lists.create_list(session, alice, "Groceries")
    text = _file(
        {"title": "Eggs", "list": "GROCERIES"},
        {"title": "Anywhere", "list": "inbox"},
        {"title": "New place", "list": "  Garden  "},
        {"title": "No list"},
    )
    import_json(session, alice, text)
    assert _placed(session, alice) == [
        ("Eggs", "Groceries"),
        ("Anywhere", "Inbox"),
        ("New place", "Garden"),
        ("No list", "Inbox"),
    ]
    assert [v.name for v in lists.visible_lists(session, alice)] == ["Inbox", "Groceries", "Garden"]


def test_a_version_1_file_imports_everything_into_the_inbox(session: Session, alice: int) -> None:
    lists.create_list(session, alice, "Work")
    text = _file({"title": "Old one"}, {"title": "Old two", "tags": ["x"]}, version=1)
    assert import_json(session, alice, text).imported == 2
    assert _placed(session, alice) == [("Old one", "Inbox"), ("Old two", "Inbox")]


def test_an_import_never_writes_into_a_list_shared_with_the_user(
    session: Session, alice: int, bob: int
) -> None:
    family = lists.create_list(session, alice, "Family")
    lists.share_list(session, alice, family.id, "bob@example.com", "editor")
    todos.create_todo(session, alice, "Alice's", list_id=family.id)
    import_json(session, bob, _file({"title": "Bob's import", "list": "Family"}))
    assert _placed(session, alice) == [("Alice's", "Family")]
    assert _placed(session, bob) == [("Bob's import", "Family")]
    names = [(v.name, v.is_own) for v in lists.visible_lists(session, bob)]
    assert names == [("Inbox", True), ("Family", True), ("Family", False)]


def test_an_export_of_one_list_is_that_list_only(session: Session, alice: int, bob: int) -> None:
    family = lists.create_list(session, alice, "Family")
    lists.share_list(session, alice, family.id, "bob@example.com", "viewer")
    todos.create_todo(session, alice, "Shared", list_id=family.id)
    todos.create_todo(session, alice, "Private")
    document = json.loads(export_json(session, bob, list_id=family.id))
    assert document["lists"] == [{"name": "Family"}]
    assert [e["title"] for e in document["todos"]] == ["Shared"]
    rows = list(csv.reader(io.StringIO(export_csv(session, bob, list_id=family.id), newline="")))
    assert rows[0] == list(CSV_HEADER) and rows[0][-1] == "list"
    assert [(row[0], row[-1]) for row in rows[1:]] == [("Shared", "Family")]
    assert "Private" not in export_csv(session, bob)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"todos": [{"title": "x", "list": ""}]}, "Entry 1 (“x”): its list has no name."),
        ({"todos": [{"title": "x", "list": 7}]}, "Entry 1 (“x”): the list name must be text."),
        (
            {"todos": [{"title": "x", "list": "l" * 101}]},
            "Entry 1 (“x”): list names can be at most 100 characters",
        ),
        ({"todos": [], "lists": [{"name": ""}]}, "List 1: please give the list a name."),
        ({"todos": [], "lists": [{"title": "no name"}]}, "List 1: the list name must be text."),
        ({"todos": [], "lists": ["ok", {"name": "a\x00b"}]}, "List 2: its name contains a NUL"),
        ({"todos": [], "lists": "Groceries"}, "has a “lists” that is not a list."),
    ],
)
def test_wrong_list_names_are_reported_and_nothing_is_imported(
    session: Session, alice: int, document: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_json(session, alice, json.dumps({"format": "todo-app", "version": 2, **document}))
    assert any(reason in problem for problem in caught.value.problems), caught.value.problems
    assert _placed(session, alice) == []
    assert [v.name for v in lists.visible_lists(session, alice)] == ["Inbox"]


def test_an_import_makes_no_more_lists_than_a_user_may_have(session: Session, alice: int) -> None:
    for number in range(lists.MAX_LISTS - 2):
        lists.create_list(session, alice, f"Mine {number}")
    three_new = _file(*({"title": f"T{n}", "list": f"New {n}"} for n in range(3)))
    with pytest.raises(ImportRejected, match=r"3 lists you do not have yet.*at most 100 lists"):
        import_json(session, alice, three_new)
    assert len(lists.visible_lists(session, alice)) == lists.MAX_LISTS - 1
    assert _placed(session, alice) == []
    two_new = _file(*({"title": f"T{n}", "list": f"New {n}"} for n in range(2)))
    assert import_json(session, alice, two_new).imported == 2
    too_many = json.dumps({"format": "todo-app", "version": 2, "todos": [], "lists": ["x"] * 102})
    with pytest.raises(ImportRejected, match="has 102 lists"):
        import_json(session, alice, too_many)


def test_imported_tags_are_the_importers_own(session: Session, alice: int, bob: int) -> None:
    import_json(session, bob, _file({"title": "Tagged", "list": "Work", "tags": ["deep"]}))
    (todo,) = session.exec(select(Todo).where(Todo.owner_id == bob)).all()
    assert tags.tags_by_todo(session, [todo.id or 0]) == {todo.id: ["deep"]}
    assert tags.list_tags(session, bob) == [("deep", 1)]
    assert tags.list_tags(session, alice) == []
