"""Account: change the password, log out everywhere, delete the account.

Folded away by default (a details element): rarely used, and deleting must
never be one stray click. Deleting asks for the password and offers the
export first.
"""

import reflex as rx

from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.transfer import TransferState


def _password(label: str, name: str, autocomplete: str) -> rx.Component:
    return rx.flex(
        rx.el.label(label, html_for=name),
        rx.input(
            id=name,
            name=name,
            type="password",
            auto_complete=autocomplete,
            required=True,
            size="2",
        ),
        direction="column",
        gap="1",
    )


def _form(title: str, *children: rx.Component, on_submit: rx.EventHandler) -> rx.Component:
    return rx.form(
        rx.heading(title, size="2", as_="h3"),
        *children,
        on_submit=on_submit,
        reset_on_submit=True,  # passwords never stay in the page
        display="flex",
        flex_direction="column",
        gap="2",
        max_width="22em",
    )


def _change_password() -> rx.Component:
    return _form(
        "Change password",
        _password("Current password", "current_password", "current-password"),
        _password("New password", "new_password", "new-password"),
        rx.button("Save password", type="submit", size="2"),
        on_submit=AuthState.change_password,
    )


def _delete_account() -> rx.Component:
    return _form(
        "Delete account",
        rx.text(
            "This deletes your account and every todo, tag and conversation in it, "
            "on every device. It cannot be undone.",
            size="2",
        ),
        rx.button(
            "Export JSON first",
            type="button",
            variant="soft",
            size="1",
            on_click=TransferState.export("json"),
        ),
        _password("Password", "delete_password", "current-password"),
        # High contrast: white on Radix's red 9 is under 4.5:1 (WCAG 1.4.3).
        rx.button(
            "Delete my account", type="submit", color_scheme="red", high_contrast=True, size="2"
        ),
        on_submit=AuthState.delete_account,
    )


def account_panel() -> rx.Component:
    return rx.el.section(
        rx.heading("Account", size="3", as_="h2"),
        rx.flex(
            rx.cond(
                AuthState.notice != "",
                rx.text(AuthState.notice, role="status", size="2"),
            ),
            _change_password(),
            rx.flex(
                rx.heading("Sessions", size="2", as_="h3"),
                rx.button(
                    "Log out everywhere",
                    variant="soft",
                    size="2",
                    on_click=AuthState.log_out_everywhere,
                ),
                direction="column",
                gap="2",
                align="start",
            ),
            _delete_account(),
            direction="column",
            gap="4",
            padding_top="0.75em",
        ),
        aria_label="Account",
        width="100%",
        padding_top="1em",
    )
