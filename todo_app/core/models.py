"""Database tables. Plain SQLModel tables (``rx.Model`` is deprecated)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import IntEnum

from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

TITLE_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 10_000
EMAIL_MAX_LENGTH = 320


class Priority(IntEnum):
    """Ordered so that sorting by value sorts by importance."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


def _timestamp() -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX_LENGTH, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Todo(SQLModel, table=True):
    __tablename__ = "todos"
    # The list query is "this owner's todos, newest first": one index serves it.
    __table_args__ = (Index("ix_todos_owner_created", "owner_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    description: str = Field(default="", max_length=DESCRIPTION_MAX_LENGTH)
    completed: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
