"""SIGTERM stops a backend within its grace period, after in-flight events finish."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from scripts.process_rehearsal import Backend, Rehearsal
from tests.support.databases import wait_until_blocked
from tests.support.live_app import free_port
from tests.support.reflex_client import ReflexClient, delta_value, run_in_own_loop
from todo_app.core import accounts, queries, sessions
from todo_app.core.db import session_scope
from todo_app.ui.state.todos import TodoListState

GRACE_SECONDS = 45  # terminationGracePeriodSeconds of the backend Deployment
HOLD_SECONDS = 2.0


def _shows_the_add(replies: list[dict[str, Any]]) -> bool:
    rows = delta_value(replies, TodoListState, "todos") or []
    return any(row["title"] == "written during shutdown" for row in rows)


def test_sigterm_lets_an_in_flight_event_finish(shape: Rehearsal, app_db: Engine) -> None:
    with session_scope(app_db) as session:
        user = accounts.sign_up(session, f"{uuid.uuid4().hex[:8]}@example.com", "password!")
        assert user.id is not None
        user_id = user.id
    with session_scope(app_db) as session:
        token = sessions.log_in(session, user_id, shape.jwt_secret, timedelta(minutes=5))
    backend = shape.backends[0]

    blocker = app_db.connect()

    def release_later() -> None:
        time.sleep(HOLD_SECONDS)
        blocker.commit()
        blocker.close()

    async def add_during_shutdown() -> tuple[list[dict[str, Any]], float, int]:
        client = ReflexClient(backend.url, token)
        await client.connect()
        # Hold a lock on the todos table so the event is provably mid-flight
        # (blocked inside its handler) when SIGTERM arrives.
        blocker.begin()
        blocker.execute(text("LOCK TABLE todos IN EXCLUSIVE MODE"))
        await client.sio.emit(
            "event",
            {
                "name": f"{TodoListState.get_full_name()}.add",
                "payload": {"form_data": {"title": "written during shutdown"}},
                "router_data": {"pathname": "/", "asPath": "/"},
            },
            namespace="/_event",
        )
        await asyncio.to_thread(wait_until_blocked, app_db, "INSERT INTO todos%")
        started = time.monotonic()
        backend.signal(signal.SIGTERM)
        threading.Thread(target=release_later, daemon=True).start()
        # Until the add's reply, not until a pause: the add is held for
        # HOLD_SECONDS, and a late reply to the page's load may come first.
        replies = await client.receive_until(_shows_the_add, timeout=GRACE_SECONDS)
        exit_code = await _wait_exit(backend)
        return replies, time.monotonic() - started, exit_code

    replies, stop_seconds, exit_code = run_in_own_loop(add_during_shutdown())
    print(f"\n[sigterm] backend stopped {stop_seconds:.2f}s after SIGTERM (exit {exit_code})")

    rows = delta_value(replies, TodoListState, "todos")
    assert rows and rows[0]["title"] == "written during shutdown"
    with session_scope(app_db) as session:
        assert [v.todo.title for v in queries.list_todos(session, user_id).items] == [
            "written during shutdown"
        ]
    assert exit_code == 0
    assert HOLD_SECONDS <= stop_seconds < GRACE_SECONDS

    backend.start()  # as Kubernetes would replace the pod
    backend.wait_ready()


async def _wait_exit(backend: Backend) -> int:
    return await asyncio.to_thread(backend.wait_exit, GRACE_SECONDS)


def test_events_still_waiting_when_the_sockets_close_are_finished(
    shape: Rehearsal, app_db: Engine, tmp_path: Path
) -> None:
    """An event that arrives as the backend closes its sockets is done, not dropped:
    here the drain is cut short (1 s) while one add is blocked and a second waits
    behind it (a tab's events run one at a time); both must be saved."""
    backend = Backend(
        free_port(),
        {**shape.backends[0].env, "SHUTDOWN_DRAIN_SECONDS": "1"},
        tmp_path / "backend.log",
    )
    backend.start()
    try:
        backend.wait_ready()
        with session_scope(app_db) as session:
            user = accounts.sign_up(session, f"{uuid.uuid4().hex[:8]}@example.com", "password!")
            assert user.id is not None
            user_id = user.id
            token = sessions.log_in(session, user_id, shape.jwt_secret, timedelta(minutes=5))
        blocker = app_db.connect()

        async def add_two_then_stop() -> int:
            client = ReflexClient(backend.url, token)
            await client.connect()
            blocker.begin()
            blocker.execute(text("LOCK TABLE todos IN EXCLUSIVE MODE"))
            for title in ("running at the stop", "waiting behind it"):
                await client.emit(TodoListState, "add", {"form_data": {"title": title}})
            await asyncio.to_thread(wait_until_blocked, app_db, "INSERT INTO todos%")
            backend.signal(signal.SIGTERM)
            # Past the drain: the sockets close while both events are unfinished.
            await asyncio.sleep(HOLD_SECONDS + 1)
            blocker.commit()
            blocker.close()
            return await _wait_exit(backend)

        exit_code = run_in_own_loop(add_two_then_stop())
    finally:
        backend.stop()
    assert exit_code == 0
    with session_scope(app_db) as session:
        titles = [v.todo.title for v in queries.list_todos(session, user_id).items]
    assert sorted(titles) == ["running at the stop", "waiting behind it"]
