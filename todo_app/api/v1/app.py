"""The REST API v1: a FastAPI app under ``/api/v1`` on the backend's port.

Mounted through Reflex's ``api_transformer`` (``mount_api_v1``): requests under
``/api/v1`` go to it, everything else (the page's websocket, /ping, uploads) passes
through untouched. Its own paths carry the prefix, so its OpenAPI document
(``/api/v1/openapi.json``, docs at ``/api/v1/docs``) names the real URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from todo_app.api.metrics import ASGIApp, Message, Receive, Scope, Send
from todo_app.api.v1 import (
    problems,
    routes_calendar,
    routes_lists,
    routes_subtasks,
    routes_tags,
    routes_todos,
)
from todo_app.api.v1.context import ApiContext, Publish
from todo_app.api.v1.docs import install_docs
from todo_app.core.db import get_engine, session_scope
from todo_app.live.bus import ChangeNotice
from todo_app.settings import get_settings

PREFIX = "/api/v1"
DESCRIPTION = """\
Your todos, lists, subtasks and tags, with the same rules as the app.

Authenticate with a personal access token created in the app (“API tokens”):
`Authorization: Bearer todo_pat_…`. A read token may only read. Errors are
`application/problem+json` (RFC 9457) whose `detail` is a sentence. Listings take
`limit` (at most 200) and the `cursor` of the previous page. Change a todo with the
`ETag` you read in `If-Match`.
"""


async def _no_live_updates(_notice: ChangeNotice) -> None:
    return None


def create_api(context: ApiContext) -> FastAPI:
    api = FastAPI(
        title="Todo API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # served from local files instead (docs.py)
        redoc_url=None,
    )
    install_docs(api, PREFIX)
    api.state.context = context
    api.add_middleware(NoStore)
    problems.install(api)
    for module in (routes_lists, routes_todos, routes_subtasks, routes_tags, routes_calendar):
        api.include_router(module.router, prefix=PREFIX)
    api.openapi = partial(_openapi, api)  # type: ignore[method-assign]
    return api


class NoStore:
    """``Cache-Control: no-store`` on every answer that sets no policy of its own: they
    hold a person's todos, which no shared cache (or the browser's) should keep."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_policy)


def _openapi(api: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the Problem schema the error responses refer to."""
    if api.openapi_schema is None:
        schema = get_openapi(
            title=api.title, version=api.version, description=api.description, routes=api.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = problems.Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        api.openapi_schema = schema
    return api.openapi_schema


def default_context(publish: Publish) -> ApiContext:
    return ApiContext(
        sessions=lambda: session_scope(get_engine()),
        publish=publish,
        server_secret=lambda: get_settings().effective_jwt_secret(),
    )


def mount_api_v1(
    app: ASGIApp,
    *,
    publish: Publish = _no_live_updates,
    context: Callable[[Publish], ApiContext] = default_context,
) -> ASGIApp:
    """An ``api_transformer``: ``/api/v1`` to the API, anything else to ``app``."""
    api = create_api(context(publish))

    async def routed(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == PREFIX or path.startswith(PREFIX + "/"):
            await api(scope, receive, send)
        else:
            await app(scope, receive, send)

    return routed
