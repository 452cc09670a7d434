"""``/metrics`` scraped from a live backend of the process rehearsal (nginx in front of
two ``python -m todo_app.serve`` processes sharing Redis, on PostgreSQL), on the
backend's own port as Prometheus does in the cluster; and never through nginx."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from scripts.process_rehearsal import Rehearsal
from tests.conftest import REDIS_URL
from tests.support.reflex_client import ReflexClient, delta_value, run_in_own_loop
from todo_app.core.rate_limits import RateLimits
from todo_app.core.throttle import AuthThrottle
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.session import SessionState
from todo_app.ui.state.todos import TodoListState

PASSWORD = "a long enough password"
LOCAL = "127.0.0.1"  # the address a backend reached directly sees

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def scrape(backend_url: str) -> Samples:
    status, content_type, body = get(f"{backend_url}/metrics")
    assert status == 200, body[:500]
    assert content_type.startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def _forget(email: str) -> None:
    counts = RateLimits.for_redis_url(REDIS_URL)  # the rehearsal's Redis
    try:
        await AuthThrottle(counts).forget(email, LOCAL)
    finally:
        await counts.aclose()


def test_events_pool_and_sockets_are_scraped_from_a_backends_own_port(
    rehearsal: Rehearsal,
) -> None:
    backend = rehearsal.backends[0].url  # straight to one process: its own counters
    email = f"metrics-{uuid.uuid4().hex[:10]}@example.com"
    before = scrape(backend)

    async def visit() -> tuple[Samples, Any]:
        tab = ReflexClient(backend, "")
        await tab.connect()
        try:
            signed_up = await tab.send(
                AuthState, "sign_up", form_data={"email": email, "password": PASSWORD}
            )
            token = delta_value(signed_up, SessionState, "token")
            assert token, "sign-up did not sign in"
            wrong = ReflexClient(backend, "")
            await wrong.connect()
            try:
                await wrong.send(
                    AuthState, "log_in", form_data={"email": email, "password": "not it at all"}
                )
                user = ReflexClient(backend, token)
                await user.connect()
                try:
                    await user.send(TodoListState, "add", form_data={"title": "Scraped todo"})
                    await user.send(TodoListState, "add", form_data={"title": "Scraped again"})
                    while_open = scrape(backend)  # three sockets open right now
                finally:
                    await user.close()
            finally:
                await wrong.close()
        finally:
            await tab.close()
        return while_open, token

    try:
        while_open, _token = run_in_own_loop(visit())
    finally:
        run_in_own_loop(_forget(email))
    after = scrape(backend)

    add = {"handler": "TodoListState.add"}
    assert moved(before, after, "todo_events_total", **add, outcome="ok") >= 2
    assert moved(before, after, "todo_event_duration_seconds_count", **add, kind="event") >= 2
    assert moved(before, after, "todo_event_duration_seconds_sum", **add, kind="event") > 0
    assert moved(before, after, "todo_events_total", handler="AuthState.sign_up", outcome="ok") >= 1
    assert moved(before, after, "todo_events_total", handler="AuthState.log_in", outcome="ok") >= 1
    # Reflex's own events are counted under their registered names too.
    assert (
        moved(before, after, "todo_events_total", handler="State.hydrate_and_load", outcome="ok")
        >= 3
    )
    # Histogram buckets moved (cumulative: the +Inf bucket holds every event).
    inf = {**add, "kind": "event", "le": "+Inf"}
    assert moved(before, after, "todo_event_duration_seconds_bucket", **inf) >= 2
    # Every handler label is a registered name.
    handlers = {dict(labels)["handler"] for (name, labels) in after if name == "todo_events_total"}
    assert all(h == "other" or re.fullmatch(r"\w+\.\w+", h) for h in handlers), handlers

    # State loaded from and saved to Redis around those events.
    for operation in ("load", "save"):
        assert moved(before, after, "todo_state_duration_seconds_count", operation=operation) >= 3

    # The database pool: its gauges exist and the events checked connections out.
    assert ("todo_db_pool_size", frozenset()) in after
    assert value(after, "todo_db_pool_size") == 10  # DB_POOL_SIZE's default
    assert ("todo_db_pool_in_use", frozenset()) in after
    assert 0 <= value(after, "todo_db_pool_in_use") <= 10
    assert ("todo_db_pool_checkouts_waiting", frozenset()) in after
    assert moved(before, after, "todo_db_pool_checkout_seconds_count") >= 3

    # Our own Redis calls (throttling) and the refused log-in.
    redis = {"caller": "rate_limits", "outcome": "ok"}
    assert moved(before, after, "todo_redis_duration_seconds_count", **redis) >= 2
    assert moved(before, after, "todo_login_failures_total", reason="wrong_credentials") == 1

    # Open websockets: the three tabs while open, none of them after.
    assert value(while_open, "todo_websockets_open") >= value(before, "todo_websockets_open") + 3
    assert value(after, "todo_websockets_open") <= value(while_open, "todo_websockets_open") - 3

    # The process collector rides along (CPU per event, memory).
    assert value(after, "process_cpu_seconds_total") > 0


@pytest.mark.parametrize("port_index", [0, 1])
def test_metrics_are_not_served_through_the_frontend(rehearsal: Rehearsal, port_index: int) -> None:
    """nginx proxies only what browsers use: /metrics is the static site's 404."""
    frontend = rehearsal.frontends[port_index].url
    for path in ("/metrics", "/metrics?x=1", "/_event/../metrics", "/_event/%2e%2e/metrics"):
        status, _, body = get(f"{frontend}{path}")
        assert status in (403, 404), (path, status)
        assert "todo_events" not in body and "process_cpu" not in body, path


def test_a_proxied_request_to_the_backend_is_refused(rehearsal: Rehearsal) -> None:
    """Even should a proxy pass it on, a request that crossed one gets a 404."""
    backend = rehearsal.backends[0].url
    status, _, body = get(f"{backend}/metrics", {"X-Forwarded-For": "203.0.113.7"})
    assert status == 404 and "todo_events" not in body
    status, _, body = get(f"{backend}/metrics", {"X-Real-IP": "203.0.113.7"})
    assert status == 404 and "todo_events" not in body
