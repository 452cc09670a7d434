"""Rich todos in Chromium: quick add, finding, undo, repeating todos."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.e2e.flows import log_out, new_email, sign_up, todo_items
from todo_app.ui.state.transfer import IMPORT_UPLOAD_ID


def quick_add(page: Page, text: str, title: str) -> None:
    box = page.get_by_label("New todo")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_role("checkbox", name=f"Complete {title}", exact=True).first).to_be_visible()
    expect(box).to_have_value("")


def choose(page: Page, select: str, option: str) -> None:
    page.get_by_role("combobox", name=select).click()
    page.get_by_role("option", name=option, exact=True).click()


def row(page: Page, title: str) -> Locator:
    return todo_items(page).filter(
        has=page.get_by_role("checkbox", name=f"Complete {title}", exact=True)
    )


def test_quick_add_understands_dates_tags_priority_and_repeats(page: Page) -> None:
    sign_up(page, new_email())
    box = page.get_by_label("New todo")
    box.fill("Pay rent every month on the 1st #home !high")
    preview = page.locator("#quick-add-preview")
    expect(preview).to_contain_text("every month on the 1st")
    expect(preview).to_contain_text("#home")
    expect(preview).to_contain_text("high priority")
    box.press("Enter")
    rent = row(page, "Pay rent")
    expect(rent).to_contain_text("High")
    expect(rent).to_contain_text("#home")
    expect(rent).to_contain_text("every month on the 1st")
    expect(box).to_have_value("")
    expect(preview).to_have_count(0)

    quick_add(page, "Read 1984", "Read 1984")  # a year-looking title stays a title
    expect(row(page, "Read 1984").locator("[title=Due], [title=Overdue]")).to_have_count(0)


def test_search_filters_and_sort_combine_and_live_in_the_url(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Buy oat milk #errands !high", "Buy oat milk")
    quick_add(page, "Buy almond milk #errands !low", "Buy almond milk")
    quick_add(page, "Buy bread #errands !high", "Buy bread")
    quick_add(page, "Milk the goat #farm !high", "Milk the goat")

    page.get_by_label("Search").fill("milk")
    expect(page).to_have_url(re.compile(r"q=milk"))
    expect(todo_items(page)).to_have_count(3)
    choose(page, "Priority", "High")
    expect(todo_items(page)).to_have_count(2)
    choose(page, "Tag", "#errands")
    expect(todo_items(page)).to_have_count(1)
    choose(page, "Tag", "Any tag")
    choose(page, "Sort by", "Title")
    expect(todo_items(page)).to_have_count(2)
    expect(todo_items(page).first).to_contain_text("Buy oat milk")
    expect(page).to_have_url(re.compile(r"priority=high"))
    expect(page).to_have_url(re.compile(r"sort=title"))

    shared = page.url
    page.goto("about:blank")
    page.goto(shared)  # a bookmarked or shared view opens as it was
    expect(page.get_by_label("Search")).to_have_value("milk")
    expect(page.get_by_role("combobox", name="Priority")).to_contain_text("High")
    expect(page.get_by_role("combobox", name="Sort by")).to_contain_text("Title")
    expect(todo_items(page)).to_have_count(2)
    expect(todo_items(page).first).to_contain_text("Buy oat milk")
    expect(todo_items(page).last).to_contain_text("Milk the goat")


def test_smart_views(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Dentist today", "Dentist")
    expect(row(page, "Dentist").get_by_title("Due soon", exact=True)).to_be_visible()
    quick_add(page, "Plan trip next week", "Plan trip")
    quick_add(page, "Someday maybe", "Someday maybe")
    views = page.get_by_role("navigation", name="Views")
    expect(views.get_by_role("link", name="Today")).to_contain_text("1")  # open todos in it
    views.get_by_role("link", name="Today").click()
    expect(views.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    expect(todo_items(page)).to_have_count(1)
    expect(todo_items(page).first).to_contain_text("Dentist")
    views.get_by_role("link", name="No date").click()
    expect(todo_items(page)).to_have_count(1)
    expect(todo_items(page).first).to_contain_text("Someday maybe")
    views.get_by_role("link", name="Upcoming").click()
    expect(todo_items(page).first).to_contain_text("Plan trip")


def test_undo_delete_and_complete(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Keep this #precious !medium", "Keep this")
    page.get_by_role("button", name="Delete Keep this").click()
    expect(page.get_by_role("checkbox", name="Complete Keep this")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    restored = row(page, "Keep this")
    expect(restored).to_contain_text("#precious")
    expect(restored).to_contain_text("Medium")

    page.get_by_role("checkbox", name="Complete Keep this").click()
    expect(page.get_by_role("checkbox", name="Complete Keep this")).to_be_checked()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("checkbox", name="Complete Keep this")).not_to_be_checked()
    page.reload()
    expect(page.get_by_role("checkbox", name="Complete Keep this")).not_to_be_checked()


def test_a_repeating_todo_rolls_forward_in_place(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Water plants every day", "Water plants")
    box = page.get_by_role("checkbox", name="Complete Water plants", exact=True)
    expect(row(page, "Water plants")).to_contain_text("Today")
    box.click()
    toast = page.get_by_role("status", name="Undo")
    expect(toast).to_contain_text("next: Tomorrow")
    expect(box).to_have_count(1)  # one row, still open, due on its next date
    expect(box).not_to_be_checked()
    expect(row(page, "Water plants")).to_contain_text("Tomorrow")
    page.keyboard.press("Control+z")  # Undo, from the keyboard
    expect(row(page, "Water plants")).to_contain_text("Today")
    expect(toast).to_have_count(0)
    page.reload()
    expect(row(page, "Water plants")).to_contain_text("Today")
    expect(box).to_have_count(1)


def test_edit_priority_due_tags_and_a_bad_repeat(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Team sync #work", "Team sync")
    quick_add(page, "Write report", "Write report")
    page.get_by_role("button", name="Edit Write report").click()
    choose(page, "Edit priority", "High")
    page.locator("input[name=due_date]").fill("2031-05-20")
    page.locator("input[name=due_time]").fill("09:30")
    page.get_by_role("textbox", name="Add a tag").fill("q2")  # saved as the box is left
    page.get_by_role("button", name="Add tag work").click()  # chosen from the user's tags
    tags = page.get_by_role("list", name="Tags of this todo")
    expect(tags.get_by_role("listitem")).to_have_text(["#q2", "#work"])
    tags.get_by_role("button", name="Remove tag q2").click()
    expect(tags.get_by_role("listitem")).to_have_text(["#work"])
    page.get_by_role("textbox", name="Add a tag").fill("q2")
    page.get_by_role("textbox", name="Add a tag").press("Enter")
    expect(tags.get_by_role("listitem")).to_have_text(["#q2", "#work"])  # by name
    page.get_by_role("button", name="Save").click()
    report = row(page, "Write report")
    expect(report).to_contain_text("High")
    expect(report).to_contain_text("20 May 2031 09:30")
    expect(report.get_by_title("Due", exact=True)).to_be_visible()  # years away: not soon
    expect(report.get_by_title("Due soon", exact=True)).to_have_count(0)
    expect(report).to_contain_text("#q2")
    expect(report).to_contain_text("#work")

    page.get_by_role("button", name="Edit Write report").click()
    page.locator("input[name=due_date]").fill("")
    page.locator("input[name=due_time]").fill("")
    choose(page, "Repeat", "Every day")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("due date to repeat from")
    expect(page.get_by_role("button", name="Save")).to_be_visible()  # the form stays open


def test_subtasks_show_progress(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Move house", "Move house")
    page.get_by_role("button", name="Edit Move house").click()
    for step in ("Book van", "Pack books", "Hand in keys"):
        page.get_by_label("New subtask").fill(step)
        page.get_by_role("button", name="Add subtask").click()
        expect(page.get_by_role("checkbox", name=f"Complete subtask {step}")).to_be_visible()
    page.get_by_role("checkbox", name="Complete subtask Book van").click()
    expect(page.get_by_role("checkbox", name="Complete subtask Book van")).to_be_checked()
    page.get_by_role("button", name="Close").click()
    expect(row(page, "Move house")).to_contain_text("1/3")


def test_bulk_complete_tag_and_delete(page: Page) -> None:
    sign_up(page, new_email())
    for title in ("Alpha", "Beta", "Gamma", "Delta"):
        quick_add(page, title, title)
    expect(page.get_by_role("checkbox", name="Select Alpha")).to_have_count(0)  # a mode
    select = page.get_by_role("button", name="Select", exact=True)
    select.click()
    page.get_by_role("checkbox", name="Select Alpha").click()
    page.get_by_role("checkbox", name="Select Beta").click()
    bar = page.get_by_role("toolbar", name="Selected todos")
    expect(bar).to_contain_text("2 selected")
    page.set_viewport_size({"width": 1280, "height": 400})  # the bar stays in view
    expect(bar).to_be_in_viewport()
    page.get_by_role("button", name="Complete selected").click()
    expect(page.get_by_role("checkbox", name="Complete Alpha")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Complete Beta")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Complete Gamma")).not_to_be_checked()
    expect(bar).to_have_count(0)  # done: the mode ends with the action

    select.click()
    page.get_by_role("checkbox", name="Select Gamma").click()
    page.get_by_role("checkbox", name="Select Delta").click()
    page.get_by_label("Tag for the selected todos").fill("greek")
    page.get_by_role("button", name="Tag selected").click()
    expect(row(page, "Gamma")).to_contain_text("#greek")
    expect(row(page, "Delta")).to_contain_text("#greek")

    select.click()
    page.get_by_role("checkbox", name="Select Alpha").click()
    page.get_by_role("checkbox", name="Select Gamma").click()
    page.get_by_role("button", name="Delete selected").click()
    expect(todo_items(page)).to_have_count(2)
    page.get_by_role("button", name="Undo").click()
    expect(todo_items(page)).to_have_count(4)


def _expect_no_dialog(page: Page) -> None:
    """Gone from the page, not only from its accessibility tree: while a dialog
    plays its closing animation the keys still go to it, and when it unmounts it
    gives the focus back to its trigger."""
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_have_count(0)
    expect(page.locator("[role=dialog]")).to_have_count(0)


def test_keyboard_shortcuts(page: Page) -> None:
    sign_up(page, new_email())
    for title in ("First", "Second", "Third"):
        quick_add(page, title, title)
    page.get_by_label("New todo").blur()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    _expect_no_dialog(page)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.get_by_role("button", name="Close").click()
    _expect_no_dialog(page)

    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page.get_by_label("New todo")).to_be_focused()
    page.keyboard.press("Escape")

    page.keyboard.press("j")  # newest first: Third
    page.keyboard.press("j")  # Second
    page.keyboard.press("x")
    expect(page.get_by_role("checkbox", name="Complete Second")).to_be_checked()
    page.keyboard.press("k")  # Third
    page.keyboard.press("Delete")
    expect(page.get_by_role("checkbox", name="Complete Third")).to_have_count(0)
    page.keyboard.press("j")
    page.keyboard.press("e")
    expect(page.get_by_role("textbox", name="Title")).to_be_visible()


def test_export_then_import_into_another_account(page: Page, tmp_path: Path) -> None:
    sign_up(page, new_email())
    quick_add(page, "Pay rent every month on the 1st #home !high", "Pay rent")
    quick_add(page, "Call mom tomorrow 6pm", "Call mom")
    page.get_by_role("link", name="Settings").click()
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Export CSV").click()
    csv_text = Path(csv_download.value.path()).read_text()
    assert csv_text.splitlines()[0].startswith("title,description,completed,priority")
    assert len(csv_text.strip().splitlines()) == 3
    with page.expect_download() as json_download:
        page.get_by_role("button", name="Export JSON", exact=True).click()
    exported = tmp_path / "todos.json"
    exported.write_text(Path(json_download.value.path()).read_text())
    assert len(json.loads(exported.read_text())["todos"]) == 2

    log_out(page)
    sign_up(page, new_email())
    page.get_by_role("link", name="Settings").click()
    broken = tmp_path / "broken.json"
    document = json.loads(exported.read_text())
    document["todos"][1]["due_date"] = "2026-02-30"
    broken.write_text(json.dumps(document))
    page.locator(f"#{IMPORT_UPLOAD_ID} input[type=file]").set_input_files(str(broken))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("not imported")
    expect(page.get_by_role("list", name="Import problems")).to_contain_text("Entry 2")
    page.get_by_role("link", name="Back to your todos").click()
    expect(page.get_by_role("region", name="Getting started")).to_be_visible()  # nothing imported
    page.get_by_role("link", name="Settings").click()

    page.locator(f"#{IMPORT_UPLOAD_ID} input[type=file]").set_input_files(str(exported))
    expect(page.get_by_text("todos.json", exact=True)).to_be_visible()  # the file chosen
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Imported 2 todos")).to_be_visible()
    expect(page.get_by_text("todos.json", exact=True)).to_have_count(0)  # and cleared
    page.get_by_role("link", name="Back to your todos").click()
    expect(row(page, "Pay rent")).to_contain_text("#home")
    expect(row(page, "Pay rent")).to_contain_text("every month on the 1st")
    expect(row(page, "Call mom")).to_contain_text("18:00")


def _due_in_two_minutes(page: Page, title: str) -> None:
    quick_add(page, title, title)
    browser_zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    soon = (datetime.now(UTC) + timedelta(minutes=2)).astimezone(ZoneInfo(browser_zone))
    page.get_by_role("button", name=f"Edit {title}").click()
    page.locator("input[name=due_date]").fill(soon.date().isoformat())
    page.locator("input[name=due_time]").fill(soon.strftime("%H:%M"))
    page.get_by_role("button", name="Save").click()
    expect(row(page, title)).to_contain_text(soon.strftime("%H:%M"))
    # The due badge itself says it: its accessible name (title) is "Due soon".
    expect(row(page, title).get_by_title("Due soon", exact=True)).to_be_visible()


def test_reminder_banner_when_notifications_are_not_allowed(page: Page) -> None:
    page.clock.install()
    page.emulate_media(color_scheme="dark")  # and the app in dark mode, for once
    sign_up(page, new_email())
    _due_in_two_minutes(page, "Stretch")
    banner = page.locator("#reminder-banner")
    expect(banner).to_be_hidden()
    page.clock.fast_forward("05:00")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Due now: Stretch")


def test_reminder_notification_once_allowed(page: Page) -> None:
    page.context.grant_permissions(["notifications"])
    page.add_init_script(
        "window.__shown = [];"
        "window.Notification = function (title) { window.__shown.push(title); };"
        "window.Notification.permission = 'granted';"
        "window.Notification.requestPermission = () => Promise.resolve('granted');"
    )
    page.clock.install()
    sign_up(page, new_email())
    _due_in_two_minutes(page, "Take pills")
    page.clock.fast_forward("05:00")
    page.wait_for_function("window.__shown.length > 0")
    assert page.evaluate("window.__shown") == ["Due now: Take pills"]
    expect(page.locator("#reminder-banner")).to_be_hidden()


def test_tags_renamed_and_deleted_everywhere_and_a_due_range(page: Page) -> None:
    sign_up(page, new_email())
    quick_add(page, "Fix sink #hoem", "Fix sink")
    quick_add(page, "Paint door #hoem #diy", "Paint door")
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("New name for hoem").fill("home")
    page.get_by_label("New name for hoem").press("Enter")
    expect(page.get_by_label("New name for home")).to_be_visible()
    page.get_by_role("button", name="Delete tag diy").click()
    expect(page.get_by_role("button", name="Delete tag diy")).to_have_count(0)
    page.get_by_role("link", name="Back to your todos").click()
    expect(row(page, "Fix sink")).to_contain_text("#home")
    expect(row(page, "Paint door")).to_contain_text("#home")
    expect(row(page, "Paint door")).not_to_contain_text("#diy")

    quick_add(page, "File taxes 2031-04-15", "File taxes")
    quick_add(page, "Renew passport 2031-09-01", "Renew passport")
    page.get_by_text("More filters").click()
    page.get_by_label("Due from").fill("2031-04-01")
    page.get_by_label("Due to").fill("2031-04-30")
    expect(todo_items(page)).to_have_count(1)
    expect(todo_items(page).first).to_contain_text("File taxes")
    expect(page).to_have_url(re.compile(r"from=2031-04-01.*to=2031-04-30"))


def test_the_page_fits_a_360_px_phone(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    sign_up(page, new_email())
    quick_add(page, "Pay rent every month on the 1st #home #bills !high", "Pay rent")
    expect(row(page, "Pay rent")).to_contain_text("#bills")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
