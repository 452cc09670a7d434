"""/ : the signed-in user's todos."""

import reflex as rx

from todo_app.ui.components.assistant_panel import assistant_panel
from todo_app.ui.components.bulk_bar import bulk_bar, select_toggle
from todo_app.ui.components.edit_panel import PANEL_WIDTH, edit_panel
from todo_app.ui.components.finder import finder
from todo_app.ui.components.layout import page_frame
from todo_app.ui.components.lists_nav import list_header
from todo_app.ui.components.quick_add import quick_add
from todo_app.ui.components.reminders import reminders
from todo_app.ui.components.shortcuts import shortcuts_help
from todo_app.ui.components.sidebar import menu_button, sidebar
from todo_app.ui.components.todo_item import todo_item
from todo_app.ui.components.undo_toast import undo_toast
from todo_app.ui.pages.settings import settings_link
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.todos import QUICK_ADD_EXAMPLES, TodoListState


def _list() -> rx.Component:
    return rx.cond(
        TodoListState.loaded,
        rx.cond(
            TodoListState.total > 0,
            rx.vstack(
                rx.hstack(
                    rx.text(
                        TodoListState.shown,
                        " of ",
                        TodoListState.total,
                        " shown",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    rx.spacer(),
                    select_toggle(),
                    width="100%",
                    align="center",
                ),
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
                bulk_bar(),
                width="100%",
            ),
            rx.cond(
                TodoListState.filtered,
                rx.text("No todo matches these filters.", color=rx.color("gray", 11)),
                _empty_state(),
            ),
        ),
        rx.hstack(rx.spinner(), rx.text("Loading your todos…"), aria_busy="true"),
    )


def _empty_state() -> rx.Component:
    """A list with nothing in it yet: what quick add understands, to try in one click."""
    return rx.el.section(
        rx.icon("circle-check-big", size=32, color=rx.color("accent", 9)),
        rx.heading("Nothing to do here yet", size="4", as_="h2"),
        rx.text(
            "Type a todo above, dates and repeats in plain words. Try one:",
            color=rx.color("gray", 11),
        ),
        rx.flex(
            *[
                rx.button(
                    phrase,
                    variant="surface",
                    on_click=TodoListState.try_example(index),
                    min_height="44px",
                )
                for index, phrase in enumerate(QUICK_ADD_EXAMPLES)
            ],
            wrap="wrap",
            gap="2",
            justify="center",
        ),
        aria_label="Getting started",
        display="flex",
        flex_direction="column",
        align_items="center",
        gap="12px",
        text_align="center",
        padding="2em 1em",
        width="100%",
        border=f"1px dashed {rx.color('gray', 7)}",
        border_radius="12px",
    )


def todos_page() -> rx.Component:
    return page_frame(
        list_header(),
        quick_add(),
        reminders(),
        finder(),
        _list(),
        assistant_panel(),
        undo_toast(),
        header=rx.hstack(
            menu_button(),
            shortcuts_help(),
            settings_link(),
            rx.button("Log out", variant="soft", on_click=AuthState.log_out),
            align="center",
        ),
        sidebar=sidebar(),
        skip_label="Skip to the list",
        panel=edit_panel(),
        panel_open=TodoListState.editing_id != 0,
        panel_width=PANEL_WIDTH,
    )
