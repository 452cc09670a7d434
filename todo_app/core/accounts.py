"""Sign-up and log-in."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from todo_app.core import sessions
from todo_app.core.errors import AuthenticationError, ConflictError, ValidationError
from todo_app.core.list_access import ensure_inbox
from todo_app.core.models import EMAIL_MAX_LENGTH, User
from todo_app.core.security import (
    burn_verification_time,
    hash_password,
    password_needs_rehash,
    verify_password,
)
from todo_app.observability.metrics import counts_login_failure

PASSWORD_MIN_LENGTH = 8
# Argon2 hashes any length, but an unbounded input is a cheap way to burn CPU.
PASSWORD_MAX_LENGTH = 1024
# Deliberately loose: one "@", something on each side, a dot in the domain.
# Deliverability is the mail server's business, not a regex's.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WRONG_CREDENTIALS = "The email or password is not correct."


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if not email:
        raise ValidationError("Please enter your email address.")
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL_SHAPE.match(email):
        raise ValidationError("Please enter a valid email address, like name@example.com.")
    return email


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError(
            f"Please choose a password of at least {PASSWORD_MIN_LENGTH} characters."
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError(f"Passwords can be at most {PASSWORD_MAX_LENGTH} characters.")


def sign_up(session: Session, email: str, password: str) -> User:
    normalised = normalise_email(email)
    _check_password(password)
    # Hashed before the email is looked up: a taken email costs the same time
    # as a new one (the answer itself must say so: the flow signs in at once).
    user = User(email=normalised, password_hash=hash_password(password))
    try:
        # A savepoint: a duplicate email undoes this insert, not the caller's work.
        with session.begin_nested():
            session.add(user)
    except IntegrityError as error:
        raise ConflictError("An account with this email already exists. Please log in.") from error
    assert user.id is not None
    ensure_inbox(session, user.id)  # every account has its Inbox from the start
    return user


@counts_login_failure("wrong_credentials", AuthenticationError)  # todo_login_failures_total
def authenticate(session: Session, email: str, password: str) -> User:
    try:
        normalised = normalise_email(email)
    except ValidationError as error:
        raise AuthenticationError(_WRONG_CREDENTIALS) from error
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AuthenticationError(_WRONG_CREDENTIALS)
    user = session.exec(select(User).where(User.email == normalised)).first()
    if user is None:
        burn_verification_time(password)
        raise AuthenticationError(_WRONG_CREDENTIALS)
    if not verify_password(user.password_hash, password):
        raise AuthenticationError(_WRONG_CREDENTIALS)
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def _user_with_password(session: Session, user_id: int, password: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AuthenticationError("Please log in.")
    if len(password) > PASSWORD_MAX_LENGTH or not verify_password(user.password_hash, password):
        raise ValidationError("Your current password is not correct. Nothing was changed.")
    return user


def change_password(session: Session, user_id: int, current: str, new: str) -> None:
    """Sets a new password and ends every session of the user (the caller opens
    a new one for the tab that asked): a stolen token dies with the old password."""
    user = _user_with_password(session, user_id, current)
    _check_password(new)
    user.password_hash = hash_password(new)
    session.add(user)
    sessions.end_all(session, user_id)


def delete_account(session: Session, user_id: int, password: str) -> None:
    """Removes the user and, by cascade, every row of theirs: their lists with their
    todos (every todo of their lists, whoever added it), tags, subtasks, memberships of
    others' lists, conversations and login sessions. Todos they added to others' lists
    are those lists' owners' and stay."""
    user = _user_with_password(session, user_id, password)
    ended = sessions.end_all(session, user_id)
    session.delete(user)
    session.flush()
    for session_id in ended:
        sessions.recent.forget(session_id)
