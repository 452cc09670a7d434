"""The quick-add box: natural language, with a preview of what it understood."""

import reflex as rx

from todo_app.ui.state.todos import NEW_TODO_INPUT_ID, TodoListState


def quick_add() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(
                    id=NEW_TODO_INPUT_ID,
                    name="title",
                    aria_label="New todo",
                    placeholder="e.g. Pay rent every month on the 1st #home !high",
                    auto_focus=True,
                    on_change=TodoListState.preview_quick_add.debounce(150),
                    width="100%",
                    size="3",
                    disabled=~TodoListState.can_add,
                ),
                rx.button("Add", type="submit", size="3", disabled=~TodoListState.can_add),
                width="100%",
            ),
            rx.cond(
                TodoListState.quick_notes.length() > 0,
                rx.box(
                    rx.foreach(
                        TodoListState.quick_notes,
                        lambda note: rx.hstack(
                            rx.icon("triangle-alert", size=14, flex_shrink="0"),
                            rx.text(note, size="2"),
                            color=rx.color("amber", 12),
                            align="center",
                            spacing="1",
                        ),
                    ),
                    role="status",
                    aria_label="Quick add notes",
                ),
            ),
            rx.cond(
                TodoListState.quick_preview != "",
                rx.hstack(
                    rx.icon("sparkles", size=12, flex_shrink="0"),
                    rx.text(TodoListState.quick_preview, size="1"),
                    color=rx.color("accent", 11),
                    aria_live="polite",
                    id="quick-add-preview",
                    align="center",
                    spacing="1",
                ),
            ),
            width="100%",
            spacing="1",
        ),
        on_submit=TodoListState.add,
        width="100%",
    )
