"""Sign-up, once unthrottled: 149 accounts a minute from one client, each answer
telling whether an email already has an account.

Sign-up signs the user in at once, so a taken email is refused there and then
(docs/operations.md, "Sign-up says when an email is taken"); what stops the
probing is that every attempt, a taken email too, counts toward the address's
sign-up limit. Replayed against a backend of the rehearsal whose limit is low
(SIGNUP_RATE_LIMIT=3/minute), so that the attack takes a few sign-ups. Log-in
throttling is attacked over the socket in tests/integration/test_throttling.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from limits import parse
from sqlalchemy import Engine
from sqlmodel import col, select

from scripts.process_rehearsal import Backend, Rehearsal
from tests.security.conftest import OFFLINE_SIGNUP_LIMIT, PASSWORD, new_account
from tests.support.reflex_client import ReflexClient, delta_value, redirects_to, run_in_own_loop
from todo_app.core.db import session_scope
from todo_app.core.models import User
from todo_app.core.rate_limits import RateLimits
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.session import SessionState

ADDRESS = "127.0.0.1"  # what the backend sees of this test


async def _clear_sign_up_count(redis_url: str) -> None:
    counts = RateLimits.for_redis_url(redis_url)
    try:
        await counts.clear(parse(OFFLINE_SIGNUP_LIMIT), "sign-up", ADDRESS)
    finally:
        await counts.aclose()


@pytest.fixture
def fresh_sign_up_count(rehearsal: Rehearsal) -> Iterator[None]:
    """Reruns within the minute start from nothing, and leave nothing behind."""
    run_in_own_loop(_clear_sign_up_count(rehearsal.redis_url))
    yield
    run_in_own_loop(_clear_sign_up_count(rehearsal.redis_url))


def _new_email() -> str:
    return f"mass-{uuid.uuid4().hex[:10]}@example.com"


@pytest.mark.usefixtures("fresh_sign_up_count")
def test_sign_ups_and_probes_for_taken_emails_are_throttled_per_address(
    offline_backend: Backend, rehearsal: Rehearsal, rehearsal_db: Engine
) -> None:
    taken = new_account(rehearsal_db, rehearsal.jwt_secret).email
    attempts = [_new_email(), _new_email(), taken, taken, _new_email()]

    async def attack() -> list[tuple[str, bool]]:
        client = ReflexClient(offline_backend.url, "")  # a signed-out tab
        await client.connect()
        try:
            outcomes = []
            for email in attempts:
                replies = await client.send(
                    AuthState, "sign_up", form_data={"email": email, "password": PASSWORD}
                )
                error = str(delta_value(replies, SessionState, "error") or "")
                outcomes.append((error, redirects_to(replies, "/")))
            return outcomes
        finally:
            await client.close()

    outcomes = run_in_own_loop(attack())
    first, second, probe, throttled_probe, throttled_new = outcomes
    assert first == ("", True) and second == ("", True)
    assert probe[0] and not probe[1]  # within the limit, the taken email is refused
    # Past the limit a taken email and a new one get the same refusal: no answer.
    assert throttled_probe == throttled_new
    assert throttled_new[0] and throttled_new[0] != probe[0] and not throttled_new[1]
    with session_scope(rehearsal_db) as session:
        emails = set(session.exec(select(User.email).where(col(User.email).in_(attempts))))
    assert emails == {attempts[0], attempts[1], taken}  # the last one was never created
