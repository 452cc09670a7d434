"""Time zones: the one place an IANA zone name from outside becomes a ZoneInfo."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from todo_app.core.errors import ValidationError


def zone(name: object) -> ZoneInfo:
    """The IANA time zone the browser reported; refuses anything else."""
    if not isinstance(name, str) or not name or len(name) > 64:
        raise ValidationError("The time zone is not valid.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        # OSError: a folder of the zone database ("America", "Etc") is no zone;
        # the message would show a filesystem path, so it is not passed on.
        raise ValidationError("That is not a time zone we know.") from error
