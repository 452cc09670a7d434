"""How much time the assistant's own code adds on top of Groq's answer.

``python -m benchmarks.assistant_latency``: runs single-round chats (and
one-tool-round chats) against the fake Groq server on loopback through the real
``groq`` SDK, and prints the median time spent outside the server's handling.
Never calls the real Groq API.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

from tests.support.fake_groq import fake_groq, text, tool_calls
from todo_app.assistant.groq_chat import chat
from todo_app.assistant.groq_transport import GroqSettings
from todo_app.assistant.tools import ToolResult

ROUNDS = 20


class _EchoTools:
    """An executor that answers instantly, so only the loop's own cost is measured."""

    def execute_many(self, calls: Sequence[tuple[str, Any]]) -> list[ToolResult]:
        return [ToolResult(ok=True, content={"todos": []}, summary="ok") for _ in calls]


def _measure(stream: bool, with_tool: bool) -> list[float]:
    with fake_groq() as fake:
        settings = GroqSettings(api_key="k", model="m", base_url=fake.base_url, timeout_seconds=5)
        answer = text("Here is your answer.")
        per_chat = [tool_calls(("list_todos", {})), answer] if with_tool else [answer]
        fake.script(*(per_chat * (ROUNDS + 1)))
        chat(settings, _EchoTools(), [], "warm-up", [], render=str)  # builds the client
        overheads = []
        for i in range(ROUNDS):
            before = len(fake.requests)
            started = time.perf_counter()
            chat(
                settings,
                _EchoTools(),
                [],
                f"question {i}",
                [],
                render=str,
                on_text=(lambda _text: None) if stream else None,
            )
            total = time.perf_counter() - started
            server = sum(r.duration for r in fake.requests[before:])
            overheads.append((total - server) * 1000)
        return overheads


def main() -> None:
    print(f"{'case':34} {'median ms':>10} {'max ms':>8}  ({ROUNDS} chats each)")
    for stream in (False, True):
        for with_tool in (False, True):
            values = _measure(stream, with_tool)
            mode = "stream" if stream else "no stream"
            case = f"{mode}, {'1 tool round' if with_tool else 'no tools'}"
            print(f"{case:34} {statistics.median(values):10.2f} {max(values):8.2f}")


if __name__ == "__main__":
    main()
