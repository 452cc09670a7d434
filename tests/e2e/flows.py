"""What a person does, by the UI contract's accessible names."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Locator, Page, expect

PASSWORD = "a long password"


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


def sign_up(page: Page, email: str, password: str = PASSWORD, base: str = "") -> None:
    page.goto(f"{base}/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_label("New todo")).to_be_visible()


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/?$"))


def todo_items(page: Page) -> Locator:
    return page.get_by_role("list", name="Todos").get_by_role("listitem")


def add_todo(page: Page, title: str, *, press_enter: bool = False) -> None:
    box = page.get_by_label("New todo")
    box.fill(title)
    if press_enter:
        box.press("Enter")
    else:
        page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("checkbox", name=f"Complete {title}")).to_be_visible()
    expect(box).to_have_value("")


def tap_height(control: Locator) -> float:
    """The height of the area that takes a tap on ``control``: the control and the
    invisible ``::after`` box around it (components/touch.py)."""
    height: float = control.evaluate(
        "el => { const r = el.getBoundingClientRect(), a = getComputedStyle(el, '::after');"
        " return r.height - 2 * (parseFloat(a.top) || 0); }"
    )
    return height
