"""Who may do what with a list: the one place that answers it.

A list's owner may do everything with it; a member has the role the owner gave them
("editor": read and change its todos; "viewer": read them). Anyone else gets the same
NotFoundError as for a list that does not exist, so a list you may not see is never
revealed. Every todo rule (todos.py and the modules built on it: queries, bulk, tags,
subtasks, export, importing) asks here, so the pages, the assistant's tools and import
all pass the same checks. The list rules themselves (create, share, ...) are lists.py,
which re-exports these functions; this module sits below todos.py so both can use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from todo_app.core.errors import AuthenticationError, ForbiddenError, NotFoundError
from todo_app.core.models import ListMember, Todo, TodoList

INBOX_NAME = "Inbox"
LIST_GONE = "That list no longer exists."
VIEW_ONLY = "You can only view this list: ask its owner to make you an editor."
# Ids are 32-bit on PostgreSQL; a bigger "id" from a crafted event names nothing
# (and would overflow SQLite's integer binding).
MAX_ID = 2**31 - 1


class Role(StrEnum):
    """A user's role on a list. Members are editors or viewers; the owner is no member."""

    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        """May add, change, complete, move and delete the list's todos."""
        return self is not Role.VIEWER

    @property
    def label(self) -> str:
        return self.value.capitalize()


def clean_list_id(raw: object) -> int:
    """A list id from a page or a tool (anything at all) or NotFoundError."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= MAX_ID:
        raise NotFoundError(LIST_GONE)
    return raw


def list_and_role(session: Session, user_id: int, list_id: object) -> tuple[TodoList, Role]:
    """The list and the user's role on it, in one query; NotFoundError if the user may
    not see it (a stranger, a removed member) or it does not exist: the same sentence."""
    row = session.exec(
        select(TodoList, ListMember.role)
        .join(
            ListMember,
            and_(col(ListMember.list_id) == col(TodoList.id), col(ListMember.user_id) == user_id),
            isouter=True,
        )
        .where(col(TodoList.id) == clean_list_id(list_id))
    ).first()
    if row is None:
        raise NotFoundError(LIST_GONE)
    the_list, member_role = row
    if the_list.owner_id == user_id:
        return the_list, Role.OWNER
    if member_role is None:
        raise NotFoundError(LIST_GONE)
    return the_list, Role(member_role)


def role_in(session: Session, user_id: int, list_id: object) -> Role:
    """The user's role on the list; NotFoundError if they may not see it."""
    return list_and_role(session, user_id, list_id)[1]


def require_editor(session: Session, user_id: int, list_id: object) -> TodoList:
    """The list, if the user may change its todos (owner or editor)."""
    the_list, role = list_and_role(session, user_id, list_id)
    if not role.can_edit:
        raise ForbiddenError(VIEW_ONLY)
    return the_list


def require_owner(session: Session, user_id: int, list_id: object, action: str) -> TodoList:
    """The list, if the user owns it; a member is told only the owner can ``action``."""
    the_list, role = list_and_role(session, user_id, list_id)
    if role is not Role.OWNER:
        raise ForbiddenError(f"Only the list's owner can {action}.")
    return the_list


def _inbox_of(session: Session, user_id: int) -> TodoList | None:
    return session.exec(
        select(TodoList).where(col(TodoList.owner_id) == user_id, col(TodoList.is_inbox))
    ).first()


def ensure_inbox(session: Session, user_id: int) -> TodoList:
    """The user's Inbox, made if missing (sign-up makes it; so did the lists migration)."""
    inbox = _inbox_of(session, user_id)
    if inbox is not None:
        return inbox
    inbox = TodoList(owner_id=user_id, name=INBOX_NAME, is_inbox=True, position=0)
    try:
        with session.begin_nested():  # another tab may make it at the same moment
            session.add(inbox)
    except IntegrityError:
        found = _inbox_of(session, user_id)
        if found is None:  # no such user (deleted meanwhile): its token is stale
            raise AuthenticationError("Please log in.") from None
        return found
    return inbox


def shared_with(session: Session, user_id: int) -> dict[int, tuple[int, Role]]:
    """The lists shared with the user: list id -> (its owner's id, the user's role)."""
    rows = session.exec(
        select(ListMember.list_id, TodoList.owner_id, ListMember.role)
        .join(TodoList, col(TodoList.id) == col(ListMember.list_id))
        .where(col(ListMember.user_id) == user_id)
    ).all()
    return {list_id: (owner_id, Role(role)) for list_id, owner_id, role in rows}


@dataclass(frozen=True, slots=True)
class Scope:
    """The todos one user reads at once: one list, or "All lists" (their own, found by
    owner as the owner-led indexes serve it, and those of the lists shared with them)."""

    user_id: int
    list_id: int | None = None  # one list, or None for every list the user can see
    list_owner_id: int | None = None
    role: Role = Role.OWNER  # on the one list
    shared: Mapping[int, tuple[int, Role]] = field(default_factory=dict)

    def todos(self) -> ColumnElement[bool]:
        """The condition on ``Todo`` rows the user may read here."""
        if self.list_id is not None:
            return col(Todo.list_id) == self.list_id
        own = col(Todo.owner_id) == self.user_id
        if not self.shared:
            return own
        return or_(own, col(Todo.list_id).in_(sorted(self.shared)))

    def tag_owner_ids(self) -> list[int]:
        """Whose tags the todos in scope can wear (a todo wears its owner's tags)."""
        if self.list_owner_id is not None:
            return [self.list_owner_id]
        return sorted({self.user_id, *(owner for owner, _ in self.shared.values())})

    def can_edit(self, todo: Todo) -> bool:
        """Whether the user may change this todo (one of the scope's)."""
        if self.list_id is not None:
            return self.role.can_edit
        if todo.owner_id == self.user_id:
            return True
        shared = self.shared.get(todo.list_id)
        return shared is not None and shared[1].can_edit


def scope_of(session: Session, user_id: int, list_id: object = None) -> Scope:
    """What the user may read: one list (NotFoundError if they may not see it), or, with
    ``list_id`` None, every list they can see."""
    if list_id is None:
        return Scope(user_id=user_id, shared=shared_with(session, user_id))
    the_list, role = list_and_role(session, user_id, list_id)
    assert the_list.id is not None
    return Scope(user_id=user_id, list_id=the_list.id, list_owner_id=the_list.owner_id, role=role)


def audience(session: Session, list_id: int) -> set[int]:
    """Everyone who may see the list: its owner and members (empty if it is gone). The
    live-update publisher sends a change of the list to these users only."""
    # One round trip: the owner's row, then the members' (a gone list has neither).
    found = session.execute(
        union_all(
            select(TodoList.owner_id).where(col(TodoList.id) == list_id),
            select(ListMember.user_id).where(col(ListMember.list_id) == list_id),
        )
    ).scalars()
    return set(found)


def audience_of_lists(session: Session, list_ids: Sequence[int]) -> set[int]:
    """Everyone who may see any of these lists (owners and members): the pages a
    change made in a view of several lists ("All lists") may have to refresh."""
    if not list_ids:
        return set()
    owners = session.exec(select(TodoList.owner_id).where(col(TodoList.id).in_(list_ids))).all()
    members = session.exec(
        select(ListMember.user_id).where(col(ListMember.list_id).in_(list_ids))
    ).all()
    return {*owners, *members}
