from datetime import UTC, datetime, timedelta

import jwt
import pytest

from todo_app.core.errors import AuthenticationError
from todo_app.core.security import hash_password, issue_token, verify_password, verify_token

SECRET = "s" * 48


def test_password_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse battery!")


def test_same_password_hashes_differently() -> None:
    assert hash_password("same password") != hash_password("same password")


def test_garbage_hash_does_not_verify() -> None:
    assert not verify_password("not-a-hash", "whatever")


def test_token_round_trip_carries_the_user() -> None:
    token = issue_token(42, SECRET, timedelta(minutes=5), "s-42")
    claims = verify_token(token, SECRET)
    assert claims.user_id == 42
    assert claims.session_id == "s-42"
    assert claims.expires_at - claims.issued_at == timedelta(minutes=5)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"


def test_token_signed_with_another_secret_is_refused() -> None:
    forged = issue_token(42, "another secret of enough length!!", timedelta(minutes=5), "s-42")
    with pytest.raises(AuthenticationError, match="not valid"):
        verify_token(forged, SECRET)


def test_tampered_payload_is_refused() -> None:
    token = issue_token(42, SECRET, timedelta(minutes=5), "s-42")
    header, _payload, signature = token.split(".")
    other = issue_token(43, "x" * 48, timedelta(minutes=5), "s-43").split(".")[1]
    with pytest.raises(AuthenticationError):
        verify_token(f"{header}.{other}.{signature}", SECRET)


def test_expired_token_is_refused() -> None:
    now = datetime.now(UTC)
    expired = jwt.encode(
        {
            "sub": "42",
            "jti": "s-42",
            "iat": now - timedelta(hours=2),
            "exp": now - timedelta(hours=1),
        },
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(AuthenticationError, match="expired"):
        verify_token(expired, SECRET)


def test_alg_none_token_is_refused() -> None:
    now = datetime.now(UTC)
    unsigned = jwt.encode(
        {"sub": "42", "iat": now, "exp": now + timedelta(hours=1)}, key=None, algorithm="none"
    )
    with pytest.raises(AuthenticationError):
        verify_token(unsigned, SECRET)


def test_other_hmac_algorithm_is_refused() -> None:
    now = datetime.now(UTC)
    token = jwt.encode(
        {"sub": "42", "iat": now, "exp": now + timedelta(hours=1)}, SECRET, algorithm="HS512"
    )
    with pytest.raises(AuthenticationError):
        verify_token(token, SECRET)


@pytest.mark.parametrize("missing", ["sub", "jti", "iat", "exp"])
def test_token_without_required_claim_is_refused(missing: str) -> None:
    now = datetime.now(UTC)
    claims = {"sub": "42", "jti": "s-42", "iat": now, "exp": now + timedelta(hours=1)}
    del claims[missing]
    with pytest.raises(AuthenticationError):
        verify_token(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(AuthenticationError):
        verify_token(token, SECRET)


def test_non_numeric_subject_is_refused() -> None:
    now = datetime.now(UTC)
    token = jwt.encode(
        {"sub": "admin", "jti": "s-1", "iat": now, "exp": now + timedelta(hours=1)},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(AuthenticationError):
        verify_token(token, SECRET)


def test_password_hashing_runs_at_most_the_configured_number_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each Argon2id run holds its memory cost: a burst of log-ins must queue."""
    import threading
    import time

    from todo_app.core import security
    from todo_app.settings import get_settings

    running, peak, lock = 0, 0, threading.Lock()

    def slow_hash(password: str) -> str:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "hash"

    class SlowHasher:
        hash = staticmethod(slow_hash)

    monkeypatch.setattr(security, "_hasher", SlowHasher())
    threads = [threading.Thread(target=security.hash_password, args=("pw",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == get_settings().password_hash_concurrency == 2
