"""A scripted, Groq-compatible chat completions server on loopback, for tests.

The real ``groq`` SDK talks to it through ``base_url``; the real API is never called.
Each request pops the next scripted reply:

* ``text("...")`` / ``tool_calls(("name", '{"a": 1}'), ...)``: a chat completion, sent as
  JSON, or as an SSE stream of chunks when the request has ``"stream": true``;
* ``http_error(429, headers={"Retry-After": "1"})``: an HTTP error;
* ``delayed(3.0, text("late"))``: the reply after a pause (to trigger client timeouts).

Every request is recorded (path, headers, parsed JSON body, server-side duration).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_PATH = "/openai/v1/chat/completions"


@dataclass(frozen=True)
class Completion:
    content: str | None = None
    # (name, arguments); arguments is normally a JSON string but may be any JSON value, to
    # play a model that sends something that is not a string at all.
    calls: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class HttpError:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass(frozen=True)
class Delayed:
    seconds: float
    then: Completion | HttpError


Reply = Completion | HttpError | Delayed


def text(content: str) -> Completion:
    return Completion(content=content)


def tool_calls(*calls: tuple[str, Any], content: str | None = None) -> Completion:
    return Completion(content=content, calls=tuple(calls))


def http_error(status: int, headers: dict[str, str] | None = None, body: Any = None) -> HttpError:
    if body is None:
        body = {"error": {"message": f"fake error {status}", "type": "fake_error"}}
    return HttpError(status=status, headers=headers or {}, body=body)


def delayed(seconds: float, then: Completion | HttpError) -> Delayed:
    return Delayed(seconds=seconds, then=then)


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any
    duration: float = 0.0  # seconds the server spent on it, scripted delay included


class FakeGroq:
    def __init__(self) -> None:
        self._queue: deque[Reply] = deque()
        self._forever: Reply | None = None
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._count = 0
        self.requests: list[Recorded] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a delayed reply must not hold up teardown
        # A short poll interval keeps shutdown (once per test) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *replies: Reply, forever: Reply | None = None) -> None:
        """Queue replies in order; ``forever`` answers every request after the queue."""
        with self._lock:
            self._queue.extend(replies)
            if forever is not None:
                self._forever = forever

    @property
    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]

    def _next(self) -> tuple[Reply, int]:
        with self._lock:
            self._count += 1
            if self._queue:
                return self._queue.popleft(), self._count
            if self._forever is not None:
                return self._forever, self._count
        exhausted = http_error(599, body={"error": {"message": "fake groq: script exhausted"}})
        return exhausted, self._count

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def fake_groq() -> Iterator[FakeGroq]:
    server = FakeGroq()
    server.start()
    try:
        yield server
    finally:
        server.close()


def _completion_json(reply: Completion, number: int, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.calls:
        message["tool_calls"] = [
            {
                "id": f"call_{number}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
            for i, (name, arguments) in enumerate(reply.calls)
        ]
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if reply.calls else "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _stream_chunks(reply: Completion, number: int, model: str) -> Iterator[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }

    yield chunk({"role": "assistant", "content": ""})
    words = (reply.content or "").split(" ")
    for i, word in enumerate(words):
        if word or i:
            yield chunk({"content": word if i == 0 else " " + word})
    for i, (name, arguments) in enumerate(reply.calls):
        # Arguments arrive in two pieces, as real streams split them.
        if isinstance(arguments, str):
            head, tail = arguments[: len(arguments) // 2], arguments[len(arguments) // 2 :]
        else:
            head, tail = arguments, ""
        first = {"index": i, "id": f"call_{number}_{i}", "type": "function"}
        yield chunk({"tool_calls": [{**first, "function": {"name": name, "arguments": head}}]})
        if tail:
            yield chunk({"tool_calls": [{"index": i, "function": {"arguments": tail}}]})
    yield chunk({}, "tool_calls" if reply.calls else "stop")


def _handler_for(fake: FakeGroq) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's pooled client expects
        # Headers and body go out as two writes: without TCP_NODELAY, Nagle plus delayed
        # ACKs would add ~40 ms to every kept-alive reply.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            start = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            record = Recorded(path=self.path, headers=dict(self.headers.items()), body=body)
            with fake._lock:
                fake.requests.append(record)
            try:
                self._answer(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout): nothing to answer
            finally:
                record.duration = time.perf_counter() - start

        def _answer(self, body: Any) -> None:
            if self.path != CHAT_PATH:
                self._send_json(404, {"error": {"message": f"no route {self.path}"}})
                return
            reply, number = fake._next()
            if isinstance(reply, Delayed):
                if fake._closing.wait(reply.seconds):
                    return
                reply = reply.then
            if isinstance(reply, HttpError):
                self._send_json(reply.status, reply.body, reply.headers)
                return
            model = body.get("model", "") if isinstance(body, dict) else ""
            if isinstance(body, dict) and body.get("stream"):
                self._send_stream(_stream_chunks(reply, number, model))
            else:
                self._send_json(200, _completion_json(reply, number, model))

        def _send_json(
            self, status: int, payload: Any, headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _send_stream(self, chunks: Iterator[dict[str, Any]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")  # no length: the body ends at close
            self.end_headers()
            self.close_connection = True
            for item in chunks:
                self.wfile.write(f"data: {json.dumps(item)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler
