"""The REST API in-process (FastAPI's TestClient over httpx), on each test database
(SQLite and PostgreSQL, tests/conftest.py), with rate limits in memory and the live
updates recorded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from fastapi.testclient import TestClient
from limits.aio.storage import MemoryStorage
from sqlalchemy import Engine
from sqlmodel import Session

from tests.support.live_app import free_port
from todo_app.api.v1.app import create_api
from todo_app.api.v1.context import ApiContext
from todo_app.core import access_tokens, lists
from todo_app.core.db import session_scope
from todo_app.core.models import User
from todo_app.core.rate_limits import RateLimits
from todo_app.live.bus import ChangeNotice

SERVER_SECRET = "test-server-secret-" + "x" * 32


@dataclass
class Published:
    notices: list[ChangeNotice] = field(default_factory=list)

    async def __call__(self, notice: ChangeNotice) -> None:
        self.notices.append(notice)


@dataclass
class Api:
    """The API app, its database, and helpers to make people and tokens."""

    engine: Engine
    client: TestClient
    published: Published
    context: ApiContext

    def user(self, email: str) -> int:
        with session_scope(self.engine) as session:
            user = User(email=email, password_hash="not-a-real-hash")
            session.add(user)
            session.flush()
            assert user.id is not None
            lists.ensure_inbox(session, user.id)
            return user.id

    def token(self, user_id: int, scope: str = "read-write", days: int | None = 30) -> str:
        with session_scope(self.engine) as session:
            return access_tokens.create_token(session, user_id, "test", scope, days).secret

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_api(engine: Engine, **limits: str) -> tuple[Api, TestClient]:
    published = Published()
    context = ApiContext(
        sessions=lambda: session_scope(engine),
        publish=published,
        server_secret=lambda: SERVER_SECRET,
        rate_limits=RateLimits(MemoryStorage()),
        per_token=limits.get("per_token", "10000/second"),
        per_address=limits.get("per_address", "10000/second"),
    )
    client = TestClient(create_api(context), base_url="http://testserver")
    return Api(engine, client, published, context), client


@pytest.fixture
def api(db: Engine) -> Iterator[Api]:
    made, client = make_api(db)
    with client:
        yield made


@dataclass
class Person:
    id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@pytest.fixture
def alice(api: Api) -> Person:
    user_id = api.user("alice@example.com")
    return Person(user_id, api.token(user_id))


@pytest.fixture
def bob(api: Api) -> Person:
    user_id = api.user("bob@example.com")
    return Person(user_id, api.token(user_id))


@pytest.fixture
def served(db: Engine) -> Iterator[str]:
    """The API served by uvicorn on a real port (in a thread); yields its /api/v1 URL."""
    context = ApiContext(
        sessions=lambda: session_scope(db),
        publish=Published(),
        server_secret=lambda: SERVER_SECRET,
        rate_limits=RateLimits(MemoryStorage()),
        per_token="1000/second",
        per_address="1000/second",
    )
    port = free_port()
    # log_config=None: uvicorn's default dictConfig would rewire the "uvicorn.*"
    # loggers of this whole test process (tests/unit/test_logs.py reads them).
    server = uvicorn.Server(
        uvicorn.Config(create_api(context), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
