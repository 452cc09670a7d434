"""The assistant in Chromium: offline under `reflex run` (no key, the laptop
default), against the fake Groq server in the rehearsal."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from playwright.sync_api import Locator, Page, expect

from tests.e2e.flows import new_email, sign_up, todo_items
from tests.support.fake_groq import text, tool_calls
from tests.support.live_app import LiveApp


def _row(page: Page, title: str) -> Locator:
    return todo_items(page).filter(
        has=page.get_by_role("checkbox", name=f"Complete {title}", exact=True)
    )


def test_add_buy_milk_tomorrow_through_the_assistant(page: Page, live_app: LiveApp) -> None:
    sign_up(page, new_email())
    conversation = page.get_by_role("region", name="Assistant conversation")
    if live_app.groq is not None:
        live_app.groq.script(
            tool_calls(("add_todo", {"title": "Buy milk", "due": "tomorrow"})),
            text("Added “Buy milk” for tomorrow."),
        )
        sent_before = len(live_app.groq.requests)
    else:
        expect(conversation).to_contain_text("offline")
    page.get_by_label("Ask the assistant").fill("add buy milk tomorrow")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("checkbox", name="Complete Buy milk")).to_be_visible()
    expect(_row(page, "Buy milk")).to_contain_text("Tomorrow")
    expect(conversation).to_contain_text("Buy milk")
    expect(page.get_by_label("Ask the assistant")).to_have_value("")
    page.reload()  # the conversation is stored, not only in this tab's state
    expect(conversation).to_contain_text("add buy milk tomorrow")

    if live_app.groq is not None:
        first = live_app.groq.requests[sent_before].body
        assert {tool["function"]["name"] for tool in first["tools"]} >= {"add_todo", "delete_todo"}
        assert first["messages"][-1] == {"role": "user", "content": "add buy milk tomorrow"}
        assert first.get("stream") is True  # the reply streams into the conversation


def test_suggest_then_accept_two_subtasks(page: Page, live_app: LiveApp) -> None:
    sign_up(page, new_email())
    box = page.get_by_label("New todo")
    box.fill("Plan a party")
    box.press("Enter")
    expect(page.get_by_role("checkbox", name="Complete Plan a party")).to_be_visible()
    suggest = page.get_by_role("button", name="Suggest for Plan a party")
    if live_app.groq is None:  # offline: disabled, and says why
        expect(suggest).to_be_disabled()
        expect(suggest).to_have_accessible_description(re.compile("GROQ_API_KEY"))
        return
    expect(suggest).to_be_enabled()
    in_a_week = (date.today() + timedelta(days=7)).isoformat()
    live_app.groq.script(
        text(
            json.dumps(
                {
                    "subtasks": [
                        {"title": "Book a venue", "reason": "Venues fill up first."},
                        {"title": "Send invites", "reason": "Guests need notice."},
                        {"title": "Order cake", "reason": "Bakeries need a few days."},
                    ],
                    "priority": {"value": "high", "reason": "It has a fixed date."},
                    "due_date": {"value": in_a_week, "reason": "A week gives time."},
                }
            )
        )
    )
    page.get_by_role("button", name="Suggest for Plan a party").click()
    suggestions = page.get_by_role("region", name="Suggestions")
    expect(suggestions).to_contain_text("Order cake")
    page.get_by_role("checkbox", name="Accept subtask Book a venue").click()
    page.get_by_role("checkbox", name="Accept subtask Send invites").click()
    page.get_by_role("button", name="Apply selected").click()
    expect(suggestions).to_have_count(0)
    party = _row(page, "Plan a party")
    expect(party).to_contain_text("0/2")  # exactly the two accepted subtasks
    expect(party).not_to_contain_text("High")  # priority was offered, not accepted
