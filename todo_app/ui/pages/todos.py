"""/ : the signed-in user's todos."""

import reflex as rx

from todo_app.ui.components.layout import page_frame
from todo_app.ui.components.todo_item import todo_item
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.todos import NEW_TODO_INPUT_ID, TodoListState


def _quick_add() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                id=NEW_TODO_INPUT_ID,
                name="title",
                aria_label="New todo",
                placeholder="What needs doing?",
                auto_focus=True,
                width="100%",
                size="3",
            ),
            rx.button("Add", type="submit", size="3"),
            width="100%",
        ),
        on_submit=TodoListState.add,
        width="100%",
    )


def _list() -> rx.Component:
    return rx.cond(
        TodoListState.loaded,
        rx.cond(
            TodoListState.total > 0,
            rx.vstack(
                rx.el.ul(
                    rx.foreach(TodoListState.todos, todo_item),
                    aria_label="Todos",
                    padding="0",
                    margin="0",
                    width="100%",
                ),
                rx.cond(
                    TodoListState.has_more,
                    rx.button("Show more", variant="soft", on_click=TodoListState.show_more),
                ),
                rx.text(
                    TodoListState.shown,
                    " of ",
                    TodoListState.total,
                    " shown",
                    size="1",
                    color=rx.color("gray", 10),
                ),
                width="100%",
            ),
            rx.text("Nothing to do yet. Add your first todo above.", color=rx.color("gray", 10)),
        ),
        rx.hstack(rx.spinner(), rx.text("Loading your todos…"), aria_busy="true"),
    )


def todos_page() -> rx.Component:
    return page_frame(
        _quick_add(),
        _list(),
        header=rx.button("Log out", variant="soft", on_click=AuthState.log_out),
    )
