"""ETag / If-Match (RFC 9110): two clients cannot overwrite each other's change silently.

A todo's ETag is a digest of its representation (schemas.TodoOut.etag). A PATCH must
send the ETag it read (428 without one); any other change may send one. The check runs
in the change's transaction with the todo's row locked (PostgreSQL ``FOR UPDATE``), so
a concurrent change cannot slip between the check and the write.
"""

from __future__ import annotations

from sqlmodel import Session

from todo_app.api.v1.problems import ApiProblem
from todo_app.api.v1.views import read_todo
from todo_app.core.models import Todo

PRECONDITION_REQUIRED = (
    "Please send the todo's ETag in If-Match (read it with GET first), so that a change "
    "made meanwhile by someone else is not overwritten."
)
CHANGED_MEANWHILE = (
    "This todo has changed since you read it: read it again (GET) and apply your change to "
    "the new version."
)
MAX_IF_MATCH_LENGTH = 1000


def require_header(if_match: str | None) -> str:
    if not if_match or not if_match.strip():
        raise ApiProblem(428, PRECONDITION_REQUIRED)
    return if_match


def check(session: Session, todo: Todo, if_match: str | None) -> None:
    """Raises 412 unless ``if_match`` (when given) names the todo's current version.
    The caller found the todo editable (the ETag covers ``can_edit``)."""
    if if_match is None:
        return
    session.refresh(todo, with_for_update=True)
    current = read_todo(session, todo, can_edit=True).etag()
    wanted = [part.strip() for part in if_match[:MAX_IF_MATCH_LENGTH].split(",")]
    # Weak tags never match for a change (RFC 9110 13.1.1: strong comparison).
    if "*" not in wanted and current not in wanted:
        raise ApiProblem(412, CHANGED_MEANWHILE)
