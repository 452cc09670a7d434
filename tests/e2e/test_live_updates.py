"""Two tabs of one user: what one does shows in the other without a reload."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.flows import add_todo, new_email, sign_up, todo_items

# The goal is one second; the wait is longer so that a slow machine fails
# only on an update that never comes.
LIVE_MS = 5_000


def test_a_second_tab_follows_adds_completions_and_deletes(
    page: Page, context: BrowserContext
) -> None:
    sign_up(page, new_email())
    other = context.new_page()  # same browser profile: the same login
    other.goto(page.url)
    expect(other.get_by_label("New todo")).to_be_visible()
    expect(todo_items(other)).to_have_count(0)

    add_todo(page, "Call the plumber")
    expect(other.get_by_role("checkbox", name="Complete Call the plumber")).to_be_visible(
        timeout=LIVE_MS
    )

    page.get_by_role("checkbox", name="Complete Call the plumber").click()
    expect(other.get_by_role("checkbox", name="Complete Call the plumber")).to_be_checked(
        timeout=LIVE_MS
    )

    other.get_by_role("button", name="Delete Call the plumber").click()
    expect(todo_items(page)).to_have_count(0, timeout=LIVE_MS)
