"""Lists and sharing: every rule about lists lives here (docs/lists.md).

Every user has one Inbox (made with the account; never renamed, deleted or shared) and
up to ``MAX_LISTS`` lists of their own. The owner shares a list by email with up to
``MAX_MEMBERS`` people, each an editor (reads and changes its todos) or a viewer (reads
them); only the owner renames, deletes, reorders or shares it; a member may leave. A
list the user may not see is "That list no longer exists.", whether it exists or not.

Who may do what (``Role``, ``role_in``, ``require_editor``, ``audience``) is answered in
list_access.py, below todos.py, and re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from todo_app.core import accounts, todos
from todo_app.core.errors import ConflictError, NotFoundError, ValidationError
from todo_app.core.list_access import INBOX_NAME as INBOX_NAME
from todo_app.core.list_access import LIST_GONE as LIST_GONE
from todo_app.core.list_access import Role as Role
from todo_app.core.list_access import audience as audience
from todo_app.core.list_access import audience_of_lists as audience_of_lists
from todo_app.core.list_access import clean_list_id as clean_list_id
from todo_app.core.list_access import ensure_inbox as ensure_inbox
from todo_app.core.list_access import list_and_role, require_owner
from todo_app.core.list_access import require_editor as require_editor
from todo_app.core.list_access import role_in as role_in
from todo_app.core.models import LIST_NAME_MAX_LENGTH, ListMember, Todo, TodoList, User

MAX_LISTS = 100  # own lists per user, the Inbox not counted
MAX_MEMBERS = 50  # people one list is shared with, the owner not counted
NO_ACCOUNT = "There is no account with that email."
NOT_A_MEMBER = "That person is not a member of this list."


@dataclass(frozen=True, slots=True)
class ListView:
    """A list as the user sees it."""

    id: int
    name: str
    role: Role  # the user's
    is_inbox: bool
    owner_email: str | None  # who shared it with the user; None for the user's own
    member_count: int  # the people it is shared with (the owner not counted)

    @property
    def can_edit(self) -> bool:
        return self.role.can_edit

    @property
    def is_own(self) -> bool:
        return self.role is Role.OWNER


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    email: str
    role: Role


@dataclass(frozen=True, slots=True)
class ListSnapshot:
    """Everything needed to put a deleted list back (for Undo): its todos (with their
    tags and subtasks) and its members."""

    owner_id: int
    name: str
    position: int
    created_at: datetime
    todos: tuple[todos.TodoSnapshot, ...]
    members: tuple[tuple[int, Role], ...]


def clean_list_name(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError("The list name must be text.")
    name = " ".join(raw.split())  # trimmed, no line breaks or runs of spaces
    if not name:
        raise ValidationError("Please give the list a name.")
    if len(name) > LIST_NAME_MAX_LENGTH:
        raise ValidationError(
            f"List names can be at most {LIST_NAME_MAX_LENGTH} characters "
            f"(this one has {len(name)})."
        )
    return name


def name_key(name: str) -> str:
    """What two list names must not share (per owner): "Groceries" is "groceries"."""
    return " ".join(name.split()).casefold()


def clean_role(raw: object) -> Role:
    """A member's role: "editor" or "viewer" (any case)."""
    if isinstance(raw, str):
        try:
            role = Role(raw.strip().lower())
        except ValueError:
            pass
        else:
            if role is not Role.OWNER:
                return role
    raise ValidationError("The role must be Editor or Viewer.")


# --- reading -------------------------------------------------------------------------------


def _own_lists(session: Session, user_id: int) -> list[TodoList]:
    """The user's lists in their order: the Inbox first, then by position."""
    return list(
        session.exec(
            select(TodoList)
            .where(col(TodoList.owner_id) == user_id)
            .order_by(col(TodoList.is_inbox).desc(), col(TodoList.position), col(TodoList.id))
        ).all()
    )


def _member_counts(session: Session, list_ids: Sequence[int]) -> dict[int, int]:
    if not list_ids:
        return {}
    return {
        list_id: count
        for list_id, count in session.exec(
            select(ListMember.list_id, func.count())
            .where(col(ListMember.list_id).in_(list_ids))
            .group_by(col(ListMember.list_id))
        ).all()
    }


def _own_view(the_list: TodoList, members: int) -> ListView:
    assert the_list.id is not None
    return ListView(the_list.id, the_list.name, Role.OWNER, the_list.is_inbox, None, members)


def visible_lists(session: Session, user_id: int) -> list[ListView]:
    """Every list the user can see: the Inbox first, their own lists in their order, then
    the lists shared with them by name."""
    own = _own_lists(session, user_id)  # the Inbox among them (made at sign-up)
    shared = session.exec(
        select(TodoList, ListMember.role, User.email)
        .join(ListMember, col(ListMember.list_id) == col(TodoList.id))
        .join(User, col(User.id) == col(TodoList.owner_id))
        .where(col(ListMember.user_id) == user_id)
        .order_by(func.lower(col(TodoList.name)), col(TodoList.id))
    ).all()
    counts = _member_counts(
        session, [the_list.id or 0 for the_list in own] + [row[0].id or 0 for row in shared]
    )
    views = [_own_view(the_list, counts.get(the_list.id or 0, 0)) for the_list in own]
    for the_list, role, email in shared:
        assert the_list.id is not None
        views.append(
            ListView(
                the_list.id, the_list.name, Role(role), False, email, counts.get(the_list.id, 0)
            )
        )
    return views


def get_list(session: Session, user_id: int, list_id: object) -> ListView:
    """One list as the user sees it (the page's header: its name, the user's role)."""
    the_list, role = list_and_role(session, user_id, list_id)
    assert the_list.id is not None
    count = _member_counts(session, [the_list.id]).get(the_list.id, 0)
    if role is Role.OWNER:
        return _own_view(the_list, count)
    owner = session.get(User, the_list.owner_id)
    email = owner.email if owner is not None else None
    return ListView(the_list.id, the_list.name, role, False, email, count)


def find_list(session: Session, user_id: int, name: object) -> ListView:
    """The list the user can see called ``name`` (any case): their own first, then one
    shared with them. For the assistant ("add milk to Groceries")."""
    wanted = name_key(clean_list_name(name))
    views = visible_lists(session, user_id)
    found = [view for view in views if name_key(view.name) == wanted]
    own = [view for view in found if view.is_own]
    if own:
        return own[0]  # own names are unique
    if len(found) == 1:
        return found[0]
    if found:
        owners = ", ".join(sorted(view.owner_email or "" for view in found))
        raise ValidationError(
            f"Several lists shared with you are called “{found[0].name}” (from {owners}); "
            "please rename yours or ask their owners."
        )
    names = ", ".join(f"“{view.name}”" for view in views[:10])
    more = f" and {len(views) - 10} more" if len(views) > 10 else ""
    raise NotFoundError(
        f"You have no list called “{clean_list_name(name)}”. Your lists: {names}{more}."
    )


def members(session: Session, user_id: int, list_id: object) -> list[Member]:
    """The people a list is shared with, by email; anyone who can see the list may ask."""
    the_list, _role = list_and_role(session, user_id, list_id)
    rows = session.exec(
        select(ListMember.user_id, User.email, ListMember.role)
        .join(User, col(User.id) == col(ListMember.user_id))
        .where(col(ListMember.list_id) == the_list.id)
        .order_by(col(User.email))
    ).all()
    return [Member(member_id, email, Role(role)) for member_id, email, role in rows]


# --- the owner's rules ---------------------------------------------------------------------


def _check_name_free(
    session: Session, user_id: int, name: str, *, other_than: int | None = None
) -> None:
    taken = {
        name_key(the_list.name)
        for the_list in _own_lists(session, user_id)
        if the_list.id != other_than
    }
    if name_key(name) in taken:
        raise ConflictError(f"You already have a list called “{name}”.")


def _count_own(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(TodoList)
        .where(col(TodoList.owner_id) == user_id, col(TodoList.is_inbox).is_(False))
    ).one()


def _check_room(session: Session, user_id: int, more: int = 1) -> None:
    if _count_own(session, user_id) + more > MAX_LISTS:
        raise ValidationError(
            f"You can have at most {MAX_LISTS} lists: please delete one you no longer need."
        )


def _insert(session: Session, the_list: TodoList) -> TodoList:
    try:
        with session.begin_nested():  # a savepoint: a clash undoes only this insert
            session.add(the_list)
    except IntegrityError as error:  # the same name from another tab at the same moment
        raise ConflictError(f"You already have a list called “{the_list.name}”.") from error
    return the_list


def _next_position(session: Session, user_id: int) -> int:
    last = session.exec(
        select(func.max(TodoList.position)).where(col(TodoList.owner_id) == user_id)
    ).one()
    return (last or 0) + 1


def create_list(session: Session, user_id: int, name: object) -> ListView:
    """A new own list, last in the user's order."""
    clean = clean_list_name(name)
    ensure_inbox(session, user_id)  # "Inbox" is then a taken name
    _check_room(session, user_id)
    _check_name_free(session, user_id, clean)
    the_list = _insert(
        session,
        TodoList(owner_id=user_id, name=clean, position=_next_position(session, user_id)),
    )
    return _own_view(the_list, 0)


def rename_list(session: Session, user_id: int, list_id: object, name: object) -> ListView:
    clean = clean_list_name(name)
    the_list = require_owner(session, user_id, list_id, "rename it")
    if the_list.is_inbox:
        raise ValidationError("The Inbox cannot be renamed.")
    _check_name_free(session, user_id, clean, other_than=the_list.id)
    try:
        with session.begin_nested():
            the_list.name = clean
            session.add(the_list)
    except IntegrityError as error:
        raise ConflictError(f"You already have a list called “{clean}”.") from error
    assert the_list.id is not None
    return _own_view(the_list, _member_counts(session, [the_list.id]).get(the_list.id, 0))


def delete_list(session: Session, user_id: int, list_id: object) -> ListSnapshot:
    """Deletes an own list with its todos (and their subtasks and tags' links) and its
    memberships; the snapshot brings all of it back (``restore_list``)."""
    the_list = require_owner(session, user_id, list_id, "delete it")
    if the_list.is_inbox:
        raise ValidationError("The Inbox cannot be deleted.")
    assert the_list.id is not None
    snapshot = ListSnapshot(
        owner_id=the_list.owner_id,
        name=the_list.name,
        position=the_list.position,
        created_at=the_list.created_at,
        todos=tuple(todos.snapshots(session, col(Todo.list_id) == the_list.id)),
        members=tuple(
            (member_id, Role(role))
            for member_id, role in session.exec(
                select(ListMember.user_id, ListMember.role)
                .where(col(ListMember.list_id) == the_list.id)
                .order_by(col(ListMember.created_at), col(ListMember.user_id))
            ).all()
        ),
    )
    session.delete(the_list)  # the database cascades to its todos and members
    session.flush()
    session.expire_all()  # no stale todo or membership of it stays in the session
    return snapshot


def restore_list(session: Session, user_id: int, snapshot: ListSnapshot) -> ListView:
    """Undo a delete: the list again (under a new id) with its todos and the members whose
    accounts still exist."""
    if snapshot.owner_id != user_id:
        raise NotFoundError(LIST_GONE)
    name = clean_list_name(snapshot.name)
    _check_room(session, user_id)
    _check_name_free(session, user_id, name)
    the_list = _insert(
        session,
        TodoList(
            owner_id=user_id,
            name=name,
            position=snapshot.position,
            created_at=snapshot.created_at,
        ),
    )
    assert the_list.id is not None
    todos.restore_into(session, the_list, snapshot.todos)
    wanted = dict(snapshot.members[:MAX_MEMBERS])
    existing = (
        session.exec(select(User.id).where(col(User.id).in_(list(wanted)))).all() if wanted else []
    )
    for member_id in existing:
        if member_id is not None and member_id != user_id:
            role = wanted[member_id].value
            session.add(ListMember(list_id=the_list.id, user_id=member_id, role=role))
    session.flush()
    return _own_view(the_list, len(existing))


def reorder_lists(session: Session, user_id: int, ordered_ids: object) -> None:
    """Puts the user's own lists in this order (the Inbox stays first); lists not named
    keep their order, after the named ones."""
    if not isinstance(ordered_ids, list | tuple) or len(ordered_ids) > MAX_LISTS + 1:
        raise ValidationError("Please give the lists in their new order.")
    wanted = list(dict.fromkeys(clean_list_id(raw) for raw in ordered_ids))
    own = [the_list for the_list in _own_lists(session, user_id) if not the_list.is_inbox]
    by_id = {the_list.id: the_list for the_list in own}
    if any(list_id not in by_id for list_id in wanted):
        raise NotFoundError(LIST_GONE)  # not own (or the Inbox): never reordered here
    rest = [the_list for the_list in own if the_list.id not in set(wanted)]
    for position, the_list in enumerate([*(by_id[i] for i in wanted), *rest], start=1):
        if the_list.position != position:
            the_list.position = position
            session.add(the_list)
    session.flush()


# --- sharing -------------------------------------------------------------------------------


def _shareable(session: Session, owner_id: int, list_id: object) -> TodoList:
    the_list = require_owner(session, owner_id, list_id, "share it")
    if the_list.is_inbox:
        raise ValidationError("The Inbox cannot be shared: create a list to share instead.")
    return the_list


def _membership(session: Session, list_id: int, member_id: object) -> ListMember:
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise NotFoundError(NOT_A_MEMBER)
    membership = session.exec(
        select(ListMember).where(
            col(ListMember.list_id) == list_id, col(ListMember.user_id) == member_id
        )
    ).first()
    if membership is None:
        raise NotFoundError(NOT_A_MEMBER)
    return membership


def _member(session: Session, membership: ListMember) -> Member:
    user = session.get(User, membership.user_id)
    assert user is not None
    return Member(membership.user_id, user.email, Role(membership.role))


def share_list(
    session: Session, owner_id: int, list_id: object, email: object, role: object
) -> Member:
    """Shares an own list with the account of ``email`` as editor or viewer; sharing again
    changes the role. No account is made for an unknown email: the sign-up page already
    tells whether an email has an account, so saying so here reveals nothing new."""
    the_list = _shareable(session, owner_id, list_id)
    clean = clean_role(role)
    if not isinstance(email, str) or not email.strip():
        raise ValidationError("Please enter the email of the person to share the list with.")
    address = accounts.normalise_email(email)
    user = session.exec(select(User).where(col(User.email) == address)).first()
    if user is None or user.id is None:
        raise ValidationError(NO_ACCOUNT)
    if user.id == owner_id:
        raise ValidationError("That is your own email: you own this list already.")
    assert the_list.id is not None
    membership = session.exec(
        select(ListMember).where(
            col(ListMember.list_id) == the_list.id, col(ListMember.user_id) == user.id
        )
    ).first()
    if membership is None:
        count = _member_counts(session, [the_list.id]).get(the_list.id, 0)
        if count >= MAX_MEMBERS:
            raise ValidationError(f"A list can be shared with at most {MAX_MEMBERS} people.")
        membership = ListMember(list_id=the_list.id, user_id=user.id, role=clean.value)
        try:
            with session.begin_nested():  # the same invitation from another tab at once
                session.add(membership)
        except IntegrityError:
            membership = _membership(session, the_list.id, user.id)
    membership.role = clean.value
    session.add(membership)
    session.flush()
    return Member(user.id, user.email, clean)


def set_member_role(
    session: Session, owner_id: int, list_id: object, member_id: object, role: object
) -> Member:
    the_list = _shareable(session, owner_id, list_id)
    clean = clean_role(role)
    assert the_list.id is not None
    membership = _membership(session, the_list.id, member_id)
    membership.role = clean.value
    session.add(membership)
    session.flush()
    return _member(session, membership)


def remove_member(session: Session, owner_id: int, list_id: object, member_id: object) -> None:
    """The member loses the list at once (their pages: through ``audience`` before it)."""
    the_list = require_owner(session, owner_id, list_id, "remove its members")
    assert the_list.id is not None
    session.delete(_membership(session, the_list.id, member_id))
    session.flush()


def leave_list(session: Session, user_id: int, list_id: object) -> None:
    """A member leaves a list shared with them; the todos they added stay in it."""
    the_list, role = list_and_role(session, user_id, list_id)
    if role is Role.OWNER:
        raise ValidationError("You own this list: delete it instead of leaving it.")
    assert the_list.id is not None
    session.delete(_membership(session, the_list.id, user_id))
    session.flush()
