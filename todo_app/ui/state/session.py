"""Who is signed in: the token in the browser's localStorage, verified on every use.

The browser sends its stored token with the page's hydrate event only. When the
server-side copy of this tab's state is lost (Redis flushed, restarted, a key
evicted or expired), the next event finds no token although the page still has
one. That is not a log-out: the page is asked for its token (and time zone),
the token is verified again, and the events that found it missing are replayed.
Only a token that is invalid or expired signs the tab out.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import reflex as rx
from reflex.event import Event, EventSpec, server_side
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.constants.state import FIELD_MARKER
from sqlmodel import Session

from todo_app.core import sessions
from todo_app.core.date_display import MAX_TAG_LENGTH
from todo_app.core.date_order import day_first_for_locale
from todo_app.core.errors import AuthenticationError, ValidationError
from todo_app.core.security import TokenClaims, verify_token
from todo_app.core.zones import zone
from todo_app.live.bus import ChangeNotice
from todo_app.settings import get_settings
from todo_app.ui import live_updates
from todo_app.ui.state.off_loop import in_session

log = logging.getLogger(__name__)

T = TypeVar("T")

TOKEN_STORAGE_KEY = "todo_token"  # noqa: S105  (a storage key, not a secret)
TIME_ZONE_COOKIE = "todo_tz"
# The same zone kept in localStorage too: unlike a cookie, the server can ask
# the page for it again after losing the tab's state.
TIME_ZONE_STORAGE_KEY = "todo_tz"
# The browser's language (navigator.language): the order of a numeric date, 12/15 or 15/12.
LOCALE_COOKIE = "todo_locale"
# A tab replays at most this many events after recovering its session.
MAX_PENDING_REPLAYS = 4
RETRY_AFTER_RECOVERY = "Your session was restored. Please try that again."
UNEXPECTED_ERROR = "Something went wrong on our side. Please try again."
UPLOAD_NOT_SIGNED_IN = "Please reload the page and send the file again. Nothing was changed."


def _sync_local_storage(key: str, state_keys: list[str]) -> None:
    """Signature of Reflex's frontend event that sends a localStorage value back."""


def _resend_from_storage(key: str, state_var: str) -> EventSpec:
    # Reflex's page handles "_sync_local_storage" itself (no eval, so no CSP
    # 'unsafe-eval'): it reads localStorage[key] and sends it to the server as
    # an update of the given state var.
    return server_side(
        "_sync_local_storage",
        inspect.signature(_sync_local_storage),
        key=key,
        state_keys=[state_var],
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
    stored_time_zone: str = rx.LocalStorage("", name=TIME_ZONE_STORAGE_KEY)
    locale: str = rx.Cookie("", name=LOCALE_COOKIE, same_site="strict")
    # Events that found no token, to replay once the page has sent it again:
    # (state's full name, handler name, JSON arguments or "" when not replayable).
    _replays: list[tuple[str, str, str]] = []  # noqa: RUF012
    # Set when this tab was signed out: an empty token is then an ended
    # session, not a lost one, and nothing is asked of the page.
    _session_ended: bool = False
    # The socket that presented the token. Reflex keys server state by a client
    # token that travels in the socket's URL; a new socket reusing a closed
    # tab's client token finds the old state, token included, but not this.
    _bound_socket: str = ""

    async def _as_user(self, operation: Callable[[Session, int], T]) -> T:
        """Run ``operation(session, user_id)`` as this tab's verified user.

        The one way from the token to a user: the token is checked here on the
        loop, its login session and the operation run in one transaction on a
        worker thread. Raises AuthenticationError (SessionMissing when the page
        must send its token again) before the operation runs. Private: Reflex
        would expose a public method as an event any client could send.
        """
        claims = self._verified_claims()

        def run(session: Session) -> T:
            _check_login_session(session, claims)
            return operation(session, claims.user_id)

        return await in_session(run)

    async def _announce_change(self) -> None:
        """This tab's user changed todos: their other open pages refresh.

        The notice names only whose pages to refresh; each re-reads the
        database as its own verified user. Writes no state (background
        handlers call it outside ``async with self``)."""
        await self._announce_to({self._verified_claims().user_id}, None)

    async def _announce_to(self, users: Iterable[int], list_id: int | None) -> None:
        """Pages of ``users`` showing ``list_id`` (None: any of their pages) refresh."""
        notice = ChangeNotice(frozenset(users), list_id=list_id, origin=self._client_token())
        await live_updates.publish(notice)

    def _client_token(self) -> str:
        return self.router.session.client_token

    async def _anonymous(self, operation: Callable[[Session], T]) -> T:
        """One transaction with no user: only for log-in and sign-up, which have none yet."""
        return await in_session(operation)

    async def _end_login_session(self) -> None:
        """Log out: the token itself stays valid until it expires, so ending its
        login session is what makes a copy of it useless. Only a socket that
        presented the token may end it (SessionMissing otherwise)."""
        session_id = self._verified_claims().session_id
        await in_session(lambda s: sessions.end(s, session_id))

    def _verified_claims(self) -> TokenClaims:
        """The token's claims once it is present, presented by this socket,
        correctly signed and unexpired; no database work (see _as_user)."""
        if not self.token:
            if self._session_ended:
                raise AuthenticationError("Please log in.")
            raise SessionMissing("Please log in.")
        if self._bound_socket != self._socket():
            # Not presented by this socket: it must send the page's token itself.
            raise SessionMissing("Please log in.")
        return verify_token(self.token, get_settings().effective_jwt_secret())

    def _require_presented_login(self, login: object) -> None:
        """For an upload (HTTP, not this socket): the request must carry this
        tab's own login token, not only the client token that names the tab."""
        if not self.token:
            raise SessionMissing("Please log in.")
        presented = login.encode("utf-8", "surrogatepass") if isinstance(login, str) else b""
        if not hmac.compare_digest(presented, self.token.encode()):
            raise ValidationError(UPLOAD_NOT_SIGNED_IN)

    def _socket(self) -> str:
        return self.router.session.session_id

    def _bind_to_socket(self) -> None:
        """This socket presented the token itself (hydrate, recovery, log-in)."""
        self._bound_socket = self._socket()

    def _tz(self) -> str:
        """The user's time zone; UTC when the browser sent none or nonsense."""
        try:
            return zone(self.time_zone or self.stored_time_zone).key
        except ValidationError:
            return "UTC"

    def _locale(self) -> str:
        """The browser's language ("en-US"), by which dates and times are written; "" when
        it sent none (the house style, "Tue 1 Dec" and "09:30")."""
        return self.locale[:MAX_TAG_LENGTH]

    def _day_first(self) -> bool:
        """Whether this user writes 15/12 for 15 December (from the browser's language)."""
        return day_first_for_locale(self.locale[:64])

    def _signed_out(self, reason: str = "") -> list[EventSpec]:
        # Only the first sign-out says why: a page load runs several handlers,
        # and the later ones ("Please log in.") must not hide the reason.
        if not self._session_ended:
            self.error = reason
        self.token = ""
        self._session_ended = True
        return [rx.redirect("/login")]

    async def _recover_session(
        self, handler_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> list[EventSpec]:
        """Ask the page for its stored token; ``handler_name(...)`` runs again after.

        The page answers with ordinary "update_vars_internal" events; the last
        one, carrying the token, is taken by SessionRecovery (below), which
        verifies it and replays what was waiting.
        """
        try:
            arguments = json.dumps({"args": list(args), "kwargs": kwargs})
        except (TypeError, ValueError):
            arguments = ""  # e.g. uploaded files: the user is asked to try again
        session = await self.get_state(SessionState)
        replays = [*session._replays, (type(self).get_full_name(), handler_name, arguments)]
        session._replays = replays[-MAX_PENDING_REPLAYS:]
        # Asked again for every event that waits: the first answer replays
        # them all, later ones find nothing waiting and just set the token.
        state = SessionState.get_full_name()
        return [
            _resend_from_storage(TIME_ZONE_STORAGE_KEY, f"{state}.stored_time_zone"),
            _resend_from_storage(TOKEN_STORAGE_KEY, f"{state}.token"),
        ]

    def _finish_recovery(self, token: Any) -> list[EventSpec]:
        """The page sent its own token again: verify it, then replay what was waiting.

        Later answers to the same request find nothing waiting: a valid token
        is kept, anything else is dropped (the first answer has signed out).
        """
        replays, self._replays = self._replays, []
        valid = isinstance(token, str) and bool(token)
        reason = ""
        if valid:
            try:
                verify_token(token, get_settings().effective_jwt_secret())
            except AuthenticationError as error:
                valid, reason = False, str(error)
        if not valid:
            return self._signed_out(reason) if replays else []
        self.token, self._session_ended = token, False
        self._bind_to_socket()
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

    @rx.event
    def show_unexpected_error(self) -> None:
        """Sent by the backend exception handler: a sentence, never a traceback."""
        self.error = UNEXPECTED_ERROR


def _check_login_session(session: Session, claims: TokenClaims) -> None:
    """The token's login session is still open: not ended by a log out (here or
    everywhere), a password change or the account's deletion. Asked of the
    database only when this process has not seen it open in the last seconds."""
    if sessions.recent.confirms(claims.session_id, claims.user_id):
        return
    if not sessions.is_active(session, claims.session_id, claims.user_id):
        raise AuthenticationError("Your session has ended. Please log in again.")
    sessions.recent.remember(claims.session_id, claims.user_id)


class SessionRecovery(Middleware):
    """Finishes a recovery when the page's token arrives (``app.add_middleware``).

    A handler cannot wait for the page's answer, and events it returns for the
    server run at once, before the page has answered; so the answer itself,
    the page's "update_vars_internal" carrying the token, triggers the replay.
    The token is not a synced var, so the page sends it alone only when asked.
    """

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        token_var = f"{SessionState.get_full_name()}.token"
        sent = event.payload.get("vars")
        if event.name.endswith(".hydrate_and_load"):
            # The page's own storage, complete: no token in it means signed
            # out, and an event finding no token must not ask the page again.
            # Keys come with Reflex's field marker ("...token_rx_state_") here.
            stored = next(
                (
                    value
                    for key, value in (sent.items() if isinstance(sent, dict) else [])
                    if isinstance(key, str) and key.removesuffix(FIELD_MARKER) == token_var
                ),
                None,
            )
            session = await state.get_state(SessionState)
            session._session_ended = not stored
            session._bind_to_socket()
            return None
        if not event.name.endswith(".update_vars_internal"):
            return None
        if not isinstance(sent, dict) or set(sent) != {token_var}:
            return None
        session = await state.get_state(SessionState)
        events = session._finish_recovery(sent[token_var])
        return StateUpdate(events=Event.from_event_type(events, router_data=event.router_data))
