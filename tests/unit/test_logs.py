"""The backend's log format (JSON lines in production, text locally), the correlation id
of the event being handled, LOG_LEVEL, and the redaction safety net."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from reflex_base.event.context import EventContext

from todo_app.observability.logs import (
    REDACTED,
    CorrelationFilter,
    JsonFormatter,
    StderrHandler,
    TextFormatter,
    configure_logging,
    log_level,
    redact,
)
from todo_app.settings import Settings

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiI0MiIsImp0aSI6ImFiYyJ9."
    "c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
)
PRODUCTION: dict[str, Any] = {
    "app_env": "production",
    "database_url": "sqlite://",
    "jwt_secret": "s" * 40,
}


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger and the app's level, restored after the test."""
    root = logging.getLogger()
    handlers, app_level = list(root.handlers), logging.getLogger("todo_app").level
    yield root
    root.handlers[:] = handlers
    logging.getLogger("todo_app").setLevel(app_level)


def record(message: str = "hello %s", *args: Any, **attributes: Any) -> logging.LogRecord:
    made = logging.LogRecord("todo_app.test", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(attributes)
    return made


def in_event(txid: str) -> EventContext:
    """EventContext as Reflex sets it while one event is handled (no state manager nor
    queue: the code under test reads only the txid)."""
    return EventContext(token="tab", state_manager=None, enqueue_impl=None, txid=txid)  # type: ignore[arg-type]


# --- format ---------------------------------------------------------------------------


def test_json_line_has_time_level_logger_message() -> None:
    line = JsonFormatter().format(record("hello %s", "world"))
    assert "\n" not in line
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message"}
    assert entry["level"] == "WARNING" and entry["logger"] == "todo_app.test"
    assert entry["message"] == "hello world"
    assert entry["time"].endswith("Z") and "T" in entry["time"]


def test_json_event_line_and_correlation_id() -> None:
    made = record(
        "event %s", "x", correlation_id="0123456789ab", event_handler="TodoListState.add",
        duration_ms=12.5, outcome="ok",
    )  # fmt: skip
    entry = json.loads(JsonFormatter().format(made))
    assert entry["correlation_id"] == "0123456789ab"
    assert (entry["handler"], entry["duration_ms"], entry["outcome"]) == (
        "TodoListState.add",
        12.5,
        "ok",
    )


def test_json_exception_stays_on_one_line() -> None:
    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        made = record("failed")
        made.exc_info = sys.exc_info()
    line = JsonFormatter().format(made)
    assert "\n" not in line
    entry = json.loads(line)
    assert "Traceback" in entry["exception"] and "ValueError" in entry["exception"]
    assert JWT not in line


def test_text_line_is_readable() -> None:
    line = TextFormatter().format(record("hello %s", "world", correlation_id="0123456789ab"))
    assert line.endswith("WARNING todo_app.test: hello world [0123456789ab]")
    assert TextFormatter().format(record("plain")).endswith("WARNING todo_app.test: plain")


def test_correlation_id_is_the_events_transaction_id() -> None:
    f = CorrelationFilter()
    outside = record("outside")
    f.filter(outside)
    assert outside.__dict__["correlation_id"] == ""
    token = EventContext.set(in_event("a1b2c3d4e5f6"))
    try:
        inside = record("inside")
        f.filter(inside)
    finally:
        EventContext.reset(token)
    assert inside.__dict__["correlation_id"] == "a1b2c3d4e5f6"


def test_an_unhandled_handler_error_is_logged_with_its_events_id(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    """todo_app.ui.backend_errors logs inside the failed event's context (Reflex sets it
    for the backend exception handler), so its line carries that event's id."""
    from todo_app.ui.backend_errors import show_backend_exception

    configure_logging(Settings(**PRODUCTION))
    capsys.readouterr()
    token = EventContext.set(in_event("feedfacecafe"))
    try:
        show_backend_exception(RuntimeError("boom"))
    finally:
        EventContext.reset(token)
    (line,) = capsys.readouterr().err.splitlines()
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "todo_app.ui.backend_errors"
    assert entry["correlation_id"] == "feedfacecafe"
    assert "RuntimeError: boom" in entry["exception"]


# --- configuration --------------------------------------------------------------------


def ours(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if getattr(h, "todo_app", False)]


def test_production_logs_json_lines_to_stderr(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(Settings(**PRODUCTION))
    logging.getLogger("todo_app.serve").info("draining in-flight events (up to %ds)", 25)
    logging.getLogger("uvicorn.error").warning("a library's warning")
    logging.getLogger("some.library").info("a library's info: below WARNING, not shown")
    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [(e["logger"], e["message"]) for e in entries] == [
        ("todo_app.serve", "draining in-flight events (up to 25s)"),
        ("uvicorn.error", "a library's warning"),
    ]


def test_local_logs_readable_text(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(Settings(app_env="local"))
    logging.getLogger("todo_app.serve").info("hello")
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith(" INFO    todo_app.serve: hello")
    assert not line.startswith("{")


def test_configuring_again_replaces_the_handler(root_logger: logging.Logger) -> None:
    configure_logging(Settings(app_env="local"))
    handler = configure_logging(Settings(**PRODUCTION))
    assert ours(root_logger) == [handler]
    assert isinstance(handler.formatter, JsonFormatter)


@pytest.mark.parametrize(
    ("name", "level"),
    [("debug", logging.DEBUG), ("INFO", logging.INFO), ("warning", logging.WARNING),
     (" error ", logging.ERROR), ("nonsense", logging.INFO)],
)  # fmt: skip
def test_log_level_is_respected(root_logger: logging.Logger, name: str, level: int) -> None:
    configure_logging(Settings(app_env="local", log_level=name))
    assert logging.getLogger("todo_app").level == level
    assert log_level(name) == level


def test_debug_shows_event_lines_info_hides_them(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    events = logging.getLogger("todo_app.events")
    configure_logging(Settings(app_env="local", log_level="info"))
    events.debug("event TodoListState.add ok in 1.0 ms")
    assert capsys.readouterr().err == ""
    configure_logging(Settings(app_env="local", log_level="debug"))
    events.debug("event TodoListState.add ok in 1.0 ms")
    assert "event TodoListState.add ok in 1.0 ms" in capsys.readouterr().err


def test_handler_follows_a_replaced_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    handler = StderrHandler()
    assert handler.stream is sys.stderr
    handler.setFormatter(TextFormatter())
    handler.emit(record("to the current stderr"))
    assert "to the current stderr" in capsys.readouterr().err


# --- redaction ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"token {JWT} expired", JWT),
        (f"Authorization: Bearer {JWT}", JWT),
        ("Authorization: Bearer opaque-token-value", "opaque-token-value"),
        ('"WebSocket /_event/?EIO=4&token=9f1c2d3e-aaaa-bbbb&transport=websocket"', "9f1c2d3e"),
        ("/login?next=/&password=hunter2&x=1", "hunter2"),
        ("access_token=abc.def.ghi; other=1", "abc.def.ghi"),
        ("{'email': 'a@example.com', 'password': 'hunter2'}", "hunter2"),
        ('{"email": "a@example.com", "password": "hunter2"}', "hunter2"),
        ('payload={\\"new_password\\": \\"hunter2\\"}', "hunter2"),
        ("{'token': 'opaque'}", "opaque"),
        ("{'jwt_secret': 'very-secret-value'}", "very-secret-value"),
        ("GROQ_API_KEY=gsk_abcdefghijklmnop1234", "gsk_abcdefghijklmnop1234"),
        ("key gsk_abcdefghijklmnop1234 refused", "gsk_abcdefghijklmnop1234"),
    ],
)
def test_secrets_are_redacted(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert REDACTED in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "event TodoListState.add ok in 12.3 ms",
        '127.0.0.1:5000 - "WebSocket /_event/?EIO=4&transport=websocket" [accepted]',
        "rate-limit storage unreachable (timeout): log-in, sign-up and the assistant are NOT "
        "throttled until it answers again",
        "refused a payload for add: ValidationError",
        "the token was rejected",  # the word alone is no secret
        "Password hashing took 52 ms",
    ],
)
def test_ordinary_lines_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_every_formatter_redacts(root_logger: logging.Logger) -> None:
    made = record("log-in with %s", {"email": "a@example.com", "password": "hunter2"})
    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(made)
        assert "hunter2" not in line and "a@example.com" in line
