"""The API's request and response bodies (its OpenAPI schema). Field bounds mirror
core's so the schema tells clients the limits; core still validates every value."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from todo_app.core.list_access import MAX_ID
from todo_app.core.models import (
    DESCRIPTION_MAX_LENGTH,
    LIST_NAME_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from todo_app.core.tags import MAX_TAGS_PER_TODO

PriorityName = Literal["none", "low", "medium", "high"]
NOT_STORABLE = "text cannot contain NUL characters or unpaired surrogates."


def _storable(value: str) -> str:
    """PostgreSQL refuses NUL in text, and an unpaired surrogate cannot be encoded:
    either would fail the transaction, not the input. Refused here with a sentence."""
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError(NOT_STORABLE)
    return value


# Every free text a client sends.
Text = Annotated[str, AfterValidator(_storable)]
QUICK_ADD_MAX_LENGTH = 2000
ZONE_MAX_LENGTH = 64


class _In(BaseModel):
    # Unknown fields are refused: a typo ("titel") must not be silently ignored.
    model_config = ConfigDict(extra="forbid")


class TodoOut(BaseModel):
    id: int
    list_id: int
    title: str
    description: str
    completed: bool
    priority: PriorityName
    due_date: date | None = Field(description="The calendar date, in the todo's time zone.")
    due_at: datetime | None = Field(description="The exact due instant, when a time was given.")
    time_zone: str
    recurrence: str | None = Field(description="An RFC 5545 RRULE (without DTSTART).")
    tags: list[str]
    subtasks_done: int
    subtasks_total: int
    can_edit: bool = Field(description="False on a list you only view.")
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def etag(self) -> str:
        """A strong validator of this representation: any change to it changes the tag."""
        digest = hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:32]
        return f'"{digest}"'


class TodoPage(BaseModel):
    items: list[TodoOut]
    total: int = Field(description="How many todos match, over all pages.")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: last.")


class TodoCreate(_In):
    title: Text = Field(max_length=TITLE_MAX_LENGTH)
    description: Text = Field(default="", max_length=DESCRIPTION_MAX_LENGTH)
    list_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Default: the Inbox.")
    priority: PriorityName = "none"
    due_date: date | None = None
    due_time: time | None = Field(default=None, description="HH:MM, in time_zone.")
    time_zone: Text = Field(default="UTC", max_length=ZONE_MAX_LENGTH, description="IANA zone.")
    tags: list[Text] = Field(default_factory=list, max_length=MAX_TAGS_PER_TODO)
    recurrence: Text | None = Field(default=None, max_length=500)


class QuickAdd(_In):
    text: Text = Field(
        max_length=QUICK_ADD_MAX_LENGTH,
        description="A line as typed in the app: “Pay rent every month on the 1st #home !high”.",
    )
    list_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Default: the Inbox.")
    time_zone: Text = Field(default="UTC", max_length=ZONE_MAX_LENGTH, description="IANA zone.")
    day_first: bool = Field(default=False, description="Read 03/04 as 3 April.")


class TodoPatch(_In):
    """Only the fields given change; ``due_date: null`` removes the due date."""

    title: Text | None = Field(default=None, max_length=TITLE_MAX_LENGTH)
    description: Text | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    priority: PriorityName | None = None
    due_date: date | None = None
    due_time: time | None = Field(default=None, description="HH:MM, in the todo's time zone.")
    tags: list[Text] | None = Field(default=None, max_length=MAX_TAGS_PER_TODO)
    recurrence: Text | None = Field(default=None, max_length=500)


class Move(_In):
    list_id: int = Field(ge=1, le=MAX_ID)


class ListOut(BaseModel):
    id: int
    name: str
    role: Literal["owner", "editor", "viewer"]
    is_inbox: bool
    owner_email: str | None = Field(description="Who shared it with you; null for your own.")
    member_count: int


class ListPage(BaseModel):
    items: list[ListOut]
    next_cursor: str | None


class ListName(_In):
    name: Text = Field(max_length=LIST_NAME_MAX_LENGTH)


class SubtaskOut(BaseModel):
    id: int
    todo_id: int
    title: str
    done: bool
    position: int


class SubtaskList(BaseModel):
    items: list[SubtaskOut]


class SubtaskCreate(_In):
    title: Text = Field(max_length=TITLE_MAX_LENGTH)


class SubtaskPatch(_In):
    done: bool


class TagOut(BaseModel):
    name: str
    todo_count: int


class TagPage(BaseModel):
    items: list[TagOut]
    next_cursor: str | None


class TagRename(_In):
    name: Text = Field(max_length=TAG_MAX_LENGTH + 1)  # a leading "#" is allowed


class FeedOut(BaseModel):
    path: str = Field(description="The feed's secret path on this server; keep it private.")
    list_id: int | None
