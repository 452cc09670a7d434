"""A change shows at once in the user's other open pages, whichever backend
process holds each page's socket, and nowhere else.

Two clients of one user, each connected straight to a different backend
process of the rehearsal (they share only Redis and PostgreSQL).
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from scripts.process_rehearsal import Rehearsal
from tests.support.databases import wait_until_blocked
from tests.support.loops import run_in_own_loop
from tests.support.reflex_client import ReflexClient, delta_value
from todo_app.core import accounts, sessions
from todo_app.core.db import build_engine, session_scope
from todo_app.ui.state.todos import TodoListState

# The bound is one second; the wait is longer so that a slow CI
# machine fails on a missing update, not on a late one (the benchmark times it).
WAIT_SECONDS = 5


def _log_in(rehearsal: Rehearsal, email: str) -> str:
    engine = build_engine(rehearsal.database_url)
    try:
        with session_scope(engine) as session:
            user = accounts.sign_up(session, email, "password!")
            assert user.id is not None
            return sessions.log_in(session, user.id, rehearsal.jwt_secret, timedelta(minutes=9))
    finally:
        engine.dispose()


def _titles(messages: list[dict[str, Any]]) -> list[str] | None:
    rows = delta_value(messages, TodoListState, "todos")
    return None if rows is None else [row["title"] for row in rows]


async def _until_titles(client: ReflexClient, wanted: list[str]) -> float:
    """Seconds until ``client`` is sent a list with exactly ``wanted``."""
    started = time.monotonic()
    while time.monotonic() - started < WAIT_SECONDS:
        messages = await client.drain(first_seconds=WAIT_SECONDS, quiet_seconds=0.05)
        if _titles(messages) == wanted:
            return time.monotonic() - started
    raise AssertionError(f"no update to {wanted} within {WAIT_SECONDS} s")


def test_a_change_on_one_backend_shows_on_a_page_held_by_the_other(
    rehearsal: Rehearsal,
) -> None:
    token = _log_in(rehearsal, "live-owner@example.com")
    stranger_token = _log_in(rehearsal, "live-stranger@example.com")
    first, second = rehearsal.backends[0].url, rehearsal.backends[1].url

    async def scenario() -> tuple[float, float, list[dict[str, Any]]]:
        writer = ReflexClient(first, token)
        reader = ReflexClient(second, token)
        stranger = ReflexClient(second, stranger_token)
        for client in (writer, reader, stranger):
            await client.connect()
        try:
            await writer.send(TodoListState, "add", form_data={"title": "Milk"})
            added = await _until_titles(reader, ["Milk"])
            await writer.send(TodoListState, "add", form_data={"title": "Bread"})
            second_add = await _until_titles(reader, ["Bread", "Milk"])
            await asyncio.sleep(0.5)
            seen_by_stranger = await stranger.drain(first_seconds=0.5)
        finally:
            for client in (writer, reader, stranger):
                await client.close()
        return added, second_add, seen_by_stranger

    added, second_add, seen_by_stranger = run_in_own_loop(scenario())
    print(f"\n[live] update reached the other backend's page in {added:.3f}s, {second_add:.3f}s")
    assert "Milk" not in str(seen_by_stranger)


def test_a_change_committed_while_a_page_loads_reaches_it(rehearsal: Rehearsal) -> None:
    """The load has read the todos (none yet) and waits on the next table when
    another tab adds one: the page must still end up showing it (the notice of
    the add arrives before the load has finished)."""
    token = _log_in(rehearsal, "live-loading@example.com")
    engine = build_engine(rehearsal.database_url)
    blocker = engine.connect()

    async def scenario() -> list[dict[str, Any]]:
        writer = ReflexClient(rehearsal.backends[0].url, token)
        reader = ReflexClient(rehearsal.backends[1].url, token)
        await writer.connect()
        try:
            blocker.begin()
            # The load reads visible lists and todos first (no tag query for an empty
            # page), then the tag counts: there it waits. An add without a tag does
            # not touch the table.
            blocker.execute(text("LOCK TABLE tags IN ACCESS EXCLUSIVE MODE"))
            loading = asyncio.create_task(reader.connect())
            await asyncio.to_thread(wait_until_blocked, engine, "%FROM tags%")
            added = await writer.send(TodoListState, "add", form_data={"title": "Milk"})
            assert _titles(added) == ["Milk"]
            await asyncio.sleep(0.5)  # the add's notice reaches the reader's backend
            blocker.rollback()
            seen = await loading
            seen += await reader.drain(first_seconds=WAIT_SECONDS)
        finally:
            blocker.close()
            for client in (writer, reader):
                await client.close()
        return seen

    try:
        seen = run_in_own_loop(scenario())
    finally:
        engine.dispose()
    assert _titles(seen) == ["Milk"]
    assert delta_value(seen, TodoListState, "total") == 1
