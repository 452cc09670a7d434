"""The side bar: smart views with their counts, then the lists. Beside the list on
a desktop; on a phone a drawer opened by "Menu" (closed again by a page load)."""

import reflex as rx
from reflex.vars import ObjectVar

from todo_app.ui.components.layout import DESKTOP
from todo_app.ui.components.lists_nav import lists_nav, nav_link
from todo_app.ui.components.touch import TOUCH_TARGET
from todo_app.ui.state.todos import VIEW_ICONS, TodoListState, ViewLink

SIDEBAR_ID = "sidebar"


def _icon(value: rx.Var[str]) -> rx.Component:
    return rx.match(
        value,
        *[(view.value, rx.icon(name, size=16)) for view, name in VIEW_ICONS.items()],
        rx.fragment(),
    )


def _view_link(item: ObjectVar[ViewLink]) -> rx.Component:
    return rx.el.li(
        nav_link(
            _icon(item.value),
            rx.text(item.label, flex="1"),
            rx.cond(
                item.count > 0,
                rx.badge(item.count, variant="soft", color_scheme="gray", high_contrast=True),
            ),
            href=item.href,
            current=TodoListState.view == item.value,
        ),
        list_style="none",
    )


def menu_button() -> rx.Component:
    """Opens the side bar as a drawer; a phone's only way to it."""
    return rx.icon_button(
        rx.icon("menu", size=18),
        aria_label="Menu",
        aria_expanded=rx.cond(TodoListState.nav_open, "true", "false"),
        aria_controls=SIDEBAR_ID,
        variant="ghost",
        size="2",
        on_click=TodoListState.toggle_nav,
        **TOUCH_TARGET,
        display=rx.breakpoints(initial="inline-flex", md="none"),
    )


def sidebar() -> rx.Component:
    return rx.fragment(
        rx.cond(  # the drawer's backdrop: a tap beside it closes it
            TodoListState.nav_open,
            rx.box(
                on_click=TodoListState.toggle_nav,
                position="fixed",
                inset="0",
                background="rgba(0, 0, 0, 0.45)",
                z_index="59",
                display=rx.breakpoints(initial="block", md="none"),
            ),
        ),
        rx.el.aside(
            rx.vstack(
                rx.el.nav(
                    rx.el.ul(
                        rx.foreach(TodoListState.view_links, _view_link),
                        padding="0",
                        margin="0",
                        display="flex",
                        flex_direction="column",
                        gap="2px",
                    ),
                    aria_label="Views",
                    width="100%",
                ),
                rx.separator(size="4"),
                lists_nav(),
                spacing="3",
                width="100%",
            ),
            id=SIDEBAR_ID,
            aria_label="Views and lists",
            style={
                # A phone: hidden, or a drawer over the page's left side.
                "display": rx.cond(TodoListState.nav_open, "block", "none"),
                "position": "fixed",
                "top": "0",
                "bottom": "0",
                "left": "0",
                "width": "min(300px, 85vw)",
                "overflow_y": "auto",
                "padding": "1.25em 1em",
                "background": rx.color("gray", 1),
                "box_shadow": "0 0 24px rgba(0, 0, 0, 0.3)",
                "z_index": "60",
                DESKTOP: {
                    "display": "block",
                    "position": "sticky",
                    "top": "1em",
                    "width": "230px",
                    "flex_shrink": "0",
                    "padding": "0",
                    "background": "transparent",
                    "box_shadow": "none",
                    "z_index": "auto",
                },
            },
        ),
    )
