"""Tells the server the browser's time zone ("today" is the user's, not UTC's)."""

import reflex as rx

from todo_app.ui.state.session import TIME_ZONE_COOKIE

# Inline on purpose: it must run before the app hydrates, which sends cookies.
_SCRIPT = (
    "try{document.cookie='" + TIME_ZONE_COOKIE + "='+encodeURIComponent("
    "Intl.DateTimeFormat().resolvedOptions().timeZone)+';path=/;SameSite=Strict;max-age=31536000'"
    "}catch(e){}"
)


def time_zone_script() -> rx.Component:
    return rx.script(_SCRIPT)
