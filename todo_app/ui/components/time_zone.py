"""Tells the server the browser's time zone ("today" is the user's, not UTC's)."""

import reflex as rx

from todo_app.ui.state.session import TIME_ZONE_COOKIE, TIME_ZONE_STORAGE_KEY

# Inline on purpose: it must run before the app hydrates, which sends cookies.
# localStorage too, so that a tab whose server state was lost can resend it.
_SCRIPT = (
    "try{var tz=Intl.DateTimeFormat().resolvedOptions().timeZone;"
    "document.cookie='" + TIME_ZONE_COOKIE + "='+encodeURIComponent(tz)"
    "+';path=/;SameSite=Strict;max-age=31536000';"
    "localStorage.setItem('" + TIME_ZONE_STORAGE_KEY + "',tz)"
    "}catch(e){}"
)


def time_zone_script() -> rx.Component:
    return rx.script(_SCRIPT)
