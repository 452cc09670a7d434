"""``/metrics`` on the backend port, for Prometheus inside the cluster; open websockets.

An ``api_transformer`` (the outermost one), so it sees every request:

- ``GET /metrics``: the process's metrics in Prometheus' text format. Never for
  browsers: the frontend's nginx does not proxy the path (it proxies only
  ``/_event``, ``/ping`` and ``/_upload``), and a request that came through a
  proxy anyway (it carries ``X-Forwarded-For`` or ``X-Real-IP``, which nginx
  always sets) gets a 404, as any unknown path. Prometheus scrapes the pod's
  port directly (the production overlay's NetworkPolicy admits only the
  monitoring namespace besides the frontend).
- websockets: ``todo_websockets_open`` counts each accepted one until it ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import REGISTRY

from todo_app.observability.metrics import WEBSOCKETS_OPEN

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

METRICS_PATH = "/metrics"
_PROXY_HEADERS = frozenset({b"x-forwarded-for", b"x-real-ip", b"forwarded"})


def metrics_endpoint(app: ASGIApp) -> ASGIApp:
    async def observed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == METRICS_PATH:
            await _metrics(scope, send)
        elif scope["type"] == "websocket":
            await _counted_websocket(app, scope, receive, send)
        else:
            await app(scope, receive, send)

    return observed


async def _metrics(scope: Scope, send: Send) -> None:
    headers = {name.lower() for name, _ in scope.get("headers") or []}
    if headers & _PROXY_HEADERS:
        await _respond(send, 404, b"Not Found", "text/plain; charset=utf-8")
    elif scope["method"] not in ("GET", "HEAD"):
        await _respond(send, 405, b"Method Not Allowed", "text/plain; charset=utf-8")
    else:
        body = generate_latest(REGISTRY)
        await _respond(send, 200, body, CONTENT_TYPE_LATEST, head=scope["method"] == "HEAD")


async def _counted_websocket(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    accepted = False

    async def watched_send(message: Message) -> None:
        nonlocal accepted
        await send(message)
        if message["type"] == "websocket.accept" and not accepted:
            accepted = True
            WEBSOCKETS_OPEN.inc()

    try:
        await app(scope, receive, watched_send)
    finally:
        if accepted:
            WEBSOCKETS_OPEN.dec()


async def _respond(
    send: Send, status: int, body: bytes, content_type: str, *, head: bool = False
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if head else body})
