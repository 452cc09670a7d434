"""Undo, as a toast floating over the bottom of the page: it never moves the list.

Ctrl/⌘+Z presses its button (assets/js/shortcuts.js), so the keyboard goes
through the same event as a click. It hides itself after UNDO_SECONDS, in the
page (a CSS animation, restarted by each new offer): no timer runs on the server.
"""

import reflex as rx

from todo_app.ui.state.todos import UNDO_SECONDS, TodoListState

UNDO_BUTTON_ID = "undo-button"
# Hidden (out of sight and of the accessibility tree) once the offer's time is up.
_EXPIRE = "todo-undo-expire"
_EXPIRY_STYLE = {
    f"@keyframes {_EXPIRE}": {"to": {"visibility": "hidden"}},
    "animation": f"{_EXPIRE} 0s linear {UNDO_SECONDS}s forwards",
}


def undo_toast() -> rx.Component:
    return rx.cond(
        TodoListState.undo_label != "",
        rx.box(
            rx.hstack(
                rx.text(TodoListState.undo_label, size="2", flex="1", min_width="0"),
                rx.button(
                    "Undo",
                    id=UNDO_BUTTON_ID,
                    size="2",
                    variant="soft",
                    on_click=TodoListState.undo,
                    title="Undo (Ctrl+Z)",
                    min_height="44px",
                ),
                rx.icon_button(
                    rx.icon("x", size=16),
                    size="2",
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Dismiss",
                    on_click=TodoListState.dismiss_undo,
                    min_width="44px",
                    min_height="44px",
                ),
                align="center",
                spacing="2",
            ),
            role="status",
            aria_label="Undo",
            position="fixed",
            # Above the selection's bar when it shows (it sticks to the bottom too).
            bottom=rx.cond(TodoListState.selected_ids.length() > 0, "96px", "16px"),
            left="50%",
            transform="translateX(-50%)",
            width="min(560px, calc(100vw - 24px))",
            padding="8px 8px 8px 16px",
            border_radius="12px",
            background=rx.color("gray", 2),
            border=f"1px solid {rx.color('gray', 7)}",
            box_shadow="0 8px 24px rgba(0, 0, 0, 0.25)",
            z_index="50",
            style=_EXPIRY_STYLE,
            # A new offer is a new element, so its timer starts from the beginning.
            key=TodoListState.undo_serial,
        ),
    )
