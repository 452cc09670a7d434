"""The backend's Prometheus metrics: names, labels, buckets, and the hooks that feed them.

prometheus-client's default registry is the whole pod's view: each pod runs one
server process (``python -m todo_app.serve``), so there is no multiprocess mode
and no shared directory. Prometheus pulls ``/metrics`` (``todo_app.api.metrics``)
from every pod; the process collector's ``process_cpu_seconds_total`` and
``process_resident_memory_bytes`` come with the registry.

Every label has a bounded set of values: outcomes and operations are fixed
words, and handler names are those Reflex has registered (at most
``MAX_HANDLER_LABELS``; past that, ``other``). No user data, ids or tokens are
ever a label.

No reflex import: ``core/`` and ``assistant/`` call the hooks below.
"""

from __future__ import annotations

import functools
import inspect
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterable
from time import perf_counter
from typing import Any, TypeVar, cast

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY
from sqlalchemy import Engine, event
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import Pool, QueuePool

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# No "<name>_created" series beside each counter and histogram: Prometheus does
# not need them, and they double what every scrape carries.
disable_created_metrics()  # type: ignore[no-untyped-call]

OK = "ok"
ERROR = "error"
CANCELLED = "cancelled"
OTHER = "other"

# Seconds. An event: 5 ms .. 10 s, with 250 ms (the p95 alert) on a bucket edge.
EVENT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Redis round trips, state (un)pickling, pool checkouts: 0.5 ms .. 5 s.
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
# Groq: 100 ms .. 20 s (GROQ_TIMEOUT_SECONDS is at most 20).
GROQ_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 20.0)

# --- Reflex events (fed by todo_app.observability.events) ---------------------

EVENTS = Counter(
    "todo_events",
    "Reflex events handled by this process, by handler and outcome (ok, error, cancelled).",
    ["handler", "outcome"],
)
EVENT_DURATION = Histogram(
    "todo_event_duration_seconds",
    "Time from an event's start to its end: state lock and load, handler, delta, save. "
    "kind=background: a background task's whole run (excluded from the latency alert).",
    ["handler", "kind"],
    buckets=EVENT_BUCKETS,
)
STATE_DURATION = Histogram(
    "todo_state_duration_seconds",
    "Loading (operation=load) or saving (operation=save) a tab's Reflex state "
    "(Redis in the cluster: round trip and (un)pickling).",
    ["operation"],
    buckets=FAST_BUCKETS,
)
WEBSOCKETS_OPEN = Gauge(
    "todo_websockets_open",
    "Open /_event websockets on this process (accepted and not yet closed).",
)

# --- database pool (instrument_pool) --------------------------------------------

POOL_CHECKOUTS_WAITING = Gauge(
    "todo_db_pool_checkouts_waiting",
    "Database connection checkouts not yet served (waiting for a free connection, or opening one).",
)
POOL_CHECKOUT_DURATION = Histogram(
    "todo_db_pool_checkout_seconds",
    "Time to get a database connection from the pool, waiting included.",
    buckets=FAST_BUCKETS,
)
POOL_TIMEOUTS = Counter(
    "todo_db_pool_timeouts",
    "Checkouts that gave up after DB_POOL_TIMEOUT_SECONDS with every connection in use.",
)

# --- Redis (our own calls; Reflex's state traffic is todo_state_duration_seconds) ---

REDIS_DURATION = Histogram(
    "todo_redis_duration_seconds",
    "Our own Redis calls (caller=rate_limits: log-in, sign-up and assistant throttling).",
    ["caller", "outcome"],
    buckets=FAST_BUCKETS,
)

# --- the assistant (Groq) ------------------------------------------------------

ASSISTANT_GROQ_REQUESTS = Counter(
    "todo_assistant_groq_requests",
    "Assistant requests sent to Groq (chat turns and suggestions), retries included, "
    "by outcome (error: the user got a 'try again' sentence).",
    ["outcome"],
)
GROQ_ATTEMPT_DURATION = Histogram(
    "todo_groq_attempt_duration_seconds",
    "One HTTP attempt to Groq (a request makes one, or more when retried).",
    ["outcome"],
    buckets=GROQ_BUCKETS,
)

# --- log-in ----------------------------------------------------------------------

LOGIN_FAILURES = Counter(
    "todo_login_failures",
    "Refused log-ins: reason=wrong_credentials (unknown email or wrong password), "
    "reason=throttled (too many attempts).",
    ["reason"],
)


# --- events ---------------------------------------------------------------------

MAX_HANDLER_LABELS = 500


class HandlerLabels:
    """Handler label values, bounded: the first ``limit`` names seen, then ``other``.

    Only names of handlers Reflex has registered reach here (the event processor
    refuses an unknown name before it runs anything), so the set is the app's own
    handlers; the cap is a second fence should that ever change.
    """

    def __init__(self, limit: int = MAX_HANDLER_LABELS) -> None:
        self._limit = limit
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, name: str) -> str:
        if name in self._known:
            return name
        with self._lock:
            if len(self._known) >= self._limit:
                return OTHER
            self._known.add(name)
        return name


handler_labels = HandlerLabels()


def record_event(handler: str, outcome: str, seconds: float, *, background: bool = False) -> None:
    EVENTS.labels(handler=handler, outcome=outcome).inc()
    kind = "background" if background else "event"
    EVENT_DURATION.labels(handler=handler, kind=kind).observe(seconds)


# --- database pool ----------------------------------------------------------------

_pools: weakref.WeakSet[Pool] = weakref.WeakSet()


def instrument_pool(engine: Engine) -> Engine:
    """Pool metrics for ``engine``: in use, size, overflow (read at each scrape), and the
    time each checkout waited. Survives ``engine.dispose()`` (which makes a new pool)."""
    _watch_pool(engine.pool)
    event.listen(engine, "engine_disposed", lambda disposed: _watch_pool(disposed.pool))
    return engine


def _watch_pool(pool: Pool) -> None:
    if pool in _pools:
        return
    _pools.add(pool)
    connect = pool.connect  # the pool's public checkout, which Engine.raw_connection calls

    @functools.wraps(connect)
    def timed_connect() -> Any:
        POOL_CHECKOUTS_WAITING.inc()
        start = perf_counter()
        try:
            return connect()
        except PoolTimeoutError:
            POOL_TIMEOUTS.inc()
            raise
        finally:
            POOL_CHECKOUTS_WAITING.dec()
            POOL_CHECKOUT_DURATION.observe(perf_counter() - start)

    pool.connect = timed_connect  # type: ignore[method-assign]


class PoolCollector:
    """``todo_db_pool_size``, ``_in_use`` and ``_overflow``, read from the pools at scrape
    time (summed over this process's instrumented engines: one in the app)."""

    def collect(self) -> Iterable[Metric]:
        size = in_use = overflow = 0
        for pool in list(_pools):
            if isinstance(pool, QueuePool):
                size += pool.size()
                in_use += pool.checkedout()
                # overflow() counts up from -size as connections open; above 0 it is
                # the connections beyond pool_size (none here: max_overflow is 0).
                overflow += max(0, pool.overflow())
        yield GaugeMetricFamily(
            "todo_db_pool_size", "Connections the pool keeps (DB_POOL_SIZE).", value=size
        )
        yield GaugeMetricFamily(
            "todo_db_pool_in_use", "Database connections checked out right now.", value=in_use
        )
        yield GaugeMetricFamily(
            "todo_db_pool_overflow", "Connections open beyond the pool's size.", value=overflow
        )


REGISTRY.register(PoolCollector())


# --- Redis ----------------------------------------------------------------------------


async def timed_redis(
    operation: Callable[[], Awaitable[T]], caller: str, *, enabled: bool = True
) -> T:
    """``await operation()``, its time recorded as one of ``caller``'s Redis calls.

    ``enabled=False`` (the in-memory storage of a laptop) awaits it unrecorded.
    """
    if not enabled:
        return await operation()
    start = perf_counter()
    outcome = ERROR
    try:
        result = await operation()
        outcome = OK
        return result
    finally:
        REDIS_DURATION.labels(caller=caller, outcome=outcome).observe(perf_counter() - start)


# --- Groq -------------------------------------------------------------------------------

S = TypeVar("S")
M = TypeVar("M")
C = TypeVar("C")


def observe_groq_call(
    call: Callable[[S, M, Callable[[C], T]], T],
) -> Callable[[S, M, Callable[[C], T]], T]:
    """Decorates the Groq transport's ``call(settings, timer, attempt)``: one assistant
    request counted by outcome, each HTTP attempt in it timed."""

    @functools.wraps(call)
    def observed(settings: S, timer: M, attempt: Callable[[C], T]) -> T:
        def timed_attempt(client: C) -> T:
            start = perf_counter()
            outcome = ERROR
            try:
                result = attempt(client)
                outcome = OK
                return result
            finally:
                GROQ_ATTEMPT_DURATION.labels(outcome=outcome).observe(perf_counter() - start)

        outcome = ERROR
        try:
            result = call(settings, timer, timed_attempt)
            outcome = OK
            return result
        finally:
            ASSISTANT_GROQ_REQUESTS.labels(outcome=outcome).inc()

    return observed


# --- log-in ---------------------------------------------------------------------------


def counts_login_failure(reason: str, error: type[BaseException]) -> Callable[[F], F]:
    """Decorates a log-in step (sync or async): each ``error`` it raises is one
    ``todo_login_failures_total{reason=...}``."""
    counter = LOGIN_FAILURES.labels(reason=reason)

    def decorate(fn: F) -> F:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def counted_async(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await fn(*args, **kwargs)
                except error:
                    counter.inc()
                    raise

            return cast(F, counted_async)

        @functools.wraps(fn)
        def counted(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except error:
                counter.inc()
                raise

        return cast(F, counted)

    return decorate
