"""Each Reflex event's handler, duration and outcome; the time to load and save state.

``instrument_app(app)`` (``todo_app.serve``, before the server starts) adds:

Reflex 0.10 has no after-event hook: ``Middleware.postprocess`` exists but
``App._postprocess`` is never called, and the event processor is a slots
dataclass that Reflex creates inside its own lifespan, so it can be neither
wrapped nor subclassed in. What 0.10 does give: every event runs in its own
asyncio task; the task's done callback gives the end and the outcome (ok;
error: the handler raised, or its state could not be loaded; cancelled:
superseded or disconnected). Background handlers are timed to the end of their
task too, as ``kind="background"``. The start is taken at the first of:

- the state manager's public ``modify_state_with_links``, wrapped on the
  app's instance (a plain dataclass): the processor calls it with the event
  when the event asks for its state, so the lock wait and the state load are
  part of the duration. Its ``get_state`` / ``set_state`` are timed as
  ``todo_state_duration_seconds`` load / save;
- ``EventTiming``, a middleware placed first, whose ``preprocess`` runs inside
  the event's task once its state is loaded (a fallback: it starts the clock
  only if the manager's hook did not).

One debug line per event: handler, duration in ms, outcome, and (from the log
filter) the event's correlation id; never its payload.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

from reflex.app import App
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext

from todo_app.observability.metrics import (
    CANCELLED,
    ERROR,
    OK,
    OTHER,
    STATE_DURATION,
    handler_labels,
    record_event,
)

log = logging.getLogger("todo_app.events")

# The txid of the event this task is already timing.
_timed_txid: contextvars.ContextVar[str] = contextvars.ContextVar("todo_timed_txid", default="")
_instrumented: set[int] = set()


def instrument_app(app: App) -> None:
    """Event and state metrics for ``app``; once per app, before it serves."""
    if id(app) in _instrumented:
        return
    _instrumented.add(id(app))
    app.add_middleware(EventTiming(), index=0)
    _time_state_manager(app.state_manager)


def current_txid() -> str:
    """The running event's transaction id (12 hex digits), or "" outside an event."""
    try:
        return EventContext.get().txid
    except LookupError:
        return ""


def handler_label(event_name: str) -> tuple[str, bool]:
    """The metric label of a registered handler ("TodoListState.add") and whether it
    runs in the background; ("other", False) for a name Reflex has not registered."""
    try:
        registered = RegistrationContext.get().event_handlers.get(event_name)
    except LookupError:
        registered = None
    if registered is None or not registered.states:
        return OTHER, False
    handler = event_name.rpartition(".")[2]
    label = handler_labels(f"{registered.states[0].__name__}.{handler}")
    return label, bool(registered.handler.is_background)


def start_timing(event_name: str) -> None:
    """Time the running event's task from now to its end, once per event."""
    txid = current_txid()
    task = asyncio.current_task()
    if not txid or task is None or _timed_txid.get() == txid:
        return
    _timed_txid.set(txid)
    label, background = handler_label(event_name)
    # The callback runs in a copy of this context: its log line carries the
    # event's correlation id.
    task.add_done_callback(functools.partial(_finished, label, background, perf_counter()))


class EventTiming(Middleware):
    """Times the event whose task it runs in, to that task's end (see the module doc),
    unless the state manager's hook has already started timing it (the usual case)."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        start_timing(event.name)
        return None


def _finished(label: str, background: bool, start: float, task: asyncio.Task[Any]) -> None:
    seconds = perf_counter() - start
    if task.cancelled():
        outcome = CANCELLED
    elif task.exception() is not None:
        outcome = ERROR
    else:
        outcome = OK
    record_event(label, outcome, seconds, background=background)
    if log.isEnabledFor(logging.DEBUG):
        milliseconds = round(seconds * 1000, 1)
        log.debug(
            "event %s %s in %.1f ms",
            label,
            outcome,
            milliseconds,
            extra={"event_handler": label, "duration_ms": milliseconds, "outcome": outcome},
        )


def _time_state_manager(manager: Any) -> None:
    """Wrap the manager's public methods on this instance (a plain dataclass)."""
    modify = manager.modify_state_with_links

    @functools.wraps(modify)
    def timed_modify(*args: Any, **kwargs: Any) -> Any:
        # Called with the event when an event asks for its state: its start (an
        # event whose state fails to load is counted too, as an error).
        event = kwargs.get("event")
        if isinstance(event, Event):
            start_timing(event.name)
        return modify(*args, **kwargs)

    manager.modify_state_with_links = timed_modify
    manager.get_state = _timed(manager.get_state, "load")
    manager.set_state = _timed(manager.set_state, "save")


def _timed(method: Callable[..., Awaitable[Any]], operation: str) -> Callable[..., Awaitable[Any]]:
    histogram = STATE_DURATION.labels(operation=operation)

    @functools.wraps(method)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        start = perf_counter()
        try:
            return await method(*args, **kwargs)
        finally:
            histogram.observe(perf_counter() - start)

    return timed
