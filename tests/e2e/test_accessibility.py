"""Accessibility in Chromium: axe-core on every page, in both colour themes and
at desktop and phone sizes, against the production shape (the process
rehearsal: nginx serving the static build, two backends).

axe-core is installed, pinned, by scripts/setup-test-services. With
SCREENSHOTS_DIR set (scripts/screenshots), each case also saves a full-page PNG
there, named <page>-<theme>-<size>.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import pytest
from playwright.sync_api import Browser, Page, StorageState, expect

from scripts.process_rehearsal import Rehearsal
from tests.e2e.flows import new_email, sign_up
from tests.support.browser import BROWSER_LOCALE

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / ".tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
SHOWN_TARGETS = 3

THEMES = ["light", "dark"]
SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


@dataclass(frozen=True)
class SignedIn:
    state: StorageState
    edited_title: str


def _ready_login(page: Page, _: SignedIn) -> None:
    page.goto("/login")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_label("Email")).to_be_editable()


def _ready_signup(page: Page, _: SignedIn) -> None:
    page.goto("/signup")
    expect(page.get_by_role("button", name="Sign up", exact=True)).to_be_visible()
    expect(page.get_by_label("Email")).to_be_editable()


def _ready_list(page: Page, user: SignedIn) -> None:
    page.goto("/")
    expect(page.get_by_label("New todo")).to_be_editable()
    expect(page.get_by_role("list", name="Todos").get_by_role("listitem")).to_have_count(len(TODOS))


def _ready_list_editing(page: Page, user: SignedIn) -> None:
    """The edit form of one todo open, and a line typed in quick add (its chips and
    notes): the controls the plain list hides."""
    _ready_list(page, user)
    page.get_by_role("button", name=f"Edit {user.edited_title}", exact=True).click()
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value(user.edited_title)
    page.get_by_label("New todo").fill("Dentist on 12/45 every monday 10am #health p1")
    expect(page.locator("#quick-add-preview")).to_contain_text("#health")
    expect(page.get_by_role("status", name="Quick add notes")).to_be_visible()


def _ready_settings(page: Page, user: SignedIn) -> None:
    page.goto("/settings")
    expect(page.get_by_role("list", name="Tags", exact=True)).to_be_visible()
    expect(page.get_by_label("Current password")).to_be_visible()


# Page name (used in test ids and screenshot names) -> how to get there.
PAGES: dict[str, Callable[[Page, SignedIn], None]] = {
    "login": _ready_login,
    "signup": _ready_signup,
    "list": _ready_list,
    "list-editing": _ready_list_editing,
    "settings": _ready_settings,
}
SIGNED_IN_PAGES = frozenset({"list", "list-editing", "settings"})

# Quick-add text -> the title it yields. The first one carries a priority,
# tags, a due date and a repeat, so every badge of a row is on the page.
TODOS = {
    "Pay rent every month on the 1st #home #bills !high": "Pay rent",
    "Call the dentist tomorrow 9am !medium": "Call the dentist",
    "Read a book #leisure !low": "Read a book",
    "Water the plants": "Water the plants",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_SOURCE.is_file():
        pytest.fail(f"{AXE_SOURCE} is missing: run scripts/setup-test-services", pytrace=False)
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def signed_in(browser: Browser, rehearsal: Rehearsal) -> Iterator[SignedIn]:
    """A fresh user with a few todos (one of them done); its login token
    (localStorage) is reused by every signed-in case."""
    context = browser.new_context(base_url=rehearsal.url, locale=BROWSER_LOCALE)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_up(page, new_email())
        box = page.get_by_label("New todo")
        for text, title in TODOS.items():
            box.fill(text)
            box.press("Enter")
            expect(
                page.get_by_role("checkbox", name=f"Complete {title}", exact=True)
            ).to_be_visible()
            expect(box).to_have_value("")
        page.get_by_role("checkbox", name="Complete Water the plants", exact=True).click()
        expect(
            page.get_by_role("checkbox", name="Complete Water the plants", exact=True)
        ).to_be_checked()
        yield SignedIn(state=context.storage_state(), edited_title="Pay rent")
    finally:
        context.close()


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """The page's WCAG 2.0/2.1 A and AA violations, as axe-core reports them.

    The app's CSP allows no inline script, so a <script> tag with axe's source
    (page.add_script_tag) would be refused. page.evaluate runs the source
    through the DevTools protocol, which the page's CSP does not govern, and
    the page itself stays exactly as served (no bypass_csp context)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {axe_source}\n}}")
    result = page.evaluate(
        "tags => window.axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return cast(list[dict[str, Any]], result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation: id, impact, help, then the first few targets
    (axe's selector and the start of the element's HTML)."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(f"- {violation['id']} [{violation['impact']}] {violation['help']}")
        for node in nodes[:SHOWN_TARGETS]:
            selector = " ".join(map(str, node["target"]))
            snippet = " ".join(str(node["html"]).split())[:100]
            lines.append(f"    {selector}  {snippet}")
        if len(nodes) > SHOWN_TARGETS:
            lines.append(f"    (+{len(nodes) - SHOWN_TARGETS} more)")
    return "\n".join(lines)


CASES = [(name, theme) for name in PAGES for theme in THEMES]


def settle(page: Page) -> None:
    """Two animation frames: the layout has followed a new viewport size."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@pytest.mark.parametrize(("name", "theme"), CASES, ids=["-".join(case) for case in CASES])
def test_no_serious_or_critical_axe_violations(
    name: str,
    theme: Literal["light", "dark"],
    browser: Browser,
    rehearsal: Rehearsal,
    signed_in: SignedIn,
    axe_source: str,
) -> None:
    """One page load per page and theme (the theme emulated from the start);
    each size is then a resize of that page, which keeps the file quick."""
    first_width, first_height = next(iter(SIZES.values()))
    context = browser.new_context(
        base_url=rehearsal.url,
        locale=BROWSER_LOCALE,
        color_scheme=theme,
        viewport={"width": first_width, "height": first_height},
        reduced_motion="reduce",  # no half-faded colours while axe measures contrast
        storage_state=signed_in.state if name in SIGNED_IN_PAGES else None,
    )
    context.set_default_timeout(15_000)
    shots = os.environ.get("SCREENSHOTS_DIR")
    failures = []
    try:
        page = context.new_page()
        PAGES[name](page, signed_in)
        # The emulated colour scheme really switched the app's theme (Reflex's
        # color mode puts it in the class of <html>).
        expect(page.locator("html")).to_have_class(re.compile(rf"\b{theme}\b"))
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
            blocking = [v for v in run_axe(page, axe_source) if v["impact"] in BLOCKING_IMPACTS]
            if blocking:
                failures.append(f"{name} ({theme}, {size}):\n{describe(blocking)}")
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=Path(shots) / f"{name}-{theme}-{size}.png", full_page=True)
    finally:
        context.close()
    if failures:
        pytest.fail(
            "axe-core found serious or critical violations on " + "\n".join(failures),
            pytrace=False,
        )
