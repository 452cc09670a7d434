"""Builds the Reflex app: pages, theme, start-up work."""

import functools

import reflex as rx

from todo_app.api.health import health_routes
from todo_app.api.metrics import metrics_endpoint
from todo_app.api.origins import origin_check
from todo_app.api.socket_limits import SocketEventLimits
from todo_app.api.upload_limit import answer_unreadable_uploads, limit_uploads
from todo_app.api.v1.app import mount_api_v1
from todo_app.core.db import migrate
from todo_app.observability.events import instrument_app
from todo_app.settings import get_settings
from todo_app.ui import live_updates
from todo_app.ui.backend_errors import show_backend_exception
from todo_app.ui.components.edit_panel import focus_return_script
from todo_app.ui.components.reminders import reminders_script
from todo_app.ui.components.shortcuts import shortcuts_script
from todo_app.ui.components.time_zone import time_zone_script
from todo_app.ui.frontend_errors import log_frontend_exception
from todo_app.ui.live_updates import run_live_updates
from todo_app.ui.pages.auth import login_page, signup_page
from todo_app.ui.pages.settings import SETTINGS_ROUTE, settings_page
from todo_app.ui.pages.todos import todos_page
from todo_app.ui.payloads import PayloadCheck
from todo_app.ui.state.api_tokens import ApiTokensState
from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.session import SessionRecovery
from todo_app.ui.state.todos import TodoListState
from todo_app.ui.state.transfer import UPLOAD_HANDLERS


def migrate_on_start() -> None:
    """Runs before the backend serves; in a cluster a separate step migrates instead."""
    if get_settings().migrate_on_start:
        migrate()


app = rx.App(
    api_transformer=[
        answer_unreadable_uploads,  # first: it needs Reflex's own API app
        health_routes(),
        functools.partial(limit_uploads, handlers=UPLOAD_HANDLERS),
        metrics_endpoint,
        # REST /api/v1; its changes refresh open pages like the page's own.
        functools.partial(mount_api_v1, publish=live_updates.publish),
    ],
    # One short, escaped line per browser report, rate-limited per process.
    frontend_exception_handler=log_frontend_exception,
    backend_exception_handler=show_backend_exception,
    head_components=[
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        time_zone_script(),
        shortcuts_script(),
        reminders_script(),
        focus_return_script(),
    ],
)
app.add_page(
    todos_page, route="/", title="Todos", on_load=[TodoListState.load, AssistantState.load_chat]
)
# The tokens panel loads with the page, not on mount: a mount event can come after
# the user's first click and, like every guarded event, clear the alert it raised.
app.add_page(
    settings_page,
    route=SETTINGS_ROUTE,
    title="Settings",
    on_load=[TodoListState.load, ApiTokensState.load],
)
app.add_page(login_page, route="/login", title="Log in", on_load=AuthState.redirect_if_signed_in)
app.add_page(signup_page, route="/signup", title="Sign up", on_load=AuthState.redirect_if_signed_in)
app.register_lifespan_task(migrate_on_start)
app.register_lifespan_task(run_live_updates)
app.add_middleware(PayloadCheck())
app.add_middleware(SessionRecovery())
# Event and state metrics, one debug log line per event (first middleware).
instrument_app(app)

_settings = get_settings()
if app.sio is not None:
    app.sio.eio.cors_allowed_origins = origin_check(
        _settings.allowed_origins, allow_loopback=not _settings.is_production
    )
if app.event_namespace is not None:
    SocketEventLimits(_settings.socket_event_rate_limit).attach(app.event_namespace)
