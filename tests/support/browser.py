"""Chromium for the browser tests: Debian's, with the flags this workplace needs."""

from __future__ import annotations

import os
import shutil
from collections import deque
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from tests.support.app_logs import problems
from tests.support.live_app import LiveApp

# The language every test page says it speaks unless a test chooses one: dates and
# times read as Britain writes them ("Tue 1 Dec", "09:30"), on any machine.
BROWSER_LOCALE = "en-GB"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """An explicit choice first, then Debian's Chromium; None uses Playwright's own."""
    chosen = os.environ.get("CHROMIUM_EXECUTABLE")
    if chosen:
        return chosen
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    executable = chromium_executable()
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": BROWSER_LOCALE}


# What a failing browser test reports of its page (bounded: a page may log a lot).
CONSOLE_LINES = 40
PAGE_TEXT_CHARS = 600  # Playwright's failure prints the page's accessibility tree too
BROWSER_EVENTS = pytest.StashKey[deque[str]]()
# Chromium's console line for anything the policy blocked.
CSP_VIOLATION = "Content Security Policy"
CSP_REPORT_CHARS = 1_500


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The test's page; it fails if the page broke its Content Security Policy
    (what the policy blocked, e.g. code that evaluates a string, did not work)."""
    # Generous: a reconnect after a lost backend takes a few seconds by design.
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    events: deque[str] = deque(maxlen=CONSOLE_LINES)
    blocked: deque[str] = deque(maxlen=5)

    def on_console(message: ConsoleMessage) -> None:
        events.append(_console_line(message))
        if CSP_VIOLATION in message.text:
            blocked.append(_console_line(message)[:CSP_REPORT_CHARS])

    page.on("console", on_console)
    page.on("pageerror", lambda error: events.append(f"pageerror: {error}"))
    page.on("framenavigated", lambda frame: events.append(f"navigated: {frame.url}"))
    request.node.stash[BROWSER_EVENTS] = events
    yield page
    if blocked:
        pytest.fail("the page broke its Content Security Policy:\n" + "\n".join(blocked))


def _console_line(message: ConsoleMessage) -> str:
    return f"console.{message.type}: {message.text}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed browser test says what its page showed and logged, and what the
    app's processes logged as warnings and errors: a flake on a machine we cannot
    reach is then read, not guessed."""
    report = yield
    if report.failed and call.when == "call" and BROWSER_EVENTS in item.stash:
        report.sections.append(("browser", _what_the_page_showed(item)))
        app = item.funcargs.get("live_app")  # type: ignore[attr-defined]
        if isinstance(app, LiveApp) and app.read_logs is not None:
            try:
                found = problems(app.read_logs())
            except Exception as error:  # the report must not hide the failure
                found = [f"the app's logs could not be read: {error}"]
            report.sections.append(
                ("app's warnings and errors (last lines)", "\n".join(found) or "none")
            )
    return report


def _what_the_page_showed(item: pytest.Item) -> str:
    events = item.stash[BROWSER_EVENTS]
    lines = list(events)
    page = item.funcargs.get("page")  # type: ignore[attr-defined]
    if isinstance(page, Page):
        try:
            text = page.locator("body").inner_text(timeout=2_000)[:PAGE_TEXT_CHARS]
            lines += [f"url: {page.url}", "text:", text]
        except Error as error:
            lines.append(f"the page could not be read: {error}")
    return "\n".join(lines)
