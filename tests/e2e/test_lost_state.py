"""Losing Reflex's state in Redis signs nobody out (the production shape only:
``reflex run`` keeps its state on disk).

The page keeps its token in localStorage; when the server-side copy of the
tab's state is gone, the page is asked for it again and the action is replayed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from scripts.process_rehearsal import Rehearsal
from tests.conftest import REDIS_URL
from tests.e2e.flows import add_todo, new_email, sign_up, todo_items
from tests.support.databases import todo_completed
from tests.support.pages import page_on

HOME_URL = re.compile(r"://[^/]+/?$")


@pytest.fixture
def page(browser: Browser, rehearsal: Rehearsal) -> Iterator[Page]:
    """Not parametrised over the other targets: this app only."""
    with page_on(browser, rehearsal.url) as own:
        yield own


def test_a_redis_flush_keeps_the_user_signed_in_and_applies_the_click(
    page: Page, rehearsal: Rehearsal
) -> None:
    title = f"Survive the flush {uuid.uuid4().hex[:6]}"
    sign_up(page, new_email(), base=rehearsal.url)
    add_todo(page, title)
    token_before = page.evaluate("localStorage.getItem('todo_token')")
    assert token_before

    redis.Redis.from_url(REDIS_URL).flushdb()  # every tab's server state is gone

    checkbox = page.get_by_role("checkbox", name=f"Complete {title}")
    checkbox.click()
    expect(checkbox).to_be_checked()
    expect(page).to_have_url(HOME_URL)
    assert page.evaluate("localStorage.getItem('todo_token')") == token_before
    assert todo_completed(rehearsal.database_url, title)

    # and the page goes on working: an add after the flush, then a reload
    add_todo(page, f"Again {title}")
    page.reload()
    expect(todo_items(page)).to_have_count(2)
    expect(page.get_by_role("checkbox", name=f"Complete {title}", exact=True)).to_be_checked()


def test_a_forged_token_in_the_page_still_signs_out_after_a_flush(
    page: Page, rehearsal: Rehearsal
) -> None:
    """Recovery trusts nothing it is sent: only a valid token keeps the tab signed in."""
    title = f"Not yours {uuid.uuid4().hex[:6]}"
    sign_up(page, new_email(), base=rehearsal.url)
    add_todo(page, title)
    page.wait_for_timeout(1000)  # the quick-add preview (debounced) has been answered
    page.evaluate("localStorage.setItem('todo_token', 'forged.token.value')")
    redis.Redis.from_url(REDIS_URL).flushdb()

    page.get_by_role("checkbox", name=f"Complete {title}").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    assert not todo_completed(rehearsal.database_url, title)
