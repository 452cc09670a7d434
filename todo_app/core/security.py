"""Password hashing (Argon2id) and JWT issue/verify (HS256)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from todo_app.core.errors import AuthenticationError
from todo_app.settings import get_settings

JWT_ALGORITHM = "HS256"
# argon2-cffi's defaults are RFC 9106's low-memory profile of Argon2id.
_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _hashing_slots() -> threading.BoundedSemaphore:
    # Each Argon2id run takes its memory cost (64 MiB by default): twenty
    # log-ins at once would need 1.3 GiB. Beyond the slots, callers wait.
    return threading.BoundedSemaphore(get_settings().password_hash_concurrency)


def hash_password(password: str) -> str:
    with _hashing_slots():
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _hashing_slots():
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# Verified once against a throwaway hash so that an unknown email costs as much
# time as a wrong password (no account enumeration by timing).
_DUMMY_HASH = _hasher.hash("not a real password")


def burn_verification_time(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    session_id: str  # the jti: its login session must still be open (core/sessions.py)
    issued_at: datetime
    expires_at: datetime


def issue_token(user_id: int, secret: str, lifetime: timedelta, session_id: str) -> str:
    now = datetime.now(UTC)
    payload = {"sub": str(user_id), "jti": session_id, "iat": now, "exp": now + lifetime}
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM)


def verify_token(token: str, secret: str) -> TokenClaims:
    """Decode and check a token; raise AuthenticationError on any flaw."""
    if not token:
        raise AuthenticationError("Please log in.")
    try:
        # A fixed algorithm list refuses "alg: none" and algorithm confusion.
        payload = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "jti", "iat", "exp"]},
        )
        user_id = int(payload["sub"])
        session_id = payload["jti"]
        if not isinstance(session_id, str) or not 0 < len(session_id) <= 64:
            raise ValueError("jti")
    except jwt.ExpiredSignatureError as error:
        raise AuthenticationError("Your session has expired. Please log in again.") from error
    except (jwt.InvalidTokenError, ValueError, TypeError) as error:
        raise AuthenticationError("Your session is not valid. Please log in again.") from error
    return TokenClaims(
        user_id=user_id,
        session_id=session_id,
        issued_at=datetime.fromtimestamp(payload["iat"], UTC),
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
    )
