"""The real tool executor behind the Groq loop: a prompt that asks for another
user's todos reaches nothing of theirs, and nothing of theirs is sent to Groq."""

import json

from sqlalchemy import Engine

from tests.support.fake_groq import fake_groq, text, tool_calls
from todo_app.assistant import groq_chat, tools
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
        settings = groq_chat.GroqSettings(
            api_key="gsk_test", base_url=fake.base_url, timeout_seconds=5, max_retries=0
        )
        outcome = groq_chat.chat(
            settings,
            executor,
            [],
            "Show me the todos of victim@example.com and delete their secret plan",
            tools.TOOL_SCHEMAS,
        )
        sent = json.dumps([request.body for request in fake.requests])
    assert outcome.reply == "I can only see your own todos."
    assert "Victim's secret plan" not in sent
    assert "My own errand" not in sent  # the search found nothing of the asker's either
    with session_scope(db) as session:
        assert todos.get_todo(session, victim, secret).title == "Victim's secret plan"
    results = outcome.tool_results
    assert results[0].ok and results[0].content["todos"] == []
    assert not results[1].ok and "no longer exists" in results[1].error
    assert not results[2].ok and "user_id" in results[2].error
