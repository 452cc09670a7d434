"""A small Socket.IO client that speaks Reflex's /_event protocol.

It behaves like a hostile or scripted browser tab: it can claim any token and
call any event handler with any arguments.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import socketio
from reflex.state import BaseState
from reflex_base.constants.state import FIELD_MARKER

from tests.support.loops import run_in_own_loop as run_in_own_loop  # re-exported
from todo_app.ui.state.session import SessionState

NAMESPACE = "/_event"
ROUTER_DATA = {"pathname": "/", "asPath": "/", "query": {}}


def state_key(state: type[BaseState], var: str) -> str:
    return f"{state.get_full_name()}.{var}{FIELD_MARKER}"


def event_name(state: type[BaseState], handler: str) -> str:
    return f"{state.get_full_name()}.{handler}"


def router_data(path: str = "/") -> dict[str, Any]:
    """What the page sends with an event on ``path`` (query string included)."""
    parts = urlsplit(path)
    return {"pathname": parts.path, "asPath": path, "query": dict(parse_qsl(parts.query))}


class ReflexClient:
    def __init__(
        self,
        backend_url: str,
        auth_token: str,
        *,
        client_token: str | None = None,
        hydrate: bool = True,
        storage: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.backend_url = backend_url
        self.auth_token = auth_token
        # Reflex's own per-tab key (in the socket URL); a test may reuse one.
        self.client_token = client_token or str(uuid.uuid4())
        self.hydrate = hydrate
        # More of the page's stored vars sent with the hydrate event (cookies and
        # localStorage, keyed with state_key), e.g. a crafted time zone cookie.
        self.storage = storage or {}
        # Extra headers of the socket's HTTP upgrade request, e.g. an Origin.
        self.headers = headers
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._received, namespace=NAMESPACE)
        self.sio.on("disconnect", self._disconnected, namespace=NAMESPACE)
        self.disconnect_reason: object = None

    async def _disconnected(self, reason: object = None) -> None:
        self.disconnect_reason = reason

    async def _received(self, data: Any) -> None:
        await self.messages.put(data if isinstance(data, dict) else {"raw": data})

    async def connect(self) -> list[dict[str, Any]]:
        """Open the socket as a page does; the replies to its hydrate and load."""
        hydrate = {
            "name": f"{SessionState.get_root_state().get_full_name()}.hydrate_and_load",
            "payload": {
                "vars": {state_key(SessionState, "token"): self.auth_token, **self.storage}
            },
            "router_data": ROUTER_DATA,
        }
        options: dict[str, Any] = {"headers": self.headers} if self.headers else {}
        await self.sio.connect(
            f"{self.backend_url}?token={self.client_token}",
            transports=["websocket"],
            socketio_path="_event",
            namespaces=[NAMESPACE],
            auth={"event": hydrate} if self.hydrate else None,
            wait_timeout=20,
            **options,
        )
        return await self.drain()

    async def send(
        self, state: type[BaseState], handler: str, **payload: Any
    ) -> list[dict[str, Any]]:
        await self.emit(state, handler, payload)
        return await self.drain()

    async def emit(
        self, state: type[BaseState], handler: str, payload: dict[str, Any], *, path: str = "/"
    ) -> None:
        """Send one event from the page at ``path`` without waiting for its replies."""
        if NAMESPACE not in self.sio.namespaces:
            raise ConnectionError(f"the server closed the socket: {self.disconnect_reason!r}")
        await self.sio.emit(
            "event",
            {
                "name": event_name(state, handler),
                "payload": payload,
                "router_data": router_data(path),
            },
            namespace=NAMESPACE,
        )

    async def receive_until(
        self, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 20
    ) -> list[dict[str, Any]]:
        """Collect replies until ``done(replies so far)``; TimeoutError after ``timeout``."""
        received: list[dict[str, Any]] = []
        async with asyncio.timeout(timeout):
            while not done(received):
                received.append(await self.messages.get())
        return received

    async def upload(
        self, state: type[BaseState], handler: str, filename: str, content: bytes
    ) -> httpx.Response:
        """POST a file to ``/_upload`` as the page does: only this tab's client token
        (no socket, no login) names the tab whose handler gets it."""
        async with httpx.AsyncClient(timeout=30) as http:
            return await http.post(
                f"{self.backend_url}/_upload",
                headers={
                    "Reflex-Client-Token": self.client_token,
                    "Reflex-Event-Handler": event_name(state, handler),
                },
                files={"files": (filename, content, "application/json")},
            )

    async def drain(
        self, first_seconds: float = 10, quiet_seconds: float = 0.5
    ) -> list[dict[str, Any]]:
        """Collect replies: wait for the first, then until the server is quiet."""
        received: list[dict[str, Any]] = []
        timeout = first_seconds
        while True:
            try:
                received.append(await asyncio.wait_for(self.messages.get(), timeout))
            except TimeoutError:
                return received
            timeout = quiet_seconds

    async def close(self) -> None:
        await self.sio.disconnect()


def delta_value(messages: list[dict[str, Any]], state: type[BaseState], var: str) -> Any:
    """The last value the server sent for ``state.var`` in these replies."""
    values = delta_values(messages, state, var)
    return values[-1] if values else None


def delta_values(messages: list[dict[str, Any]], state: type[BaseState], var: str) -> list[Any]:
    """Every value the server sent for ``state.var`` in these replies, in order."""
    name = state.get_full_name()
    key = f"{var}{FIELD_MARKER}"
    return [
        fields[key]
        for message in messages
        for state_name, fields in (message.get("delta") or {}).items()
        if state_name == name and key in fields
    ]


def redirects_to(messages: list[dict[str, Any]], path: str) -> bool:
    for message in messages:
        for event in message.get("events") or []:
            if event.get("name") == "_redirect" and event.get("payload", {}).get("path") == path:
                return True
    return False
