"""A small Socket.IO client that speaks Reflex's /_event protocol.

It behaves like a hostile or scripted browser tab: it can claim any token and
call any event handler with any arguments.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio
from reflex_base.constants.state import FIELD_MARKER

from tests.support.loops import run_in_own_loop as run_in_own_loop  # re-exported
from todo_app.ui.state.session import SessionState

NAMESPACE = "/_event"
ROUTER_DATA = {"pathname": "/", "asPath": "/", "query": {}}


def state_key(state: type, var: str) -> str:
    return f"{state.get_full_name()}.{var}{FIELD_MARKER}"  # type: ignore[attr-defined]


def event_name(state: type, handler: str) -> str:
    return f"{state.get_full_name()}.{handler}"  # type: ignore[attr-defined]


class ReflexClient:
    def __init__(
        self,
        backend_url: str,
        auth_token: str,
        *,
        client_token: str | None = None,
        hydrate: bool = True,
    ) -> None:
        self.backend_url = backend_url
        self.auth_token = auth_token
        # Reflex's own per-tab key (in the socket URL); a test may reuse one.
        self.client_token = client_token or str(uuid.uuid4())
        self.hydrate = hydrate
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._received, namespace=NAMESPACE)
        self.sio.on("disconnect", self._disconnected, namespace=NAMESPACE)
        self.disconnect_reason: object = None

    async def _disconnected(self, reason: object = None) -> None:
        self.disconnect_reason = reason

    async def _received(self, data: Any) -> None:
        await self.messages.put(data if isinstance(data, dict) else {"raw": data})

    async def connect(self) -> None:
        hydrate = {
            "name": f"{SessionState.get_root_state().get_full_name()}.hydrate_and_load",
            "payload": {"vars": {state_key(SessionState, "token"): self.auth_token}},
            "router_data": ROUTER_DATA,
        }
        await self.sio.connect(
            f"{self.backend_url}?token={self.client_token}",
            transports=["websocket"],
            socketio_path="_event",
            namespaces=[NAMESPACE],
            auth={"event": hydrate} if self.hydrate else None,
            wait_timeout=20,
        )
        await self.drain()

    async def send(self, state: type, handler: str, **payload: Any) -> list[dict[str, Any]]:
        if NAMESPACE not in self.sio.namespaces:
            raise ConnectionError(f"the server closed the socket: {self.disconnect_reason!r}")
        await self.sio.emit(
            "event",
            {"name": event_name(state, handler), "payload": payload, "router_data": ROUTER_DATA},
            namespace=NAMESPACE,
        )
        return await self.drain()

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


def delta_value(messages: list[dict[str, Any]], state: type, var: str) -> Any:
    """The last value the server sent for ``state.var`` in these replies."""
    name = state.get_full_name()  # type: ignore[attr-defined]
    key = f"{var}{FIELD_MARKER}"
    found: Any = None
    for message in messages:
        for state_name, fields in (message.get("delta") or {}).items():
            if state_name == name and key in fields:
                found = fields[key]
    return found


def redirects_to(messages: list[dict[str, Any]], path: str) -> bool:
    for message in messages:
        for event in message.get("events") or []:
            if event.get("name") == "_redirect" and event.get("payload", {}).get("path") == path:
                return True
    return False
