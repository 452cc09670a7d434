"""/ : the signed-in user's todos."""

import reflex as rx

from todo_app.ui.components.account_panel import account_panel
from todo_app.ui.components.assistant_panel import assistant_panel
from todo_app.ui.components.bulk_bar import bulk_bar
from todo_app.ui.components.finder import finder
from todo_app.ui.components.layout import page_frame
from todo_app.ui.components.lists_nav import list_header, lists_nav
from todo_app.ui.components.quick_add import quick_add, undo_bar
from todo_app.ui.components.reminders import reminders
from todo_app.ui.components.shortcuts import shortcuts_help, shortcuts_panel
from todo_app.ui.components.tag_manager import tag_manager
from todo_app.ui.components.todo_item import todo_item
from todo_app.ui.components.transfer_panel import transfer_panel
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.todos import TodoListState


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
            rx.text(
                rx.cond(
                    TodoListState.search != "",
                    "No todo matches your search.",
                    "Nothing here yet. Add a todo above, or change the filters.",
                ),
                color=rx.color("gray", 10),
            ),
        ),
        rx.hstack(rx.spinner(), rx.text("Loading your todos…"), aria_busy="true"),
    )


def todos_page() -> rx.Component:
    return page_frame(
        lists_nav(),
        list_header(),
        quick_add(),
        reminders(),
        undo_bar(),
        shortcuts_panel(),
        finder(),
        bulk_bar(),
        _list(),
        assistant_panel(),
        tag_manager(),
        transfer_panel(),
        account_panel(),
        header=rx.hstack(
            shortcuts_help(),
            rx.button("Log out", variant="soft", on_click=AuthState.log_out),
            align="center",
        ),
    )
