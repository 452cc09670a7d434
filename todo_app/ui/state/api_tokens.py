"""API tokens and the calendar feed link, from the page.

Every rule is core's (access_tokens.py, calendar_feeds.py); this state calls it as the
tab's verified user. A new token's secret is shown once: it stays in this state only
until the next event of the panel (any of them clears it), and is never logged.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from todo_app.core import access_tokens, calendar_feeds
from todo_app.core.errors import ValidationError
from todo_app.core.models import utcnow
from todo_app.settings import get_settings
from todo_app.ui.state.guard import guarded
from todo_app.ui.state.session import SessionState

# What the selects show -> what core takes.
SCOPE_CHOICES = {"Read": "read", "Read and write": "read-write"}
EXPIRY_CHOICES: dict[str, int | None] = {
    "7 days": 7,
    "30 days": 30,
    "90 days": 90,
    "1 year": 365,
    "No expiry": None,
}
DEFAULT_SCOPE = "Read"
DEFAULT_EXPIRY = "30 days"
FEED_PATH_PREFIX = "/api/v1/calendar/"


@dataclasses.dataclass
class TokenRow:
    id: int
    name: str
    prefix: str
    scope: str  # "Read" or "Read and write"
    created: str
    expires: str  # "Never", a date, or "Expired"
    last_used: str  # "Never used" or a moment


def _moment(value: datetime | None, never: str) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else never


def _row(view: access_tokens.TokenView, now: datetime) -> TokenRow:
    label = next(k for k, v in SCOPE_CHOICES.items() if v == view.scope.value)
    expires = "Expired" if view.expired(now) else _moment(view.expires_at, "Never")
    return TokenRow(
        id=view.id,
        name=view.name,
        prefix=view.prefix + "…",
        scope=label,
        created=_moment(view.created_at, ""),
        expires=expires,
        last_used=_moment(view.last_used_at, "Never used"),
    )


def _choice(form_data: dict[str, Any], name: str, default: str) -> str:
    value = form_data.get(name) or default
    if not isinstance(value, str):
        raise ValidationError("Please choose from the menu.")
    return value


class ApiTokensState(SessionState):
    tokens: list[TokenRow] = []  # noqa: RUF012  (Reflex copies defaults per client)
    # The secret of the token just created: shown once, cleared by the next event.
    new_token: str = ""
    new_token_name: str = ""
    feed_url: str = ""
    notice: str = ""

    def _forget_secret(self) -> None:
        self.new_token, self.new_token_name, self.notice = "", "", ""

    async def _load_tokens(self) -> None:
        views = await self._as_user(access_tokens.list_tokens)
        now = utcnow()
        self.tokens = [_row(view, now) for view in views]

    @rx.event
    @guarded
    async def load(self) -> None:
        """The panel's data: the tokens and the calendar feed link."""
        self._forget_secret()
        await self._load_tokens()
        await self._load_feed()

    @rx.event
    @guarded
    async def create_token(self, form_data: dict[str, Any]) -> None:
        self._forget_secret()
        name = form_data.get("token_name", "")
        scope = SCOPE_CHOICES.get(_choice(form_data, "scope", DEFAULT_SCOPE))
        if scope is None:
            raise ValidationError("Please choose Read or Read and write.")
        expiry = _choice(form_data, "expiry", DEFAULT_EXPIRY)
        if expiry not in EXPIRY_CHOICES:
            raise ValidationError("Please choose when the token expires from the menu.")
        days = EXPIRY_CHOICES[expiry]
        created = await self._as_user(
            lambda s, user_id: access_tokens.create_token(s, user_id, name, scope, days)
        )
        self.new_token, self.new_token_name = created.secret, created.view.name
        await self._load_tokens()

    @rx.event
    def dismiss_new_token(self) -> None:
        self._forget_secret()

    @rx.event
    @guarded
    async def revoke_token(self, token_id: int) -> None:
        self._forget_secret()
        revoked = await self._as_user(
            lambda s, user_id: access_tokens.revoke_token(s, user_id, token_id)
        )
        self.notice = f"Revoked “{revoked.name}”: it no longer works."
        await self._load_tokens()

    @rx.event
    @guarded
    async def reset_feed_link(self) -> None:
        """A new calendar link; calendars subscribed to the old one stop updating."""
        self._forget_secret()
        secret = get_settings().effective_jwt_secret()

        def reset(session: Session, user_id: int) -> str:
            return calendar_feeds.reset_feed(session, user_id, secret).token

        self._show_feed(await self._as_user(reset))
        self.notice = "The calendar link was reset: subscribe again with the new one."

    async def _load_feed(self) -> None:
        secret = get_settings().effective_jwt_secret()

        def read(session: Session, user_id: int) -> str:
            return calendar_feeds.feed(session, user_id, secret).token

        self._show_feed(await self._as_user(read))

    def _show_feed(self, token: str) -> None:
        self.feed_url = f"{self._api_origin()}{FEED_PATH_PREFIX}{token}.ics"

    def _api_origin(self) -> str:
        """Where a calendar reaches /api/: in production the page's own origin (nginx
        proxies /api/ to the backend, whatever origin serves the build); under
        `reflex run` the backend's own port, which Reflex's dev server does not proxy."""
        if get_settings().is_production:
            return self.router.headers.origin  # the socket's, accepted by CORS
        return rx.config.get_config().api_url.rstrip("/")
