"""An undo offer expires without any timer on the server: an undo sent after its
time (a page that kept showing the toast, a crafted event) changes nothing, and
the next page load drops the stale offer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from scripts.process_rehearsal import Rehearsal
from tests.support.databases import todo_completed
from tests.support.loops import run_in_own_loop
from tests.support.reflex_client import ReflexClient, delta_value
from todo_app.core import accounts, sessions
from todo_app.core import todos as todo_service
from todo_app.core.db import build_engine, session_scope
from todo_app.ui.state.todos import UNDO_GRACE_SECONDS, UNDO_SECONDS, TodoListState


def _user_with_todos(rehearsal: Rehearsal, *titles: str) -> tuple[str, list[int]]:
    engine = build_engine(rehearsal.database_url)
    try:
        with session_scope(engine) as session:
            email = f"undo-{uuid.uuid4().hex[:8]}@example.com"
            user = accounts.sign_up(session, email, "password!")
            assert user.id is not None
            ids = [todo_service.create_todo(session, user.id, title).id for title in titles]
            token = sessions.log_in(session, user.id, rehearsal.jwt_secret, timedelta(minutes=9))
            return token, [todo_id for todo_id in ids if todo_id is not None]
    finally:
        engine.dispose()


def test_an_undo_in_time_reverses_and_a_late_one_changes_nothing(rehearsal: Rehearsal) -> None:
    late_title, prompt_title = f"Late {uuid.uuid4().hex[:6]}", f"Prompt {uuid.uuid4().hex[:6]}"
    token, (late, prompt) = _user_with_todos(rehearsal, late_title, prompt_title)

    async def scenario() -> tuple[object, object, object]:
        client = ReflexClient(rehearsal.backends[0].url, token)
        await client.connect()
        try:
            await client.send(TodoListState, "toggle", todo_id=prompt, completed=True)
            await client.send(TodoListState, "undo")
            replies = await client.send(TodoListState, "toggle", todo_id=late, completed=True)
            offered = delta_value(replies, TodoListState, "undo_label")
            await asyncio.sleep(UNDO_SECONDS + UNDO_GRACE_SECONDS + 0.5)
            await client.send(TodoListState, "undo")
            await client.send(TodoListState, "toggle", todo_id=late, completed=True)
            reloaded = await client.send(TodoListState, "load")
            await asyncio.sleep(UNDO_SECONDS + UNDO_GRACE_SECONDS + 0.5)
            stale = await client.send(TodoListState, "load")
        finally:
            await client.close()
        return (
            offered,
            delta_value(reloaded, TodoListState, "undo_label"),
            delta_value(stale, TodoListState, "undo_label"),
        )

    offered, kept_while_fresh, after_expiry = run_in_own_loop(scenario())
    assert offered == f"Completed “{late_title}”."
    assert not todo_completed(rehearsal.database_url, prompt_title)  # undone in time
    assert todo_completed(rehearsal.database_url, late_title)  # the late undo did nothing
    assert kept_while_fresh is None  # a load within the offer's time leaves it
    assert after_expiry == ""  # the next load after it drops the stale offer
