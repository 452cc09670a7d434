"""Keyboard shortcuts: n, /, j, k, x, e, Delete, ?. Handled in the browser.

The handler only moves focus and clicks the page's own labelled controls, so
every shortcut goes through the same events (and checks) as a mouse click.
"""

import reflex as rx

from todo_app.ui.state.todos import NEW_TODO_INPUT_ID, TodoListState

SHORTCUTS = (
    ("n", "New todo"),
    ("/", "Search"),
    ("j / k", "Next / previous todo"),
    ("x", "Complete or reopen the todo"),
    ("e", "Edit the todo"),
    ("Delete", "Delete the todo"),
    ("?", "Show or hide these shortcuts"),
    ("Esc", "Leave a text box"),
)


def shortcuts_script() -> rx.Component:
    """assets/js/shortcuts.js (a file: the page's CSP allows no inline script and
    no eval). Deferred: it only adds a document listener, so it need not block
    the page; it reads the "New todo" box's id from its data attribute."""
    return rx.el.script(
        src="/js/shortcuts.js",
        defer=True,
        custom_attrs={"data-new-todo-id": NEW_TODO_INPUT_ID},
    )


def shortcuts_help() -> rx.Component:
    return rx.fragment(
        rx.icon_button(
            rx.icon("keyboard", size=16),
            id="shortcuts-toggle",
            variant="ghost",
            aria_label="Keyboard shortcuts",
            on_click=TodoListState.toggle_shortcuts,
        ),
    )


def shortcuts_panel() -> rx.Component:
    return rx.cond(
        TodoListState.show_shortcuts,
        rx.el.section(
            rx.heading("Keyboard shortcuts", size="3", as_="h2"),
            rx.el.dl(
                *[
                    rx.fragment(rx.el.dt(rx.code(key)), rx.el.dd(meaning, margin="0"))
                    for key, meaning in SHORTCUTS
                ],
                display="grid",
                grid_template_columns="auto 1fr",
                gap="4px 12px",
            ),
            aria_label="Keyboard shortcuts",
            padding="0.75em",
            border=f"1px solid {rx.color('gray', 6)}",
            border_radius="8px",
            width="100%",
        ),
    )
