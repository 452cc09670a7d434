"""One row of the list: complete, edit in place, delete."""

import reflex as rx
from reflex.vars import ObjectVar

from todo_app.ui.state.todos import TodoListState, TodoRow


def _view(todo: ObjectVar[TodoRow]) -> rx.Component:
    return rx.hstack(
        rx.checkbox(
            checked=todo.completed,
            on_change=lambda checked: TodoListState.toggle(todo.id, checked),
            aria_label=f"Complete {todo.title}",
            size="3",
        ),
        rx.vstack(
            rx.text(
                todo.title,
                text_decoration=rx.cond(todo.completed, "line-through", "none"),
                color=rx.cond(todo.completed, rx.color("gray", 10), rx.color("gray", 12)),
                weight="medium",
                word_break="break-word",
            ),
            rx.cond(
                todo.description != "",
                rx.text(
                    todo.description,
                    size="2",
                    color=rx.color("gray", 10),
                    white_space="pre-wrap",
                    word_break="break-word",
                ),
            ),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.icon_button(
            rx.icon("pencil", size=16),
            on_click=TodoListState.start_edit(todo.id),
            aria_label=f"Edit {todo.title}",
            variant="ghost",
            color_scheme="gray",
        ),
        rx.icon_button(
            rx.icon("trash-2", size=16),
            on_click=TodoListState.delete(todo.id),
            aria_label=f"Delete {todo.title}",
            variant="ghost",
            color_scheme="red",
        ),
        align="center",
        width="100%",
        spacing="3",
    )


def _editor(todo: ObjectVar[TodoRow]) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.input(
                name="title",
                default_value=todo.title,
                aria_label="Title",
                auto_focus=True,
                width="100%",
            ),
            rx.text_area(
                name="description",
                default_value=todo.description,
                aria_label="Description",
                placeholder="Notes (optional)",
                width="100%",
            ),
            rx.hstack(
                rx.button("Save", type="submit"),
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=TodoListState.cancel_edit,
                ),
            ),
            width="100%",
        ),
        on_submit=TodoListState.save_edit,
        width="100%",
    )


def todo_item(todo: ObjectVar[TodoRow]) -> rx.Component:
    return rx.el.li(
        rx.cond(TodoListState.editing_id == todo.id, _editor(todo), _view(todo)),
        padding_y="0.6em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        list_style_type="none",
    )
