"""Handlers that grow a tab's server state take only what the page offers.

Once, 200 crafted Suggest "accept" events of 0.5 MB each grew a backend by
63 MB for an hour, with no login needed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scripts.process_rehearsal import Rehearsal
from tests.support.reflex_client import ReflexClient, delta_value, run_in_own_loop
from todo_app.core import accounts, sessions, todos
from todo_app.core.db import build_engine, session_scope
from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.todos import TodoListState


def _user_with_todo(rehearsal: Rehearsal, email: str) -> tuple[str, int]:
    engine = build_engine(rehearsal.database_url)
    try:
        with session_scope(engine) as session:
            user = accounts.sign_up(session, email, "password!")
            assert user.id is not None
            todo = todos.create_todo(session, user.id, "on screen")
            token = sessions.log_in(session, user.id, rehearsal.jwt_secret, timedelta(minutes=9))
            assert todo.id is not None
            return token, todo.id
    finally:
        engine.dispose()


def test_crafted_choices_and_selections_do_not_grow_the_state(rehearsal: Rehearsal) -> None:
    token, todo_id = _user_with_todo(rehearsal, "bounded@example.com")

    async def attack() -> dict[str, Any]:
        client = ReflexClient(rehearsal.url, token)
        await client.connect()
        try:
            await client.send(TodoListState, "load")
            huge = "k" * 50_000  # under the payload cap: the handler itself must refuse it
            accepted = await client.send(AssistantState, "accept", key=huge, chosen=True)
            unknown = await client.send(TodoListState, "select", todo_id=10**9, chosen=True)
            shown = await client.send(TodoListState, "select", todo_id=todo_id, chosen=True)
        finally:
            await client.close()
        return {"accepted": accepted, "unknown": unknown, "shown": shown}

    replies = run_in_own_loop(attack())
    assert not delta_value(replies["accepted"], AssistantState, "accepted")
    assert not delta_value(replies["unknown"], TodoListState, "selected_ids")
    assert delta_value(replies["shown"], TodoListState, "selected_ids") == [todo_id]
