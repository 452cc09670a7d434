"""Search, smart views, filters and sort. Each change goes into the URL."""

import reflex as rx

from todo_app.core.models import Priority
from todo_app.core.queries import Sort, Status, View
from todo_app.ui.state.todos import TodoListState

_VIEWS = (
    (View.ALL, "All"),
    (View.TODAY, "Today"),
    (View.UPCOMING, "Upcoming"),
    (View.OVERDUE, "Overdue"),
    (View.NO_DATE, "No date"),
)


def _select(
    label: str, name: str, value: rx.Var[str], items: list[tuple[str, str]]
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, placeholder=label),
        rx.select.content(*[rx.select.item(text, value=key) for key, text in items]),
        value=value,
        on_change=lambda chosen: TodoListState.set_filter(name, chosen),
        size="2",
    )


def _tag_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Tag", placeholder="Tag"),
        rx.select.content(
            rx.select.item("Any tag", value="any"),
            rx.foreach(
                TodoListState.tag_options,
                lambda name: rx.select.item("#" + name, value=name),
            ),
        ),
        value=TodoListState.tag,
        on_change=lambda chosen: TodoListState.set_filter("tag", chosen),
        size="2",
    )


def finder() -> rx.Component:
    return rx.vstack(
        # Scrolls sideways rather than widening the page on a 360 px phone.
        rx.box(
            rx.segmented_control.root(
                *[rx.segmented_control.item(text, value=view.value) for view, text in _VIEWS],
                value=TodoListState.view,
                on_change=lambda chosen: TodoListState.set_filter("view", chosen),
                aria_label="View",
                size="1",
                min_width="340px",
                width="100%",
            ),
            overflow_x="auto",
            max_width="100%",
            width="100%",
        ),
        rx.flex(
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                aria_label="Search",
                placeholder="Search",
                default_value=TodoListState.search,
                # Remount when the URL's search changes under it (back button).
                key=TodoListState.search,
                on_change=TodoListState.set_search.debounce(300),
                id="search",
                flex="2",
                min_width="160px",
            ),
            _select(
                "Status",
                "status",
                TodoListState.status,
                [(Status.ALL, "All"), (Status.OPEN, "Open"), (Status.DONE, "Done")],
            ),
            _select(
                "Priority",
                "priority",
                TodoListState.priority,
                [
                    ("any", "Any priority"),
                    *((p.key, p.label) for p in sorted(Priority, reverse=True) if p),
                    (Priority.NONE.key, "No priority"),
                ],
            ),
            _tag_select(),
            _select(
                "Sort by",
                "sort",
                TodoListState.sort,
                [
                    (Sort.SMART, "Due first"),
                    (Sort.CREATED, "Newest"),
                    (Sort.DUE, "Due date"),
                    (Sort.PRIORITY, "Priority"),
                    (Sort.TITLE, "Title"),
                ],
            ),
            gap="2",
            wrap="wrap",
            width="100%",
        ),
        rx.flex(
            _date_filter("Due from", "from", TodoListState.due_from),
            _date_filter("Due to", "to", TodoListState.due_to),
            gap="2",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


def _date_filter(label: str, name: str, value: rx.Var[str]) -> rx.Component:
    return rx.el.label(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.input(
            type="date",
            aria_label=label,
            default_value=value,
            key=value,  # follow the URL (back button)
            on_change=lambda chosen: TodoListState.set_filter(name, chosen),
            size="1",
        ),
        display="flex",
        align_items="center",
        gap="6px",
    )
