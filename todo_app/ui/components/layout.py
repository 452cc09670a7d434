"""The frame every page shares: a skip link, the header, the main content and,
on the list page, a side bar (a drawer on a phone)."""

import reflex as rx
from reflex_components_core.el.elements.inline import A as PlainAnchor

from todo_app.ui.components.alert import error_alert

MAIN_ID = "main"
# Reflex's breakpoints: "md" is 48em (768 px). Below it the side bar is a drawer.
DESKTOP = "@media (min-width: 48em)"


def _skip_link(label: str) -> rx.Component:
    """The first thing a keyboard reaches: hidden until focused. A plain <a>, not
    rx.el.a (a router link, which changes the URL but moves no focus)."""
    return PlainAnchor.create(
        label,
        href=f"#{MAIN_ID}",
        position="absolute",
        left="-10000px",
        top="0.5em",
        z_index="100",
        padding="0.75em 1em",
        border_radius="8px",
        background=rx.color("accent", 9),
        color=rx.color("accent", 1),
        _focus={"left": "0.5em"},
    )


def page_frame(
    *children: rx.Component,
    header: rx.Component | None = None,
    sidebar: rx.Component | None = None,
    skip_label: str = "Skip to main content",
    panel: rx.Component | None = None,
    panel_open: rx.Var[bool] | None = None,
    panel_width: str = "0",
) -> rx.Component:
    """``panel``: a side panel fixed at the right, outside ``main`` (a landmark of its
    own); from 1024 px the page makes ``panel_width`` of room for it while
    ``panel_open``, below that it covers the page."""
    main = rx.el.main(
        rx.vstack(error_alert(), *children, spacing="4", width="100%"),
        id=MAIN_ID,
        tab_index=-1,
        flex="1",
        min_width="0",
        width="100%",
        outline="none",
    )
    return rx.box(
        _skip_link(skip_label),
        rx.container(
            rx.vstack(
                rx.hstack(
                    rx.heading("Todo", size="7"),
                    rx.spacer(),
                    header or rx.fragment(),
                    rx.color_mode.button(variant="ghost", aria_label="Toggle dark mode"),
                    width="100%",
                    align="center",
                ),
                rx.flex(sidebar, main, gap="2em", align="start", width="100%")
                if sidebar is not None
                else main,
                spacing="4",
                width="100%",
            ),
            size="4" if sidebar is not None else "2",
            padding_x="1em",
            padding_y=rx.breakpoints(initial="1em", md="2em"),
        ),
        panel or rx.fragment(),
        min_height="100vh",
        padding_right=rx.breakpoints(initial="0", lg=rx.cond(panel_open, panel_width, "0"))
        if panel_open is not None
        else None,
    )
