"""Search, filters and sort. Each change goes into the URL."""

import reflex as rx

from todo_app.core.models import Priority
from todo_app.core.queries import Sort, Status
from todo_app.ui.state.todos import TodoListState


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


# Below 480 px, only what is used most stays in the row (search and the order); the
# other filters wait behind "Filters", so the first todo is higher on the screen.
def _phone_hidden(*children: rx.Component) -> rx.Component:
    return rx.box(
        *children,
        display=rx.breakpoints(
            initial=rx.cond(TodoListState.filters_open, "contents", "none"), sm="contents"
        ),
    )


def _filters_button() -> rx.Component:
    return rx.button(
        rx.icon("sliders-horizontal", size=16),
        "Filters",
        rx.cond(TodoListState.filtered, rx.badge("on", size="1", high_contrast=True)),
        variant="soft",
        color_scheme="gray",
        aria_expanded=rx.cond(TodoListState.filters_open, "true", "false"),
        on_click=TodoListState.toggle_filters,
        display=rx.breakpoints(initial="inline-flex", sm="none"),
    )


def finder() -> rx.Component:
    """Search and the four selects in one row; the due range behind "More filters",
    open while a range is set. On a phone, Status, Priority, Tag and the range are
    behind "Filters". The smart views are in the side bar."""
    return rx.vstack(
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
                min_width=rx.breakpoints(initial="100px", sm="160px"),
            ),
            _phone_hidden(
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
            ),
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
            _filters_button(),
            gap="2",
            wrap="wrap",
            width="100%",
        ),
        _phone_hidden(
            rx.el.details(
                rx.el.summary("More filters", cursor="pointer", width="fit-content"),
                rx.flex(
                    _date_filter("Due from", "from", TodoListState.due_from),
                    _date_filter("Due to", "to", TodoListState.due_to),
                    gap="2",
                    wrap="wrap",
                    width="100%",
                    padding_top="0.5em",
                ),
                open=(TodoListState.due_from != "") | (TodoListState.due_to != ""),
                font_size="14px",
                color=rx.color("gray", 11),
            ),
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
