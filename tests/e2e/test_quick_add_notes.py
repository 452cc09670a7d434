"""Quick add says plainly what it did not take from the line."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import new_email, sign_up


def test_a_date_it_cannot_read_is_said_and_no_date_is_guessed(page: Page) -> None:
    sign_up(page, new_email())
    box = page.get_by_label("New todo")
    box.fill("doctor appointment 12/45")
    notes = page.get_by_role("status", name="Quick add notes")
    expect(notes).to_contain_text("was not understood as a date")
    box.press("Enter")
    row = page.get_by_role("checkbox", name="Complete doctor appointment 12/45")
    expect(row).to_be_visible()
    expect(notes).to_contain_text("no due date was set")  # still said once saved


@pytest.mark.parametrize(
    ("locale", "meant", "clock"), [("en-US", "Mar 12", "10:00 AM"), ("en-GB", " 3 Dec", " 10:00")]
)
def test_a_numeric_date_is_read_and_written_in_the_browser_languages_order(
    browser: Browser, base_url: str, locale: str, meant: str, clock: str
) -> None:
    """3/12 is 12 March in the US and 3 December in Britain; each reads its dates and
    times back as it writes them ("Mar 12 ... 10:00 AM", "3 Dec 10:00")."""
    context = browser.new_context(base_url=base_url, locale=locale)
    try:
        page = context.new_page()
        sign_up(page, new_email())
        page.get_by_label("New todo").fill("doctor 3/12 10am")
        preview = page.locator("#quick-add-preview")
        expect(preview).to_contain_text(meant)
        expect(preview).to_contain_text(clock)
        page.get_by_label("New todo").press("Enter")
        added = page.get_by_role("listitem").filter(
            has=page.get_by_role("checkbox", name="Complete doctor", exact=True)
        )
        expect(added).to_contain_text(meant.strip())
        expect(added).to_contain_text(clock)
    finally:
        context.close()
