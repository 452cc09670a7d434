"""Reflex configuration, built from todo_app.settings (the environment)."""

import os

import reflex as rx

from todo_app.observability.logs import configure_logging
from todo_app.settings import get_settings
from todo_app.ui.same_origin import SameOriginBackendPlugin

settings = get_settings()
# `reflex run` and every process that loads this config; todo_app.serve calls it first.
configure_logging(settings)

# Reflex creates its upload folder at start-up, in the working directory unless
# told otherwise: read-only in the image. Keep it in the data folder locally;
# the image and the cluster point it into the /tmp volume.
os.environ.setdefault("REFLEX_UPLOADED_FILES_DIR", str(settings.data_dir / "uploads"))
if settings.effective_redis_url:
    # Reflex reads this variable itself; ours carries the Secret's password.
    os.environ["REFLEX_REDIS_URL"] = settings.effective_redis_url

config = rx.Config(
    app_name="todo_app",
    # Reflex reads db_url, not DATABASE_URL: settings maps one onto the other.
    db_url=settings.effective_database_url,
    telemetry_enabled=False,
    # HTTP: in production only the listed origins get CORS headers (none by
    # default: nginx serves the page and the backend on one origin); a laptop's
    # `reflex run` serves them on two ports. The websocket's own origin check
    # is set in todo_app.todo_app (Reflex cannot express "same origin").
    cors_allowed_origins=settings.allowed_origins if settings.is_production else ["*"],
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
        SameOriginBackendPlugin(),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
