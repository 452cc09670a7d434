"""Which page origins may open the backend's websocket.

Reflex passes its ``cors_allowed_origins`` to Socket.IO, where an empty list
means "check nothing" and ``*`` means "anyone": neither is "the app's own
origin". This check is used instead: the page's origin must be the origin the
request was addressed to (the Host header nginx passes on), one configured in
CORS_ALLOWED_ORIGINS, or, on a laptop only, a loopback origin (``reflex run``
serves the page on :3000 and the websocket on :8000).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
OriginCheck = Callable[[str | None, Mapping[str, Any]], bool]


def origin_check(allowed: list[str], allow_loopback: bool) -> OriginCheck:
    configured = frozenset(origin.rstrip("/") for origin in allowed)

    def is_allowed(origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not origin:
            return True  # not a browser: the token decides, as for any client
        if origin in configured:
            return True
        parts = urlsplit(origin)
        if allow_loopback and parts.hostname in LOOPBACK_HOSTS:
            return True
        host = str(environ.get("HTTP_HOST", ""))
        return bool(host) and parts.netloc == host and parts.scheme in {"http", "https"}

    return is_allowed
