"""The assistant's tools with lists: an optional list name, resolved among the lists the user
can see, and the same role rules as the pages (through the same core services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tests.unit.conftest import make_user
from todo_app.assistant.offline import OfflineAssistant, interpret
from todo_app.assistant.tools import ToolCall, ToolExecutor
from todo_app.core import lists, todos
from todo_app.core.db import session_scope
from todo_app.core.list_access import VIEW_ONLY
from todo_app.core.models import Todo

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TZ = "Europe/Berlin"


@dataclass
class Family:
    alice: ToolExecutor  # owns "Groceries" (shared) and "Trip" (not shared)
    bob: ToolExecutor  # the role under test on "Groceries"
    groceries: int
    milk: int  # a todo in Groceries
    role: str


@pytest.fixture(params=["editor", "viewer", "stranger", "removed"])
def family(request: pytest.FixtureRequest, db: Engine) -> Family:
    role: str = request.param
    with session_scope(db) as session:
        alice = make_user(session, "alice@example.com")
        bob = make_user(session, "bob@example.com")
        groceries = lists.create_list(session, alice, "Groceries")
        lists.create_list(session, alice, "Trip")
        milk = todos.create_todo(session, alice, "Milk", list_id=groceries.id)
        if role in ("editor", "viewer", "removed"):
            lists.share_list(
                session, alice, groceries.id, "bob@example.com", role.replace("removed", "editor")
            )
        if role == "removed":
            lists.remove_member(session, alice, groceries.id, bob)
        assert milk.id is not None
        milk_id = milk.id
    return Family(
        ToolExecutor(db, alice, TZ, lambda: NOW),
        ToolExecutor(db, bob, TZ, lambda: NOW),
        groceries.id,
        milk_id,
        role,
    )


def _placed(db: Engine) -> list[tuple[str, int, bool]]:
    with session_scope(db) as session:
        return [
            (t.title, t.list_id, t.completed)
            for t in session.exec(select(Todo).order_by(col(Todo.id))).all()
        ]


def test_the_owner_adds_to_a_list_by_name_in_any_case(db: Engine, family: Family) -> None:
    result = family.alice.execute("add_todo", {"title": "Bread", "list": "groceries"})
    assert result.ok, result.error
    assert result.summary == "Added “Bread” to “Groceries”."
    assert result.content["todo"]["list"] == "Groceries"
    listed = family.alice.execute("list_todos", {"list": "GROCERIES"})
    assert [row["title"] for row in listed.content["todos"]] == ["Bread", "Milk"]
    assert listed.summary == "Found 2 todos in “Groceries”."
    everywhere = family.alice.execute("list_todos", {})
    assert {row["list"] for row in everywhere.content["todos"]} == {"Groceries"}
    inbox = family.alice.execute("add_todo", {"title": "Loose"})
    assert inbox.content["todo"]["list"] == "Inbox" and inbox.summary == "Added “Loose”."


def test_an_unknown_list_is_a_sentence_and_nothing_is_written(db: Engine, family: Family) -> None:
    before = _placed(db)
    result = family.alice.execute("add_todo", {"title": "Sunscreen", "list": "Holiday"})
    assert not result.ok
    assert result.error == (
        "You have no list called “Holiday”. Your lists: “Inbox”, “Groceries”, “Trip”."
    )
    assert _placed(db) == before


def test_each_role_reaches_a_shared_list_only_as_far_as_it_may(db: Engine, family: Family) -> None:
    sees = family.role in ("editor", "viewer")
    edits = family.role == "editor"
    before = _placed(db)

    listed = family.bob.execute("list_todos", {"list": "Groceries"})
    assert listed.ok is sees
    if sees:
        assert [row["title"] for row in listed.content["todos"]] == ["Milk"]
    else:
        assert listed.error.startswith("You have no list called “Groceries”. Your lists: “Inbox”")
    everywhere = family.bob.execute("list_todos", {})
    assert [row["title"] for row in everywhere.content["todos"]] == (["Milk"] if sees else [])

    calls: list[ToolCall] = [
        ("add_todo", {"title": "Eggs", "list": "Groceries"}),
        ("complete_todo", {"todo_id": family.milk}),
        ("update_todo", {"todo_id": family.milk, "title": "Oat milk"}),
        ("update_todo", {"todo_id": family.milk, "list": "Inbox"}),
        ("delete_todo", {"todo_id": family.milk}),
    ]
    for name, arguments in calls:
        result = family.bob.execute(name, arguments)
        if edits:
            assert result.ok, (name, result.error)
        else:
            assert not result.ok
            if (family.role == "viewer" and name != "add_todo") or family.role == "viewer":
                assert result.error == VIEW_ONLY
            elif name == "add_todo":
                assert result.error.startswith("You have no list called")
            else:
                assert result.error == "That todo no longer exists."
    if not edits:
        assert _placed(db) == before
    plan = family.bob.execute("plan", {"period": "week", "list": "Groceries"})
    assert plan.ok is sees


def test_moving_through_update_todo_needs_both_lists(db: Engine, family: Family) -> None:
    moved = family.alice.execute("update_todo", {"todo_id": family.milk, "list": "Trip"})
    assert moved.ok, moved.error
    assert moved.summary == "Updated “Milk” and moved it to “Trip”."
    assert moved.content["todo"]["list"] == "Trip"
    if family.role == "editor":
        mine = family.bob.execute("add_todo", {"title": "Bob's"}).content["todo"]["id"]
        result = family.bob.execute("update_todo", {"todo_id": mine, "list": "Groceries"})
        assert result.ok and result.content["todo"]["list"] == "Groceries"
        result = family.bob.execute("update_todo", {"todo_id": mine, "list": "Trip"})
        assert not result.ok and result.error.startswith("You have no list called “Trip”")


def test_the_offline_assistant_speaks_of_lists(db: Engine, family: Family) -> None:
    assistant = OfflineAssistant(family.alice)
    assert assistant.reply("add bread to Groceries").text == "Added “Bread” to “Groceries”."
    assert assistant.reply("add go to the gym").text == "Added “Go to the gym”."
    assert assistant.reply("add sunscreen to the holiday list").text == (
        "You have no list called “holiday”. Your lists: “Inbox”, “Groceries”, “Trip”."
    )
    assert assistant.reply("what is on the groceries list?").text == (
        "You have 2 open todos on “Groceries”: “Bread”, “Milk”."
    )
    assert assistant.reply("what's on the Trip list").text == ("You have no open todos on “Trip”.")
    if family.role == "viewer":
        viewer = OfflineAssistant(family.bob)
        assert viewer.reply("add eggs to Groceries").text == VIEW_ONLY
        assert viewer.reply("complete milk").text == VIEW_ONLY


def test_list_phrasings_need_the_word_list_or_a_known_name() -> None:
    names = ["Inbox", "Groceries", "Trip"]
    assert interpret("add milk to Groceries", names) == [
        ("add_todo", {"title": "Milk", "list": "Groceries"})
    ]
    assert interpret("add milk to Groceries", []) == [("add_todo", {"title": "Milk to Groceries"})]
    assert interpret("add go to the gym", names) == [("add_todo", {"title": "Go to the gym"})]
    assert interpret("add pack socks to the Trip list tomorrow", []) == [
        ("add_todo", {"title": "Pack socks", "list": "Trip", "due": "tomorrow"})
    ]
    assert interpret("add buy milk to my list", names) == [("add_todo", {"title": "Buy milk"})]
    assert interpret("add buy milk to my todo list", names) == [("add_todo", {"title": "Buy milk"})]
    assert interpret("what is on the Trip list?", []) == [
        ("list_todos", {"status": "open", "list": "Trip"})
    ]
    assert interpret("what's in groceries", names) == [
        ("list_todos", {"status": "open", "list": "groceries"})
    ]
    assert interpret("what is on my list", names) == [("list_todos", {"status": "open"})]
    assert interpret("what is due today in Groceries", names) == [
        ("list_todos", {"view": "today", "status": "open", "list": "Groceries"})
    ]
