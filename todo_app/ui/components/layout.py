"""The frame every page shares."""

import reflex as rx

from todo_app.ui.components.alert import error_alert


def page_frame(*children: rx.Component, header: rx.Component | None = None) -> rx.Component:
    return rx.box(
        rx.container(
            rx.vstack(
                rx.hstack(
                    rx.heading("Todo", size="7"),
                    rx.spacer(),
                    header or rx.fragment(),
                    rx.color_mode.button(variant="ghost", aria_label="Toggle dark mode"),
                    width="100%",
                    align="center",
                ),
                error_alert(),
                *children,
                spacing="4",
                width="100%",
            ),
            size="2",
            padding_x="1em",
            padding_y="2em",
        ),
        min_height="100vh",
    )
