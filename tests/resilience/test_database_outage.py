"""PostgreSQL goes away and comes back: readiness follows it, the app recovers."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from scripts.process_rehearsal import Rehearsal, http_status, wait_for_status
from tests.support.private_postgres import PrivatePostgres
from tests.support.reflex_client import ReflexClient, delta_value, run_in_own_loop
from todo_app.core import accounts, queries, sessions
from todo_app.core.db import in_transaction, session_scope
from todo_app.ui.state.guard import DATABASE_DOWN
from todo_app.ui.state.session import SessionState
from todo_app.ui.state.todos import TodoListState


def _add(shape: Rehearsal, token: str, title: str) -> list[dict[str, Any]]:
    async def send() -> list[dict[str, Any]]:
        client = ReflexClient(shape.url, token)  # through nginx, as a browser
        await client.connect()
        try:
            return await client.send(TodoListState, "add", form_data={"title": title})
        finally:
            await client.close()

    return run_in_own_loop(send())


def test_readiness_and_recovery(
    shape: Rehearsal, postgres: PrivatePostgres, app_db: Engine
) -> None:
    with session_scope(app_db) as session:
        user = accounts.sign_up(session, f"{uuid.uuid4().hex[:8]}@example.com", "password!")
        assert user.id is not None
        user_id = user.id
    with session_scope(app_db) as session:
        token = sessions.log_in(session, user_id, shape.jwt_secret, timedelta(minutes=10))
    # /_health is the operators' view, inside the cluster: not proxied by nginx.
    health = f"{shape.backends[0].url}/_health"
    assert http_status(health) == 200
    assert http_status(f"{shape.url}/ping") == 200

    stopped = time.monotonic()
    postgres.stop()
    try:
        to_503 = wait_for_status(health, 503, timeout=30)
        assert http_status(f"{shape.url}/ping") == 200  # liveness stays up: no restart
        replies = _add(shape, token, "written while the database is down")
        assert delta_value(replies, SessionState, "error") == DATABASE_DOWN
    finally:
        postgres.start()
    restarted = time.monotonic()
    to_200 = wait_for_status(health, 200, timeout=60)

    replies = _add(shape, token, "written after recovery")
    assert not delta_value(replies, SessionState, "error")
    # This test's own engine has no pre-ping either (build_engine): its pooled
    # connection died with the server, and in_transaction retries on a fresh one.
    titles = in_transaction(
        lambda session: [v.todo.title for v in queries.list_todos(session, user_id).items],
        app_db,
    )
    assert titles == ["written after recovery"]
    print(
        f"\n[database outage] /_health 503 after {to_503:.2f}s "
        f"(stop took {restarted - stopped - to_503:.2f}s more incl. the failed add), "
        f"200 again {to_200:.2f}s after PostgreSQL restarted; no backend restarted"
    )
