"""Todos through /api/v1: every rule is core's, the HTTP is ours (status, problem
bodies, ETags, cursors, live notices)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, Person

PROBLEM = "application/problem+json"


def _create(api: Api, who: Person, **body: Any) -> dict[str, Any]:
    answer = api.client.post(
        "/api/v1/todos", json={"title": "Buy milk", **body}, headers=who.headers
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def test_create_read_and_the_change_is_announced_to_open_pages(api: Api, alice: Person) -> None:
    answer = api.client.post(
        "/api/v1/todos",
        json={
            "title": "Pay rent",
            "priority": "high",
            "due_date": "2030-01-01",
            "due_time": "09:30",
            "time_zone": "Europe/Paris",
            "tags": ["home", "#Money"],
            "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1",
        },
        headers=alice.headers,
    )
    assert answer.status_code == 201, answer.text
    todo = answer.json()
    assert answer.headers["Location"] == f"/api/v1/todos/{todo['id']}"
    assert todo["priority"] == "high" and todo["tags"] == ["home", "money"]
    assert todo["due_date"] == "2030-01-01" and todo["due_at"].startswith("2030-01-01T08:30")
    assert todo["recurrence"] == "FREQ=MONTHLY;BYMONTHDAY=1" and todo["can_edit"] is True
    read = api.client.get(f"/api/v1/todos/{todo['id']}", headers=alice.headers)
    assert read.status_code == 200 and read.json() == todo
    assert read.headers["Cache-Control"] == "no-store"
    assert read.headers["ETag"] == answer.headers["ETag"]
    (notice,) = api.published.notices
    assert notice.users == frozenset({alice.id}) and notice.list_id == todo["list_id"]


def test_quick_add_reads_the_line_as_the_page_does(api: Api, alice: Person) -> None:
    answer = api.client.post(
        "/api/v1/todos/quick-add",
        json={"text": "Water plants every monday #garden !low", "time_zone": "UTC"},
        headers=alice.headers,
    )
    assert answer.status_code == 201, answer.text
    todo = answer.json()
    assert todo["title"] == "Water plants"
    assert todo["tags"] == ["garden"] and todo["priority"] == "low"
    assert "FREQ=WEEKLY" in todo["recurrence"] and todo["due_date"] is not None


def test_a_change_needs_the_etag_it_read(api: Api, alice: Person) -> None:
    todo = _create(api, alice)
    url = f"/api/v1/todos/{todo['id']}"
    etag = api.client.get(url, headers=alice.headers).headers["ETag"]
    missing = api.client.patch(url, json={"title": "Buy oat milk"}, headers=alice.headers)
    assert missing.status_code == 428 and missing.headers["content-type"] == PROBLEM
    assert "If-Match" in missing.json()["detail"]
    changed = api.client.patch(
        url, json={"title": "Buy oat milk"}, headers={**alice.headers, "If-Match": etag}
    )
    assert changed.status_code == 200 and changed.json()["title"] == "Buy oat milk"
    assert changed.headers["ETag"] != etag
    # A second client that read the old version cannot overwrite the change silently.
    stale = api.client.patch(
        url, json={"title": "Buy soy milk"}, headers={**alice.headers, "If-Match": etag}
    )
    assert stale.status_code == 412 and "changed since you read it" in stale.json()["detail"]
    assert api.client.get(url, headers=alice.headers).json()["title"] == "Buy oat milk"


def test_patch_changes_only_the_fields_given(api: Api, alice: Person) -> None:
    todo = _create(api, alice, description="2 litres", due_date="2030-05-01", tags=["food"])
    url = f"/api/v1/todos/{todo['id']}"
    etag = api.client.get(url, headers=alice.headers).headers["ETag"]
    answer = api.client.patch(
        url,
        json={"due_date": None, "priority": "medium"},
        headers={**alice.headers, "If-Match": etag},
    )
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert changed["due_date"] is None and changed["priority"] == "medium"
    assert changed["description"] == "2 litres" and changed["tags"] == ["food"]


def test_complete_reopen_move_and_delete(api: Api, alice: Person) -> None:
    todo = _create(api, alice)
    url = f"/api/v1/todos/{todo['id']}"
    done = api.client.post(f"{url}/complete", headers=alice.headers)
    assert done.status_code == 200 and done.json()["completed"] is True
    reopened = api.client.post(f"{url}/reopen", headers=alice.headers)
    assert reopened.json()["completed"] is False
    stale = api.client.post(
        f"{url}/complete", headers={**alice.headers, "If-Match": done.headers["ETag"]}
    )
    assert stale.status_code == 412
    groceries = api.client.post("/api/v1/lists", json={"name": "Groceries"}, headers=alice.headers)
    assert groceries.status_code == 201
    moved = api.client.post(
        f"{url}/move", json={"list_id": groceries.json()["id"]}, headers=alice.headers
    )
    assert moved.status_code == 200 and moved.json()["list_id"] == groceries.json()["id"]
    assert api.client.delete(url, headers=alice.headers).status_code == 204
    gone = api.client.get(url, headers=alice.headers)
    assert gone.status_code == 404 and gone.json()["detail"] == "That todo no longer exists."


def test_a_repeating_todo_rolls_forward_when_completed(api: Api, alice: Person) -> None:
    todo = _create(api, alice, due_date="2030-01-06", recurrence="FREQ=WEEKLY")
    done = api.client.post(f"/api/v1/todos/{todo['id']}/complete", headers=alice.headers).json()
    assert done["completed"] is False and done["due_date"] == "2030-01-13"


def test_search_takes_the_pages_url_parameters_and_pages_with_a_cursor(
    api: Api, alice: Person
) -> None:
    for title in ("Call mum", "Buy milk", "Buy bread", "Buy eggs"):
        _create(api, alice, title=title, tags=["shop"] if title.startswith("Buy") else [])
    first = api.client.get(
        "/api/v1/todos", params={"q": "buy", "tag": "#shop", "limit": 2}, headers=alice.headers
    )
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["next_cursor"]
    second = api.client.get(
        "/api/v1/todos",
        params={"q": "buy", "tag": "#shop", "limit": 2, "cursor": page["next_cursor"]},
        headers=alice.headers,
    ).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    titles = {item["title"] for item in page["items"] + second["items"]}
    assert titles == {"Buy milk", "Buy bread", "Buy eggs"}
    other = api.client.get(
        "/api/v1/todos", params={"q": "call", "cursor": page["next_cursor"]}, headers=alice.headers
    )
    assert other.status_code == 400 and "another listing" in other.json()["detail"]
    junk = api.client.get("/api/v1/todos", params={"cursor": "%%%"}, headers=alice.headers)
    assert junk.status_code == 400 and junk.headers["content-type"] == PROBLEM
    # An unknown value falls back to its default, as an old bookmark must still open.
    lenient = api.client.get("/api/v1/todos", params={"status": "bogus"}, headers=alice.headers)
    assert lenient.status_code == 200 and lenient.json()["total"] == 4


def test_page_size_is_bounded(api: Api, alice: Person) -> None:
    answer = api.client.get("/api/v1/todos", params={"limit": 201}, headers=alice.headers)
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["detail"].startswith("Please check “limit”")


def test_invalid_input_gets_a_problem_with_a_sentence(api: Api, alice: Person) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": "   "}, "Please give the todo a title."),
        ({"title": "x", "priority": "urgent"}, "“priority”"),
        ({"title": "x", "titel": "typo"}, "“titel”"),
        ({"title": "x", "time_zone": "Mars/Olympus"}, "time zone"),
        ({"title": "x", "due_time": "10:00"}, "due date for the due time"),
        ({"title": "x", "recurrence": "FREQ=SOMETIMES"}, ""),
        ({"title": "x", "tags": ["12"]}, "not a valid tag"),
        ({"title": "x", "due_date": "1900-01-01"}, "between 1970 and 2200"),
    ]
    for body, sentence in cases:
        answer = api.client.post("/api/v1/todos", json=body, headers=alice.headers)
        assert answer.status_code == 422, (body, answer.text)
        problem = answer.json()
        assert answer.headers["content-type"] == PROBLEM
        assert problem["status"] == 422 and problem["title"] == "Unprocessable Content"
        assert sentence in problem["detail"], (body, problem)
        assert problem["detail"].endswith("."), problem
    broken = api.client.post(
        "/api/v1/todos",
        content=b"{not json",
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert broken.status_code == 422 and broken.headers["content-type"] == PROBLEM
    assert api.client.get("/api/v1/todos", headers=alice.headers).json()["total"] == 0


def test_unknown_paths_and_methods_are_problems_too(api: Api, alice: Person) -> None:
    nowhere = api.client.get("/api/v1/nowhere", headers=alice.headers)
    assert nowhere.status_code == 404 and nowhere.headers["content-type"] == PROBLEM
    wrong = api.client.put("/api/v1/todos", headers=alice.headers)
    assert wrong.status_code == 405 and wrong.headers["content-type"] == PROBLEM


def test_subtasks_and_tags(api: Api, alice: Person) -> None:
    todo = _create(api, alice, tags=["home"])
    url = f"/api/v1/todos/{todo['id']}/subtasks"
    added = api.client.post(url, json={"title": "Find the card"}, headers=alice.headers)
    assert added.status_code == 201
    subtask = added.json()
    ticked = api.client.patch(
        f"/api/v1/subtasks/{subtask['id']}", json={"done": True}, headers=alice.headers
    )
    assert ticked.json()["done"] is True
    read = api.client.get(f"/api/v1/todos/{todo['id']}", headers=alice.headers).json()
    assert (read["subtasks_done"], read["subtasks_total"]) == (1, 1)
    assert api.client.get(url, headers=alice.headers).json()["items"][0]["title"] == "Find the card"
    assert (
        api.client.delete(f"/api/v1/subtasks/{subtask['id']}", headers=alice.headers).status_code
        == 204
    )
    tags = api.client.get("/api/v1/tags", headers=alice.headers).json()
    assert tags["items"] == [{"name": "home", "todo_count": 1}]
    renamed = api.client.patch("/api/v1/tags/home", json={"name": "house"}, headers=alice.headers)
    assert renamed.status_code == 200 and renamed.json() == {"name": "house", "todo_count": 1}
    assert api.client.delete("/api/v1/tags/house", headers=alice.headers).status_code == 204
    missing = api.client.delete("/api/v1/tags/house", headers=alice.headers)
    assert missing.status_code == 404


def test_lists(api: Api, alice: Person) -> None:
    created = api.client.post("/api/v1/lists", json={"name": "Work"}, headers=alice.headers)
    assert created.status_code == 201
    work = created.json()
    again = api.client.post("/api/v1/lists", json={"name": "work"}, headers=alice.headers)
    assert again.status_code == 409 and "already have a list" in again.json()["detail"]
    page = api.client.get("/api/v1/lists", params={"limit": 1}, headers=alice.headers).json()
    assert page["items"][0]["name"] == "Inbox" and page["next_cursor"]
    renamed = api.client.patch(
        f"/api/v1/lists/{work['id']}", json={"name": "Office"}, headers=alice.headers
    )
    assert renamed.json()["name"] == "Office"
    inbox = page["items"][0]["id"]
    refused = api.client.delete(f"/api/v1/lists/{inbox}", headers=alice.headers)
    assert refused.status_code == 422 and refused.json()["detail"] == "The Inbox cannot be deleted."
    assert (
        api.client.delete(f"/api/v1/lists/{work['id']}", headers=alice.headers).status_code == 204
    )


def test_text_the_database_cannot_store_is_refused_with_a_sentence(api: Api, alice: Person) -> None:
    """Found by schemathesis: a NUL in a title or list name failed the transaction (500
    on PostgreSQL); an unpaired surrogate cannot be encoded at all."""
    for path, body in [
        ("/api/v1/todos", {"title": "a\u0000b"}),
        ("/api/v1/lists", {"name": "\u0000"}),
        ("/api/v1/todos/quick-add", {"text": "x\u0000"}),
        ("/api/v1/todos", {"title": "ok", "tags": ["a\u0000"]}),
    ]:
        answer = api.client.post(path, json=body, headers=alice.headers)
        assert answer.status_code == 422, (path, answer.text)
        assert "cannot contain NUL" in answer.json()["detail"]
    lone = api.client.post(
        "/api/v1/todos",
        content=b'{"title": "\\ud800"}',
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert lone.status_code == 422 and "valid string" in lone.json()["detail"]


def test_every_write_answers_with_what_a_read_then_gives(api: Api, alice: Person) -> None:
    """A write answers from the objects it wrote, not a second read of the row: its
    body and ETag must still be exactly what a GET gives (a client sends that ETag
    back in If-Match), a repeating todo's roll forward included."""
    todo = _create(api, alice, tags=["home"], due_date="2030-01-01", recurrence="FREQ=DAILY")
    url = f"/api/v1/todos/{todo['id']}"
    writes = [
        ("POST", f"{url}/complete", None),  # rolls on to 2030-01-02
        ("POST", f"{url}/reopen", None),
        ("POST", "/api/v1/todos", {"title": "Plain"}),
        ("POST", f"{url}/complete", None),
    ]
    due_dates = []
    for method, path, body in writes:
        answer = api.client.request(method, path, json=body, headers=alice.headers)
        assert answer.status_code in (200, 201), answer.text
        read = api.client.get(f"/api/v1/todos/{answer.json()['id']}", headers=alice.headers)
        assert read.json() == answer.json()
        assert read.headers["ETag"] == answer.headers["ETag"]
        due_dates.append(answer.json()["due_date"])
    assert due_dates == ["2030-01-02", "2030-01-02", None, "2030-01-03"]
