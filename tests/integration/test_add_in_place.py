"""An add puts the new row into the page on screen itself, without the page query:
what its reply shows is what loading the page again shows (rows and their order,
headings, total, the views' counts, the tag filter's options), and it is small
next to a load.

Over a websocket to one backend process of the rehearsal (Redis state, PostgreSQL).
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from scripts.process_rehearsal import Rehearsal
from tests.support.loops import run_in_own_loop
from tests.support.reflex_client import ReflexClient, delta_value
from todo_app.core import accounts, sessions
from todo_app.core.db import build_engine, session_scope
from todo_app.ui.state.todos import TodoListState

COMPARED = ("todos", "total", "has_more", "view_links", "tag_options", "done_ids")
ADDS = [
    "Plain first",
    "Pay rent yesterday #home",
    "Plain second #errands",
    "Call mom today 23:59",
    "Next week thing next monday",
    "Plain third #errands",
]


def _log_in(rehearsal: Rehearsal) -> str:
    engine = build_engine(rehearsal.database_url)
    try:
        with session_scope(engine) as session:
            user = accounts.sign_up(
                session, f"in-place-{uuid.uuid4().hex[:8]}@example.com", "password!"
            )
            assert user.id is not None
            return sessions.log_in(session, user.id, rehearsal.jwt_secret, timedelta(minutes=9))
    finally:
        engine.dispose()


def _shown(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {name: delta_value(messages, TodoListState, name) for name in COMPARED}


def test_an_add_shows_what_a_load_of_the_page_shows(rehearsal: Rehearsal) -> None:
    token = _log_in(rehearsal)

    async def scenario() -> list[tuple[str, dict[str, Any], dict[str, Any], int]]:
        client = ReflexClient(rehearsal.backends[0].url, token)
        await client.connect()
        seen: list[tuple[str, dict[str, Any], dict[str, Any], int]] = []
        try:
            page = _shown(await client.send(TodoListState, "load"))
            for line in ADDS:
                replies = await client.send(TodoListState, "add", form_data={"title": line})
                changed = _shown(replies)
                assert not delta_value(replies, TodoListState, "error"), line
                after_add = {k: v if v is not None else page[k] for k, v in changed.items()}
                reloaded = _shown(await client.send(TodoListState, "load"))
                page = {k: v if v is not None else page[k] for k, v in reloaded.items()}
                size = max(len(json.dumps(r, separators=(",", ":")).encode()) for r in replies)
                seen.append((line, after_add, page, size))
        finally:
            await client.close()
        return seen

    for line, after_add, reloaded, size in run_in_own_loop(scenario()):
        print(f"[add in place] {line!r}: reply {size} bytes of JSON")
        assert after_add == reloaded, line
