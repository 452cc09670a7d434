"""A browser page on a given app, apart from the parametrised ``page`` fixture."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, ViewportSize

from tests.support.browser import BROWSER_LOCALE

# The phone the page is laid out for (an iPhone 12-15's CSS pixels).
PHONE: ViewportSize = {"width": 390, "height": 844}


@contextmanager
def page_on(
    browser: Browser, base_url: str, *, viewport: ViewportSize | None = None
) -> Iterator[Page]:
    """A context of its own: pytest-playwright computes its context arguments
    (base_url included) once per session, so a module overriding ``base_url``
    would leak its URL into every later browser test. ``viewport``: e.g. PHONE."""
    context = browser.new_context(base_url=base_url, locale=BROWSER_LOCALE, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
