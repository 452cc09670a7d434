"""Actions on the selected todos."""

import reflex as rx

from todo_app.ui.state.todos import BULK_TAG_INPUT_ID, TodoListState


def bulk_bar() -> rx.Component:
    return rx.cond(
        TodoListState.selected_ids.length() > 0,
        rx.flex(
            rx.text(TodoListState.selected_ids.length(), " selected", size="2", weight="medium"),
            rx.button("Complete selected", size="1", on_click=TodoListState.complete_selected),
            rx.button(
                "Delete selected",
                size="1",
                color_scheme="red",
                variant="soft",
                on_click=TodoListState.delete_selected,
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        id=BULK_TAG_INPUT_ID,
                        name="bulk_tag",
                        aria_label="Tag for the selected todos",
                        placeholder="tag",
                        size="1",
                        width="120px",
                    ),
                    rx.button("Tag selected", type="submit", size="1", variant="soft"),
                    spacing="1",
                ),
                on_submit=TodoListState.tag_selected,
            ),
            rx.button(
                "Clear selection",
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=TodoListState.clear_selection,
            ),
            gap="2",
            wrap="wrap",
            align="center",
            role="toolbar",
            aria_label="Selected todos",
            width="100%",
        ),
    )
