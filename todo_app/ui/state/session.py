"""Who is signed in: the token in the browser's localStorage, verified on every use.

The browser sends its stored token with the page's hydrate event only. When the
server-side copy of this tab's state is lost (Redis flushed, restarted, a key
evicted or expired), the next event finds no token although the page still has
one. That is not a log-out: the page is asked for its token (and time zone),
the token is verified again, and the events that found it missing are replayed.
Only a token that is invalid or expired signs the tab out.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from todo_app.core.due import zone
from todo_app.core.errors import AuthenticationError, ValidationError
from todo_app.core.security import verify_token
from todo_app.settings import get_settings

log = logging.getLogger(__name__)

TOKEN_STORAGE_KEY = "todo_token"  # noqa: S105  (a storage key, not a secret)
TIME_ZONE_COOKIE = "todo_tz"
# A tab replays at most this many events after recovering its session.
MAX_PENDING_REPLAYS = 4
RETRY_AFTER_RECOVERY = "Your session was restored. Please try that again."

# Runs in the page: what the browser holds, sent back to recover_session.
_RECOVER_SCRIPT = (
    "(() => { const m = document.cookie.match(/(?:^|;\\s*)"
    + TIME_ZONE_COOKIE
    + "=([^;]*)/); return {token: localStorage.getItem('"
    + TOKEN_STORAGE_KEY
    + "') || '', time_zone: m ? decodeURIComponent(m[1]) : ''}; })()"
)


class SessionMissing(AuthenticationError):
    """This tab's server-side state holds no token; the page itself may still have one."""


class SessionState(rx.State):
    # Sent by the browser with every page load; never trusted until verified.
    token: str = rx.LocalStorage("", name=TOKEN_STORAGE_KEY)
    error: str = ""
    # The browser's IANA time zone, written by a small script in the page head
    # (todo_app.ui.components.time_zone) and sent with every page load.
    time_zone: str = rx.Cookie("", name=TIME_ZONE_COOKIE, same_site="strict")
    # Events that found no token, to replay once the page has sent it again:
    # (state's full name, handler name, JSON arguments or "" when not replayable).
    _replays: list[tuple[str, str, str]] = []  # noqa: RUF012

    def _user_id(self) -> int:
        """The verified user of this tab; raises AuthenticationError otherwise."""
        if not self.token:
            raise SessionMissing("Please log in.")
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

    async def _recover_session(
        self, handler_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> EventSpec:
        """Ask the page for its stored token; ``handler_name(...)`` runs again after."""
        try:
            arguments = json.dumps({"args": list(args), "kwargs": kwargs})
        except (TypeError, ValueError):
            arguments = ""  # e.g. uploaded files: the user is asked to try again
        session = await self.get_state(SessionState)
        replays = [*session._replays, (type(self).get_full_name(), handler_name, arguments)]
        session._replays = replays[-MAX_PENDING_REPLAYS:]
        return rx.call_script(_RECOVER_SCRIPT, callback=SessionState.recover_session)

    @rx.event
    async def recover_session(self, found: Any) -> Any:
        """The page's own token came back: verify it, then replay what was waiting."""
        replays, self._replays = self._replays, []
        stored = found if isinstance(found, dict) else {}
        token, time_zone = stored.get("token"), stored.get("time_zone")
        if not isinstance(token, str) or not token:
            return self._signed_out()
        try:
            verify_token(token, get_settings().effective_jwt_secret())
        except AuthenticationError as error:
            return self._signed_out(str(error))
        self.token = token
        if isinstance(time_zone, str) and len(time_zone) <= 64:
            self.time_zone = time_zone
        events = [event for replay in replays if (event := self._replay(*replay)) is not None]
        if len(events) < len(replays):
            self.error = RETRY_AFTER_RECOVERY
        return events

    @staticmethod
    def _replay(state_name: str, handler_name: str, arguments: str) -> EventSpec | None:
        if not arguments:
            return None
        try:
            state = rx.State.get_class_substate(state_name)
            handler = state.event_handlers[handler_name]
            call = json.loads(arguments)
            return handler(*call["args"], **call["kwargs"])
        except (ValueError, KeyError, TypeError):
            log.warning("could not replay %s.%s after recovery", state_name, handler_name)
            return None

    @rx.event
    def clear_error(self) -> None:
        self.error = ""
