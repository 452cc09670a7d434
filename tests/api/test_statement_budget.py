"""How many SQL statements an API request costs, counted on the real engine: the
throughput of /api/v1 is mostly its database round trips (docs/performance.md), so
a change that adds one to a hot request fails here rather than only in a benchmark."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.api.conftest import Api, Person

# Statements per request, token check and live-update audience included (the token's
# last use is written at most once a minute: after the first request, none). A new
# tag costs a savepoint of its own (two users may create it at once). A search: the
# token, the lists in reach, the rows, their total, their tags, their subtasks.
BUDGET = {
    "create": 4,
    "create with tags": 11,
    "read": 4,
    "complete": 6,
    "reopen": 6,
    "search": 6,
}


@contextmanager
def counted(api: Api) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split())[:150])

    event.listen(api.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(api.engine, "before_cursor_execute", count)


def _cost(api: Api, method: str, url: str, who: Person, **kwargs: Any) -> int:
    with counted(api) as statements:
        answer = api.client.request(method, url, headers=who.headers, **kwargs)
    assert answer.status_code < 300, answer.text
    print(url, *statements, sep="\n  ")
    return len(statements)


def test_hot_requests_stay_within_their_statement_budget(api: Api, alice: Person) -> None:
    first = api.client.post("/api/v1/todos", json={"title": "Warm up"}, headers=alice.headers)
    assert first.status_code == 201  # the token's last use is now recorded
    todo_id = first.json()["id"]

    costs = {
        "create": _cost(api, "POST", "/api/v1/todos", alice, json={"title": "Buy milk"}),
        "create with tags": _cost(
            api, "POST", "/api/v1/todos", alice, json={"title": "Pay rent", "tags": ["home"]}
        ),
        "read": _cost(api, "GET", f"/api/v1/todos/{todo_id}", alice),
        "complete": _cost(api, "POST", f"/api/v1/todos/{todo_id}/complete", alice),
        "reopen": _cost(api, "POST", f"/api/v1/todos/{todo_id}/reopen", alice),
        "search": _cost(api, "GET", "/api/v1/todos?q=milk&sort=due", alice),
    }

    print(costs)
    assert costs == BUDGET
