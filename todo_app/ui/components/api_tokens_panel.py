"""The "API tokens" section: create a personal access token (shown once), list and revoke
tokens, and the secret calendar feed link with "Reset feed link".

It loads with the settings page (``ApiTokensState.load`` in its on_load). Errors show in
the page's one alert (components/alert.py, in the layout), as everywhere else.
"""

import reflex as rx

from todo_app.ui.state.api_tokens import (
    DEFAULT_EXPIRY,
    DEFAULT_SCOPE,
    EXPIRY_CHOICES,
    SCOPE_CHOICES,
    ApiTokensState,
    TokenRow,
)

NAME_INPUT_ID = "api-token-name"


def _select(label: str, name: str, choices: list[str], default: str) -> rx.Component:
    return rx.flex(
        rx.el.label(label, html_for=name),
        rx.select.root(
            rx.select.trigger(aria_label=label, id=name),
            rx.select.content(*[rx.select.item(choice, value=choice) for choice in choices]),
            name=name,
            default_value=default,
            size="2",
        ),
        direction="column",
        gap="1",
    )


def _create_form() -> rx.Component:
    return rx.form(
        rx.heading("New token", size="2", as_="h3"),
        rx.flex(
            rx.el.label("Token name", html_for=NAME_INPUT_ID),
            rx.input(
                id=NAME_INPUT_ID,
                name="token_name",
                placeholder="e.g. backup script",
                max_length=100,
                required=True,
                size="2",
            ),
            direction="column",
            gap="1",
        ),
        rx.flex(
            _select("Scope", "scope", list(SCOPE_CHOICES), DEFAULT_SCOPE),
            _select("Expires", "expiry", list(EXPIRY_CHOICES), DEFAULT_EXPIRY),
            gap="3",
            wrap="wrap",
        ),
        rx.button("Create token", type="submit", size="2"),
        on_submit=ApiTokensState.create_token,
        reset_on_submit=True,
        display="flex",
        flex_direction="column",
        gap="0.5em",
        max_width="28em",
    )


def _new_token() -> rx.Component:
    return rx.cond(
        ApiTokensState.new_token != "",
        rx.callout.root(
            rx.callout.text(
                "Your new token “",
                ApiTokensState.new_token_name,
                "”. Copy it now: it will not be shown again.",
            ),
            rx.flex(
                rx.code(ApiTokensState.new_token, aria_label="New API token"),
                rx.button(
                    "Copy token",
                    size="1",
                    variant="soft",
                    on_click=rx.set_clipboard(ApiTokensState.new_token),
                ),
                rx.button(
                    "Done", size="1", variant="ghost", on_click=ApiTokensState.dismiss_new_token
                ),
                gap="2",
                align="center",
                wrap="wrap",
            ),
            role="status",
            color_scheme="green",
        ),
    )


def _token(row: TokenRow) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.text(row.name, weight="bold", size="2"),
            rx.code(row.prefix, size="1"),
            rx.text(row.scope, size="1"),
            rx.text("Expires: ", row.expires, size="1"),
            rx.text("Last used: ", row.last_used, size="1"),
            rx.button(
                "Revoke",
                size="1",
                color_scheme="red",
                variant="soft",
                aria_label="Revoke " + row.name,
                on_click=ApiTokensState.revoke_token(row.id),
            ),
            gap="3",
            align="center",
            wrap="wrap",
        ),
        padding_y="0.25em",
    )


def _token_list() -> rx.Component:
    return rx.flex(
        rx.heading("Your tokens", size="2", as_="h3"),
        rx.cond(
            ApiTokensState.tokens.length() > 0,
            rx.el.ul(
                rx.foreach(ApiTokensState.tokens, _token),
                aria_label="Tokens",
                padding="0",
                list_style_type="none",
            ),
            rx.text("No tokens yet.", size="2"),
        ),
        direction="column",
        gap="2",
    )


def _calendar_feed() -> rx.Component:
    return rx.flex(
        rx.heading("Calendar feed", size="2", as_="h3"),
        rx.text(
            "Subscribe to this secret link in your calendar app to see your todos with a "
            "due date. Anyone with the link can read them: reset it if it leaks.",
            size="2",
        ),
        rx.input(
            value=ApiTokensState.feed_url,
            read_only=True,
            aria_label="Calendar feed link",
            size="2",
        ),
        rx.flex(
            rx.button(
                "Copy link",
                size="2",
                variant="soft",
                on_click=rx.set_clipboard(ApiTokensState.feed_url),
            ),
            rx.button(
                "Reset feed link",
                size="2",
                variant="soft",
                color_scheme="red",
                on_click=ApiTokensState.reset_feed_link,
            ),
            gap="2",
        ),
        direction="column",
        gap="2",
        max_width="40em",
    )


def api_tokens_panel() -> rx.Component:
    return rx.el.section(
        rx.heading("API tokens", size="3", as_="h2"),
        rx.text(
            "Personal access tokens let scripts use the REST API (/api/v1) as you: send "
            "“Authorization: Bearer <token>”.",
            size="2",
        ),
        rx.cond(
            ApiTokensState.notice != "", rx.text(ApiTokensState.notice, role="status", size="2")
        ),
        _new_token(),
        _create_form(),
        _token_list(),
        _calendar_feed(),
        aria_label="API tokens",
        display="flex",
        flex_direction="column",
        gap="1em",
        width="100%",
        padding_top="1em",
    )
