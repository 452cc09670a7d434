"""Reminders while the app is open: a browser notification once the user allows
it, an in-page banner otherwise. The server sends the todos due soon; the
browser's clock decides when each is due, so no tab needs a timer on the server.
"""

import reflex as rx

from todo_app.ui.state.todos import TodoListState


def reminders_script() -> rx.Component:
    """assets/js/reminders.js (a file: the page's CSP allows no inline script),
    deferred: it watches #todo-reminders and fills #reminder-banner below."""
    return rx.el.script(src="/js/reminders.js", defer=True)


def reminders() -> rx.Component:
    return rx.fragment(
        rx.el.div(id="todo-reminders", data_reminders=TodoListState.reminders_json, hidden=True),
        # Filled in by the script above; React renders it empty and leaves it so.
        rx.el.div(
            id="reminder-banner",
            role="status",
            hidden=True,
            title="Dismiss",
            padding="0.6em 0.9em",
            border_radius="8px",
            background=rx.color("amber", 4),
            color=rx.color("amber", 12),
            width="100%",
            cursor="pointer",
        ),
        rx.button(
            rx.icon("bell", size=14),
            "Enable notifications",
            id="enable-notifications",
            hidden=True,
            size="1",
            variant="ghost",
        ),
    )
