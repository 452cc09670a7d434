"""The foundation, end to end in Chromium: accounts and todos."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.flows import PASSWORD, add_todo, log_in, log_out, new_email, sign_up, todo_items

LOGIN_URL = re.compile(r"/login/?$")
HOME_URL = re.compile(r"://[^/]+/?$")


def test_a_signed_out_visitor_is_sent_to_login(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_a_day_with_todos(page: Page) -> None:
    first_user = new_email()
    sign_up(page, first_user)

    add_todo(page, "Buy milk")
    add_todo(page, "Walk the dog", press_enter=True)
    add_todo(page, "Write report")
    expect(todo_items(page)).to_have_count(3)
    expect(todo_items(page).first).to_contain_text("Write report")  # newest first

    page.get_by_role("checkbox", name="Complete Buy milk").click()
    expect(page.get_by_role("checkbox", name="Complete Buy milk")).to_be_checked()

    page.get_by_role("button", name="Edit Walk the dog").click()
    title_box = page.get_by_role("textbox", name="Title")
    expect(title_box).to_have_value("Walk the dog")
    title_box.fill("Walk the dog twice")
    title_box.press("Enter")
    expect(page.get_by_role("checkbox", name="Complete Walk the dog twice")).to_be_visible()

    page.get_by_role("button", name="Delete Write report").click()
    expect(page.get_by_role("checkbox", name="Complete Write report")).to_have_count(0)

    page.reload()
    expect(todo_items(page)).to_have_count(2)
    expect(page.get_by_role("checkbox", name="Complete Buy milk")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Complete Walk the dog twice")).not_to_be_checked()

    log_out(page)
    sign_up(page, new_email())
    start = page.get_by_role("region", name="Getting started")
    expect(start).to_be_visible()
    expect(page.get_by_role("checkbox", name="Complete Buy milk")).to_have_count(0)
    start.get_by_role("button", name="Call mom tomorrow 6pm").click()  # tried, not added
    expect(page.get_by_label("New todo")).to_have_value("Call mom tomorrow 6pm")
    expect(page.get_by_label("New todo")).to_be_focused()
    expect(page.locator("#quick-add-preview")).to_contain_text("18:00")
    page.get_by_label("New todo").press("Enter")
    expect(page.get_by_role("checkbox", name="Complete Call mom")).to_be_visible()
    expect(start).to_have_count(0)

    log_out(page)
    log_in(page, first_user, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("email or password is not correct")
    expect(page).to_have_url(LOGIN_URL)

    log_in(page, first_user, PASSWORD)
    expect(page).to_have_url(HOME_URL)
    expect(todo_items(page)).to_have_count(2)


def test_bad_titles_get_an_alert_and_lose_nothing(page: Page) -> None:
    sign_up(page, new_email())
    add_todo(page, "Keep me")

    box = page.get_by_label("New todo")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Please give the todo a title")

    too_long = "x" * 501
    box.fill(too_long)
    box.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("at most 500 characters")
    expect(box).to_have_value(too_long)  # the text stays to be fixed
    expect(todo_items(page)).to_have_count(1)

    box.fill("Fixed title")
    box.press("Enter")
    expect(page.get_by_role("checkbox", name="Complete Fixed title")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_signing_up_twice_with_one_email_is_refused(page: Page) -> None:
    email = new_email()
    sign_up(page, email)
    log_out(page)
    page.goto("/signup")
    page.get_by_label("Email").fill(email.upper())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_contain_text("already exists")


def test_a_forged_token_in_local_storage_lands_on_login(page: Page) -> None:
    sign_up(page, new_email())
    add_todo(page, "Private")
    token = page.evaluate("() => localStorage.getItem('todo_token')")
    assert token and token.count(".") == 2
    header, payload, _signature = token.split(".")
    page.evaluate(f"() => localStorage.setItem('todo_token', '{header}.{payload}.forged')")
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("alert")).to_contain_text("log in again")
    expect(page.get_by_role("checkbox", name="Complete Private")).to_have_count(0)
