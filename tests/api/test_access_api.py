"""Who may do what through /api/v1: tokens (missing, malformed, revoked, expired, read
only), another user's ids (404, never 403, never data), a viewer's token on a shared
list, and the rate limits (429 with Retry-After)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, update

from tests.api.conftest import Api, Person, bearer, make_api
from todo_app.core import access_tokens, lists
from todo_app.core.db import session_scope
from todo_app.core.models import AccessToken, utcnow

PROBLEM = "application/problem+json"


def _todo(api: Api, who: Person, **body: object) -> int:
    answer = api.client.post(
        "/api/v1/todos", json={"title": "Secret plan", **body}, headers=who.headers
    )
    assert answer.status_code == 201, answer.text
    todo_id: int = answer.json()["id"]
    return todo_id


def _refused(answer_status: int, body: dict[str, object], content_type: str, status: int) -> None:
    assert answer_status == status, body
    assert content_type == PROBLEM
    assert set(body) <= {"type", "title", "status", "detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"].endswith("."), body


@pytest.mark.parametrize(
    ("headers", "sentence"),
    [
        ({}, "Please send an API token"),
        ({"Authorization": "Basic YWxpY2U6cGFzcw=="}, "Please send an API token"),
        ({"Authorization": "Bearer "}, "Please send an API token"),
        ({"Authorization": "Bearer not-a-token"}, "not an API token"),
        ({"Authorization": "Bearer todo_pat_" + "A" * 43}, "not valid"),
    ],
)
def test_a_missing_or_malformed_token_gets_401_with_a_sentence(
    api: Api, headers: dict[str, str], sentence: str
) -> None:
    answer = api.client.get("/api/v1/todos", headers=headers)
    _refused(answer.status_code, answer.json(), answer.headers["content-type"], 401)
    assert sentence in answer.json()["detail"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_or_expired_token_gets_401(api: Api, alice: Person) -> None:
    assert api.client.get("/api/v1/todos", headers=alice.headers).status_code == 200
    with session_scope(api.engine) as session:
        (view,) = access_tokens.list_tokens(session, alice.id)
        access_tokens.revoke_token(session, alice.id, view.id)
    revoked = api.client.get("/api/v1/todos", headers=alice.headers)
    _refused(revoked.status_code, revoked.json(), revoked.headers["content-type"], 401)
    assert "revoked" in revoked.json()["detail"]

    expiring = api.token(alice.id, days=1)
    with session_scope(api.engine) as session:
        session.exec(
            update(AccessToken)
            .where(AccessToken.token_hash == access_tokens.digest(expiring))  # type: ignore[arg-type]
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = api.client.get("/api/v1/todos", headers=bearer(expiring))
    _refused(expired.status_code, expired.json(), expired.headers["content-type"], 401)
    assert "expired" in expired.json()["detail"]


def test_a_read_token_reads_but_cannot_write(api: Api, alice: Person) -> None:
    todo_id = _todo(api, alice)
    reader = bearer(api.token(alice.id, scope="read"))
    assert api.client.get(f"/api/v1/todos/{todo_id}", headers=reader).status_code == 200
    attempts = [
        api.client.post("/api/v1/todos", json={"title": "x"}, headers=reader),
        api.client.post(f"/api/v1/todos/{todo_id}/complete", headers=reader),
        api.client.delete(f"/api/v1/todos/{todo_id}", headers=reader),
        api.client.post("/api/v1/lists", json={"name": "New"}, headers=reader),
    ]
    for answer in attempts:
        _refused(answer.status_code, answer.json(), answer.headers["content-type"], 403)
        assert "can only read" in answer.json()["detail"]
    unchanged = api.client.get("/api/v1/todos", headers=alice.headers).json()
    assert unchanged["total"] == 1 and unchanged["items"][0]["completed"] is False


def test_another_users_ids_are_404_never_403_and_never_data(
    api: Api, alice: Person, bob: Person
) -> None:
    todo_id = _todo(api, alice, description="for alice only")
    subtask = api.client.post(
        f"/api/v1/todos/{todo_id}/subtasks", json={"title": "step"}, headers=alice.headers
    ).json()
    own_list = api.client.post("/api/v1/lists", json={"name": "Private"}, headers=alice.headers)
    list_id = own_list.json()["id"]
    etag = api.client.get(f"/api/v1/todos/{todo_id}", headers=alice.headers).headers["ETag"]
    attempts = [
        api.client.get(f"/api/v1/todos/{todo_id}", headers=bob.headers),
        api.client.patch(
            f"/api/v1/todos/{todo_id}",
            json={"title": "mine now"},
            headers={**bob.headers, "If-Match": etag},
        ),
        api.client.post(f"/api/v1/todos/{todo_id}/complete", headers=bob.headers),
        api.client.post(f"/api/v1/todos/{todo_id}/reopen", headers=bob.headers),
        api.client.post(f"/api/v1/todos/{todo_id}/move", json={"list_id": 1}, headers=bob.headers),
        api.client.delete(f"/api/v1/todos/{todo_id}", headers=bob.headers),
        api.client.get(f"/api/v1/todos/{todo_id}/subtasks", headers=bob.headers),
        api.client.post(
            f"/api/v1/todos/{todo_id}/subtasks", json={"title": "x"}, headers=bob.headers
        ),
        api.client.patch(
            f"/api/v1/subtasks/{subtask['id']}", json={"done": True}, headers=bob.headers
        ),
        api.client.delete(f"/api/v1/subtasks/{subtask['id']}", headers=bob.headers),
        api.client.get(f"/api/v1/lists/{list_id}", headers=bob.headers),
        api.client.patch(f"/api/v1/lists/{list_id}", json={"name": "x"}, headers=bob.headers),
        api.client.delete(f"/api/v1/lists/{list_id}", headers=bob.headers),
        api.client.get("/api/v1/todos", params={"list": list_id}, headers=bob.headers),
        api.client.post(
            "/api/v1/todos", json={"title": "plant", "list_id": list_id}, headers=bob.headers
        ),
        api.client.get("/api/v1/calendar/feed", params={"list": list_id}, headers=bob.headers),
    ]
    for answer in attempts:
        _refused(answer.status_code, answer.json(), answer.headers["content-type"], 404)
        assert "Secret plan" not in answer.text and "for alice only" not in answer.text
        assert "Private" not in answer.text
    # Bob's own search does not include it either, and nothing of Alice's changed.
    assert api.client.get("/api/v1/todos", headers=bob.headers).json()["total"] == 0
    mine = api.client.get(f"/api/v1/todos/{todo_id}", headers=alice.headers).json()
    assert mine["title"] == "Secret plan" and mine["completed"] is False
    assert mine["subtasks_total"] == 1 and mine["subtasks_done"] == 0


def test_a_viewers_token_on_a_shared_list_reads_but_cannot_write(
    api: Api, alice: Person, bob: Person
) -> None:
    shared = api.client.post("/api/v1/lists", json={"name": "Family"}, headers=alice.headers)
    list_id = shared.json()["id"]
    todo_id = _todo(api, alice, list_id=list_id)
    with session_scope(api.engine) as session:
        lists.share_list(session, alice.id, list_id, "bob@example.com", "viewer")
    seen = api.client.get("/api/v1/todos", params={"list": list_id}, headers=bob.headers).json()
    assert [item["id"] for item in seen["items"]] == [todo_id]
    assert seen["items"][0]["can_edit"] is False
    read = api.client.get(f"/api/v1/todos/{todo_id}", headers=bob.headers)
    assert read.status_code == 200
    attempts = [
        api.client.post(
            "/api/v1/todos", json={"title": "x", "list_id": list_id}, headers=bob.headers
        ),
        api.client.patch(
            f"/api/v1/todos/{todo_id}",
            json={"title": "x"},
            headers={**bob.headers, "If-Match": read.headers["ETag"]},
        ),
        api.client.post(f"/api/v1/todos/{todo_id}/complete", headers=bob.headers),
        api.client.delete(f"/api/v1/todos/{todo_id}", headers=bob.headers),
        api.client.post(
            f"/api/v1/todos/{todo_id}/subtasks", json={"title": "x"}, headers=bob.headers
        ),
        api.client.patch(f"/api/v1/lists/{list_id}", json={"name": "x"}, headers=bob.headers),
    ]
    for answer in attempts:
        _refused(answer.status_code, answer.json(), answer.headers["content-type"], 403)
    assert "only view this list" in attempts[0].json()["detail"]
    after = api.client.get(f"/api/v1/todos/{todo_id}", headers=alice.headers).json()
    assert after["title"] == "Secret plan" and after["completed"] is False


def test_an_editor_change_is_announced_to_everyone_who_sees_the_list(
    api: Api, alice: Person, bob: Person
) -> None:
    shared = api.client.post("/api/v1/lists", json={"name": "Team"}, headers=alice.headers)
    list_id = shared.json()["id"]
    with session_scope(api.engine) as session:
        lists.share_list(session, alice.id, list_id, "bob@example.com", "editor")
    api.published.notices.clear()
    _todo(api, bob, list_id=list_id)
    (notice,) = api.published.notices
    assert notice.users == frozenset({alice.id, bob.id}) and notice.list_id == list_id


def test_requests_are_limited_per_token_with_retry_after(db: Engine) -> None:
    limited, client = make_api(db, per_token="3/minute")
    with client:
        user_id = limited.user("carol@example.com")
        headers = bearer(limited.token(user_id))
        for _ in range(3):
            assert client.get("/api/v1/lists", headers=headers).status_code == 200
        refused = client.get("/api/v1/lists", headers=headers)
        _refused(refused.status_code, refused.json(), refused.headers["content-type"], 429)
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "Too many API requests with this token" in refused.json()["detail"]
        other = bearer(limited.token(user_id))  # another token has its own count
        assert client.get("/api/v1/lists", headers=other).status_code == 200


def test_requests_are_limited_per_address_whatever_the_token(db: Engine) -> None:
    _limited, client = make_api(db, per_address="2/minute")
    with client:
        assert client.get("/api/v1/lists", headers=bearer("junk")).status_code == 401
        assert client.get("/api/v1/lists", headers=bearer("junk")).status_code == 401
        refused = client.get("/api/v1/lists", headers=bearer("junk"))
        assert refused.status_code == 429 and "from your network" in refused.json()["detail"]
        assert int(refused.headers["Retry-After"]) >= 1
