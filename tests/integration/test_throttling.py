"""Log-in throttling over the websocket, in the production shape only (the
process rehearsal: nginx in front of two backend processes sharing Redis).

Every attempt here comes from 127.0.0.1, through nginx or straight to a
backend; each test clears its own counts afterwards, so that reruns within the
window do not fill the address's cap.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from scripts.process_rehearsal import Rehearsal
from tests.conftest import REDIS_URL
from tests.support.reflex_client import ReflexClient, delta_value, redirects_to, run_in_own_loop
from todo_app.core import accounts
from todo_app.core.db import build_engine, session_scope
from todo_app.core.rate_limits import RateLimits
from todo_app.core.throttle import AuthThrottle
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.session import SessionState

PASSWORD = "the right password"
WRONG = "The email or password is not correct."
LOCKED = re.compile(
    r"^Too many wrong passwords for this email\. Please try again in (\d+) minutes?\.$"
)
LOCAL = "127.0.0.1"  # what nginx, and a backend reached directly, see here


@pytest.fixture(scope="module")
def app_db(rehearsal: Rehearsal) -> Iterator[Engine]:
    engine = build_engine(rehearsal.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def user(app_db: Engine) -> Iterator[str]:
    email = f"throttled-{uuid.uuid4().hex[:10]}@example.com"
    with session_scope(app_db) as session:
        accounts.sign_up(session, email, PASSWORD)
    yield email
    run_in_own_loop(_forget(email))


async def _forget(email: str) -> None:
    counts = RateLimits.for_redis_url(REDIS_URL)  # the rehearsal's Redis
    try:
        await AuthThrottle(counts).forget(email, LOCAL)
    finally:
        await counts.aclose()


async def _seconds_until_unlocked(email: str) -> float:
    """The lock-out as the backends see it (their Redis)."""
    counts = RateLimits.for_redis_url(REDIS_URL)
    try:
        wait = await AuthThrottle(counts).log_in_wait(email, LOCAL)
    finally:
        await counts.aclose()
    assert wait > 0, "not locked"
    return wait


async def _log_in(client: ReflexClient, email: str, password: str) -> tuple[str, bool]:
    """The form's error after one attempt, and whether it signed in."""
    replies = await client.send(
        AuthState, "log_in", form_data={"email": email, "password": password}
    )
    return str(delta_value(replies, SessionState, "error") or ""), redirects_to(replies, "/")


async def _connected(url: str, headers: dict[str, str] | None = None) -> ReflexClient:
    client = ReflexClient(url, "")  # a signed-out tab
    if headers:
        connect = client.sio.connect

        async def connect_with_headers(*args: Any, **kwargs: Any) -> None:
            await connect(*args, headers=headers, **kwargs)

        client.sio.connect = connect_with_headers
    await client.connect()
    return client


def test_eleven_wrong_passwords_lock_the_account_for_that_address_without_growing(
    rehearsal: Rehearsal, user: str
) -> None:
    async def attack() -> dict[str, Any]:
        client = await _connected(rehearsal.url)  # through nginx, as a browser
        try:
            wrong = [await _log_in(client, user, "not the password") for _ in range(10)]
            eleventh = await _log_in(client, user, "not the password")
            wait_then = await _seconds_until_unlocked(user)
            right = await _log_in(client, user, PASSWORD)
            more = [await _log_in(client, user, PASSWORD) for _ in range(5)]
            wait_now = await _seconds_until_unlocked(user)
            other = await _log_in(client, f"other-{user}", "not the password")
        finally:
            await client.close()
        return {
            "wrong": wrong,
            "eleventh": eleventh,
            "right": right,
            "more": more,
            "wait_then": wait_then,
            "wait_now": wait_now,
            "other": other,
        }

    seen = run_in_own_loop(attack())
    assert seen["wrong"] == [(WRONG, False)] * 10
    locked = LOCKED.match(seen["eleventh"][0])
    assert locked and locked.group(1) == "15", seen["eleventh"]
    # The right password is refused during the lock-out, with the same sentence.
    assert seen["right"] == seen["eleventh"]
    # Trying on does not lengthen the lock-out (it only runs down).
    assert all(LOCKED.match(error) and not signed_in for error, signed_in in seen["more"])
    assert seen["wait_now"] <= seen["wait_then"] <= 15 * 60
    # Another email from the same address is not locked.
    assert seen["other"] == (WRONG, False)


def test_the_count_is_shared_by_the_backend_replicas(rehearsal: Rehearsal, user: str) -> None:
    assert len(rehearsal.backends) >= 2

    async def attack() -> tuple[list[tuple[str, bool]], tuple[str, bool]]:
        clients = [await _connected(backend.url) for backend in rehearsal.backends[:2]]
        try:
            wrong = [
                await _log_in(clients[attempt % 2], user, "not the password")
                for attempt in range(10)
            ]
            right = await _log_in(clients[0], user, PASSWORD)
        finally:
            for client in clients:
                await client.close()
        return wrong, right

    wrong, right = run_in_own_loop(attack())
    assert wrong == [(WRONG, False)] * 10
    assert LOCKED.match(right[0]) and not right[1], right


def test_a_forged_forwarded_for_header_does_not_escape_the_lock_out(
    rehearsal: Rehearsal, user: str
) -> None:
    """nginx passes on only the address it saw (a client's claimed chain is
    dropped), and the backend believes only what its own proxies appended."""

    async def attack() -> tuple[str, bool]:
        client = await _connected(rehearsal.url)
        try:
            for _ in range(10):
                await _log_in(client, user, "not the password")
        finally:
            await client.close()
        forged = await _connected(
            rehearsal.url, {"X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.7"}
        )
        try:
            return await _log_in(forged, user, PASSWORD)
        finally:
            await forged.close()

    error, signed_in = run_in_own_loop(attack())
    assert LOCKED.match(error) and not signed_in, error
