"""Random payloads to every handler of the app, over the websocket, as a hostile
client would send them: no handler may fail with an unhandled exception.

Runs against the process rehearsal (two backends, Redis, nginx). A payload that
does not fit a handler's signature is refused before it runs (ui/payloads.py);
one that fits but makes no sense must be turned into a sentence by the handler.
An unhandled exception would show UNEXPECTED_ERROR and log "unhandled ...".
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Coroutine, Iterator
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.process_rehearsal import Rehearsal
from tests.support.app_logs import logs_in, problems
from tests.support.reflex_client import ReflexClient, delta_value
from todo_app.core import accounts, sessions
from todo_app.core.db import build_engine, session_scope
from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.session import UNEXPECTED_ERROR, SessionState
from todo_app.ui.state.todos import TodoListState
from todo_app.ui.state.transfer import TransferState

T = TypeVar("T")

# Ending the session would only make every later event a log-in prompt.
NOT_FUZZED = {"log_out", "log_out_everywhere", "delete_account", "show_unexpected_error"}
STATES: list[Any] = [SessionState, AuthState, TodoListState, AssistantState, TransferState]
HANDLERS = sorted(
    {
        (state, name)
        for state in STATES
        for name in state.event_handlers
        if name not in NOT_FUZZED and not name.startswith("set_") and name != "setvar"
    },
    key=lambda pair: (pair[0].get_full_name(), pair[1]),
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
names = st.sampled_from(
    ["todo_id", "completed", "form_data", "value", "name", "text", "kind", "chosen", "key", "x"]
)
payloads = st.dictionaries(names, json_values, max_size=3)


class Fuzzer:
    """One socket for all examples, on an event loop of its own running in a
    thread (the socket is bound to its loop, and once a browser test has run,
    Playwright keeps a loop running in the main thread)."""

    def __init__(self, rehearsal: Rehearsal, token: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = ReflexClient(rehearsal.url, token)
        self._run(self.client.connect())

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def close(self) -> None:
        self._run(self.client.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    def send(self, state: Any, handler: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
        async def go() -> list[dict[str, Any]]:
            await self.client.sio.emit(
                "event",
                {
                    "name": f"{state.get_full_name()}.{handler}",
                    "payload": payload,
                    "router_data": {"pathname": "/", "asPath": "/"},
                },
                namespace="/_event",
            )
            return await self.client.drain(first_seconds=5, quiet_seconds=0.2)

        return self._run(go())


@pytest.fixture(scope="module")
def fuzzer(rehearsal: Rehearsal) -> Iterator[Fuzzer]:
    engine = build_engine(rehearsal.database_url)
    with session_scope(engine) as session:
        user = accounts.sign_up(session, f"fuzz-{uuid.uuid4().hex[:8]}@example.com", "password!")
        assert user.id is not None
        token = sessions.log_in(session, user.id, rehearsal.jwt_secret, timedelta(minutes=30))
    engine.dispose()
    fuzzer = Fuzzer(rehearsal, token)
    yield fuzzer
    fuzzer.close()


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=st.sampled_from(HANDLERS), payload=payloads)
def test_no_payload_makes_a_handler_fail(
    fuzzer: Fuzzer, target: tuple[Any, str], payload: dict[str, Any]
) -> None:
    state, handler = target
    replies = fuzzer.send(state, handler, payload)
    assert delta_value(replies, SessionState, "error") != UNEXPECTED_ERROR, (handler, payload)
    assert "/_event" in fuzzer.client.sio.namespaces, "the server closed the socket"


def test_the_backends_logged_no_unhandled_exception(fuzzer: Fuzzer, rehearsal: Rehearsal) -> None:
    """After the fuzzing above (same module, runs after it)."""
    failures = [
        line
        for line in problems(logs_in(rehearsal.workdir), max_lines=10_000)
        if "unhandled" in line or "Traceback" in line
    ]
    if failures:  # the lines themselves: with JSON logs each holds its whole traceback
        pytest.fail("\n".join(failures[:3]), pytrace=False)
