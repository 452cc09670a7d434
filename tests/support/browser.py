"""Chromium for the browser tests: Debian's, with the flags this workplace needs."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from playwright.sync_api import Page, expect

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


@pytest.fixture
def page(page: Page) -> Page:
    # Generous: a reconnect after a lost backend takes a few seconds by design.
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    return page
