"""How the API sits in the backend: ``mount_api_v1`` (an ``api_transformer``) sends
/api/v1 to the API and everything else, websockets included, to Reflex's app; and the
rate limits are shared by replicas through Redis."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.websockets import WebSocket

from tests.api.conftest import SERVER_SECRET, Published, bearer
from tests.conftest import REDIS_URL
from todo_app.api.v1.app import create_api, mount_api_v1
from todo_app.api.v1.context import ApiContext, Publish
from todo_app.core import access_tokens, lists
from todo_app.core.db import session_scope
from todo_app.core.models import User
from todo_app.core.rate_limits import RateLimits

Scope = MutableMapping[str, Any]


async def reflex_stand_in(scope: Scope, receive: Any, send: Any) -> None:
    """Answers what the API does not take, as Reflex's own app would."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] == "websocket":
        socket = WebSocket(scope, receive, send)
        await socket.accept()
        await socket.send_text("reflex")
        await socket.close()
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"reflex"})


def _context(engine: Engine, limits: RateLimits, **rates: str) -> ApiContext:
    return ApiContext(
        sessions=lambda: session_scope(engine),
        publish=Published(),
        server_secret=lambda: SERVER_SECRET,
        rate_limits=limits,
        per_token=rates.get("per_token", "1000/second"),
        per_address=rates.get("per_address", "1000/second"),
    )


def test_only_api_v1_goes_to_the_api(db: Engine) -> None:
    from limits.aio.storage import MemoryStorage

    def context(publish: Publish) -> ApiContext:
        return _context(db, RateLimits(MemoryStorage()))

    app = mount_api_v1(reflex_stand_in, context=context)
    with TestClient(app) as client:
        assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Todo API"
        assert client.get("/api/v1/docs").status_code == 200
        assert client.get("/api/v1/lists").status_code == 401  # the API's, not Reflex's
        for path in ("/ping", "/_upload", "/api/v1x", "/api", "/"):
            assert client.get(path).text == "reflex", path
        with client.websocket_connect("/_event") as socket:
            assert socket.receive_text() == "reflex"


def _token(engine: Engine) -> str:
    with session_scope(engine) as session:
        user = User(email="replica@example.com", password_hash="not-a-real-hash")
        session.add(user)
        session.flush()
        assert user.id is not None
        lists.ensure_inbox(session, user.id)
        return access_tokens.create_token(session, user.id, "r", "read", 1).secret


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_the_per_token_limit_is_shared_by_replicas_through_redis(db: Engine) -> None:
    headers = bearer(_token(db))
    # Two replicas: two apps, each with its own Redis connections, one count.
    for replica, answers in ((1, [200, 200]), (2, [200, 429])):
        limits = RateLimits.for_redis_url(REDIS_URL)
        api = create_api(_context(db, limits, per_token="3/minute"))
        with TestClient(api) as client:
            got = [client.get("/api/v1/lists", headers=headers).status_code for _ in answers]
            assert got == answers, (replica, got)
            if got[-1] == 429:
                refused = client.get("/api/v1/lists", headers=headers)
                assert int(refused.headers["Retry-After"]) >= 1
            client.portal.call(limits.aclose)  # type: ignore[union-attr]
