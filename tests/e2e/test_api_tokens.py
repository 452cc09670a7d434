"""API tokens and the calendar feed, made in the page and used through the same
port as the page (nginx proxies /api/ to the backend)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.flows import new_email, sign_up
from tests.support.live_app import LiveApp


def test_a_token_made_in_the_page_reads_the_api_until_revoked(
    page: Page, live_app: LiveApp
) -> None:
    sign_up(page, new_email())
    box = page.get_by_label("New todo")
    box.fill("Renew passport tomorrow")
    box.press("Enter")
    expect(page.get_by_role("checkbox", name="Complete Renew passport")).to_be_visible()

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Token name").fill("backup script")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New API token").inner_text()
    assert len(secret) > 20
    headers = {"Authorization": f"Bearer {secret}"}
    # The frontend's port behind nginx; under `reflex run`, the backend's own.
    api = f"{live_app.backend_url}/api/v1"

    listed = page.request.get(f"{api}/todos", headers=headers)
    assert listed.status == 200, listed.text()
    assert [item["title"] for item in listed.json()["items"]] == ["Renew passport"]
    refused = page.request.post(f"{api}/todos", headers=headers, data={"title": "Nope"})
    assert refused.status == 403  # a read token
    assert "problem+json" in refused.headers["content-type"]

    feed_url = page.get_by_label("Calendar feed link").input_value()
    feed = page.request.get(feed_url)
    assert feed.status == 200 and "BEGIN:VTODO" in feed.text() and "Renew passport" in feed.text()

    page.get_by_role("button", name="Revoke backup script").click()
    expect(page.get_by_role("status").filter(has_text="no longer works")).to_be_visible()
    assert page.request.get(f"{api}/todos", headers=headers).status == 401


def test_the_api_docs_render_under_the_pages_security_policy(page: Page, live_app: LiveApp) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_app.backend_url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Todo API")
    expect(page.locator(".opblock").first).to_be_visible()  # the operations, from openapi.json
    assert not blocked, blocked


def test_a_todo_added_through_the_api_shows_live_in_the_open_page(
    page: Page, live_app: LiveApp
) -> None:
    sign_up(page, new_email())
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Token name").fill("sync")
    page.get_by_role("combobox", name="Scope").click()
    page.get_by_role("option", name="Read and write", exact=True).click()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New API token").inner_text()
    page.get_by_role("link", name="Back to your todos").click()
    expect(page.get_by_role("region", name="Getting started")).to_be_visible()

    added = page.request.post(
        f"{live_app.backend_url}/api/v1/todos",
        headers={"Authorization": f"Bearer {secret}"},
        data={"title": "From a script"},
    )
    assert added.status == 201, added.text()
    # No reload: the API announces the change like the page's own events do.
    expect(page.get_by_role("checkbox", name="Complete From a script")).to_be_visible(timeout=5_000)
