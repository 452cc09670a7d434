"""Sign up, log in, log out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import reflex as rx

from todo_app.core import accounts
from todo_app.core.errors import AuthenticationError
from todo_app.core.security import issue_token
from todo_app.core.throttle import LoginThrottle
from todo_app.settings import get_settings
from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.guard import guarded, in_session
from todo_app.ui.state.session import SessionState
from todo_app.ui.state.todos import TodoListState

_throttle = LoginThrottle()


class AuthState(SessionState):
    busy: bool = False

    @rx.event
    @guarded
    async def sign_up(self, form_data: dict[str, Any]) -> Any:
        email, password = _credentials(form_data)
        user = await in_session(lambda s: accounts.sign_up(s, email, password))
        return await self._signed_in(user.id)

    @rx.event
    @guarded
    async def log_in(self, form_data: dict[str, Any]) -> Any:
        email, password = _credentials(form_data)
        try:
            _throttle.check(email)
            user = await in_session(lambda s: accounts.authenticate(s, email, password))
        except AuthenticationError as error:
            # A wrong password is an error on this form, not a session ending.
            _throttle.failed(email)
            self.error = str(error)
            return None
        _throttle.succeeded(email)
        return await self._signed_in(user.id)

    @rx.event
    async def log_out(self) -> Any:
        await self._forget_views()
        return self._signed_out()

    @rx.event
    def redirect_if_signed_in(self) -> Any:
        try:
            self._user_id()
        except AuthenticationError:
            return None
        return rx.redirect("/")

    async def _signed_in(self, user_id: int | None) -> Any:
        assert user_id is not None
        settings = get_settings()
        await self._forget_views()
        self._session_ended = False
        self.token = issue_token(
            user_id,
            settings.effective_jwt_secret(),
            timedelta(minutes=settings.jwt_lifetime_minutes),
        )
        self.error = ""
        return rx.redirect("/")

    async def _forget_views(self) -> None:
        # A tab shared by two people in turn must not flash one's list (or
        # conversation) to the other.
        (await self.get_state(TodoListState)).reset()
        (await self.get_state(AssistantState)).reset()


def _credentials(form_data: dict[str, Any]) -> tuple[str, str]:
    email = form_data.get("email", "")
    password = form_data.get("password", "")
    return (email if isinstance(email, str) else ""), (
        password if isinstance(password, str) else ""
    )
