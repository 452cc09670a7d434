"""Tells the server the browser's time zone ("today" is the user's, not UTC's) and
language (the order of a numeric date in quick add)."""

import reflex as rx

from todo_app.ui.state.session import LOCALE_COOKIE, TIME_ZONE_COOKIE, TIME_ZONE_STORAGE_KEY


def time_zone_script() -> rx.Component:
    """assets/js/time_zone.js, served at /js/time_zone.js (a file, not inline,
    so the CSP needs no 'unsafe-inline'). A plain <script src> in the head:
    synchronous and not a module, it runs while the page is parsed, before the
    app hydrates (which sends the cookie). rx.script would not do: it inserts
    the tag through react-helmet after hydration, and such a script is async.
    localStorage too, so that a tab whose server state was lost can resend it.
    """
    return rx.el.script(
        src="/js/time_zone.js",
        custom_attrs={
            "data-cookie": TIME_ZONE_COOKIE,
            "data-storage-key": TIME_ZONE_STORAGE_KEY,
            "data-locale-cookie": LOCALE_COOKIE,
        },
    )
