"""/login and /signup: one form, two verbs."""

from collections.abc import Callable
from typing import Any

import reflex as rx

from todo_app.ui.components.layout import page_frame
from todo_app.ui.state.auth import AuthState


def _credentials_form(
    submit_label: str, on_submit: Callable[..., Any], new_password: bool
) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("Email", html_for="email"),
            rx.input(
                id="email",
                name="email",
                type="email",
                auto_complete="email",
                required=True,
                width="100%",
            ),
            rx.el.label("Password", html_for="password"),
            rx.input(
                id="password",
                name="password",
                type="password",
                auto_complete="new-password" if new_password else "current-password",
                required=True,
                width="100%",
            ),
            rx.button(submit_label, type="submit", width="100%", size="3"),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
    )


def login_page() -> rx.Component:
    return page_frame(
        rx.heading("Log in", size="5", as_="h2"),
        _credentials_form("Log in", AuthState.log_in, new_password=False),
        rx.text("No account yet? ", rx.link("Sign up", href="/signup", underline="always")),
    )


def signup_page() -> rx.Component:
    return page_frame(
        rx.heading("Create your account", size="5", as_="h2"),
        _credentials_form("Sign up", AuthState.sign_up, new_password=True),
        rx.text("At least 8 characters for the password.", size="2", color=rx.color("gray", 11)),
        rx.text("Already have an account? ", rx.link("Log in", href="/login", underline="always")),
    )
