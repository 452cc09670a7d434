"""Sign up, log in, log out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import reflex as rx
from sqlmodel import Session

from todo_app.api.client_address import client_address
from todo_app.core import accounts, sessions
from todo_app.core.errors import AuthenticationError
from todo_app.core.throttle import AuthThrottle
from todo_app.settings import get_settings
from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.guard import guarded
from todo_app.ui.state.session import SessionState
from todo_app.ui.state.todos import TodoListState

# Counts in Redis (shared by the replicas), or in memory without Redis.
_throttle = AuthThrottle()


class AuthState(SessionState):
    busy: bool = False
    notice: str = ""  # a confirmation shown in the account panel (role=status)

    @rx.event
    @guarded
    async def sign_up(self, form_data: dict[str, Any]) -> Any:
        email, password = _credentials(form_data)
        address = client_address(self.router.headers.raw_headers, self.router.session.client_ip)
        # Every attempt counts, a taken email too; a refusal is shown by @guarded.
        await _throttle.sign_up_attempt(address)
        token = await self._anonymous(
            lambda s: _new_login(s, accounts.sign_up(s, email, password).id)
        )
        return await self._signed_in(token)

    @rx.event
    @guarded
    async def log_in(self, form_data: dict[str, Any]) -> Any:
        email, password = _credentials(form_data)
        address = client_address(self.router.headers.raw_headers, self.router.session.client_ip)
        # Counted before the password is checked; a lock-out refuses without
        # counting (TooManyAttempts, shown by @guarded as the form's error).
        await _throttle.log_in_attempt(email, address)
        try:
            token = await self._anonymous(
                lambda s: _new_login(s, accounts.authenticate(s, email, password).id)
            )
        except AuthenticationError as error:
            # A wrong password is an error on this form, not a session ending.
            self.error = str(error)
            return None
        await _throttle.log_in_succeeded(email, address)
        return await self._signed_in(token)

    @rx.event
    @guarded
    async def log_out(self) -> Any:
        # A socket that did not present the token (e.g. one reusing a closed
        # tab's client token) is asked for it first: it cannot end the session.
        await self._forget_views()
        await self._end_login_session()
        return self._signed_out()

    @rx.event
    @guarded
    async def log_out_everywhere(self) -> Any:
        await self._as_user(sessions.end_all)
        await self._forget_views()
        return self._signed_out("You were logged out on every device.")

    @rx.event
    @guarded
    async def change_password(self, form_data: dict[str, Any]) -> Any:
        await self._password_check_attempt()
        current, new = _field(form_data, "current_password"), _field(form_data, "new_password")

        def change(s: Session, user_id: int) -> str:
            accounts.change_password(s, user_id, current, new)
            # Every other session ended with the old password; this tab goes on.
            return _new_login(s, user_id)

        self.token = await self._as_user(change)
        self.notice = "Your password was changed. Other devices were logged out."

    @rx.event
    @guarded
    async def delete_account(self, form_data: dict[str, Any]) -> Any:
        await self._password_check_attempt()
        password = _field(form_data, "delete_password")
        await self._as_user(lambda s, user_id: accounts.delete_account(s, user_id, password))
        await self._forget_views()
        return self._signed_out("Your account and all its data were deleted.")

    @rx.event
    async def redirect_if_signed_in(self) -> Any:
        try:
            await self._as_user(lambda _session, _user_id: None)  # the check alone
        except AuthenticationError:
            return None
        return rx.redirect("/")

    async def _password_check_attempt(self) -> None:
        """Checking the current password is a log-in attempt too: a stolen
        token must not become a way to guess the password. Counted for the
        verified user, before the password is checked."""
        user_id = await self._as_user(lambda _session, user_id: user_id)
        address = client_address(self.router.headers.raw_headers, self.router.session.client_ip)
        await _throttle.log_in_attempt(f"user-{user_id}", address)

    async def _signed_in(self, token: str) -> Any:
        await self._forget_views()
        self._session_ended = False
        self._bind_to_socket()
        self.token = token
        self.error = ""
        return rx.redirect("/")

    async def _forget_views(self) -> None:
        # A tab shared by two people in turn must not flash one's list (or
        # conversation) to the other.
        (await self.get_state(TodoListState)).reset()
        (await self.get_state(AssistantState)).reset()


def _new_login(session: Session, user_id: int | None) -> str:
    """A login session for a user just checked, in the same transaction; its token."""
    assert user_id is not None
    settings = get_settings()
    return sessions.log_in(
        session,
        user_id,
        settings.effective_jwt_secret(),
        timedelta(minutes=settings.jwt_lifetime_minutes),
    )


def _field(form_data: Any, name: str) -> str:
    value = form_data.get(name, "") if isinstance(form_data, dict) else ""
    return value if isinstance(value, str) else ""


def _credentials(form_data: dict[str, Any]) -> tuple[str, str]:
    email = form_data.get("email", "")
    password = form_data.get("password", "")
    return (email if isinstance(email, str) else ""), (
        password if isinstance(password, str) else ""
    )
