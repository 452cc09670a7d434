"""Schemathesis fuzzes every operation of /api/v1 from the app's own OpenAPI document,
on PostgreSQL, as a signed-in user whose account holds todos, a shared list and a
subtask, beside another user's data: no answer may be a 5xx, and every answer must
match the document (status, content type, body schema).

Bounded: MAX_EXAMPLES per operation keeps the run under a minute on 2 cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from limits.aio.storage import MemoryStorage
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from sqlmodel import Session

from tests.api.conftest import SERVER_SECRET, Published
from tests.support.databases import throwaway_postgres
from todo_app.api.v1.app import create_api
from todo_app.api.v1.context import ApiContext
from todo_app.core import access_tokens, lists, subtasks, todos
from todo_app.core.db import build_engine, migrate, session_scope
from todo_app.core.models import User
from todo_app.core.rate_limits import RateLimits

MAX_EXAMPLES = 30


class Database:
    """The fuzzed app's engine, set by the module's fixture before any example runs (the
    app and its schema exist at import time, for schemathesis to parametrize)."""

    engine: Engine | None = None

    @classmethod
    def sessions(cls) -> AbstractContextManager[Session]:
        assert cls.engine is not None, "the fuzzed fixture has not started"
        return session_scope(cls.engine)


APP = create_api(
    ApiContext(
        sessions=Database.sessions,
        publish=Published(),
        server_secret=lambda: SERVER_SECRET,
        rate_limits=RateLimits(MemoryStorage()),
        per_token="100000/second",
        per_address="100000/second",
    )
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


def _seed(engine: Engine) -> str:
    with session_scope(engine) as session:
        people = []
        for email in ("alice@example.com", "bob@example.com"):
            user = User(email=email, password_hash="not-a-real-hash")
            session.add(user)
            session.flush()
            assert user.id is not None
            lists.ensure_inbox(session, user.id)
            people.append(user.id)
        alice, bob = people
        shared = lists.create_list(session, bob, "Shared with Alice")
        lists.share_list(session, bob, shared.id, "alice@example.com", "viewer")
        for owner, list_id in ((alice, None), (bob, shared.id), (bob, None)):
            for number in range(3):
                fields = todos.clean_fields(tags=["home"], priority="high")
                todo = todos.create_todo(
                    session, owner, f"Todo {number}", fields=fields, list_id=list_id
                )
                subtasks.add_subtask(session, owner, todo.id, "a step")
        return access_tokens.create_token(session, alice, "fuzz", "read-write", 30).secret


@pytest.fixture(scope="module")
def token() -> Iterator[str]:
    """A fresh PostgreSQL database for the module, seeded; Alice's read-write token."""
    with throwaway_postgres() as url:
        engine = build_engine(url)
        migrate(engine)
        Database.engine = engine
        try:
            yield _seed(engine)
        finally:
            Database.engine = None
            engine.dispose()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples every run: a failure is reproducible
)
def test_every_operation_conforms_and_never_fails(case: schemathesis.Case[Any], token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
