"""/settings: what a user sets up once, away from the list (tags, data, account,
API tokens and the calendar feed)."""

import reflex as rx

from todo_app.ui.components.account_panel import account_panel
from todo_app.ui.components.api_tokens_panel import api_tokens_panel
from todo_app.ui.components.layout import page_frame
from todo_app.ui.components.tag_manager import tag_manager
from todo_app.ui.components.transfer_panel import transfer_panel
from todo_app.ui.state.auth import AuthState

SETTINGS_ROUTE = "/settings"


def settings_link() -> rx.Component:
    return rx.link(
        rx.icon("settings", size=18),
        href=SETTINGS_ROUTE,
        aria_label="Settings",
        title="Settings",
        display="inline-flex",
        align_items="center",
        justify_content="center",
        min_width="40px",
        min_height="40px",
        border_radius="8px",
        color=rx.color("gray", 12),
        _hover={"background": rx.color("gray", 4)},
    )


def settings_page() -> rx.Component:
    return page_frame(
        rx.hstack(
            rx.link(rx.icon("arrow-left", size=16), "Back to your todos", href="/"),
            align="center",
        ),
        rx.heading("Settings", size="6", as_="h1"),
        tag_manager(),
        rx.separator(size="4"),
        transfer_panel(),
        rx.separator(size="4"),
        account_panel(),
        rx.separator(size="4"),
        api_tokens_panel(),
        header=rx.button("Log out", variant="soft", on_click=AuthState.log_out),
    )
