"""The backend's Prometheus metrics: names, labels, bounded label values, and each hook
(event timing, state load/save, the database pool, Redis, Groq, log-in failures, the
``/metrics`` endpoint and the websocket gauge), without a server."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from reflex_base.event import Event
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session

from tests.support.loops import run_in_own_loop
from todo_app.api.metrics import Message, metrics_endpoint
from todo_app.assistant import groq_transport
from todo_app.core import accounts
from todo_app.core.errors import AssistantUnavailable, AuthenticationError, TooManyAttempts
from todo_app.core.rate_limits import RateLimits
from todo_app.core.throttle import AuthThrottle, LogInLimits
from todo_app.observability import events, metrics
from todo_app.observability.metrics import (
    HandlerLabels,
    instrument_pool,
    observe_groq_call,
    timed_redis,
)
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.todos import TodoListState

REPO = Path(__file__).resolve().parents[2]

# Every family the app exports, with its type and label names (the contract the
# PrometheusRules and the Grafana dashboard are written against).
FAMILIES: dict[str, tuple[str, set[str]]] = {
    "todo_events": ("counter", {"handler", "outcome"}),
    "todo_event_duration_seconds": ("histogram", {"handler", "kind"}),
    "todo_state_duration_seconds": ("histogram", {"operation"}),
    "todo_websockets_open": ("gauge", set()),
    "todo_db_pool_size": ("gauge", set()),
    "todo_db_pool_in_use": ("gauge", set()),
    "todo_db_pool_overflow": ("gauge", set()),
    "todo_db_pool_checkouts_waiting": ("gauge", set()),
    "todo_db_pool_checkout_seconds": ("histogram", set()),
    "todo_db_pool_timeouts": ("counter", set()),
    "todo_redis_duration_seconds": ("histogram", {"caller", "outcome"}),
    "todo_assistant_groq_requests": ("counter", {"outcome"}),
    "todo_groq_attempt_duration_seconds": ("histogram", {"outcome"}),
    "todo_login_failures": ("counter", {"reason"}),
}


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def exposition() -> str:
    """What /metrics serves, through the endpoint itself."""

    async def scrape() -> httpx.Response:
        transport = httpx.ASGITransport(app=metrics_endpoint(_not_found))
        async with httpx.AsyncClient(transport=transport, base_url="http://backend") as client:
            return await client.get("/metrics")

    response = run_in_own_loop(scrape())
    assert response.status_code == 200
    return response.text


async def _not_found(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b"inner app"})


def test_every_family_is_exported_with_its_type_and_labels() -> None:
    # Label names only show once a child exists: make one of each.
    metrics.record_event("TodoListState.add", "ok", 0.01)
    metrics.STATE_DURATION.labels(operation="load")
    metrics.REDIS_DURATION.labels(caller="rate_limits", outcome="ok")
    metrics.ASSISTANT_GROQ_REQUESTS.labels(outcome="ok")
    metrics.GROQ_ATTEMPT_DURATION.labels(outcome="ok")
    metrics.LOGIN_FAILURES.labels(reason="wrong_credentials")
    families = {family.name: family for family in text_string_to_metric_families(exposition())}
    for name, (kind, labels) in FAMILIES.items():
        assert name in families, name
        family = families[name]
        assert family.type == kind, name
        for s in family.samples:
            assert set(s.labels) - {"le"} == labels, (name, s.labels)
    # The process collector comes with the default registry (CPU per event, memory).
    assert "process_cpu_seconds" in families
    # No _created series beside the counters and histograms.
    assert "_created" not in exposition()


def test_metric_names_follow_prometheus_conventions() -> None:
    for name, (kind, _) in FAMILIES.items():
        assert re.fullmatch(r"todo_[a-z_]+", name), name
        if kind == "histogram":
            assert name.endswith("_seconds"), name


def test_handler_labels_are_bounded() -> None:
    labels = HandlerLabels(limit=3)
    assert [labels(f"S.h{i}") for i in range(5)] == ["S.h0", "S.h1", "S.h2", "other", "other"]
    assert labels("S.h1") == "S.h1"  # known names keep their label


def test_a_registered_handler_is_labelled_by_its_state_and_name() -> None:
    name = f"{TodoListState.get_full_name()}.add"
    assert events.handler_label(name) == ("TodoListState.add", False)
    assert events.handler_label(f"{AuthState.get_full_name()}.log_in") == (
        "AuthState.log_in",
        False,
    )


@pytest.mark.parametrize(
    "name",
    [
        "not.a.handler",
        f"{TodoListState.get_full_name()}.no_such_handler",
        "x" * 10_000,
        "",
    ],
)
def test_anything_not_registered_is_other(name: str) -> None:
    assert events.handler_label(name) == ("other", False)


# --- event timing -------------------------------------------------------------


class FakeManager:
    """The state manager's public methods, as Reflex's managers have them."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def modify_state_with_links(self, *args: Any, **kwargs: Any) -> str:
        return "context manager"

    async def get_state(self, *args: Any, **kwargs: Any) -> str:
        await asyncio.sleep(self.delay)
        return "state"

    async def set_state(self, *args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(self.delay)


def _run_event(
    event_name: str, body: Callable[[], Awaitable[None]], manager: FakeManager | None = None
) -> None:
    """One event as Reflex runs it: its own task in the event's context, the state
    asked for first, then the middleware, then the handler (``body``)."""

    async def task() -> None:
        if manager is not None:
            manager.modify_state_with_links("token", event=Event(name=event_name))
            await asyncio.sleep(0.05)  # the lock and the load
        # No app nor state: the middleware reads only the event's name.
        await events.EventTiming().preprocess(app=None, state=None, event=Event(name=event_name))  # type: ignore[arg-type]
        await body()

    registration = RegistrationContext.get()  # set where the states were imported

    async def main() -> None:
        RegistrationContext.set(registration)
        # A bare context (as in test_logs.in_event): only its txid is read.
        EventContext.set(
            EventContext(token="tab", state_manager=None, enqueue_impl=None, txid="0123456789ab")  # type: ignore[arg-type]
        )
        running = asyncio.create_task(task())
        await asyncio.gather(running, return_exceptions=True)
        await asyncio.sleep(0)  # let the done callbacks run

    run_in_own_loop(main())


def test_events_are_counted_by_handler_and_outcome(caplog: pytest.LogCaptureFixture) -> None:
    name = f"{TodoListState.get_full_name()}.add"
    labels = {"handler": "TodoListState.add"}
    before = {o: sample("todo_events_total", **labels, outcome=o) for o in ("ok", "error")}
    count = sample("todo_event_duration_seconds_count", **labels, kind="event")

    async def ok() -> None:
        await asyncio.sleep(0.01)

    async def fails() -> None:
        raise RuntimeError("a bug")

    with caplog.at_level("DEBUG", logger="todo_app.events"):
        _run_event(name, ok)
        _run_event(name, fails)
    assert sample("todo_events_total", **labels, outcome="ok") == before["ok"] + 1
    assert sample("todo_events_total", **labels, outcome="error") == before["error"] + 1
    assert sample("todo_event_duration_seconds_count", **labels, kind="event") == count + 2
    lines = [r for r in caplog.records if r.name == "todo_app.events"]
    assert [(r.__dict__["event_handler"], r.__dict__["outcome"]) for r in lines] == [
        ("TodoListState.add", "ok"),
        ("TodoListState.add", "error"),
    ]
    assert all(r.__dict__["duration_ms"] >= 0 for r in lines)
    assert lines[0].getMessage().startswith("event TodoListState.add ok in ")


def test_a_cancelled_event_is_not_an_error() -> None:
    name = f"{TodoListState.get_full_name()}.toggle"
    before = sample("todo_events_total", handler="TodoListState.toggle", outcome="cancelled")

    async def superseded() -> None:
        raise asyncio.CancelledError

    _run_event(name, superseded)
    after = sample("todo_events_total", handler="TodoListState.toggle", outcome="cancelled")
    assert after == before + 1


def test_an_events_duration_starts_when_it_asks_for_its_state() -> None:
    """The lock wait and the state load before the middleware count too."""
    manager = FakeManager()
    events._time_state_manager(manager)
    name = f"{TodoListState.get_full_name()}.delete"
    labels = {"handler": "TodoListState.delete", "kind": "event"}
    before = sample("todo_event_duration_seconds_sum", **labels)

    async def quick() -> None:
        return None

    _run_event(name, quick, manager)
    assert sample("todo_event_duration_seconds_sum", **labels) - before >= 0.05


def test_an_event_whose_state_cannot_be_loaded_is_an_error() -> None:
    """Redis down: the event fails before any middleware runs; it still counts."""

    class Unreachable(FakeManager):
        def modify_state_with_links(self, *args: Any, **kwargs: Any) -> str:
            raise ConnectionError("redis is down")

    manager = Unreachable()
    events._time_state_manager(manager)
    name = f"{TodoListState.get_full_name()}.set_search"
    labels = {"handler": "TodoListState.set_search", "outcome": "error"}
    before = sample("todo_events_total", **labels)
    registration = RegistrationContext.get()

    async def main() -> None:
        RegistrationContext.set(registration)
        # A bare context (as in test_logs.in_event): only its txid is read.
        EventContext.set(
            EventContext(token="tab", state_manager=None, enqueue_impl=None, txid="fedcba987654")  # type: ignore[arg-type]
        )

        async def task() -> None:
            manager.modify_state_with_links("token", event=Event(name=name))

        await asyncio.gather(asyncio.create_task(task()), return_exceptions=True)
        await asyncio.sleep(0)

    run_in_own_loop(main())
    assert sample("todo_events_total", **labels) == before + 1


def test_state_load_and_save_are_timed() -> None:
    manager = FakeManager(delay=0.01)
    events._time_state_manager(manager)
    loads = sample("todo_state_duration_seconds_count", operation="load")
    saves = sample("todo_state_duration_seconds_count", operation="save")
    load_sum = sample("todo_state_duration_seconds_sum", operation="load")

    async def use() -> None:
        assert await manager.get_state("token") == "state"
        await manager.set_state("token", "state")

    run_in_own_loop(use())
    assert sample("todo_state_duration_seconds_count", operation="load") == loads + 1
    assert sample("todo_state_duration_seconds_count", operation="save") == saves + 1
    assert sample("todo_state_duration_seconds_sum", operation="load") - load_sum >= 0.01


# --- database pool -------------------------------------------------------------------


@pytest.fixture
def small_pool(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(
        f"sqlite:///{tmp_path / 'pool.db'}",
        pool_size=2,
        max_overflow=0,
        pool_timeout=0.2,
        connect_args={"check_same_thread": False},
    )
    instrument_pool(engine)
    yield engine
    engine.dispose()


def test_pool_in_use_and_checkouts(small_pool: Engine) -> None:
    in_use = sample("todo_db_pool_in_use")
    size = sample("todo_db_pool_size")
    checkouts = sample("todo_db_pool_checkout_seconds_count")
    with small_pool.connect() as connection:
        connection.execute(text("SELECT 1"))
        assert sample("todo_db_pool_in_use") == in_use + 1
    assert sample("todo_db_pool_in_use") == in_use
    assert sample("todo_db_pool_size") >= 2 and size >= 2
    assert sample("todo_db_pool_checkout_seconds_count") == checkouts + 1
    assert sample("todo_db_pool_overflow") >= 0


def test_an_exhausted_pool_shows_waiting_checkouts_then_a_timeout(small_pool: Engine) -> None:
    timeouts = sample("todo_db_pool_timeouts_total")
    waiting = sample("todo_db_pool_checkouts_waiting")
    held = [small_pool.connect(), small_pool.connect()]
    seen_waiting: list[float] = []

    def watch() -> None:
        time.sleep(0.1)
        seen_waiting.append(sample("todo_db_pool_checkouts_waiting"))

    watcher = threading.Thread(target=watch)
    watcher.start()
    with pytest.raises(PoolTimeoutError):
        small_pool.connect()
    watcher.join()
    for connection in held:
        connection.close()
    assert seen_waiting == [waiting + 1]
    assert sample("todo_db_pool_checkouts_waiting") == waiting
    assert sample("todo_db_pool_timeouts_total") == timeouts + 1


def test_the_pool_stays_watched_after_dispose(small_pool: Engine) -> None:
    small_pool.dispose()  # a new pool
    in_use = sample("todo_db_pool_in_use")
    with small_pool.connect():
        assert sample("todo_db_pool_in_use") == in_use + 1


# --- Redis, Groq, log-in ------------------------------------------------------------


def test_redis_calls_are_timed_by_outcome() -> None:
    labels = {"caller": "test"}
    ok = sample("todo_redis_duration_seconds_count", **labels, outcome="ok")
    error = sample("todo_redis_duration_seconds_count", **labels, outcome="error")

    async def answers() -> int:
        return 7

    async def fails() -> int:
        raise OSError("down")

    async def calls() -> None:
        assert await timed_redis(answers, "test") == 7
        with pytest.raises(OSError):
            await timed_redis(fails, "test")
        assert await timed_redis(answers, "test", enabled=False) == 7  # in memory: not Redis

    run_in_own_loop(calls())
    assert sample("todo_redis_duration_seconds_count", **labels, outcome="ok") == ok + 1
    assert sample("todo_redis_duration_seconds_count", **labels, outcome="error") == error + 1


def test_the_rate_limits_redis_calls_are_timed() -> None:
    """The hook in core/rate_limits.py, against the test Redis."""
    from limits import parse

    from tests.conftest import REDIS_URL

    labels = {"caller": "rate_limits", "outcome": "ok"}
    before = sample("todo_redis_duration_seconds_count", **labels)

    async def hit() -> None:
        counts = RateLimits.for_redis_url(REDIS_URL)
        try:
            await counts.hit(parse("5/second"), "metrics-test", str(time.time()))
        finally:
            await counts.aclose()

    run_in_own_loop(hit())
    assert sample("todo_redis_duration_seconds_count", **labels) == before + 1


def test_groq_requests_and_attempts() -> None:
    requests = {o: sample("todo_assistant_groq_requests_total", outcome=o) for o in ("ok", "error")}
    attempts = {
        o: sample("todo_groq_attempt_duration_seconds_count", outcome=o) for o in ("ok", "error")
    }

    @observe_groq_call
    def call(settings: int, timer: None, attempt: Any) -> str:
        with contextlib.suppress(ConnectionError):
            attempt("client")  # the first attempt fails, the retry succeeds
        return str(attempt("client"))

    tries: Iterator[ConnectionError | str] = iter([ConnectionError("reset"), "answer"])

    def attempt(client: str) -> str:
        outcome = next(tries)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert call(1, None, attempt) == "answer"
    # The real transport: without a key the request fails before any attempt.
    with pytest.raises(AssistantUnavailable):
        groq_transport.call(
            groq_transport.GroqSettings(api_key=""), groq_transport.Timer(), lambda c: None
        )
    assert sample("todo_assistant_groq_requests_total", outcome="ok") == requests["ok"] + 1
    assert sample("todo_assistant_groq_requests_total", outcome="error") == requests["error"] + 1
    for outcome in ("ok", "error"):
        after = sample("todo_groq_attempt_duration_seconds_count", outcome=outcome)
        assert after == attempts[outcome] + 1, outcome


def test_wrong_credentials_are_counted(session: Session) -> None:
    accounts.sign_up(session, "counted@example.com", "the password")
    before = sample("todo_login_failures_total", reason="wrong_credentials")
    with pytest.raises(AuthenticationError):
        accounts.authenticate(session, "counted@example.com", "not the password")
    with pytest.raises(AuthenticationError):
        accounts.authenticate(session, "nobody@example.com", "the password")
    accounts.authenticate(session, "counted@example.com", "the password")
    assert sample("todo_login_failures_total", reason="wrong_credentials") == before + 2


def test_throttled_log_ins_are_counted() -> None:
    from limits import parse
    from limits.aio.storage import MemoryStorage

    before = sample("todo_login_failures_total", reason="throttled")
    throttle = AuthThrottle(
        RateLimits(MemoryStorage()), log_in=LogInLimits(per_account_and_address=parse("1/minute"))
    )

    async def attempts() -> None:
        await throttle.log_in_attempt("someone@example.com", "192.0.2.1")
        with pytest.raises(TooManyAttempts):
            await throttle.log_in_attempt("someone@example.com", "192.0.2.1")

    run_in_own_loop(attempts())
    assert sample("todo_login_failures_total", reason="throttled") == before + 1


# --- /metrics and websockets -----------------------------------------------------------


def _get(path: str, method: str = "GET", **headers: str) -> httpx.Response:
    async def request() -> httpx.Response:
        transport = httpx.ASGITransport(app=metrics_endpoint(_not_found))
        async with httpx.AsyncClient(transport=transport, base_url="http://backend") as client:
            return await client.request(method, path, headers=headers)

    return run_in_own_loop(request())


def test_metrics_endpoint_serves_prometheus_text() -> None:
    response = _get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert response.headers["cache-control"] == "no-store"
    assert "# TYPE todo_events_total counter" in response.text
    head = _get("/metrics", "HEAD")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Real-IP", "Forwarded", "x-forwarded-for"])
def test_metrics_through_a_proxy_is_not_found(header: str) -> None:
    response = _get("/metrics", **{header: "203.0.113.9"})
    assert response.status_code == 404
    assert "todo_" not in response.text


def test_metrics_endpoint_leaves_everything_else_to_the_app() -> None:
    assert _get("/metrics", "POST").status_code == 405
    for path in ("/metrics/", "/metricsx", "/ping", "/_event/"):
        response = _get(path)
        assert (response.status_code, response.text) == (404, "inner app"), path


def test_open_websockets_are_counted_until_they_close() -> None:
    seen: list[float] = []

    async def socket_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})
        seen.append(sample("todo_websockets_open"))
        await receive()  # until the client goes

    async def refused_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.close", "code": 1008})

    async def connect() -> None:
        messages = iter([{"type": "websocket.connect"}, {"type": "websocket.disconnect"}])

        async def receive() -> Message:
            return next(messages)

        async def send(message: Message) -> None:
            return None

        scope = {"type": "websocket", "path": "/_event/", "headers": []}
        await metrics_endpoint(socket_app)(scope, receive, send)
        await metrics_endpoint(refused_app)(scope, receive, send)

    before = sample("todo_websockets_open")
    run_in_own_loop(connect())
    assert seen == [before + 1]
    assert sample("todo_websockets_open") == before


def test_the_frontends_nginx_does_not_proxy_metrics() -> None:
    """The template proxies only what browsers use; /metrics falls to the static
    site's 404 (tests/k8s/test_nginx_template.py asks a real nginx too)."""
    template = (REPO / "deploy/nginx/default.conf.template").read_text()
    proxied: list[str] = []
    for match in re.finditer(r"location\s+(=\s*)?(\S+)\s*\{(.*?)\n\s*\}", template, re.S):
        if "proxy_pass" in match.group(3):
            proxied.append(match.group(2))
    assert sorted(proxied) == ["/_event", "/_upload", "/api/", "/ping"]
    assert not any("/metrics".startswith(prefix) for prefix in proxied)
    assert "metrics" not in template
