"""Selecting todos, and what to do with the selection.

"Select" turns selection on (a box per row, 44 px to tap); while todos are
selected a bar sticks to the bottom of the screen: "2 selected · Complete ·
Tag · Delete". Leaving the mode clears the selection.
"""

import reflex as rx

from todo_app.ui.state.todos import BULK_TAG_INPUT_ID, TodoListState


def select_toggle() -> rx.Component:
    return rx.button(
        rx.cond(TodoListState.selecting, rx.icon("x", size=16), rx.icon("list-checks", size=16)),
        rx.cond(TodoListState.selecting, "Done selecting", "Select"),
        aria_pressed=rx.cond(TodoListState.selecting, "true", "false"),
        variant="soft",
        color_scheme="gray",
        size="2",
        on_click=TodoListState.toggle_selecting,
    )


def bulk_bar() -> rx.Component:
    return rx.cond(
        TodoListState.selected_ids.length() > 0,
        rx.flex(
            rx.text(TodoListState.selected_ids.length(), " selected", size="2", weight="bold"),
            rx.button(
                "Complete", aria_label="Complete selected", on_click=TodoListState.complete_selected
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        id=BULK_TAG_INPUT_ID,
                        name="bulk_tag",
                        aria_label="Tag for the selected todos",
                        placeholder="tag",
                        width="110px",
                    ),
                    rx.button("Tag", aria_label="Tag selected", type="submit", variant="soft"),
                    spacing="1",
                ),
                on_submit=TodoListState.tag_selected,
            ),
            rx.button(
                "Delete",
                aria_label="Delete selected",
                color_scheme="red",
                variant="soft",
                on_click=TodoListState.delete_selected,
            ),
            rx.button(
                "Clear",
                aria_label="Clear selection",
                variant="ghost",
                color_scheme="gray",
                on_click=TodoListState.clear_selection,
            ),
            gap="2",
            wrap="wrap",
            align="center",
            role="toolbar",
            aria_label="Selected todos",
            position="sticky",
            bottom="12px",
            z_index="40",
            width="100%",
            padding="10px 12px",
            border_radius="12px",
            background=rx.color("gray", 2),
            border=f"1px solid {rx.color('gray', 7)}",
            box_shadow="0 8px 24px rgba(0, 0, 0, 0.25)",
        ),
    )
