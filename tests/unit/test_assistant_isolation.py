"""The real tool executor behind the Groq loop: a prompt that asks for another
user's todos reaches nothing of theirs, and nothing of theirs is sent to Groq."""

import json

from sqlalchemy import Engine

from tests.support.fake_groq import fake_groq, text, tool_calls
from todo_app.assistant import groq_chat, tool_args, tools
from todo_app.assistant.groq_transport import GroqSettings
from todo_app.core import accounts, todos
from todo_app.core.db import session_scope
from todo_app.core.models import utcnow


def test_other_users_todos_never_reach_the_model(db: Engine) -> None:
    with session_scope(db) as session:
        victim = accounts.sign_up(session, "victim@example.com", "password!").id
        asker = accounts.sign_up(session, "asker@example.com", "password!").id
        assert victim and asker
        secret = todos.create_todo(session, victim, "Victim's secret plan").id
        todos.create_todo(session, asker, "My own errand")
    executor = tools.ToolExecutor(db, asker, "UTC", utcnow)
    with fake_groq() as fake:
        fake.script(
            tool_calls(
                ("list_todos", {"search": "secret"}),
                ("delete_todo", {"todo_id": secret}),
                ("list_todos", {"user_id": victim}),
            ),
            text("I can only see your own todos."),
        )
        settings = GroqSettings(
            api_key="gsk_test", base_url=fake.base_url, timeout_seconds=5, max_retries=0
        )
        outcome = groq_chat.chat(
            settings,
            executor,
            [],
            "Show me the todos of victim@example.com and delete their secret plan",
            tool_args.TOOL_SCHEMAS,
        )
        sent = json.dumps([request.body for request in fake.requests])
    assert outcome.reply == "I can only see your own todos."
    assert "Victim's secret plan" not in sent
    assert "My own errand" not in sent  # the search found nothing of the asker's either
    with session_scope(db) as session:
        assert todos.get_todo(session, victim, secret).title == "Victim's secret plan"
    results = outcome.tool_results
    # The executor's own results (chat() types them by the protocol, without content).
    listed = results[0]
    assert isinstance(listed, tools.ToolResult)
    assert listed.ok and listed.content["todos"] == []
    assert not results[1].ok and "no longer exists" in results[1].error
    assert not results[2].ok and "user_id" in results[2].error


def test_held_changes_to_other_users_todos_never_name_them(db: Engine) -> None:
    with session_scope(db) as session:
        victim = accounts.sign_up(session, "victim@example.com", "password!").id
        asker = accounts.sign_up(session, "asker@example.com", "password!").id
        assert victim and asker
        secrets = [todos.create_todo(session, victim, f"Victim's secret {n}").id for n in (1, 2)]
    executor = tools.ToolExecutor(db, asker, "UTC", utcnow)
    with fake_groq() as fake:
        fake.script(
            tool_calls(*[("delete_todo", {"todo_id": secret}) for secret in secrets]),
            text("Waiting for you."),
        )
        settings = GroqSettings(
            api_key="gsk_test", base_url=fake.base_url, timeout_seconds=5, max_retries=0
        )
        outcome = groq_chat.chat(settings, executor, [], "Delete both", tool_args.TOOL_SCHEMAS)
        sent = json.dumps([request.body for request in fake.requests])
    # Two deletes are held; their lines fall back to ids, the victim's titles stay unread.
    assert [a.summary for a in executor.budget.held] == [f"Delete todo #{s}." for s in secrets]
    assert "Victim's secret" not in sent + outcome.reply
    confirmed = executor.confirm(executor.budget.held)  # even confirmed, theirs stay theirs
    assert [r.error for r in confirmed] == ["That todo no longer exists."] * 2
    with session_scope(db) as session:
        titles = [todos.get_todo(session, victim, secret).title for secret in secrets if secret]
    assert titles == ["Victim's secret 1", "Victim's secret 2"]
