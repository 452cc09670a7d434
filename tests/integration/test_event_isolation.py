"""Crafted /_event messages: one user never reaches another's todos.

The attacker holds a valid token of their own and sends the victim's todo ids
straight to the event handlers, bypassing the UI.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy import Engine

from tests.support.live_app import LiveApp
from tests.support.reflex_client import (
    ReflexClient,
    delta_value,
    redirects_to,
    run_in_own_loop,
)
from todo_app.core import accounts, queries, sessions, todos
from todo_app.core.db import build_engine, session_scope
from todo_app.core.models import Todo
from todo_app.core.security import verify_token
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.session import SessionState
from todo_app.ui.state.todos import TodoListState
from todo_app.ui.state.transfer import TransferState


@pytest.fixture(scope="module")
def app_db(live_app: LiveApp) -> Iterator[Engine]:
    engine = build_engine(live_app.database_url)
    yield engine
    engine.dispose()


def _user_with_todo(engine: Engine, title: str) -> tuple[int, int]:
    with session_scope(engine) as session:
        user = accounts.sign_up(session, f"{uuid.uuid4().hex[:10]}@example.com", "password!")
        assert user.id is not None
        todo = todos.create_todo(session, user.id, title, "private notes")
        assert todo.id is not None
        return user.id, todo.id


def _stored(engine: Engine, todo_id: int) -> Todo | None:
    with session_scope(engine) as session:
        return session.get(Todo, todo_id)


def _token(app: LiveApp, user_id: int) -> str:
    engine = build_engine(app.database_url)
    try:
        with session_scope(engine) as session:
            return sessions.log_in(session, user_id, app.jwt_secret, timedelta(minutes=10))
    finally:
        engine.dispose()


def test_attacker_cannot_complete_edit_or_delete_victims_todo(
    live_app: LiveApp, app_db: Engine
) -> None:
    _victim, victim_todo = _user_with_todo(app_db, "victim's todo")
    attacker, _ = _user_with_todo(app_db, "attacker's todo")

    async def attack() -> dict[str, list[dict[str, Any]]]:
        client = ReflexClient(live_app.backend_url, _token(live_app, attacker))
        await client.connect()
        try:
            replies = {
                "toggle": await client.send(
                    TodoListState, "toggle", todo_id=victim_todo, completed=True
                ),
                "start_edit": await client.send(TodoListState, "start_edit", todo_id=victim_todo),
                "save_edit": await client.send(
                    TodoListState, "save_edit", form_data={"title": "pwned", "description": ""}
                ),
                "delete": await client.send(TodoListState, "delete", todo_id=victim_todo),
                "load": await client.send(TodoListState, "load"),
            }
        finally:
            await client.close()
        return replies

    replies = run_in_own_loop(attack())
    for handler in ("toggle", "save_edit", "delete"):
        assert delta_value(replies[handler], SessionState, "error") == (
            "That todo no longer exists."
        ), handler
    listed = delta_value(replies["load"], TodoListState, "todos")
    assert [row["title"] for row in listed] == ["attacker's todo"]

    stored = _stored(app_db, victim_todo)
    assert stored is not None, "the victim's todo was deleted"
    assert (stored.title, stored.completed) == ("victim's todo", False)


def test_owner_can_use_the_same_events(live_app: LiveApp, app_db: Engine) -> None:
    """The control case: the same messages work for the todo's owner."""
    owner, todo_id = _user_with_todo(app_db, "mine")

    async def act() -> None:
        client = ReflexClient(live_app.backend_url, _token(live_app, owner))
        await client.connect()
        try:
            await client.send(TodoListState, "toggle", todo_id=todo_id, completed=True)
        finally:
            await client.close()

    run_in_own_loop(act())
    stored = _stored(app_db, todo_id)
    assert stored is not None and stored.completed


def _forged_tokens(app: LiveApp, user_id: int) -> dict[str, str]:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=10)}
    expired = {
        "sub": str(user_id),
        "iat": now - timedelta(hours=2),
        "exp": now - timedelta(hours=1),
    }
    return {
        "wrong secret": jwt.encode(
            claims, "an attacker's guess at the secret!!", algorithm="HS256"
        ),
        "alg none": jwt.encode(claims, key=None, algorithm="none"),
        "expired": jwt.encode(expired, app.jwt_secret, algorithm="HS256"),
        "garbage": "not.a.token",
        "empty": "",
    }


@pytest.mark.parametrize("kind", ["wrong secret", "alg none", "expired", "garbage", "empty"])
def test_bad_tokens_are_refused_and_sent_to_login(
    live_app: LiveApp, app_db: Engine, kind: str
) -> None:
    victim, _ = _user_with_todo(app_db, f"protected {kind}")
    token = _forged_tokens(live_app, victim)[kind]

    async def attempt() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        client = ReflexClient(live_app.backend_url, token)
        await client.connect()
        try:
            loaded = await client.send(TodoListState, "load")
            added = await client.send(TodoListState, "add", form_data={"title": "sneaky"})
        finally:
            await client.close()
        return loaded, added

    loaded, added = run_in_own_loop(attempt())
    assert redirects_to(loaded, "/login")
    assert redirects_to(added, "/login")
    assert not delta_value(loaded, TodoListState, "todos")
    with session_scope(app_db) as session:
        assert queries.list_todos(session, victim).total == 1
        assert all(v.todo.title != "sneaky" for v in queries.list_todos(session, victim).items)


def test_malformed_arguments_get_a_sentence_not_a_crash(live_app: LiveApp, app_db: Engine) -> None:
    owner, todo_id = _user_with_todo(app_db, "sturdy")

    async def poke() -> list[list[dict[str, Any]]]:
        client = ReflexClient(live_app.backend_url, _token(live_app, owner))
        await client.connect()
        try:
            return [
                await client.send(TodoListState, "add", form_data={"title": "x" * 501}),
                await client.send(TodoListState, "add", form_data={"title": ["not", "text"]}),
                await client.send(TodoListState, "toggle", todo_id=todo_id, completed="yes"),
            ]
        finally:
            await client.close()

    too_long, not_text, not_bool = run_in_own_loop(poke())
    assert "at most 500" in delta_value(too_long, SessionState, "error")
    assert delta_value(not_text, SessionState, "error") == "The title must be text."
    assert delta_value(not_bool, SessionState, "error")
    with session_scope(app_db) as session:
        assert queries.list_todos(session, owner).total == 1
        assert not todos.get_todo(session, owner, todo_id).completed


def _frontend_events(messages: list[dict[str, Any]]) -> list[str]:
    return [e.get("name", "") for m in messages for e in (m.get("events") or [])]


def test_a_closed_tabs_client_token_is_no_key_to_the_account(
    live_app: LiveApp, app_db: Engine
) -> None:
    """A new socket that reuses a closed tab's client token and skips the
    hydrate event finds the old server state, token included; it must still
    present the login itself, so it gets no data and changes nothing."""
    victim, todo_id = _user_with_todo(app_db, "victim's secret")
    client_token = str(uuid.uuid4())

    login = _token(live_app, victim)

    async def attack() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        tab = ReflexClient(live_app.backend_url, login, client_token=client_token)
        await tab.connect()
        loaded = await tab.send(TodoListState, "load")
        await tab.close()
        await asyncio.sleep(0.5)
        thief = ReflexClient(live_app.backend_url, "", client_token=client_token, hydrate=False)
        await thief.connect()
        try:
            exported = await thief.send(TransferState, "export", kind="json")
            toggled = await thief.send(TodoListState, "toggle", todo_id=todo_id, completed=True)
            # It would end the victim's login elsewhere. It answers nothing when
            # refused: 2 s (not the 10 s of a first reply) is ample for it to run.
            await thief.emit(AuthState, "log_out", {})
            await thief.drain(first_seconds=2)
        finally:
            await thief.close()
        return loaded, exported, toggled

    loaded, exported, toggled = run_in_own_loop(attack())
    assert any("victim's secret" in str(m) for m in loaded)  # the tab itself saw it
    for replies in (exported, toggled):
        assert "_download" not in _frontend_events(replies)
        assert "victim's secret" not in str(replies)
        # the server asks the socket for its own token instead of using the old one
        assert "_sync_local_storage" in _frontend_events(replies) or redirects_to(replies, "/login")
    stored = _stored(app_db, todo_id)
    assert stored is not None and not stored.completed
    with session_scope(app_db) as session:
        claims = verify_token(login, live_app.jwt_secret)
        assert sessions.is_active(session, claims.session_id, victim)
