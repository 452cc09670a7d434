"""Per-socket bounds on events, against a namespace shaped like Reflex's.

The whole path (Reflex's real namespace and processor, over a socket) is
tested in tests/security/test_event_flood.py; here, the backlog bound and
which socket's queue a disconnect empties, which a flood cannot isolate.
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from reflex.app import EventNamespace

from tests.support.loops import run_in_own_loop
from todo_app.api.socket_limits import KEPT_AFTER_CLOSE, SocketEventLimits


@dataclass
class FakeNamespace:
    sid_to_token: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, Any]] = field(default_factory=list)
    disconnected: list[str] = field(default_factory=list)
    closed_by_server: list[str] = field(default_factory=list)
    queues: dict[str, collections.deque[Any]] = field(default_factory=dict)
    futures: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    sockets: dict[str, str] = field(default_factory=dict)  # token -> current sid

    def __post_init__(self) -> None:
        self.app = SimpleNamespace(
            _event_processor=SimpleNamespace(_token_queues=self.queues, _futures=self.futures)
        )
        self._token_manager = SimpleNamespace(token_to_socket=_Sockets(self.sockets))

    async def on_event(self, sid: str, data: Any) -> None:
        self.received.append((sid, data))

    def on_disconnect(self, sid: str) -> None:
        self.disconnected.append(sid)

    async def disconnect(self, sid: str) -> None:
        self.closed_by_server.append(sid)

    def queue(self, token: str, count: int) -> list[asyncio.Future[None]]:
        """``count`` events for ``token``: the first runs, the rest wait."""
        loop = asyncio.get_running_loop()
        entries, futures = collections.deque[Any](), []
        for number in range(count):
            txid = f"{token}-{number}"
            self.futures[txid] = future = loop.create_future()
            futures.append(future)
            entries.append((SimpleNamespace(ctx=SimpleNamespace(txid=txid)), None))
        self.queues[token] = entries
        return futures


class _Sockets:
    def __init__(self, sockets: dict[str, str]) -> None:
        self._sockets = sockets

    def get(self, token: str) -> Any:
        sid = self._sockets.get(token)
        return SimpleNamespace(sid=sid) if sid is not None else None


def _attached(limits: SocketEventLimits) -> FakeNamespace:
    namespace = FakeNamespace()
    limits.attach(cast(EventNamespace, namespace))
    return namespace


def test_events_within_the_rate_pass_and_the_rest_are_dropped() -> None:
    async def scenario() -> FakeNamespace:
        namespace = _attached(SocketEventLimits("5/second", disconnect_after_drops=100))
        for number in range(8):
            await namespace.on_event("sid-a", number)
        await namespace.on_event("sid-b", "other socket")  # its own budget
        return namespace

    namespace = run_in_own_loop(scenario())
    assert namespace.received == [("sid-a", n) for n in range(5)] + [("sid-b", "other socket")]
    assert namespace.closed_by_server == []


def test_a_socket_that_keeps_flooding_is_closed_once() -> None:
    async def scenario() -> FakeNamespace:
        namespace = _attached(SocketEventLimits("2/second", disconnect_after_drops=3))
        for number in range(10):
            await namespace.on_event("sid-a", number)
        return namespace

    namespace = run_in_own_loop(scenario())
    assert len(namespace.received) == 2
    assert namespace.closed_by_server == ["sid-a"]


def test_a_tab_with_a_full_backlog_gets_no_more_events() -> None:
    async def scenario() -> FakeNamespace:
        namespace = _attached(SocketEventLimits("1000/second", max_queued=3))
        namespace.sid_to_token["sid-a"] = "tab-a"
        namespace.queue("tab-a", 1 + 3)  # one running, three waiting: full
        await namespace.on_event("sid-a", "refused")
        namespace.queue("tab-a", 1 + 2)
        await namespace.on_event("sid-a", "taken")
        return namespace

    namespace = run_in_own_loop(scenario())
    assert namespace.received == [("sid-a", "taken")]


def test_closing_a_socket_drops_its_waiting_events_but_the_first_few() -> None:
    """The running one finishes, the next KEPT_AFTER_CLOSE (an honest tab's last
    clicks) still run, the rest of a backlog is dropped."""

    async def scenario() -> tuple[FakeNamespace, list[asyncio.Future[None]]]:
        namespace = _attached(SocketEventLimits("1000/second"))
        namespace.sid_to_token["sid-a"] = "tab-a"
        namespace.sockets["tab-a"] = "sid-a"
        futures = namespace.queue("tab-a", 1 + KEPT_AFTER_CLOSE + 3)
        namespace.on_disconnect("sid-a")
        return namespace, futures

    namespace, futures = run_in_own_loop(scenario())
    kept = [False] * (1 + KEPT_AFTER_CLOSE)
    assert [future.cancelled() for future in futures] == [*kept, True, True, True]
    assert namespace.disconnected == ["sid-a"]  # Reflex's own clean-up still runs


def test_an_old_socket_closing_after_a_reload_leaves_the_new_ones_events() -> None:
    async def scenario() -> list[asyncio.Future[None]]:
        namespace = _attached(SocketEventLimits("1000/second"))
        namespace.sid_to_token["sid-old"] = "tab-a"
        namespace.sockets["tab-a"] = "sid-new"  # the reloaded page's socket
        futures = namespace.queue("tab-a", 3)
        namespace.on_disconnect("sid-old")
        return futures

    assert not any(future.cancelled() for future in run_in_own_loop(scenario()))
