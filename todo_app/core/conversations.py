"""The assistant conversation of each user, stored so it survives reloads and replicas."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from todo_app.core.models import ASSISTANT_MESSAGE_MAX_LENGTH, AssistantMessage

ROLES = ("user", "assistant")
HISTORY_LIMIT = 40


def append(session: Session, owner_id: int, role: str, content: str) -> AssistantMessage:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    message = AssistantMessage(
        owner_id=owner_id, role=role, content=content[:ASSISTANT_MESSAGE_MAX_LENGTH]
    )
    session.add(message)
    session.flush()
    return message


def recent(session: Session, owner_id: int, limit: int = HISTORY_LIMIT) -> list[AssistantMessage]:
    """The last ``limit`` messages, oldest first."""
    rows = session.exec(
        select(AssistantMessage)
        .where(AssistantMessage.owner_id == owner_id)
        .order_by(col(AssistantMessage.id).desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def clear(session: Session, owner_id: int) -> None:
    session.exec(delete(AssistantMessage).where(col(AssistantMessage.owner_id) == owner_id))
