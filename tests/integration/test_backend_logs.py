"""The backend's own log, as the cluster collects it: a production-mode backend
(``python -m todo_app.serve``, APP_ENV=production) behind the frontend's nginx, at
LOG_LEVEL=debug so that every event writes a line. A person signs up, logs in (once with
a wrong password), adds a todo with a distinctive title; then every line of the
backend's output is a JSON object, the events are there with handler, duration, outcome
and correlation id, and no line of any log holds the token, the password or the title."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.process_rehearsal import Rehearsal
from tests.conftest import REDIS_URL
from tests.support.databases import throwaway_postgres
from tests.support.live_app import free_port
from tests.support.reflex_client import ReflexClient, delta_value, run_in_own_loop
from todo_app.core.rate_limits import RateLimits
from todo_app.core.throttle import AuthThrottle
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.session import SessionState
from todo_app.ui.state.todos import TodoListState

PASSWORD = f"Correct-Horse-{uuid.uuid4().hex[:8]}"
WRONG_PASSWORD = f"Wrong-Battery-{uuid.uuid4().hex[:8]}"
TITLE = f"Quokka ledger {uuid.uuid4().hex[:8]} reconcile"
EMAIL = f"logs-{uuid.uuid4().hex[:10]}@example.com"
TXID = re.compile(r"[0-9a-f]{12}")


@pytest.fixture(scope="module")
def debug_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rehearsal]:
    """The rehearsal's shape with one backend at LOG_LEVEL=debug (its own database)."""
    with throwaway_postgres() as database_url:
        shape = Rehearsal(
            database_url=database_url,
            redis_url=REDIS_URL,
            workdir=tmp_path_factory.mktemp("debug-logs"),
            frontend_ports=[free_port()],
            backend_count=1,
            extra_env={"LOG_LEVEL": "debug", "GROQ_API_KEY": ""},
        )
        try:
            shape.start()
            yield shape
        finally:
            shape.stop()


async def _forget(email: str) -> None:
    counts = RateLimits.for_redis_url(REDIS_URL)
    try:
        await AuthThrottle(counts).forget(email, "127.0.0.1")
    finally:
        await counts.aclose()


@pytest.fixture(scope="module")
def visit(debug_backend: Rehearsal) -> dict[str, Any]:
    """Sign up, a wrong log-in, log in, add a todo: through nginx, as a browser."""
    url = debug_backend.url

    async def person() -> dict[str, Any]:
        signing_up = ReflexClient(url, "")
        await signing_up.connect()
        try:
            replies = await signing_up.send(
                AuthState, "sign_up", form_data={"email": EMAIL, "password": PASSWORD}
            )
            first_token = delta_value(replies, SessionState, "token")
        finally:
            await signing_up.close()
        logging_in = ReflexClient(url, "")
        await logging_in.connect()
        try:
            await logging_in.send(
                AuthState, "log_in", form_data={"email": EMAIL, "password": WRONG_PASSWORD}
            )
            replies = await logging_in.send(
                AuthState, "log_in", form_data={"email": EMAIL, "password": PASSWORD}
            )
            token = delta_value(replies, SessionState, "token")
        finally:
            await logging_in.close()
        tab = ReflexClient(url, token)
        await tab.connect()
        try:
            added = await tab.send(TodoListState, "add", form_data={"title": TITLE})
        finally:
            await tab.close()
        return {
            "tokens": [first_token, token],
            "client_tokens": [signing_up.client_token, logging_in.client_token, tab.client_token],
            "added": added,
        }

    try:
        seen = run_in_own_loop(person())
    finally:
        run_in_own_loop(_forget(EMAIL))
    assert all(seen["tokens"]), "sign-up or log-in gave no token"
    assert TITLE in json.dumps(seen["added"]), "the todo was not added"
    time.sleep(1)  # the last event's line and the socket's close
    return seen


def backend_lines(shape: Rehearsal) -> list[str]:
    (backend,) = shape.backends
    return [line for line in backend.log_path.read_text().splitlines() if line.strip()]


def test_every_backend_line_is_a_json_object(debug_backend: Rehearsal, visit: Any) -> None:
    lines = backend_lines(debug_backend)
    assert len(lines) >= 10
    for line in lines:
        entry = json.loads(line)  # one object per line, nothing else
        assert isinstance(entry, dict), line
        assert {"time", "level", "logger", "message"} <= set(entry), line
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"]), line


def test_each_event_is_a_debug_line_with_handler_duration_outcome_and_id(
    debug_backend: Rehearsal, visit: Any
) -> None:
    entries = [json.loads(line) for line in backend_lines(debug_backend)]
    events = [e for e in entries if e["logger"] == "todo_app.events"]
    handlers = [e["handler"] for e in events]
    for handler in ("AuthState.sign_up", "AuthState.log_in", "TodoListState.add"):
        assert handler in handlers, handlers
    assert handlers.count("AuthState.log_in") == 2  # the wrong password, then the right one
    for event in events:
        assert event["level"] == "DEBUG"
        assert event["outcome"] == "ok", event
        assert isinstance(event["duration_ms"], int | float) and event["duration_ms"] >= 0
        assert TXID.fullmatch(event["correlation_id"]), event
        assert event["message"].startswith(f"event {event['handler']} ok in ")
    assert len({e["correlation_id"] for e in events}) == len(events)  # one id per event
    # uvicorn's own lines come through the same handler.
    assert any(e["logger"] == "uvicorn.error" for e in entries)


def test_no_log_holds_a_token_a_password_or_a_todo(debug_backend: Rehearsal, visit: Any) -> None:
    """The backend's output, nginx's access and error logs: all of them."""
    logs = {
        str(path): path.read_text(errors="replace") for path in debug_backend.workdir.rglob("*.log")
    }
    assert any("backend" in name for name in logs), logs.keys()
    secrets = [*visit["tokens"], *visit["client_tokens"], PASSWORD, WRONG_PASSWORD, TITLE]
    leaks = [(name, s[:12]) for name, text in logs.items() for s in secrets if s in text]
    assert not leaks, leaks
    # The uvicorn line of each socket is there, its token redacted.
    backend_text = "\n".join(backend_lines(debug_backend))
    assert backend_text.count("token=[redacted]") >= 3
    assert not re.search(r"eyJ[\w-]{4,}\.[\w-]{4,}\.", backend_text)
