"""One user request to the assistant, as the page makes it: the per-user rate limit, a fresh
change budget, then Groq (with a key) or the offline parser (without), and a bounded reply.

Both paths pass here, so the limit and the budget apply to them alike. No reflex import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from todo_app.assistant import groq_chat
from todo_app.assistant.groq_transport import GroqSettings
from todo_app.assistant.offline import OfflineAssistant
from todo_app.assistant.rate_limit import AssistantRateLimit
from todo_app.assistant.tool_args import TOOL_SCHEMAS
from todo_app.assistant.tools import PendingAction, ToolExecutor

# The page shows this many chat lines; older turns stay in the database.
CHAT_LINES_SHOWN = 40
# A stored or shown message is at most this long (the model's reply is not bounded by Groq).
MESSAGE_MAX_CHARS = groq_chat.MAX_MESSAGE_CHARS


@dataclass(frozen=True)
class Answer:
    reply: str
    # What the request's budget held back, in order, each once: runs only on Confirm.
    pending: list[PendingAction] = field(default_factory=list)


def clip_message(text: str, limit: int = MESSAGE_MAX_CHARS) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def answer(
    settings: GroqSettings,
    limit: AssistantRateLimit,
    executor: ToolExecutor,
    history: list[dict[str, Any]],
    text: str,
    *,
    on_text: Callable[[str], None] | None = None,
) -> Answer:
    """Answer one request of ``executor``'s user. Raises ``AssistantUnavailable`` (a human
    sentence) when the user is over the limit or Groq cannot answer. The limit is counted
    on the event loop (its storage is async); the blocking work runs on a worker thread."""
    await limit.check(executor.owner_id)  # the user bound on the server, never a client's id
    return await asyncio.to_thread(_answer, settings, executor, history, text, on_text)


def _answer(
    settings: GroqSettings,
    executor: ToolExecutor,
    history: list[dict[str, Any]],
    text: str,
    on_text: Callable[[str], None] | None,
) -> Answer:
    executor.begin_request()
    if not settings.configured:
        reply = OfflineAssistant(executor).reply(text).text  # a reply is one request too
    else:
        reply = groq_chat.chat(
            settings, executor, history, text, TOOL_SCHEMAS, on_text=on_text
        ).reply
    return Answer(clip_message(reply), list(executor.budget.held))
