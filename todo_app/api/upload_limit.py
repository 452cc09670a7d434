"""A size bound on ``/_upload`` before Reflex reads a byte of the body.

Reflex parses the whole multipart body before the event handler (which checks
the user) runs, so an anonymous 50 MB upload was read in full. The only upload
is the JSON import; its files are small. Requests without a declared length
(chunked) are refused too, since their size is only known once read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # nginx's client_max_body_size, for the same answer


def limit_uploads(app: ASGIApp, max_bytes: int = MAX_UPLOAD_BYTES) -> ASGIApp:
    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/_upload"):
            headers = dict(scope.get("headers") or [])
            declared = headers.get(b"content-length", b"").decode("latin-1")
            if not declared.isdigit():
                await _refuse(send, 411, "Please send the file with its length.")
                return
            if int(declared) > max_bytes:
                limit = max_bytes // (1024 * 1024)
                await _refuse(send, 413, f"This file is too large: at most {limit} MB.")
                return
        await app(scope, receive, send)

    return guarded


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
