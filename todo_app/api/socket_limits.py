"""Bounds on the work one websocket can queue in this backend process.

Reflex turns every message on a socket into an event queued for its tab, with
no bound: one socket queued 423k events in 15 s (RSS 133 -> 703 MB), and a
socket's queued events kept running for 45 s after it closed. Here, per socket:

- a rate (``SOCKET_EVENT_RATE_LIMIT``, a moving window): an event over it is
  dropped before Reflex builds anything for it; a socket that goes on sending
  past it is disconnected;
- a backlog: at most ``max_queued`` events wait behind the running one for the
  tab; more are dropped;
- when the socket closes, the events waiting for its tab are dropped but the
  first ``KEPT_AFTER_CLOSE`` (the one running finishes: its writes may already
  be committed). Those few are an honest tab's last clicks, sent as its socket
  closed under it (a backend shutting down, a network switch): dropping them
  lost a todo the person had typed; a flood's backlog is still cut.

An honest tab sends a few events a second at most (inputs are debounced), so
it never meets these bounds; a dropped event is logged once per socket.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from reflex.app import EventNamespace

log = logging.getLogger(__name__)

# Events waiting for one tab behind the one that runs; an honest tab has one or two.
MAX_QUEUED_EVENTS = 50
# Waiting events of a closed socket that still run (see above).
KEPT_AFTER_CLOSE = 2
# Drops after which a socket is taken for a flood and closed.
DISCONNECT_AFTER_DROPS = 200


class SocketEventLimits:
    """Wraps the handlers of Reflex's event namespace with per-socket bounds.

    Reflex builds its ``EventNamespace`` itself, so the bounds go on that
    instance's ``on_event`` and ``on_disconnect`` (python-socketio looks the
    handlers up by name on the instance on every message).
    """

    def __init__(
        self,
        rate_limit: str,
        max_queued: int = MAX_QUEUED_EVENTS,
        disconnect_after_drops: int = DISCONNECT_AFTER_DROPS,
    ) -> None:
        # In this process's memory: a socket lives in one process.
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._rates: list[RateLimitItem] = parse_many(rate_limit)
        self._max_queued = max_queued
        self._disconnect_after = disconnect_after_drops
        self._drops: dict[str, int] = {}

    def attach(self, namespace: EventNamespace) -> None:
        receive: Callable[[str, Any], Awaitable[None]] = namespace.on_event
        disconnect: Callable[[str], Any] = namespace.on_disconnect

        async def on_event(sid: str, data: Any) -> None:
            token = namespace.sid_to_token.get(sid)
            reason = self._refusal(namespace, sid, token)
            if reason is None:
                await receive(sid, data)
                return
            drops = self._drops.get(sid, 0) + 1
            self._drops[sid] = drops
            if drops == 1:
                log.warning("dropping events from socket %s: %s", sid, reason)
            if drops == self._disconnect_after:
                log.warning("closing socket %s after %d dropped events", sid, drops)
                await namespace.disconnect(sid)

        def on_disconnect(sid: str) -> Any:
            self._drops.pop(sid, None)
            token = namespace.sid_to_token.get(sid)
            if token is not None and _current_socket(namespace, token) == sid:
                _drop_waiting_events(namespace, token)
            return disconnect(sid)

        # python-socketio dispatches "event" and "disconnect" to these names.
        namespace.on_event = on_event  # type: ignore[method-assign]
        namespace.on_disconnect = on_disconnect  # type: ignore[method-assign]

    def _refusal(self, namespace: EventNamespace, sid: str, token: str | None) -> str | None:
        for rate in self._rates:
            if not self._limiter.hit(rate, "socket", sid):
                return f"over {rate}"
        if token is not None and _queued(namespace, token) >= self._max_queued:
            return f"{self._max_queued} events already waiting"
        return None


# Reflex 0.10's processor keeps each tab's sequential events in
# ``_token_queues[token]`` (a deque; the first entry is the one running) and
# skips an entry whose future is cancelled. No public API exposes either; the
# flood tests in tests/security fail if a Reflex upgrade changes them.


def _token_queue(namespace: EventNamespace, token: str) -> Any:
    queues: dict[str, Any] = getattr(namespace.app._event_processor, "_token_queues", {})
    return queues.get(token, ())


def _queued(namespace: EventNamespace, token: str) -> int:
    return max(len(_token_queue(namespace, token)) - 1, 0)


def _waiting_entries(namespace: EventNamespace, token: str) -> list[Any]:
    return list(_token_queue(namespace, token))[1:]


def _drop_waiting_events(namespace: EventNamespace, token: str) -> None:
    processor: Any = namespace.app._event_processor
    waiting = _waiting_entries(namespace, token)[KEPT_AFTER_CLOSE:]
    for entry, _handler in waiting:
        future = processor._futures.get(entry.ctx.txid)
        if future is not None and not future.done():
            future.cancel()
    if waiting:
        log.info("dropped %d queued events of a closed socket", len(waiting))


def _current_socket(namespace: EventNamespace, token: str) -> str | None:
    # A reload may have bound the tab to a new socket before the old one's
    # disconnect arrives; the new socket's events must stay.
    record = namespace._token_manager.token_to_socket.get(token)
    return record.sid if record is not None else None
