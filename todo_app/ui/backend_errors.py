"""What the page sees when an event handler raises something no rule expected.

Reflex's default shows a toast ("An error occurred", not an alert) and logs the
whole traceback on every occurrence. Here: one log record with the traceback (a
bug to fix), and the page's alert with a sentence.
"""

from __future__ import annotations

import logging

from reflex.event import EventSpec

from todo_app.ui.state.session import SessionState

log = logging.getLogger(__name__)


def show_backend_exception(exception: Exception) -> EventSpec:
    log.error("unhandled %s in an event handler", type(exception).__name__, exc_info=exception)
    # mypy types @rx.event handlers as EventNamespace; Reflex makes this an EventSpec.
    return SessionState.show_unexpected_error()  # type: ignore[operator]
