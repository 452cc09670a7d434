"""Lists and sharing in Chromium: two people, two browser profiles, live."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import add_todo, new_email, sign_up, todo_items
from tests.support.live_app import LiveApp
from tests.support.pages import page_on

LIVE_MS = 5_000


def _lists(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("navigation", name="Lists")


def _new_list(page: Page, name: str) -> None:
    page.get_by_role("button", name="New list").click()
    page.get_by_role("textbox", name="List name").fill(name)
    page.get_by_role("button", name="Create list").click()
    expect(_lists(page).get_by_role("link", name=name, exact=True)).to_have_attribute(
        "aria-current", "page"
    )


def _share(page: Page, email: str, role: str) -> None:
    page.get_by_role("button", name="Share list").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Email").fill(email)
    dialog.get_by_role("combobox", name="Role", exact=True).click()
    page.get_by_role("option", name=role, exact=True).click()
    dialog.get_by_role("button", name="Invite").click()
    expect(dialog.get_by_role("list", name="Members")).to_contain_text(email)
    dialog.get_by_role("button", name="Close").click()


def test_two_lists_keep_their_own_todos(page: Page) -> None:
    sign_up(page, new_email())
    expect(_lists(page).get_by_role("link").first).to_have_text("Inbox")
    _new_list(page, "Groceries")
    add_todo(page, "Milk")
    _lists(page).get_by_role("link", name="Inbox", exact=True).click()
    expect(page).to_have_url(re.compile(r"list=\d+"))
    add_todo(page, "Call mum")
    expect(todo_items(page)).to_have_count(1)
    _lists(page).get_by_role("link", name="Groceries", exact=True).click()
    expect(todo_items(page)).to_have_count(1)
    expect(todo_items(page).first).to_contain_text("Milk")
    page.get_by_role("link", name="All lists").click()
    expect(todo_items(page)).to_have_count(2)


def test_a_todo_moves_to_another_list_and_lists_reorder(page: Page) -> None:
    sign_up(page, new_email())
    _new_list(page, "Groceries")
    _new_list(page, "Hardware")
    add_todo(page, "Nails")
    page.get_by_role("button", name="Edit Nails").click()
    page.get_by_role("combobox", name="List").click()
    page.get_by_role("option", name="Groceries", exact=True).click()
    page.get_by_role("button", name="Save").click()
    expect(todo_items(page)).to_have_count(0)
    _lists(page).get_by_role("link", name="Groceries", exact=True).click()
    expect(page.get_by_role("checkbox", name="Complete Nails")).to_be_visible()

    _lists(page).get_by_role("link", name="Hardware", exact=True).click()
    page.get_by_role("button", name="Move list up").click()
    expect(_lists(page).get_by_role("link")).to_have_text(["Inbox", "Hardware", "Groceries"])


def test_owner_editor_viewer_and_a_removed_member(
    page: Page, browser: Browser, live_app: LiveApp
) -> None:
    editor_email, viewer_email = new_email(), new_email()
    with (
        page_on(browser, live_app.frontend_url) as editor,
        page_on(browser, live_app.frontend_url) as viewer,
    ):
        sign_up(editor, editor_email)
        sign_up(viewer, viewer_email)
        sign_up(page, new_email())
        _new_list(page, "Trip")
        _share(page, editor_email, "Editor")
        _share(page, viewer_email, "Viewer")

        # Each member's page shows the shared list at once, without a reload.
        trip = _lists(editor).get_by_role("link", name="Trip", exact=True)
        expect(trip).to_be_visible(timeout=LIVE_MS)
        trip.click()
        _lists(viewer).get_by_role("link", name="Trip", exact=True).click(timeout=LIVE_MS)
        # As a person would: type once the list has opened (a box typed into while
        # the page is still switching lists is drawn afresh, empty).
        expect(editor.get_by_role("heading", name="Trip", level=1)).to_be_visible()

        # The editor and the owner see each other's changes live.
        add_todo(editor, "Book the hotel")
        expect(page.get_by_role("checkbox", name="Complete Book the hotel")).to_be_visible(
            timeout=LIVE_MS
        )
        page.get_by_role("checkbox", name="Complete Book the hotel").click()
        expect(editor.get_by_role("checkbox", name="Complete Book the hotel")).to_be_checked(
            timeout=LIVE_MS
        )

        # The viewer sees it all and can change nothing.
        expect(viewer.get_by_role("checkbox", name="Complete Book the hotel")).to_be_disabled(
            timeout=LIVE_MS
        )
        expect(viewer.get_by_role("button", name="Delete Book the hotel")).to_be_disabled()
        expect(viewer.get_by_label("New todo")).to_be_disabled()

        # Removed, the viewer's open page loses the list at once.
        page.get_by_role("button", name="Share list").click()
        page.get_by_role("button", name=f"Remove {viewer_email}").click()
        expect(_lists(viewer).get_by_role("link", name="Trip", exact=True)).to_have_count(
            0, timeout=LIVE_MS
        )
        expect(viewer.get_by_role("checkbox", name="Complete Book the hotel")).to_have_count(0)
