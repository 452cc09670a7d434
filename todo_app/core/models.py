"""Database tables. Plain SQLModel tables (``rx.Model`` is deprecated)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import IntEnum

from sqlalchemy import Column, DateTime, Dialect, Index, TypeDecorator, UniqueConstraint, text
from sqlmodel import Field, SQLModel

TITLE_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 10_000
EMAIL_MAX_LENGTH = 320
TAG_MAX_LENGTH = 40
LIST_NAME_MAX_LENGTH = 100
MEMBER_ROLE_MAX_LENGTH = 16
ASSISTANT_MESSAGE_MAX_LENGTH = 8_000


class Priority(IntEnum):
    """Ordered so that sorting by value sorts by importance. The one vocabulary of
    priorities: ``key`` is the word in URLs, files and quick add ("high"), ``label``
    what the page shows ("High"), ``parse`` reads a key back."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def parse(cls, text: object) -> Priority | None:
        """The priority named by ``text`` ("High", " low "), or None if it names none."""
        if not isinstance(text, str):
            return None
        return _PRIORITY_BY_KEY.get(text.strip().lower())


_PRIORITY_BY_KEY = {priority.key: priority for priority in Priority}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out. SQLite keeps no zone and hands back naive
    values; PostgreSQL's timestamptz would convert them. Both come back in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the app stores aware UTC instants only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamp(*, nullable: bool = False) -> Column[datetime]:
    return Column(UtcDateTime(), nullable=nullable, default=None if nullable else utcnow)


class User(SQLModel, table=True):
    __tablename__ = "users"
    # SQLite would otherwise hand a deleted user's id to the next sign-up.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX_LENGTH, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class TodoList(SQLModel, table=True):
    """A list of todos. Every user has exactly one Inbox (made with the account, never
    deleted, renamed or shared) and any number of own lists; lists are shared through
    ``ListMember`` rows (core/lists.py has the rules)."""

    __tablename__ = "lists"
    __table_args__ = (
        # One Inbox per owner, whatever races: a partial unique index (SQLite and PostgreSQL).
        Index(
            "uq_lists_owner_inbox",
            "owner_id",
            unique=True,
            sqlite_where=text("is_inbox"),
            postgresql_where=text("is_inbox"),
        ),
        # One list of a name per owner ("Groceries" and "groceries" are one name), so a
        # name (the assistant's, an import's) finds one own list. Also the owner's lists.
        Index("uq_lists_owner_name", "owner_id", text("lower(name)"), unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str = Field(max_length=LIST_NAME_MAX_LENGTH)
    is_inbox: bool = Field(default=False)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class ListMember(SQLModel, table=True):
    """Someone a list is shared with, as "editor" or "viewer" (the owner is no member)."""

    __tablename__ = "list_members"

    list_id: int = Field(foreign_key="lists.id", ondelete="CASCADE", primary_key=True)
    # Indexed: "the lists shared with me" on every page load.
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True, index=True)
    role: str = Field(max_length=MEMBER_ROLE_MAX_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Todo(SQLModel, table=True):
    __tablename__ = "todos"
    __table_args__ = (
        # "All lists" of one owner: this owner's todos, newest first.
        Index("ix_todos_owner_created", "owner_id", "created_at", "id"),
        # One list, newest first (and the cascade of a list's delete).
        Index("ix_todos_list_created", "list_id", "created_at", "id"),
        # One list by calendar date (smart views, "sort by due").
        Index("ix_todos_list_due", "list_id", "due_date", "due_at"),
        # Smart views and "sort by due": this owner's todos by calendar date.
        Index("ix_todos_owner_due", "owner_id", "due_date", "due_at"),
        # Status filter and the open/done split of every view.
        Index("ix_todos_owner_completed", "owner_id", "completed", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The owner of the todo's list, kept equal to it (core/todos.py moves it with the
    # todo): the owner-led indexes serve "All lists", and deleting an account removes
    # every todo of its lists. Who may read or change a todo is the list's business.
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    list_id: int = Field(foreign_key="lists.id", ondelete="CASCADE")
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    description: str = Field(default="", max_length=DESCRIPTION_MAX_LENGTH)
    completed: bool = Field(default=False)
    priority: int = Field(default=int(Priority.NONE), ge=0, le=3)
    # The due moment is kept twice on purpose: the calendar date in the zone the
    # user set it in (what "Today" and "Overdue" compare), and, when a time was
    # given, the exact instant (what reminders and "overdue at 18:00" need).
    due_date: date | None = Field(default=None)
    due_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    time_zone: str = Field(default="UTC", max_length=64)
    # An RFC 5545 RRULE (without DTSTART) for a recurring todo, see recurrence.py,
    # and the date its series started from (its DTSTART: COUNT counts from it,
    # and a month-end clamp never drifts the day of later occurrences).
    recurrence: str | None = Field(default=None, max_length=500)
    series_start: date | None = Field(default=None)
    # The occurrence this one follows, from versions that made one row per
    # occurrence (a repeating todo now rolls forward in place). Unique.
    previous_id: int | None = Field(
        default=None, foreign_key="todos.id", ondelete="SET NULL", unique=True
    )
    completed_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Tag(SQLModel, table=True):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_tags_owner_name"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    # Stored lowercase: "#Home" and "#home" are one tag.
    name: str = Field(max_length=TAG_MAX_LENGTH)


class TodoTag(SQLModel, table=True):
    __tablename__ = "todo_tags"

    todo_id: int = Field(foreign_key="todos.id", ondelete="CASCADE", primary_key=True)
    tag_id: int = Field(foreign_key="tags.id", ondelete="CASCADE", primary_key=True, index=True)


class Subtask(SQLModel, table=True):
    __tablename__ = "subtasks"

    id: int | None = Field(default=None, primary_key=True)
    todo_id: int = Field(foreign_key="todos.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    done: bool = Field(default=False)
    position: int = Field(default=0)


class AssistantMessage(SQLModel, table=True):
    """One turn of a user's conversation with the assistant (kept across reloads and
    replicas: Reflex state is only a view)."""

    __tablename__ = "assistant_messages"
    __table_args__ = (Index("ix_assistant_messages_owner", "owner_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    role: str = Field(max_length=16)  # "user" or "assistant"
    content: str = Field(max_length=ASSISTANT_MESSAGE_MAX_LENGTH)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class LoginSession(SQLModel, table=True):
    """One log-in: the ``jti`` of its token. A token is honoured only while its
    session row exists, has not ended and has not expired."""

    __tablename__ = "login_sessions"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    expires_at: datetime = Field(sa_column=_timestamp())
    ended_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


ACCESS_TOKEN_NAME_MAX_LENGTH = 100


class AccessToken(SQLModel, table=True):
    """A personal access token for the REST API (core/access_tokens.py). Only the
    SHA-256 of the secret is kept; ``prefix`` (the first characters) lets a person
    tell their tokens apart."""

    __tablename__ = "access_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=ACCESS_TOKEN_NAME_MAX_LENGTH)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=32)
    scope: str = Field(max_length=16)  # "read" or "read-write"
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    expires_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


class CalendarFeed(SQLModel, table=True):
    """A user's secret calendar URL, for all their lists (``list_id`` None) or one list
    (core/calendar_feeds.py). The URL's token is derived from ``nonce`` with the server's
    secret; a new nonce (reset) ends the old URL."""

    __tablename__ = "calendar_feeds"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    list_id: int | None = Field(default=None, foreign_key="lists.id", ondelete="CASCADE")
    nonce: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
