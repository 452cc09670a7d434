"""The edit panel: beside the list, each field saved as it is left, Escape closes it
and focus returns to what opened it."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.flows import new_email, sign_up, tap_height
from tests.e2e.test_live_updates import LIVE_MS
from tests.e2e.test_rich_todos import choose, quick_add, row
from tests.support.pages import PHONE, page_on


def test_fields_save_as_they_are_left_without_pressing_save(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 860})
    sign_up(page, new_email())
    quick_add(page, "Write report", "Write report")
    quick_add(page, "Buy milk", "Buy milk")
    page.get_by_role("button", name="Edit Write report").click()
    panel = page.get_by_role("complementary", name="Edit todo")
    expect(panel).to_be_visible()
    title = panel.get_by_role("textbox", name="Title")
    expect(title).to_be_focused()

    title.fill("Write the report")
    title.press("Tab")  # left: saved, and the list beside the panel shows it
    expect(panel.get_by_role("status")).to_have_text("Saved")
    expect(page.get_by_role("checkbox", name="Complete Write the report")).to_be_visible()
    choose(page, "Edit priority", "High")
    expect(row(page, "Write the report")).to_contain_text("High")
    page.locator("input[name=due_date]").fill("2031-05-20")
    page.locator("input[name=due_time]").fill("09:30")
    panel.get_by_role("textbox", name="Description").click()  # leaves the time
    expect(row(page, "Write the report")).to_contain_text("20 May 2031 09:30")

    # Beside the list, not over it: the other rows stay in reach.
    edit_milk = page.get_by_role("button", name="Edit Buy milk")
    milk_box, panel_box = edit_milk.bounding_box(), panel.bounding_box()
    assert milk_box is not None and panel_box is not None
    assert milk_box["x"] + milk_box["width"] <= panel_box["x"], (milk_box, panel_box)

    page.keyboard.press("Escape")  # leaves the description
    page.keyboard.press("Escape")  # closes the panel
    expect(panel).to_be_hidden()
    # Back where the user was: the row's Edit button (renamed with its todo).
    expect(page.get_by_role("button", name="Edit Write the report")).to_be_focused()
    page.reload()  # all of it was saved, though Save was never pressed
    report = row(page, "Write the report")
    expect(report).to_contain_text("High")
    expect(report).to_contain_text("20 May 2031 09:30")


def test_a_field_left_invalid_says_why_and_keeps_what_was_typed(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Water plants every day", "Water plants")
    page.get_by_role("button", name="Edit Water plants").click()
    panel = page.get_by_role("complementary", name="Edit todo")
    title = panel.get_by_role("textbox", name="Title")
    title.fill("   ")
    title.press("Tab")
    expect(page.get_by_role("alert")).to_contain_text("title")
    expect(title).to_have_value("   ")  # still there to fix
    description = panel.get_by_role("textbox", name="Description")
    expect(description).to_be_focused()
    description.press("Tab")  # left as it was: the title's error still stands
    page.wait_for_timeout(500)  # the blur's event has been answered
    expect(page.get_by_role("alert")).to_contain_text("title")
    expect(page.get_by_role("checkbox", name="Complete Water plants")).to_be_visible()
    page.locator("input[name=due_date]").fill("")
    panel.get_by_role("textbox", name="Description").click()
    expect(page.get_by_role("alert")).to_contain_text("due date to repeat from")
    expect(row(page, "Water plants")).to_contain_text("every day")  # unchanged


def test_on_a_phone_the_panel_covers_the_page(browser: Browser, base_url: str) -> None:
    with page_on(browser, base_url, viewport=PHONE) as page:
        sign_up(page, new_email())
        quick_add(page, "Call mom", "Call mom")
        page.get_by_role("button", name="Actions for Call mom").click()
        page.get_by_role("menuitem", name="Edit").click()
        panel = page.get_by_role("complementary", name="Edit todo")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box is not None and box["x"] == 0 and box["width"] == 390, box
        panel.get_by_role("textbox", name="Add a tag").fill("family")
        panel.get_by_role("textbox", name="Add a tag").press("Enter")
        panel.get_by_label("New subtask").fill("Find the number")
        panel.get_by_role("button", name="Add subtask").click()
        small = [
            panel.get_by_role("button", name="Remove tag family"),
            panel.get_by_role("checkbox", name="Complete subtask Find the number"),
            panel.get_by_role("button", name="Delete subtask Find the number"),
        ]
        for control in small:  # 44 px to tap, though drawn smaller
            expect(control).to_be_visible()
            assert tap_height(control) >= 44, control
        panel.get_by_role("button", name="Close").click()
        expect(panel).to_be_hidden()
        expect(page.get_by_role("button", name="Actions for Call mom")).to_be_focused()


def test_a_change_made_in_another_window_is_shown_when_asked(
    page: Page, context: BrowserContext
) -> None:
    """The panel does not redraw its fields under the user: it says the todo
    changed, and shows the change on request."""
    page.set_viewport_size({"width": 1280, "height": 860})
    sign_up(page, new_email())
    quick_add(page, "Buy milk", "Buy milk")
    page.get_by_role("button", name="Edit Buy milk").click()
    panel = page.get_by_role("complementary", name="Edit todo")
    expect(panel.get_by_role("textbox", name="Title")).to_have_value("Buy milk")

    other = context.new_page()  # same browser profile: the same login
    other.goto(page.url)
    other.get_by_role("button", name="Edit Buy milk").click()
    other_title = other.get_by_role("complementary", name="Edit todo").get_by_role(
        "textbox", name="Title"
    )
    other_title.fill("Buy oat milk")
    other_title.press("Tab")

    expect(panel).to_contain_text("changed in another window", timeout=LIVE_MS)
    expect(panel.get_by_role("textbox", name="Title")).to_have_value("Buy milk")  # untouched
    panel.get_by_role("button", name="Show the changes").click()
    expect(panel.get_by_role("textbox", name="Title")).to_have_value("Buy oat milk")
    expect(panel).not_to_contain_text("changed in another window")
