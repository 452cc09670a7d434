"""``/_upload`` under attack, on the process rehearsal.

Once, an anonymous 50 MB upload was read and parsed whole before the handler
(which checks the user) ran. Now the size is checked on the request's headers,
before a byte of the body is read: by nginx (``client_max_body_size``) and by
the backend itself (todo_app/api/upload_limit.py), should anything reach it
another way. The upload of a closed tab is in test_sessions_attacks.py.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest

from scripts.process_rehearsal import Rehearsal
from tests.security.conftest import LogWatch, backend_logs
from tests.support.reflex_client import event_name
from todo_app.ui.state.todos import TodoListState
from todo_app.ui.state.transfer import TransferState

FIFTY_MB = 50 * 1024 * 1024


def _answer_to_headers_alone(url: str, *headers: str) -> str:
    """The status line the server answers with, having sent only the request's
    headers: a server that reads the body first never answers (a timeout)."""
    parts = urlsplit(url)
    request = "\r\n".join(
        [
            "POST /_upload HTTP/1.1",
            f"Host: {parts.netloc}",
            "Content-Type: multipart/form-data; boundary=attack",
            "Reflex-Client-Token: 00000000-0000-4000-8000-000000000000",
            f"Reflex-Event-Handler: {event_name(TransferState, 'import_json')}",
            *headers,
            "",
            "",
        ]
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as connection:
        connection.sendall(request.encode())
        try:
            answer = connection.recv(4096).decode("latin-1")
        except TimeoutError:
            return "no answer within 5 s: the server waits for the body"
    return answer.split("\r\n", 1)[0]


TARGETS: dict[str, Callable[[Rehearsal], str]] = {
    "through nginx": lambda shape: shape.url,
    "straight to a backend": lambda shape: shape.backends[0].url,
}


@pytest.mark.parametrize("target", list(TARGETS.values()), ids=list(TARGETS))
def test_a_50_mb_upload_is_refused_before_its_body_is_sent(
    rehearsal: Rehearsal, target: Callable[[Rehearsal], str]
) -> None:
    status = _answer_to_headers_alone(target(rehearsal), f"Content-Length: {FIFTY_MB}")
    assert " 413 " in f"{status} ", status


def test_an_upload_of_unknown_length_is_refused_before_it_is_read(rehearsal: Rehearsal) -> None:
    """Chunked: its size is known only once read. (nginx buffers such a body up to
    its own limit and passes it on with a length, so this is the backend alone.)"""
    status = _answer_to_headers_alone(rehearsal.backends[0].url, "Transfer-Encoding: chunked")
    assert " 411 " in f"{status} ", status


Files = dict[str, tuple[str, bytes, str]]
# name -> (the handler named, the files part, other form fields)
CRAFTED: dict[str, tuple[str, Files | None, dict[str, str] | None]] = {
    "a handler that takes no file": (
        event_name(TodoListState, "delete"),
        {"files": ("todos.json", b"{}", "application/json")},
        None,
    ),
    "text where the files go": (
        event_name(TransferState, "import_json"),
        None,
        {"files": "not a file"},
    ),
}


@pytest.mark.parametrize(("handler", "files", "fields"), list(CRAFTED.values()), ids=list(CRAFTED))
def test_a_crafted_upload_is_refused_without_a_traceback(
    rehearsal: Rehearsal, handler: str, files: Files | None, fields: dict[str, str] | None
) -> None:
    """No login is needed to send these: a traceback each would be a log flood."""
    watch = LogWatch(backend_logs(rehearsal))
    response = httpx.post(
        f"{rehearsal.url}/_upload",
        headers={
            "Reflex-Client-Token": "00000000-0000-4000-8000-000000000001",
            "Reflex-Event-Handler": handler,
        },
        files=files,
        data=fields,
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    time.sleep(0.5)  # the server may log after it has answered
    assert "Traceback" not in watch.new_text()
