"""A viewer, a removed member and a stranger try every handler on a shared
list and its todo, as crafted websocket events: nothing changes, and only
the viewer (who may read) ever receives the list's text.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from scripts.process_rehearsal import Rehearsal
from tests.support.loops import run_in_own_loop
from tests.support.reflex_client import ReflexClient
from todo_app.core import accounts, lists, sessions, subtasks, todos
from todo_app.core.db import build_engine, session_scope
from todo_app.core.models import ListMember, Subtask, Todo, TodoList
from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.lists import ListsState
from todo_app.ui.state.todos import TodoListState
from todo_app.ui.state.transfer import TransferState

SECRET = "Surprise party for Dana"


def _setup(rehearsal: Rehearsal, tag: str) -> dict[str, Any]:
    engine = build_engine(rehearsal.database_url)
    try:
        with session_scope(engine) as session:
            people = {
                role: accounts.sign_up(session, f"{role}-{tag}@example.com", "password!")
                for role in ("owner", "viewer", "removed", "stranger")
            }
            ids = {role: user.id for role, user in people.items()}
            assert all(isinstance(i, int) for i in ids.values())
            owner = ids["owner"]
            assert owner is not None
            the_list = lists.create_list(session, owner, f"Party {tag}")
            todo = todos.create_todo(session, owner, SECRET, list_id=the_list.id)
            assert todo.id is not None
            subtask = subtasks.add_subtask(session, owner, todo.id, "Buy balloons")
            lists.share_list(session, owner, the_list.id, f"viewer-{tag}@example.com", "viewer")
            lists.share_list(session, owner, the_list.id, f"removed-{tag}@example.com", "editor")
            lists.remove_member(session, owner, the_list.id, ids["removed"])
            tokens = {
                role: sessions.log_in(session, user_id, rehearsal.jwt_secret, timedelta(minutes=9))
                for role, user_id in ids.items()
                if user_id is not None
            }
            return {
                "tokens": tokens,
                "ids": ids,
                "list_id": the_list.id,
                "todo_id": todo.id,
                "subtask_id": subtask.id,
            }
    finally:
        engine.dispose()


def _snapshot(rehearsal: Rehearsal, world: dict[str, Any]) -> tuple[Any, ...]:
    engine = build_engine(rehearsal.database_url)
    try:
        with session_scope(engine) as session:
            the_list = session.get(TodoList, world["list_id"])
            todo = session.get(Todo, world["todo_id"])
            members = session.exec(
                select(ListMember.user_id, ListMember.role).where(
                    col(ListMember.list_id) == world["list_id"]
                )
            ).all()
            subtask = session.get(Subtask, world["subtask_id"])
            assert the_list is not None and todo is not None and subtask is not None
            return (
                the_list.name,
                todo.title,
                todo.completed,
                todo.list_id,
                sorted(members),
                subtask.done,
                session.exec(select(Todo).where(col(Todo.list_id) == world["list_id"])).all(),
            )
    finally:
        engine.dispose()


def _attacks(world: dict[str, Any]) -> list[tuple[type, str, dict[str, Any]]]:
    todo_id, list_id, subtask_id = world["todo_id"], world["list_id"], world["subtask_id"]
    owner = world["ids"]["owner"]
    return [
        (TodoListState, "toggle", {"todo_id": todo_id, "completed": True}),
        (TodoListState, "delete", {"todo_id": todo_id}),
        (TodoListState, "start_edit", {"todo_id": todo_id}),
        (TodoListState, "save_edit", {"form_data": {"title": "hacked"}}),
        (TodoListState, "save_field", {"field": "title", "value": "hacked"}),
        (TodoListState, "save_field", {"field": "priority", "value": "high"}),
        (TodoListState, "save_due", {"due_date": "2031-01-01", "due_time": ""}),
        (TodoListState, "add_edit_tags", {"typed": "hacked"}),
        (TodoListState, "submit_edit_tag", {"form_data": {"new_tag": "hacked"}}),
        (TodoListState, "add_subtask", {"form_data": {"subtask": "hacked"}}),
        (TodoListState, "toggle_subtask", {"subtask_id": subtask_id, "done": True}),
        (TodoListState, "delete_subtask", {"subtask_id": subtask_id}),
        (TodoListState, "select", {"todo_id": todo_id, "chosen": True}),
        (TodoListState, "complete_selected", {}),
        (TodoListState, "delete_selected", {}),
        (TodoListState, "add", {"form_data": {"title": "planted"}}),
        (AssistantState, "suggest", {"todo_id": todo_id}),
        (ListsState, "rename_list", {"form_data": {"new_list_name": "hacked"}}),
        (ListsState, "invite", {"form_data": {"email": "x@example.com", "role": "Editor"}}),
        (ListsState, "remove_member", {"member_id": owner}),
        (ListsState, "change_role", {"member_id": owner, "role": "Viewer"}),
        (ListsState, "open_share", {}),
        (ListsState, "delete_list", {}),
        (TransferState, "export", {"kind": "json"}),
        (TodoListState, "load", {"_path": f"/?list={list_id}"}),
    ]


@pytest.mark.parametrize("attacker", ["viewer", "removed", "stranger"])
def test_no_handler_lets_a_non_editor_change_or_a_stranger_read_a_shared_list(
    rehearsal: Rehearsal, attacker: str
) -> None:
    world = _setup(rehearsal, attacker)
    before = _snapshot(rehearsal, world)
    path = f"/?list={world['list_id']}"

    async def attack() -> list[dict[str, Any]]:
        client = ReflexClient(rehearsal.url, world["tokens"][attacker])
        await client.connect()
        replies: list[dict[str, Any]] = []
        try:
            # The page of the list, as a member would open it.
            await client.emit(TodoListState, "load", {}, path=path)
            replies += await client.drain()
            for state, handler, payload in _attacks(world):
                arguments = {k: v for k, v in payload.items() if k != "_path"}
                await client.emit(state, handler, arguments, path=payload.get("_path", path))
                replies += await client.drain(first_seconds=5, quiet_seconds=0.2)
        finally:
            await client.close()
        return replies

    replies = run_in_own_loop(attack())
    assert _snapshot(rehearsal, world) == before
    text = str(replies)
    if attacker == "viewer":
        assert SECRET in text  # a viewer reads the list
    else:
        assert SECRET not in text
        assert "Buy balloons" not in text
