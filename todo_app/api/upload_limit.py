"""Bounds on ``/_upload`` before Reflex reads a byte of the body.

Reflex parses the whole multipart body before the event handler (which checks
the user) runs, so an anonymous 50 MB upload was read in full. The only upload
is the JSON import; its files are small. Requests without a declared length
(chunked) are refused too, since their size is only known once read; so are
requests naming a handler that takes no upload. A body Reflex cannot make an
upload of (text where the files go) gets a 400 and one log line, not a 500
with a traceback: anyone can send one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any

from reflex_base.utils.exceptions import UploadValueError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # nginx's client_max_body_size, for the same answer


NOT_AN_UPLOAD = "This request is not an upload this app takes."


def limit_uploads(
    app: ASGIApp,
    max_bytes: int = MAX_UPLOAD_BYTES,
    handlers: Collection[str] | None = None,
) -> ASGIApp:
    """``handlers``: the full names of the event handlers that take uploads (None: any)."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["path"].startswith("/_upload")):
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if not declared.isdigit():
            await _refuse(send, 411, "Please send the file with its length.")
            return
        if int(declared) > max_bytes:
            limit = max_bytes // (1024 * 1024)
            await _refuse(send, 413, f"This file is too large: at most {limit} MB.")
            return
        handler = headers.get(b"reflex-event-handler", b"").decode("latin-1")
        if handlers is not None and handler not in handlers:
            await _refuse(send, 400, NOT_AN_UPLOAD)
            return
        await app(scope, receive, send)

    return guarded


def answer_unreadable_uploads(api: ASGIApp) -> ASGIApp:
    """Reflex's own API app (the first ``api_transformer``): an upload body it
    cannot read answers 400 with one log line, through Starlette's handler table."""
    if not isinstance(api, Starlette):
        raise TypeError("answer_unreadable_uploads must be the first api_transformer")
    api.add_exception_handler(UploadValueError, _unreadable_upload)
    return api


async def _unreadable_upload(request: Request, error: Exception) -> Response:
    log.warning("refused an upload Reflex could not read: %s", str(error)[:100])
    return PlainTextResponse(NOT_AN_UPLOAD, status_code=400)


async def _refuse(send: Send, status: int, sentence: str) -> None:
    body = sentence.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
