"""The one place errors are shown: a role=alert callout with a human sentence."""

import reflex as rx

from todo_app.ui.state.session import SessionState


def error_alert() -> rx.Component:
    return rx.cond(
        SessionState.error != "",
        rx.callout(
            SessionState.error,
            color_scheme="red",
            role="alert",
            width="100%",
        ),
    )
