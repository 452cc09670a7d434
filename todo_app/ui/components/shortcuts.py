"""Keyboard shortcuts: n, /, j, k, x, e, Delete, ?, Esc. Handled in the browser.

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
    ("Ctrl/⌘ + Z", "Undo"),
    ("?", "Show these shortcuts"),
    ("Esc", "Leave a text box (saving it), close a dialog or the edit panel"),
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
    """The keyboard button and the dialog it opens (Escape or "Close" closes it).
    Controlled by the state so "?" toggles it and a page load closes it."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.icon_button(
                rx.icon("keyboard", size=16),
                id="shortcuts-toggle",
                variant="ghost",
                aria_label="Keyboard shortcuts",
            ),
        ),
        rx.dialog.content(
            rx.dialog.title("Keyboard shortcuts", size="4"),
            rx.el.dl(
                *[
                    rx.fragment(rx.el.dt(rx.code(key)), rx.el.dd(meaning, margin="0"))
                    for key, meaning in SHORTCUTS
                ],
                display="grid",
                grid_template_columns="auto 1fr",
                gap="6px 12px",
            ),
            rx.flex(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1em",
            ),
            max_width="420px",
        ),
        open=TodoListState.show_shortcuts,
        on_open_change=TodoListState.set_shortcuts_open,
    )
