"""The assistant panel: chat (Groq, or the offline parser without a key) and Suggest.

The assistant runs the same core services as the page through
``assistant.tools.ToolExecutor``, bound to the verified user; the state only
drives it and keeps the conversation view (the conversation itself is stored).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from todo_app.assistant import service, tools
from todo_app.assistant.groq_suggest import suggest as suggest_with_groq
from todo_app.assistant.groq_transport import GroqSettings
from todo_app.assistant.rate_limit import AssistantRateLimit
from todo_app.assistant.roles import ChatRole
from todo_app.core import conversations, subtasks
from todo_app.core import todos as todo_service
from todo_app.core.db import get_engine
from todo_app.core.due import local_today, make_due
from todo_app.core.errors import (
    AuthenticationError,
    DomainError,
    ValidationError,
)
from todo_app.core.models import utcnow
from todo_app.settings import get_settings
from todo_app.ui.state.guard import DATABASE_DOWN, announces_change, guarded
from todo_app.ui.state.session import SessionMissing, SessionState
from todo_app.ui.state.todos import TodoListState, toggled

ASK_INPUT_ID = "ask-assistant"
ASK_MAX_LENGTH = 2_000
PARTIAL_REPLY_SECONDS = 0.15
log = logging.getLogger(__name__)
NEEDS_KEY = (
    "Suggestions need the Groq assistant: set GROQ_API_KEY on the server. "
    "The offline assistant can add, list, complete and delete todos."
)
# One per-user limit for asking (Groq or offline, applied in service.answer) and Suggest,
# counted in the storage every replica shares.
_rate_limit = AssistantRateLimit()


@dataclasses.dataclass
class ChatLine:
    role: str
    text: str


def _line(role: str, text: str) -> ChatLine:
    """A chat line bounded for the page (the stored message is bounded alike)."""
    return ChatLine(str(role), service.clip_message(text))  # a plain str for the page


def _shown(lines: list[ChatLine]) -> list[ChatLine]:
    """The page keeps only the last lines: the whole list is resent on every change."""
    return lines[-service.CHAT_LINES_SHOWN :]


@dataclasses.dataclass
class SuggestionLine:
    index: int
    title: str
    reason: str


def _groq() -> GroqSettings:
    return GroqSettings.from_settings(get_settings())


class Choice(StrEnum):
    """The Suggest panel's checkboxes besides one per subtask (subtask_choice)."""

    PRIORITY = "priority"
    DUE = "due"


SUBTASK_CHOICE_PREFIX = "s"


def subtask_choice(index: int) -> str:
    return f"{SUBTASK_CHOICE_PREFIX}{index}"


class AssistantState(SessionState):
    """A sibling of TodoListState, not a substate: Reflex loads (and saves) a
    state's substates with it, and the conversation has no business in every
    todo event. The list is reached through get_state when the assistant changed it."""

    chat: list[ChatLine] = []  # noqa: RUF012  (at most service.CHAT_LINES_SHOWN lines)
    # The Confirm callout: a headline and one line per held change (bounded by
    # tools.pending_lines); the held calls themselves stay on the server in _pending.
    pending_summary: str = ""
    pending_lines: list[str] = []  # noqa: RUF012
    offline: bool = True
    thinking: bool = False
    # Suggest: for which todo, what came back, and which parts the user ticks.
    suggest_for: int = 0
    suggested_subtasks: list[SuggestionLine] = []  # noqa: RUF012
    suggested_priority: str = ""
    suggested_priority_reason: str = ""
    suggested_due: str = ""
    suggested_due_reason: str = ""
    accepted: list[str] = []  # noqa: RUF012  (Choice values and subtask_choice(i))
    _pending: list[tools.PendingAction] = []  # noqa: RUF012

    async def _refresh(self) -> None:
        """The todo list on screen, read again after the assistant changed todos."""
        await (await self.get_state(TodoListState))._refresh()

    async def _announce_change(self) -> None:
        # As the list page announces its changes: to everyone sharing a list too.
        await (await self.get_state(TodoListState))._announce_change()

    async def _executor(self) -> tools.ToolExecutor:
        """The assistant's tools, bound to this tab's verified user."""
        tz = self._tz()
        return await self._as_user(
            lambda _session, user_id: tools.ToolExecutor(get_engine(), user_id, tz, utcnow)
        )

    @rx.event
    async def load_chat(self) -> Any:
        # Not @guarded: TodoListState.load runs first on the page and already
        # reports a bad token or a database error; repeating it would clobber that.
        try:
            messages = await self._as_user(
                lambda s, user_id: conversations.recent(s, user_id, limit=service.CHAT_LINES_SHOWN)
            )
        except SessionMissing:
            return await self._recover_session("load_chat", (), {})
        except (AuthenticationError, SQLAlchemyError):
            return
        self.chat = _shown([_line(m.role, m.content) for m in messages])
        self.offline = not _groq().configured

    @rx.event(background=True)
    async def ask(self, form_data: dict[str, Any]) -> Any:
        """Runs in the background so the reply can stream in while the tab stays live."""
        async with self:
            try:
                executor = await self._executor()
                text = _question(form_data)
            except SessionMissing:
                return await self._recover_session("ask", (form_data,), {})
            except AuthenticationError as error:
                return self._signed_out(str(error))
            except DomainError as error:
                self.error = str(error)
                return None
            if self.thinking:
                return None  # one request at a time per tab
            self.error, self.thinking = "", True
            history = [{"role": line.role, "content": line.text} for line in self.chat[-20:]]
            self.chat = _shown(
                [*self.chat, _line(ChatRole.USER, text), _line(ChatRole.ASSISTANT, "…")]
            )
        streamed = _Latest()
        pusher = asyncio.create_task(self._push_partial_replies(streamed))
        failure = ""
        answer = service.Answer("")
        try:
            answer = await _answer(executor, history, text, streamed.set)
            # Outside the lock, like the answer; after a log out meanwhile (its
            # login session ended) nothing is stored.
            await self._as_user(lambda s, user_id: _remember(s, user_id, text, answer.reply))
        except DomainError as domain_error:
            failure = str(domain_error)
        except SQLAlchemyError:
            log.exception("assistant: database error")
            failure = DATABASE_DOWN
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher
        async with self:
            self.thinking = False
            if failure:
                self.error = failure
                self.chat = self.chat[:-2]  # nothing was said; the question stays to retry
                return None
            self.chat = [*self.chat[:-1], _line(ChatRole.ASSISTANT, answer.reply)]
            self._show_pending(answer.pending)
            with contextlib.suppress(AuthenticationError):
                # Signed out (or this tab's state lost) while the answer came:
                # no list to show; the page's next event deals with it.
                await self._refresh()
                await self._announce_change()
        return rx.set_value(ASK_INPUT_ID, "")

    async def _push_partial_replies(self, streamed: _Latest) -> None:
        """Shows the reply as it streams, at most every PARTIAL_REPLY_SECONDS."""
        shown = ""
        while True:
            await asyncio.sleep(PARTIAL_REPLY_SECONDS)
            partial = streamed.get()
            if partial and partial != shown:
                shown = partial
                async with self:
                    self.chat = [*self.chat[:-1], _line(ChatRole.ASSISTANT, partial + " …")]

    def _show_pending(self, pending: list[tools.PendingAction]) -> None:
        """Keeps the held calls on the server and shows every one of them (bounded)."""
        self._pending = list(pending)
        self.pending_summary = tools.confirm_headline(pending)
        self.pending_lines = tools.pending_lines(pending)

    @rx.event
    @guarded
    @announces_change
    async def confirm_pending(self) -> None:
        executor = await self._executor()
        pending = self._pending
        self._show_pending([])
        results = await asyncio.to_thread(executor.confirm, pending)
        reply = service.clip_message(" ".join(r.summary or r.error for r in results) or "Done.")
        await self._as_user(lambda s, user_id: _remember(s, user_id, None, reply))
        self.chat = _shown([*self.chat, _line(ChatRole.ASSISTANT, reply)])
        await self._refresh()

    @rx.event
    @guarded
    async def cancel_pending(self) -> None:
        reply = "Cancelled: nothing was changed."
        await self._as_user(lambda s, user_id: _remember(s, user_id, None, reply))
        self._show_pending([])
        self.chat = _shown([*self.chat, _line(ChatRole.ASSISTANT, reply)])

    @rx.event
    @guarded
    async def clear_chat(self) -> None:
        await self._as_user(conversations.clear)
        self.chat = []
        self._show_pending([])

    # --- Suggest ------------------------------------------------------------------------

    @rx.event
    @guarded
    async def suggest(self, todo_id: int) -> None:
        settings = _groq()
        if not settings.configured:
            raise ValidationError(NEEDS_KEY)
        todo, user_id = await self._as_user(
            lambda s, user_id: (todo_service.get_todo(s, user_id, todo_id), user_id)
        )
        today = local_today(utcnow(), self._tz())
        # AssistantUnavailable is a DomainError: @guarded shows its sentence.
        await _rate_limit.check(user_id)
        suggestion = await asyncio.to_thread(
            suggest_with_groq, settings, todo.title, todo.description, today
        )
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
        # Only the choices of the suggestion on screen (one the signed-in user
        # asked for): a crafted event cannot grow this list.
        offered = {subtask_choice(i) for i in range(len(self.suggested_subtasks))}
        if self.suggested_priority:
            offered.add(Choice.PRIORITY)
        if self.suggested_due:
            offered.add(Choice.DUE)
        if self.suggest_for and key in offered:
            self.accepted = toggled(self.accepted, key, chosen)

    @rx.event
    def dismiss_suggestion(self) -> None:
        self.suggest_for, self.suggested_subtasks, self.accepted = 0, [], []

    @rx.event
    @guarded
    @announces_change
    async def apply_suggestion(self) -> None:
        """Only what the user ticked changes; nothing else."""
        todo_id, accepted = self.suggest_for, set(self.accepted)
        titles = [s.title for s in self.suggested_subtasks if subtask_choice(s.index) in accepted]
        due_text = self.suggested_due if Choice.DUE in accepted else ""
        due = make_due(date.fromisoformat(due_text), None, self._tz()) if due_text else None
        priority = self.suggested_priority if Choice.PRIORITY in accepted else None

        def apply(session: Session, user_id: int) -> None:
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

        await self._as_user(apply)
        self.suggest_for, self.suggested_subtasks, self.accepted = 0, [], []
        await self._refresh()


class _Latest:
    """The newest streamed text, handed from the worker thread to the event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._text = ""

    def set(self, text: str) -> None:
        with self._lock:
            self._text = text

    def get(self) -> str:
        with self._lock:
            return self._text


def _question(form_data: dict[str, Any]) -> str:
    text = form_data.get("question", "")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("Please type a question or a request for the assistant.")
    if len(text) > ASK_MAX_LENGTH:
        raise ValidationError(f"Please keep requests under {ASK_MAX_LENGTH} characters.")
    return text.strip()


async def _answer(
    executor: tools.ToolExecutor,
    history: list[dict[str, Any]],
    text: str,
    on_text: Callable[[str], None],
) -> service.Answer:
    """Groq when a key is set, else the offline parser (the blocking part off the loop).
    Raises AssistantUnavailable, a DomainError, with a sentence for the user."""
    return await service.answer(_groq(), _rate_limit, executor, history, text, on_text=on_text)


def _remember(session: Session, user_id: int, question: str | None, reply: str) -> None:
    if question is not None:
        conversations.append(session, user_id, ChatRole.USER, service.clip_message(question))
    conversations.append(session, user_id, ChatRole.ASSISTANT, service.clip_message(reply))
