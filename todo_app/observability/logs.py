"""The backend's log: one handler on the root logger, configured once at start-up.

- ``APP_ENV=production``: JSON lines, one object per record, for the cluster's
  log collector: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
  ``correlation_id`` while an event is being handled, an event line's
  ``handler`` / ``duration_ms`` / ``outcome``, and ``exception`` (the
  traceback) when there is one.
- otherwise: readable text, ``12:00:00.123 INFO    todo_app.serve: message [cid]``.

``LOG_LEVEL`` is the level of the app's own loggers (``todo_app.*``); other
libraries log warnings and above (uvicorn's own info lines too, at the level
the server gives them).

The correlation id is the Reflex event's transaction id (12 random hex digits,
one per event), so an error line and that event's debug line share it.

Nothing here logs user data; ``redact`` is the safety net under that rule: it
blanks JWT-looking strings, ``token=`` / ``password=`` style query parameters
and ``password`` / ``token`` / ``secret`` keys of any dict or JSON that reaches
a line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from reflex_base.event.context import EventContext

from todo_app.settings import Settings

REDACTED = "[redacted]"

_SENSITIVE_NAME = r"[\w.-]*(?:password|passwd|token|secret|api[_-]?key|authorization|jwt)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A JWT: three base64url parts, the first a JSON header ('{"' is "eyJ").
    (re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]+"), REDACTED),
    (re.compile(r"(?i)\b(bearer\s+)[\w.~+/=-]+"), rf"\1{REDACTED}"),
    # A Groq API key.
    (re.compile(r"\bgsk_\w{8,}"), REDACTED),
    # 'password': 'x', "token": "x", \"secret\": \"x\" (a dict's repr, JSON, escaped JSON).
    (
        re.compile(rf"(?i)(\\?[\"']?{_SENSITIVE_NAME}\\?[\"']?\s*:\s*)(\\?[\"'])(?:(?!\2).)*\2"),
        rf"\1\2{REDACTED}\2",
    ),
    # token=x and password=x in query strings, form bodies and key=value lists.
    (re.compile(rf"(?i)\b({_SENSITIVE_NAME}=)[^&\s\"',;)\]}}]+"), rf"\1{REDACTED}"),
)

# Attributes an event line carries (todo_app.observability.events), and their JSON keys.
_EVENT_FIELDS = (
    ("event_handler", "handler"),
    ("duration_ms", "duration_ms"),
    ("outcome", "outcome"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def correlation_id() -> str:
    """The running Reflex event's id, or "" outside an event."""
    try:
        return EventContext.get().txid
    except LookupError:
        return ""


class CorrelationFilter(logging.Filter):
    """Stamps each record with the id of the event being handled (worker threads
    started with ``asyncio.to_thread`` inherit it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "correlation_id", None):
            record.correlation_id = correlation_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if cid := getattr(record, "correlation_id", ""):
            entry["correlation_id"] = cid
        for attribute, key in _EVENT_FIELDS:
            if hasattr(record, attribute):
                entry[key] = getattr(record, attribute)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S"
        )

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if cid := getattr(record, "correlation_id", ""):
            first, newline, rest = line.partition("\n")
            line = f"{first} [{cid}]{newline}{rest}"
        return redact(line)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to the current ``sys.stderr`` (looked up per record, so a replaced
    stream, as under pytest's capture, is followed rather than kept)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def log_level(name: str) -> int:
    """``LOG_LEVEL``'s value as a logging level; an unknown name is INFO."""
    level = logging.getLevelName(name.strip().upper())
    return level if isinstance(level, int) else logging.INFO


def configure_logging(settings: Settings) -> logging.Handler:
    """Install the app's handler on the root logger (replacing an earlier one of
    ours, so calling this again is harmless) and set the app's level."""
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if settings.is_production else TextFormatter())
    handler.addFilter(CorrelationFilter())
    handler.todo_app = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "todo_app", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    logging.getLogger("todo_app").setLevel(log_level(settings.log_level))
    # Python's warnings become records too, so that every line is in one format.
    logging.captureWarnings(True)
    if settings.log_level.strip().upper() not in logging.getLevelNamesMapping():
        logging.getLogger("todo_app").warning(
            "LOG_LEVEL=%r is not a level; using info", settings.log_level
        )
    return handler
