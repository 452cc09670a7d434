"""A Redis restart in the shipped shape signs nobody out (issue: lost server state).

Redis there runs behind an ACL user that may not FLUSH; killing its pod, as a
node failure or an eviction would, loses every tab's state. The page keeps its
login and the click made afterwards is applied.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.flows import add_todo, new_email, sign_up
from tests.support.containers import ContainerRehearsal
from tests.support.databases import todo_completed
from tests.support.pages import page_on

REDIS = "todo-redis"
HOME_URL = re.compile(r"://[^/]+/?$")


@pytest.fixture
def page(browser: Browser, container_rehearsal: ContainerRehearsal) -> Iterator[Page]:
    """Not parametrised over the other targets: this app only."""
    with page_on(browser, container_rehearsal.frontend_url) as own:
        yield own


def test_a_redis_restart_keeps_users_signed_in_and_applies_their_click(
    page: Page, container_rehearsal: ContainerRehearsal
) -> None:
    runner = container_rehearsal.runner
    title = f"Outlive Redis {uuid.uuid4().hex[:6]}"
    sign_up(page, new_email(), base=container_rehearsal.frontend_url)
    add_todo(page, title)
    token = page.evaluate("localStorage.getItem('todo_token')")

    (redis_pod,) = runner.live_pods(REDIS)
    runner.kill_pod(redis_pod.name)
    runner.wait_for_replacement(redis_pod.name, timeout=120)
    runner.wait_ready(REDIS, timeout=60)

    checkbox = page.get_by_role("checkbox", name=f"Complete {title}", exact=True)
    checkbox.click()
    expect(checkbox).to_be_checked(timeout=30_000)
    expect(page).to_have_url(HOME_URL)
    assert page.evaluate("localStorage.getItem('todo_token')") == token
    assert todo_completed(container_rehearsal.database_url, title)
    page.reload()
    expect(page.get_by_role("checkbox", name=f"Complete {title}", exact=True)).to_be_checked()
