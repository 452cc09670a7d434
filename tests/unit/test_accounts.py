import pytest
from sqlmodel import Session, select

from todo_app.core import accounts, security
from todo_app.core.errors import AuthenticationError, ConflictError, ValidationError
from todo_app.core.models import User


def test_sign_up_normalises_the_email_and_hashes_the_password(session: Session) -> None:
    user = accounts.sign_up(session, "  Alice@Example.COM ", "long enough")
    assert user.email == "alice@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert "long enough" not in user.password_hash


def test_email_is_unique_whatever_its_case(session: Session) -> None:
    accounts.sign_up(session, "bob@example.com", "long enough")
    with pytest.raises(ConflictError, match="already exists"):
        accounts.sign_up(session, "BOB@example.com", "another password")
    assert len(session.exec(select(User)).all()) == 1


def test_a_taken_email_costs_a_hash_like_a_new_one(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer differs (the flow signs in at once); the time taken must not."""
    accounts.sign_up(session, "gus@example.com", "long enough")
    hashed: list[str] = []
    real_hash = security.hash_password

    def counting_hash(password: str) -> str:
        hashed.append(password)
        return real_hash(password)

    monkeypatch.setattr(accounts, "hash_password", counting_hash)
    with pytest.raises(ConflictError):
        accounts.sign_up(session, "gus@example.com", "another password")
    accounts.sign_up(session, "hal@example.com", "long enough")
    assert hashed == ["another password", "long enough"]


@pytest.mark.parametrize(
    "email", ["", "   ", "no-at-sign", "two@@example.com", "a@b", "x" * 330 + "@e.io"]
)
def test_malformed_email_is_refused(session: Session, email: str) -> None:
    with pytest.raises(ValidationError):
        accounts.sign_up(session, email, "long enough")


def test_short_password_is_refused(session: Session) -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        accounts.sign_up(session, "carol@example.com", "1234567")
    assert session.exec(select(User)).all() == []


def test_log_in_with_the_right_password(session: Session) -> None:
    created = accounts.sign_up(session, "dan@example.com", "right password")
    assert accounts.authenticate(session, " DAN@example.com", "right password").id == created.id


def test_wrong_password_and_unknown_email_read_the_same(session: Session) -> None:
    accounts.sign_up(session, "erin@example.com", "right password")
    with pytest.raises(AuthenticationError) as wrong:
        accounts.authenticate(session, "erin@example.com", "wrong password")
    with pytest.raises(AuthenticationError) as unknown:
        accounts.authenticate(session, "nobody@example.com", "right password")
    assert str(wrong.value) == str(unknown.value) == "The email or password is not correct."


def test_huge_password_is_refused_without_hashing(session: Session) -> None:
    accounts.sign_up(session, "fay@example.com", "right password")
    with pytest.raises(AuthenticationError):
        accounts.authenticate(session, "fay@example.com", "x" * 100_000)
