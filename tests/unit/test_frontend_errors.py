"""Frontend exception reports: one short escaped line each, a few a minute."""

from __future__ import annotations

import logging
import types

import pytest
from reflex.app import App, default_backend_exception_handler

from todo_app.ui import frontend_errors
from todo_app.ui.frontend_errors import FrontendErrorLog, log_frontend_exception, one_line


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def errors(clock: FakeClock) -> FrontendErrorLog:
    return FrontendErrorLog(logging.getLogger("todo_app.test_frontend_errors"), clock=clock)


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_reflex_accepts_the_handler() -> None:
    """Reflex 0.10.1 checks the handler's name and signature when the app starts."""
    app = types.SimpleNamespace(
        frontend_exception_handler=log_frontend_exception,
        backend_exception_handler=default_backend_exception_handler,
    )
    # A stand-in for the App (only these two attributes are read), and Reflex leaves
    # the method unannotated.
    App._validate_exception_handlers(app)  # type: ignore[arg-type, no-untyped-call]


def test_short_printable_text_is_kept() -> None:
    assert one_line("TypeError: x is undefined") == "TypeError: x is undefined"


def test_newlines_and_control_characters_are_escaped() -> None:
    text = "boom\n[Reflex Backend Exception]\r\n\x1b[31mred\tX\u2028Y\x00\\n"
    line = one_line(text)
    assert line == "boom\\n[Reflex Backend Exception]\\r\\n\\x1b[31mred\\tX\\u2028Y\\x00\\\\n"
    assert line.isprintable()


def test_long_text_is_truncated_with_its_length() -> None:
    line = one_line("x" * 10_000_000)
    assert line == "x" * 300 + "... [truncated, 10000000 characters]"
    # escapes count towards the limit: 300 newlines do not become 600 characters
    escaped = one_line("\n" * 300)
    assert escaped.startswith("\\n" * 150 + "...")
    assert len(escaped.split("...")[0]) == 300
    assert one_line("y" * 300) == "y" * 300  # exactly at the limit: whole


def test_a_report_is_one_line_through_the_todo_app_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="todo_app")
    log_frontend_exception(Exception("first\n[Reflex Backend Exception]\nforged"))
    (record,) = [r for r in caplog.records if r.name == frontend_errors.__name__]
    assert record.name.startswith("todo_app.")
    message = record.getMessage()
    assert "\n" not in message
    assert message == (
        "Frontend error (reported by a browser): first\\n[Reflex Backend Exception]\\nforged"
    )


def test_at_most_ten_lines_a_minute_then_one_suppressed_line(
    errors: FrontendErrorLog, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="todo_app")
    for number in range(25):
        clock.now += 1
        errors.report(Exception(f"error {number}"))
    assert len(lines(caplog)) == 10
    assert lines(caplog)[-1].endswith("error 9")

    caplog.clear()
    clock.now += 60  # a new window
    errors.report(Exception("error 25"))
    assert lines(caplog) == [
        "15 frontend errors suppressed (more than 10 in 60 s)",
        "Frontend error (reported by a browser): error 25",
    ]

    caplog.clear()
    clock.now += 61  # nothing was dropped in the last window: no summary
    errors.report(Exception("error 26"))
    assert lines(caplog) == ["Frontend error (reported by a browser): error 26"]


def test_a_flood_costs_a_bounded_amount_of_log(
    errors: FrontendErrorLog, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="todo_app")
    big = "A\n" * 5_000_000  # 10 MB, as the hostile socket sent
    for _ in range(200):
        errors.report(Exception(big))
    assert len(lines(caplog)) == 10
    assert sum(len(line) for line in lines(caplog)) < 10 * 400


def test_an_unprintable_exception_does_not_break_the_handler(
    errors: FrontendErrorLog, caplog: pytest.LogCaptureFixture
) -> None:
    class Nasty(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    caplog.set_level(logging.WARNING, logger="todo_app")
    errors.report(Nasty())
    assert lines(caplog) == ["Frontend error (reported by a browser): <unprintable Nasty>"]
