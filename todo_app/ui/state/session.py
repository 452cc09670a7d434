"""Who is signed in: the token in the browser's localStorage, verified on every use."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from todo_app.core.due import zone
from todo_app.core.errors import ValidationError
from todo_app.core.security import verify_token
from todo_app.settings import get_settings

TOKEN_STORAGE_KEY = "todo_token"  # noqa: S105  (a storage key, not a secret)
TIME_ZONE_COOKIE = "todo_tz"


class SessionState(rx.State):
    # Sent by the browser with every page load; never trusted until verified.
    token: str = rx.LocalStorage("", name=TOKEN_STORAGE_KEY)
    error: str = ""
    # The browser's IANA time zone, written by a small script in the page head
    # (todo_app.ui.components.time_zone) and sent with every page load.
    time_zone: str = rx.Cookie("", name=TIME_ZONE_COOKIE, same_site="strict")

    def _user_id(self) -> int:
        """The verified user of this tab; raises AuthenticationError otherwise."""
        return verify_token(self.token, get_settings().effective_jwt_secret()).user_id

    def _tz(self) -> str:
        """The user's time zone; UTC when the browser sent none or nonsense."""
        try:
            return zone(self.time_zone).key
        except ValidationError:
            return "UTC"

    def _signed_out(self, reason: str = "") -> EventSpec:
        self.token = ""
        self.error = reason
        return rx.redirect("/login")

    @rx.event
    def clear_error(self) -> None:
        self.error = ""
