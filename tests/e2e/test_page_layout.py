"""The page's hierarchy: what is due first, under headings; the rest where it was added."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import new_email, sign_up, tap_height, todo_items
from tests.e2e.test_rich_todos import quick_add, row
from tests.support.pages import PHONE, page_on


def _titles(page: Page) -> list[str]:
    boxes = todo_items(page).get_by_role("checkbox", name="Complete ")
    return [
        str(name)[len("Complete ") :]
        for name in boxes.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    ]


def test_what_is_due_comes_first_under_headings(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Plan trip next week", "Plan trip")
    quick_add(page, "Pay bills yesterday", "Pay bills")
    quick_add(page, "Call dentist today", "Call dentist")
    quick_add(page, "Buy milk", "Buy milk")
    page.get_by_role("checkbox", name="Complete Plan trip").click()
    expect(page.get_by_role("checkbox", name="Complete Plan trip")).to_be_checked()
    page.reload()  # the order of a fresh page: done ones last, still listed
    expect(todo_items(page)).to_have_count(4)
    for title, heading in (
        ("Pay bills", "Overdue"),
        ("Call dentist", "Today"),
        ("Buy milk", "Later"),
        ("Plan trip", "Done"),
    ):
        expect(row(page, title)).to_have_attribute("data-band", heading)
    assert _titles(page) == ["Pay bills", "Call dentist", "Buy milk", "Plan trip"]
    band = row(page, "Pay bills").evaluate("li => getComputedStyle(li, '::before').content")
    assert band == '"Overdue"'  # seen (and read out) above the row

    quick_add(page, "Water plants", "Water plants")  # added: at the top of the rest
    expect(row(page, "Buy milk")).to_have_attribute("data-band", "")
    expect(row(page, "Water plants")).to_have_attribute("data-band", "Later")
    assert _titles(page)[2] == "Water plants"


def test_the_side_bar_is_a_drawer_on_a_phone(browser: Browser, base_url: str) -> None:
    with page_on(browser, base_url, viewport=PHONE) as page:
        sign_up(page, new_email())
        lists = page.get_by_role("navigation", name="Lists")
        expect(lists).to_be_hidden()  # the list comes first on a phone
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
        expect(lists.get_by_role("link", name="Inbox")).to_be_visible()
        page.get_by_role("navigation", name="Views").get_by_role("link", name="No date").click()
        expect(page).to_have_url(re.compile(r"view=no-date"))
        expect(lists).to_be_hidden()  # closed by the page it opened
        first_row_top = page.get_by_label("New todo").bounding_box()
        assert first_row_top is not None and first_row_top["y"] < 120  # no wall above it


def test_on_a_phone_the_filters_wait_behind_one_button(browser: Browser, base_url: str) -> None:
    with page_on(browser, base_url, viewport=PHONE) as page:
        sign_up(page, new_email())
        quick_add(page, "Water plants", "Water plants")
        status = page.get_by_role("combobox", name="Status")
        expect(status).to_be_hidden()
        expect(page.get_by_role("combobox", name="Sort by")).to_be_visible()
        first = todo_items(page).first.bounding_box()
        assert first is not None and first["y"] < 300, first  # a third of the screen, not two
        filters = page.get_by_role("button", name="Filters")
        filters.click()
        expect(filters).to_have_attribute("aria-expanded", "true")
        status.click()
        page.get_by_role("option", name="Open", exact=True).click()
        expect(page).to_have_url(re.compile(r"status=open"))
        expect(page.get_by_role("button", name="Filters on")).to_be_visible()  # says so


def test_a_skip_link_leads_to_the_list_and_settings_live_apart(page: Page) -> None:
    sign_up(page, new_email())
    first_stop = page.evaluate(
        "document.querySelector('a[href], button, input, select, textarea,"
        ' [tabindex]:not([tabindex="-1"])\').textContent'
    )
    assert first_stop == "Skip to the list"  # the first stop of the keyboard
    skip = page.get_by_role("link", name="Skip to the list")
    expect(skip).not_to_be_in_viewport()  # hidden until focused
    skip.focus()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page.get_by_role("region", name="Manage tags")).to_have_count(0)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("region", name="Manage tags")).to_be_visible()
    expect(page.get_by_role("region", name="Your data")).to_be_visible()
    expect(page.get_by_role("region", name="Account")).to_be_visible()
    page.get_by_role("link", name="Back to your todos").click()
    expect(page.get_by_label("New todo")).to_be_visible()


def test_on_a_phone_row_actions_are_behind_one_menu(browser: Browser, base_url: str) -> None:
    with page_on(browser, base_url, viewport=PHONE) as page:
        sign_up(page, new_email())
        quick_add(page, "Water plants", "Water plants")
        expect(page.get_by_role("button", name="Edit Water plants")).to_be_hidden()
        complete = page.get_by_role("checkbox", name="Complete Water plants")
        # Its tap target reaches 44 px (an invisible box around the 20-odd px control).
        assert tap_height(complete) >= 44
        page.get_by_role("button", name="Actions for Water plants").click()
        page.get_by_role("menuitem", name="Edit").click()
        expect(page.get_by_role("textbox", name="Title")).to_have_value("Water plants")
