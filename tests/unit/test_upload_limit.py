"""/_upload is bounded before its body is read (todo_app/api/upload_limit.py)."""

from __future__ import annotations

from collections.abc import Iterator

from reflex_base.utils.exceptions import UploadValueError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from todo_app.api.upload_limit import answer_unreadable_uploads, limit_uploads

bodies_read: list[int] = []


async def upload(request: Request) -> PlainTextResponse:
    bodies_read.append(len(await request.body()))
    return PlainTextResponse("read")


client = TestClient(
    limit_uploads(Starlette(routes=[Route("/_upload", upload, methods=["POST"])]), max_bytes=1000)
)


def test_a_small_upload_passes() -> None:
    bodies_read.clear()
    response = client.post("/_upload", content=b"x" * 1000)
    assert (response.status_code, response.text, bodies_read) == (200, "read", [1000])


def test_a_large_upload_is_refused_unread() -> None:
    bodies_read.clear()
    response = client.post("/_upload", content=b"x" * 1001)
    assert response.status_code == 413
    assert "too large" in response.text
    assert bodies_read == []


def test_an_upload_without_a_length_is_refused() -> None:
    bodies_read.clear()

    def chunks() -> Iterator[bytes]:
        yield b"x" * 10

    response = client.post("/_upload", content=chunks())
    assert response.status_code == 411
    assert bodies_read == []


async def crafted(request: Request) -> PlainTextResponse:
    raise UploadValueError("Uploaded file is not an UploadFile.")


strict_client = TestClient(
    limit_uploads(
        answer_unreadable_uploads(
            Starlette(
                routes=[
                    Route("/_upload", upload, methods=["POST"]),
                    Route("/_upload/crafted", crafted, methods=["POST"]),
                ]
            )
        ),
        handlers={"state.import_json"},
    ),
    raise_server_exceptions=False,
)


def test_only_the_upload_handlers_may_be_named() -> None:
    bodies_read.clear()
    named = {"Reflex-Event-Handler": "state.delete"}
    refused = strict_client.post("/_upload", content=b"{}", headers=named)
    assert (refused.status_code, bodies_read) == (400, [])
    allowed = {"Reflex-Event-Handler": "state.import_json"}
    assert strict_client.post("/_upload", content=b"{}", headers=allowed).status_code == 200


def test_a_body_reflex_cannot_read_is_a_400_not_a_500() -> None:
    headers = {"Reflex-Event-Handler": "state.import_json"}
    response = strict_client.post("/_upload/crafted", content=b"files=text", headers=headers)
    assert response.status_code == 400
    assert "not an upload" in response.text
