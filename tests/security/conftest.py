"""What the attacks in tests/security share: accounts made straight in the
rehearsal's database, the backends' logs, and one more backend process of the
rehearsal run offline (no Groq key, as on a laptop or in the shipped images)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from scripts.process_rehearsal import Backend, Rehearsal
from tests.support.live_app import free_port
from tests.support.reflex_client import ReflexClient, delta_values
from todo_app.core import accounts, queries, sessions, todos
from todo_app.core.db import build_engine, session_scope
from todo_app.ui.state.todos import TodoListState

PASSWORD = "the right password"
# The offline backend's sign-up limit: low, so that the attack takes a few
# sign-ups (the rehearsal's own default, 60/minute, is left to the browser suite).
OFFLINE_SIGNUP_LIMIT = "3/minute"


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    token: str  # a login token (JWT) of an open login session
    todo_ids: dict[str, int] = field(default_factory=dict)  # title -> id


@pytest.fixture(scope="module")
def rehearsal_db(rehearsal: Rehearsal) -> Iterator[Engine]:
    engine = build_engine(rehearsal.database_url)
    yield engine
    engine.dispose()


def new_account(engine: Engine, jwt_secret: str, *titles: str) -> Account:
    """A user with these todos, signed in (the token a browser would hold)."""
    email = f"attacked-{uuid.uuid4().hex[:10]}@example.com"
    with session_scope(engine) as session:
        user = accounts.sign_up(session, email, PASSWORD)
        assert user.id is not None
        ids = {title: todos.create_todo(session, user.id, title).id for title in titles}
        token = sessions.log_in(session, user.id, jwt_secret, timedelta(minutes=15))
    return Account(user.id, email, token, {t: i for t, i in ids.items() if i is not None})


def titles_of(engine: Engine, user_id: int) -> list[str]:
    with session_scope(engine) as session:
        return sorted(view.todo.title for view in queries.list_todos(session, user_id).items)


async def settled(tab: ReflexClient) -> list[dict[str, Any]]:
    """The state changes of every event sent so far: a tab's events run one after
    the other, so once a last event that always answers has answered, they all
    have. (Not their frontend events, such as redirects: those may come later.)"""
    await tab.emit(TodoListState, "toggle_shortcuts", {})
    return await tab.receive_until(
        lambda got: bool(delta_values(got, TodoListState, "show_shortcuts"))
    )


class LogWatch:
    """What the given log files gained since this watch was made."""

    def __init__(self, paths: list[Path]) -> None:
        self.start = {path: path.stat().st_size if path.exists() else 0 for path in paths}

    def new_text(self) -> str:
        parts = []
        for path, offset in self.start.items():
            with path.open("rb") as log:
                log.seek(offset)
                parts.append(log.read().decode(errors="replace"))
        return "".join(parts)


def backend_logs(rehearsal: Rehearsal) -> list[Path]:
    return [backend.log_path for backend in rehearsal.backends]


@pytest.fixture(scope="session")
def offline_backend(
    rehearsal: Rehearsal, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """One more backend process of the rehearsal (its database, Redis and JWT
    secret, the backend image's command), without a Groq key, reached directly."""
    env = {**rehearsal.env, "GROQ_API_KEY": "", "SIGNUP_RATE_LIMIT": OFFLINE_SIGNUP_LIMIT}
    backend = Backend(free_port(), env, tmp_path_factory.mktemp("offline") / "backend.log")
    backend.start()
    try:
        backend.wait_ready()
        yield backend
    finally:
        backend.stop()
