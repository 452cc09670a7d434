"""Who may act as a user: only a socket that presented the user's open login itself.

Replays, against the process rehearsal (nginx, two backends, Redis, PostgreSQL),
what a hostile client once did: reuse a closed tab's client token (Reflex's
per-tab key, which travelled in logged URLs) to plant a todo through
``/_upload``; use the token of an account deleted since; open the socket from a
page on another site. A token copied before log out is replayed in the browser
suite (tests/e2e/test_account.py).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import socketio
from sqlalchemy import Engine

from scripts.process_rehearsal import Rehearsal
from tests.security.conftest import PASSWORD, LogWatch, new_account, titles_of
from tests.support.reflex_client import ReflexClient, delta_values, redirects_to, run_in_own_loop
from todo_app.core.db import session_scope
from todo_app.core.models import User
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.todos import TodoListState
from todo_app.ui.state.transfer import TransferState

FOREIGN_ORIGIN = "https://attacker.example"


def test_an_upload_under_a_closed_tabs_client_token_plants_nothing_and_reads_nothing(
    rehearsal: Rehearsal, rehearsal_db: Engine
) -> None:
    """The thief knows the client token only: no socket, no login."""
    victim = new_account(rehearsal_db, rehearsal.jwt_secret, "victim's secret")
    client_token = str(uuid.uuid4())
    planted = {"format": "todo-app", "version": 1, "todos": [{"title": "planted by a thief"}]}

    async def attack() -> tuple[list[dict[str, Any]], httpx.Response]:
        tab = ReflexClient(rehearsal.url, victim.token, client_token=client_token)
        await tab.connect()
        loaded = await tab.send(TodoListState, "load")
        await tab.close()
        await asyncio.sleep(0.5)
        thief = ReflexClient(rehearsal.url, "", client_token=client_token)
        response = await thief.upload(
            TransferState, "import_json", "todos.json", json.dumps(planted).encode()
        )
        return loaded, response

    loaded, response = run_in_own_loop(attack())
    assert "victim's secret" in str(loaded)  # the tab itself saw it
    assert "victim's secret" not in response.text
    assert titles_of(rehearsal_db, victim.user_id) == ["victim's secret"]


def test_a_deleted_accounts_token_opens_nothing(rehearsal: Rehearsal, rehearsal_db: Engine) -> None:
    """Used on one replica, the account deleted there; then the token is tried on
    both replicas (each checks the login session: none is left)."""
    account = new_account(rehearsal_db, rehearsal.jwt_secret, "gone with the account")
    first, second = (backend.url for backend in rehearsal.backends[:2])

    async def attack() -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
        owner = ReflexClient(first, account.token)
        await owner.connect()
        try:
            used = await owner.send(TodoListState, "load")
            used += await owner.send(
                AuthState, "delete_account", form_data={"delete_password": PASSWORD}
            )
        finally:
            await owner.close()
        tries = []
        for url in (first, second):
            thief = ReflexClient(url, account.token)
            await thief.connect()
            try:
                replies = await thief.send(TodoListState, "load")
                replies += await thief.send(TodoListState, "add", form_data={"title": "ghost"})
                tries.append(replies)
            finally:
                await thief.close()
        return used, tries

    used, tries = run_in_own_loop(attack())
    assert "gone with the account" in str(used)  # before the deletion
    assert redirects_to(used, "/login")  # signed out by it
    with session_scope(rehearsal_db) as session:
        assert session.get(User, account.user_id) is None
    for replies in tries:
        assert redirects_to(replies, "/login"), replies
        assert not any(delta_values(replies, TodoListState, "todos"))  # no list shown
    assert titles_of(rehearsal_db, account.user_id) == []


def test_client_and_login_tokens_stay_out_of_every_log(
    rehearsal: Rehearsal, rehearsal_db: Engine
) -> None:
    """nginx's access log and the backends' own output, as a cluster collects them."""
    account = new_account(rehearsal_db, rehearsal.jwt_secret, "logged visit")
    access_logs = sorted(rehearsal.workdir.glob("nginx-*/access.log"))
    watch = LogWatch(access_logs)

    async def visit() -> str:
        tab = ReflexClient(rehearsal.url, account.token)
        await tab.connect()
        try:
            await tab.send(TodoListState, "load")
        finally:
            await tab.close()
        return tab.client_token

    client_token = run_in_own_loop(visit())
    deadline = time.monotonic() + 5
    while "/_event/" not in watch.new_text() and time.monotonic() < deadline:
        time.sleep(0.1)  # nginx logs a websocket once it has closed
    assert "/_event/" in watch.new_text(), "the visit was not logged at all"
    logs = {path: path.read_text(errors="replace") for path in rehearsal.workdir.rglob("*.log")}
    leaks = [str(path) for path, text in logs.items() if client_token in text]
    leaks += [str(path) for path, text in logs.items() if account.token in text]
    assert not leaks, f"a token of the visit is in {leaks}"


async def _open(url: str, token: str, origin: str) -> list[dict[str, Any]] | None:
    """The replies to a load over a socket opened by a page at ``origin``; None if refused."""
    client = ReflexClient(url, token, headers={"Origin": origin})
    try:
        await client.connect()
    except socketio.exceptions.ConnectionError:
        await client.sio.eio.disconnect(abort=True)  # the refused attempt's HTTP session
        return None
    try:
        return await client.send(TodoListState, "load")
    finally:
        await client.close()


def test_a_page_on_another_site_can_neither_open_the_socket_nor_read_responses(
    rehearsal: Rehearsal, rehearsal_db: Engine
) -> None:
    account = new_account(rehearsal_db, rehearsal.jwt_secret, "same-origin only")

    foreign = run_in_own_loop(_open(rehearsal.url, account.token, FOREIGN_ORIGIN))
    own = run_in_own_loop(_open(rehearsal.url, account.token, rehearsal.url))
    assert foreign is None
    assert own is not None and "same-origin only" in str(own)

    # Plain HTTP: the browser is never told that the other site may read an answer.
    asked = {"Origin": FOREIGN_ORIGIN}
    preflight = {**asked, "Access-Control-Request-Method": "POST"}
    for response in (
        httpx.options(f"{rehearsal.url}/_upload", headers=preflight),
        httpx.get(f"{rehearsal.url}/ping", headers=asked),
    ):
        assert "access-control-allow-origin" not in response.headers, response.headers
