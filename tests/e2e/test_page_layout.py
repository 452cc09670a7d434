"""The page's hierarchy: what is due first, under headings; the rest where it was added."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.flows import new_email, sign_up, todo_items
from tests.e2e.test_rich_todos import quick_add, row


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
