"""Quick add says plainly what it did not take from the line."""

from __future__ import annotations

from playwright.sync_api import Page, expect

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
