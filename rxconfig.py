"""Reflex configuration, built from todo_app.settings (the environment)."""

import reflex as rx

from todo_app.settings import get_settings
from todo_app.ui.same_origin import SameOriginBackendPlugin

settings = get_settings()

config = rx.Config(
    app_name="todo_app",
    # Reflex reads db_url, not DATABASE_URL: settings maps one onto the other.
    db_url=settings.effective_database_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
        SameOriginBackendPlugin(),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
