"""The offline assistant: common phrasings become the same tool calls; the rest is refused."""

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from sqlalchemy import Engine
from sqlmodel import select

from tests.support.fake_groq import fake_groq, text
from tests.support.loops import run_in_own_loop
from todo_app.assistant import service
from todo_app.assistant.groq_transport import GroqSettings
from todo_app.assistant.offline import HELP, OfflineAssistant, Refusal, interpret
from todo_app.assistant.rate_limit import USER_RATE_LIMIT_MESSAGE, AssistantRateLimit
from todo_app.assistant.tools import ToolExecutor
from todo_app.core import accounts
from todo_app.core.db import session_scope
from todo_app.core.errors import AssistantUnavailable
from todo_app.core.models import Todo
from todo_app.core.rate_limits import RateLimits

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thursday, 10:00 in Berlin
ONE_AT_A_TIME = Refusal(
    "Offline I change one todo at a time, so I won't touch several at once: "
    "try 'complete buy milk' or 'delete buy milk'."
)


def _add(title: str, **extra: Any) -> list[tuple[str, dict[str, Any]]]:
    return [("add_todo", {"title": title, **extra})]


def _list(**filters: Any) -> list[tuple[str, dict[str, Any]]]:
    return [("list_todos", filters)]


def _complete(title: str, completed: bool = True) -> list[tuple[str, dict[str, Any]]]:
    return [("complete_todo", {"title": title, "completed": completed})]


def _delete(title: str) -> list[tuple[str, dict[str, Any]]]:
    return [("delete_todo", {"title": title})]


def _plan(period: str) -> list[tuple[str, dict[str, Any]]]:
    return [("plan", {"period": period})]


PHRASINGS = [
    # adding: the title keeps its casing (first letter up); the executor reads the due
    ("add buy milk tomorrow", _add("Buy milk", due="tomorrow"), "add"),
    ("Add Buy milk tomorrow.", _add("Buy milk", due="tomorrow"), "add-capitalised"),
    ("remind me to call mom at 6pm", _add("Call mom", due="at 6pm"), "remind-me"),
    (
        "new todo: pay rent every month on the 1st #home !high",
        _add("Pay rent", due="every month on the 1st", priority="high", tags=["home"]),
        "new-todo-recurring",
    ),
    ("please add a todo to Buy bread on friday", _add("Buy bread", due="on friday"), "polite"),
    ("add 'Watch Friday Night Lights'", _add("Watch Friday Night Lights"), "quoted-title"),
    ("add buy milk to my list", _add("Buy milk"), "to-my-list"),
    ("create a task: file taxes next week", _add("File taxes", due="next week"), "create-task"),
    ("todo: water plants daily", _add("Water plants", due="daily"), "todo-colon"),
    ("set a reminder to call bob at 5pm", _add("Call bob", due="at 5pm"), "set-a-reminder"),
    ("make a todo to buy milk", _add("Buy milk"), "make-a-todo"),
    (
        "remind me to email bob@example.com friday",
        _add("Email bob@example.com", due="friday"),
        "email-in-own-title",
    ),
    # listing and planning
    ("what is due today", _list(view="today", status="open"), "due-today"),
    ("What's due today?", _list(view="today", status="open"), "whats-due-today"),
    ("show my todos", _list(status="open"), "show-my-todos"),
    ("show all my todos", _list(status="all"), "show-all"),
    ("what's overdue", _list(view="overdue"), "overdue"),
    ("list high priority todos", _list(status="open", priority="high"), "high-priority"),
    ("list urgent tasks", _list(status="open", priority="high"), "urgent"),
    ("show #home todos", _list(status="open", tag="home"), "by-tag"),
    ("show tasks tagged work", _list(status="open", tag="work"), "tagged"),
    ("show completed todos", _list(status="done"), "completed"),
    ("what did I finish", _list(status="done"), "what-did-i-finish"),
    ("what's upcoming", _list(view="upcoming", status="open"), "upcoming"),
    ("show todos without a due date", _list(view="no-date", status="open"), "no-date"),
    ("find milk", _list(search="milk", status="all"), "find"),
    ("search for dentist", _list(search="dentist", status="all"), "search"),
    ("show todos about milk", _list(status="open", search="milk"), "about"),
    ("what do I have this week", _plan("week"), "have-this-week"),
    ("what is due this week", _plan("week"), "due-this-week"),
    ("plan my day", _plan("today"), "plan-day"),
    ("what should I do today", _plan("today"), "should-do-today"),
    ("what should I focus on", _plan("today"), "focus"),
    ("plan my week", _plan("week"), "plan-week"),
    ("what's on my agenda", _plan("today"), "agenda"),
    # completing and reopening, by title or by id
    ("complete buy milk", _complete("buy milk"), "complete"),
    ("Can you complete Buy Milk please?", _complete("Buy Milk"), "complete-polite"),
    ("mark buy milk as done", _complete("buy milk"), "mark-done"),
    ("I finished the report", _complete("report"), "i-finished"),
    ("done with laundry", _complete("laundry"), "done-with"),
    ("I'm done with laundry", _complete("laundry"), "im-done-with"),
    ("check off laundry", _complete("laundry"), "check-off"),
    ("I've finished the report", _complete("report"), "ive-finished"),
    ("I did the dishes", _complete("dishes"), "i-did"),
    ("buy milk is done", _complete("buy milk"), "is-done"),
    ("complete todo 7", [("complete_todo", {"todo_id": 7, "completed": True})], "by-id"),
    ("reopen buy milk", _complete("buy milk", completed=False), "reopen"),
    ("mark buy milk as not done", _complete("buy milk", completed=False), "mark-not-done"),
    # deleting
    ("delete buy milk", _delete("buy milk"), "delete"),
    ("remove the milk todo", _delete("milk"), "remove-the-todo"),
    ("delete #12", [("delete_todo", {"todo_id": 12})], "delete-by-id"),
    # refused, politely
    ("write me a poem", Refusal(HELP), "poem"),
    ("what's the weather", Refusal(HELP), "weather"),
    ("what time is it", Refusal(HELP), "time"),
    ("hi", Refusal(HELP), "greeting"),
    ("address the letter", Refusal(HELP), "add-is-a-word-not-a-prefix"),
    ("make dinner", Refusal(HELP), "make-without-todo-noun"),
    ("did I finish laundry?", Refusal(HELP), "question-not-a-command"),
    ("delete my account", _delete("account"), "account-is-just-a-title"),
    ("", Refusal(HELP), "empty"),
    ("   ", Refusal(HELP), "blank"),
    (
        "x" * 2000,
        Refusal("That message is too long for me: please keep it under 2,000 characters."),
        "too-long",
    ),
    (
        "delete all todos of bob@example.com",
        Refusal("I can only see and change your own todos, one at a time."),
        "other-users-todos",
    ),
    (
        "show bob@example.com's todos",
        Refusal("I can only see and change your own todos, one at a time."),
        "other-user-list",
    ),
    ("delete all my todos", ONE_AT_A_TIME, "delete-all"),
    ("delete everything", ONE_AT_A_TIME, "delete-everything"),
    ("complete all", ONE_AT_A_TIME, "complete-all"),
    ("add", Refusal("What should I add? Try 'add buy milk tomorrow'."), "add-nothing"),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for t, e, i in PHRASINGS])
def test_phrasings(text: str, expected: object) -> None:
    assert interpret(text) == expected


# --- end to end ---------------------------------------------------------------------------


@pytest.fixture
def executor(db: Engine) -> ToolExecutor:
    with session_scope(db) as session:
        user = accounts.sign_up(session, "offline@example.com", "password!")
        assert user.id is not None
    return ToolExecutor(db, user.id, "Europe/Berlin", lambda: NOW)


@pytest.fixture
def assistant(executor: ToolExecutor) -> OfflineAssistant:
    return OfflineAssistant(executor)


def _titles(db: Engine) -> list[str]:
    with session_scope(db) as session:
        return sorted(session.exec(select(Todo.title)).all())


def test_add_list_complete_and_delete_by_title(db: Engine, assistant: OfflineAssistant) -> None:
    added = assistant.reply("add buy milk today 6pm #shop")
    assert added.text == "Added “Buy milk”, due today at 18:00."
    assert [r.ok for r in added.results] == [True]

    assert assistant.reply("add call mom tomorrow").text == "Added “Call mom”, due tomorrow."
    assert (
        assistant.reply("what is due today").text
        == "You have 1 todo due today: “Buy milk” (18:00)."
    )
    assert assistant.reply("complete buy milk").text == "Marked “Buy milk” as done."
    assert assistant.reply("what's due today").text == "You have no todos due today."
    assert assistant.reply("reopen Buy Milk").text == "Reopened “Buy milk”."
    assert assistant.reply("delete buy milk").text == "Deleted “Buy milk”."
    assert _titles(db) == ["Call mom"]


def test_an_ambiguous_title_asks_which_one_and_changes_nothing(
    db: Engine, assistant: OfflineAssistant
) -> None:
    assistant.reply("add call mom")
    assistant.reply("add call dad")
    reply = assistant.reply("complete call")
    assert reply.text.startswith("Several todos match “call”: “Call dad” (#")
    assert "“Call mom” (#" in reply.text and "Which one do you mean?" in reply.text
    assert reply.results == [] and reply.pending == []
    number = reply.text.split("e.g. 'complete #")[1].rstrip("'.")
    assert assistant.reply(f"complete #{number}").text == "Marked “Call dad” as done."


def test_an_exact_title_wins_over_longer_ones(assistant: OfflineAssistant) -> None:
    assistant.reply("add milk")
    assistant.reply("add oat milk")
    assert assistant.reply("delete milk").text == "Deleted “Milk”."


def test_no_match_and_refusals_reply_politely(db: Engine, assistant: OfflineAssistant) -> None:
    assert assistant.reply("delete unicorn").text == "I couldn't find a todo called “unicorn”."
    refused = assistant.reply("write me a poem")
    assert (refused.text, refused.results, refused.pending) == (HELP, [], [])
    assert assistant.reply("add buy milk !high").text == "Added “Buy milk”."
    assert assistant.reply("complete #999999").text == "That todo no longer exists."
    assert _titles(db) == ["Buy milk"]


def test_plan_and_lists_in_words(assistant: OfflineAssistant) -> None:
    assistant.reply("add file taxes on 2026-11-20 !low")
    assistant.reply("add pay rent today !high")
    assistant.reply("add call mom in 3 days")
    assert assistant.reply("plan my day").text == (
        "Your plan for today: 1. “Pay rent” (high), 2. “File taxes” (overdue, low). "
        "Most important first, then the earliest due."
    )
    assert assistant.reply("what's overdue").text == "You have 1 overdue todo: “File taxes”."
    assert assistant.reply("show high priority todos").text == (
        "You have 1 open high-priority todo: “Pay rent”."
    )
    assert assistant.reply("plan my week").text.startswith(
        "Your plan for this week: 1. “Pay rent” (high), 2. “File taxes” (overdue, low), "
        "3. “Call mom”."
    )


def test_a_recurring_add_says_how_it_repeats(assistant: OfflineAssistant) -> None:
    text = assistant.reply("new todo: pay rent every month on the 1st #home !high").text
    assert text.startswith("Added “Pay rent”, due Tue 1 Dec, repeating every month")


# --- the page's entry point: one rate limit and bounded messages for both paths ---------------

OFFLINE = GroqSettings(api_key="")


def _limit(requests: int, per_second: bool = False) -> AssistantRateLimit:
    """A limit counted in memory (Redis in the cluster: the same ``RateLimits``)."""
    item = RateLimitItemPerSecond(requests) if per_second else RateLimitItemPerMinute(requests)
    return AssistantRateLimit(RateLimits(MemoryStorage()), item)


def _answer(
    limit: AssistantRateLimit, settings: GroqSettings, executor: ToolExecutor, text: str
) -> service.Answer:
    return run_in_own_loop(service.answer(settings, limit, executor, [], text))


def test_the_offline_assistant_is_rate_limited_like_groq(
    db: Engine, executor: ToolExecutor
) -> None:
    limit = _limit(2, per_second=True)
    first = _answer(limit, OFFLINE, executor, "add buy milk")
    assert first.reply == "Added “Buy milk”."
    _answer(limit, OFFLINE, executor, "add call mom")
    with pytest.raises(AssistantUnavailable) as raised:
        _answer(limit, OFFLINE, executor, "add pay rent")
    assert str(raised.value) == USER_RATE_LIMIT_MESSAGE
    assert _titles(db) == ["Buy milk", "Call mom"]  # the refused request did nothing
    time.sleep(1.05)  # the window moved past both requests
    _answer(limit, OFFLINE, executor, "add pay rent")
    assert _titles(db) == ["Buy milk", "Call mom", "Pay rent"]


def test_offline_and_groq_requests_share_one_limit(db: Engine, executor: ToolExecutor) -> None:
    limit = _limit(1)
    _answer(limit, OFFLINE, executor, "add buy milk")
    with fake_groq() as fake:
        fake.script(text("never sent"))
        groq = GroqSettings(api_key="gsk_test", base_url=fake.base_url, max_retries=0)
        with pytest.raises(AssistantUnavailable, match=USER_RATE_LIMIT_MESSAGE):
            _answer(limit, groq, executor, "what is due today")
        assert fake.requests == []  # refused before Groq is asked


def test_the_limit_is_per_user_and_a_refusal_is_not_counted(
    db: Engine, executor: ToolExecutor
) -> None:
    limit = _limit(2)

    async def asks() -> list[bool]:
        outcomes = []
        for user in (1, 1, 1, 1, 2):
            try:
                await limit.check(user)
                outcomes.append(True)
            except AssistantUnavailable:
                outcomes.append(False)
        # Only the two admitted requests of user 1 are counted.
        window = await limit.counts.window(limit.limit, "assistant", "1")
        outcomes.append(window.remaining == 0)
        return outcomes

    assert run_in_own_loop(asks()) == [True, True, False, False, True, True]


def test_the_default_limit_is_twenty_requests_in_five_minutes() -> None:
    item = AssistantRateLimit().limit
    assert (item.amount, item.get_expiry()) == (20, 300)


def test_a_long_reply_is_bounded_with_an_ellipsis(executor: ToolExecutor) -> None:
    with fake_groq() as fake:
        fake.script(text("word " * 2000))
        groq = GroqSettings(api_key="gsk_test", base_url=fake.base_url, max_retries=0)
        reply = _answer(_limit(20), groq, executor, "talk").reply
    assert len(reply) == service.MESSAGE_MAX_CHARS == 4000
    assert reply.endswith("word…")
    assert service.clip_message("short") == "short"
    assert service.clip_message("x" * 4000) == "x" * 4000
    assert service.clip_message("x" * 4001) == "x" * 3999 + "…"


def test_a_todoist_priority_is_no_due_date() -> None:
    calls = interpret("add p1 finish slides")
    assert not isinstance(calls, Refusal)
    ((name, arguments),) = calls
    assert name == "add_todo"
    assert arguments.get("priority") == "high"
    assert "due" not in arguments
