"""The assistant panel: chat (Groq, or the offline parser without a key) and Suggest.

The assistant runs the same core services as the page through
``assistant.tools.ToolExecutor``, bound to the verified user; the state only
drives it and keeps the conversation view (the conversation itself is stored).
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any, cast

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from todo_app.assistant import groq_chat, tools
from todo_app.assistant.offline import OfflineAssistant
from todo_app.core import conversations, subtasks
from todo_app.core import todos as todo_service
from todo_app.core.db import get_engine
from todo_app.core.due import local_today, make_due
from todo_app.core.errors import AuthenticationError, ValidationError
from todo_app.core.models import utcnow
from todo_app.settings import get_settings
from todo_app.ui.state.guard import guarded, in_session
from todo_app.ui.state.todos import TodoListState

ASK_INPUT_ID = "ask-assistant"
ASK_MAX_LENGTH = 2_000
NEEDS_KEY = (
    "Suggestions need the Groq assistant: set GROQ_API_KEY on the server. "
    "The offline assistant can add, list, complete and delete todos."
)
_rate_limiter = groq_chat.RateLimiter()


@dataclasses.dataclass
class ChatLine:
    role: str
    text: str


@dataclasses.dataclass
class SuggestionLine:
    index: int
    title: str
    reason: str


def _groq() -> groq_chat.GroqSettings:
    return groq_chat.GroqSettings.from_settings(get_settings())


class AssistantState(TodoListState):
    chat: list[ChatLine] = []  # noqa: RUF012
    pending_summary: str = ""
    offline: bool = True
    # Suggest: for which todo, what came back, and which parts the user ticks.
    suggest_for: int = 0
    suggested_subtasks: list[SuggestionLine] = []  # noqa: RUF012
    suggested_priority: str = ""
    suggested_priority_reason: str = ""
    suggested_due: str = ""
    suggested_due_reason: str = ""
    accepted: list[str] = []  # noqa: RUF012  ("s0".."s6", "priority", "due")
    _pending: list[tools.PendingAction] = []  # noqa: RUF012

    def _executor(self, user_id: int) -> tools.ToolExecutor:
        return tools.ToolExecutor(get_engine(), user_id, self._tz(), utcnow)

    @rx.event
    async def load_chat(self) -> None:
        # Not @guarded: TodoListState.load runs first on the page and already
        # reports a bad token or a database error; repeating it would clobber that.
        try:
            user_id = self._user_id()
            messages = await in_session(lambda s: conversations.recent(s, user_id))
        except (AuthenticationError, SQLAlchemyError):
            return
        self.chat = [ChatLine(role=m.role, text=m.content) for m in messages]
        self.offline = not _groq().configured

    @rx.event
    @guarded
    async def ask(self, form_data: dict[str, Any]) -> Any:
        user_id = self._user_id()
        text = form_data.get("question", "")
        if not isinstance(text, str) or not text.strip():
            raise ValidationError("Please type a question or a request for the assistant.")
        if len(text) > ASK_MAX_LENGTH:
            raise ValidationError(f"Please keep requests under {ASK_MAX_LENGTH} characters.")
        text = text.strip()
        executor = self._executor(user_id)
        settings = _groq()
        history = [{"role": line.role, "content": line.text} for line in self.chat[-20:]]
        if settings.configured:
            try:
                _rate_limiter.check(user_id)
                outcome = await asyncio.to_thread(
                    groq_chat.chat, settings, executor, history, text, tools.TOOL_SCHEMAS
                )
            except groq_chat.AssistantUnavailable as unavailable:
                raise ValidationError(str(unavailable)) from unavailable
            reply = outcome.reply
            # The loop returns the executor's own results (typed by a Protocol there).
            held = cast(list[tools.ToolResult], outcome.tool_results)
            pending = executor.pending_actions([r for r in held if r.needs_confirmation])
        else:
            offline = await asyncio.to_thread(OfflineAssistant(executor).reply, text)
            reply, pending = offline.text, offline.pending
        await in_session(lambda s: _remember(s, user_id, text, reply))
        self.chat = [*self.chat, ChatLine("user", text), ChatLine("assistant", reply)]
        self._pending = list(pending)
        self.pending_summary = " ".join(action.summary for action in pending[:1])
        await self._refresh(user_id)
        return rx.set_value(ASK_INPUT_ID, "")

    @rx.event
    @guarded
    async def confirm_pending(self) -> None:
        user_id = self._user_id()
        pending, self._pending, self.pending_summary = self._pending, [], ""
        results = await asyncio.to_thread(self._executor(user_id).confirm, pending)
        reply = " ".join(r.summary or r.error for r in results) or "Done."
        await in_session(lambda s: _remember(s, user_id, None, reply))
        self.chat = [*self.chat, ChatLine("assistant", reply)]
        await self._refresh(user_id)

    @rx.event
    @guarded
    async def cancel_pending(self) -> None:
        user_id = self._user_id()
        self._pending, self.pending_summary = [], ""
        reply = "Cancelled: nothing was changed."
        await in_session(lambda s: _remember(s, user_id, None, reply))
        self.chat = [*self.chat, ChatLine("assistant", reply)]

    @rx.event
    @guarded
    async def clear_chat(self) -> None:
        user_id = self._user_id()
        await in_session(lambda s: conversations.clear(s, user_id))
        self.chat, self._pending, self.pending_summary = [], [], ""

    # --- Suggest ------------------------------------------------------------------------

    @rx.event
    @guarded
    async def suggest(self, todo_id: int) -> None:
        user_id = self._user_id()
        settings = _groq()
        if not settings.configured:
            raise ValidationError(NEEDS_KEY)
        todo = await in_session(lambda s: todo_service.get_todo(s, user_id, todo_id))
        today = local_today(utcnow(), self._tz())
        try:
            _rate_limiter.check(user_id)
            suggestion = await asyncio.to_thread(
                groq_chat.suggest, settings, todo.title, todo.description, today
            )
        except groq_chat.AssistantUnavailable as unavailable:
            raise ValidationError(str(unavailable)) from unavailable
        self.suggest_for = todo_id
        self.suggested_subtasks = [
            SuggestionLine(index=i, title=s.title, reason=s.reason)
            for i, s in enumerate(suggestion.subtasks)
        ]
        self.suggested_priority = suggestion.priority
        self.suggested_priority_reason = suggestion.priority_reason
        self.suggested_due = suggestion.due_date.isoformat() if suggestion.due_date else ""
        self.suggested_due_reason = suggestion.due_date_reason
        self.accepted = []

    @rx.event
    def accept(self, key: str, chosen: bool) -> None:
        if not isinstance(key, str):
            return
        others = [k for k in self.accepted if k != key]
        self.accepted = [*others, key] if chosen else others

    @rx.event
    def dismiss_suggestion(self) -> None:
        self.suggest_for, self.suggested_subtasks, self.accepted = 0, [], []

    @rx.event
    @guarded
    async def apply_suggestion(self) -> None:
        """Only what the user ticked changes; nothing else."""
        user_id, todo_id, accepted = self._user_id(), self.suggest_for, set(self.accepted)
        titles = [s.title for s in self.suggested_subtasks if f"s{s.index}" in accepted]
        due_text = self.suggested_due if "due" in accepted else ""
        due = make_due(date.fromisoformat(due_text), None, self._tz()) if due_text else None
        priority = self.suggested_priority if "priority" in accepted else None

        def apply(session: Any) -> None:
            for title in titles:
                subtasks.add_subtask(session, user_id, todo_id, title)
            changes: dict[str, Any] = {}
            if priority:
                changes["priority"] = priority
            if due is not None:
                changes["due"] = due
            if changes:
                todo_service.update_todo(
                    session, user_id, todo_id, fields=todo_service.clean_fields(**changes)
                )

        await in_session(apply)
        self.suggest_for, self.suggested_subtasks, self.accepted = 0, [], []
        await self._refresh(user_id)


def _remember(session: Any, user_id: int, question: str | None, reply: str) -> None:
    if question is not None:
        conversations.append(session, user_id, "user", question)
    conversations.append(session, user_id, "assistant", reply)
