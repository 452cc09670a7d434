"""The undo toast hides itself in the page when its time is up (no server timer)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.flows import new_email, sign_up
from todo_app.ui.state.todos import UNDO_SECONDS


def test_the_undo_toast_hides_itself_and_the_next_offer_shows_again(page: Page) -> None:
    sign_up(page, new_email())
    box = page.get_by_label("New todo")
    box.fill("Finish the report")
    box.press("Enter")
    done = page.get_by_role("checkbox", name="Complete Finish the report", exact=True)
    done.click()
    toast = page.get_by_role("status", name="Undo")
    expect(toast).to_contain_text("Completed “Finish the report”.")
    page.wait_for_timeout((UNDO_SECONDS - 2) * 1000)
    expect(toast).to_be_visible()  # not before its time
    expect(toast).to_be_hidden(timeout=4000)
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    expect(done).to_be_checked()
    done.click()  # reopened: no offer
    expect(done).not_to_be_checked()
    done.click()  # completed again: a new offer, with a timer of its own
    expect(toast).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(done).not_to_be_checked()
