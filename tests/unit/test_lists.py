"""Lists and sharing (core/lists.py): the Inbox, own lists and their bounds, sharing by email,
moving todos, a deleted list and its undo, and the URL's current list."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tests.unit.conftest import make_user
from todo_app.core import accounts, bulk, lists, queries, recurrence, subtasks, tags, todos
from todo_app.core.due import make_due
from todo_app.core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from todo_app.core.lists import Role
from todo_app.core.models import ListMember, Subtask, Tag, Todo, TodoList, User

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def alice(session: Session) -> int:
    return make_user(session, "alice@example.com")


@pytest.fixture
def bob(session: Session) -> int:
    return make_user(session, "bob@example.com")


def _names(session: Session, user_id: int) -> list[str]:
    return [view.name for view in lists.visible_lists(session, user_id)]


def _titles(session: Session, user_id: int, list_id: int | None = None) -> list[str]:
    page = queries.find_todos(session, user_id, queries.TodoQuery(list_id=list_id), NOW, "UTC")
    return sorted(view.todo.title for view in page.items)


# --- the Inbox -------------------------------------------------------------------------------


def test_sign_up_makes_the_inbox_and_new_todos_go_there(session: Session) -> None:
    user = accounts.sign_up(session, "new@example.com", "long enough")
    assert user.id is not None
    (inbox,) = lists.visible_lists(session, user.id)
    assert (inbox.name, inbox.is_inbox, inbox.role, inbox.owner_email) == (
        "Inbox",
        True,
        Role.OWNER,
        None,
    )
    assert todos.create_todo(session, user.id, "First").list_id == inbox.id


def test_there_is_one_inbox_per_user_whatever_happens(session: Session, alice: int) -> None:
    first = lists.ensure_inbox(session, alice)
    assert lists.ensure_inbox(session, alice).id == first.id
    with pytest.raises(IntegrityError), session.begin_nested():  # the database says so too
        session.add(TodoList(owner_id=alice, name="Second inbox", is_inbox=True))
    inboxes = session.exec(
        select(TodoList).where(TodoList.owner_id == alice, col(TodoList.is_inbox))
    ).all()
    assert len(inboxes) == 1


def test_the_inbox_cannot_be_renamed_deleted_or_shared(
    session: Session, alice: int, bob: int
) -> None:
    inbox = lists.ensure_inbox(session, alice)
    with pytest.raises(ValidationError, match="Inbox cannot be renamed"):
        lists.rename_list(session, alice, inbox.id, "Mine")
    with pytest.raises(ValidationError, match="Inbox cannot be deleted"):
        lists.delete_list(session, alice, inbox.id)
    with pytest.raises(ValidationError, match="Inbox cannot be shared"):
        lists.share_list(session, alice, inbox.id, "bob@example.com", "viewer")
    with pytest.raises(NotFoundError):
        lists.reorder_lists(session, alice, [inbox.id])
    with pytest.raises(ConflictError, match="already have a list called “inbox”"):
        lists.create_list(session, alice, "inbox")
    assert _names(session, alice) == ["Inbox"]
    assert lists.members(session, alice, inbox.id) == []


# --- own lists -------------------------------------------------------------------------------


def test_lists_are_created_renamed_reordered_and_shown_inbox_first(
    session: Session, alice: int, bob: int
) -> None:
    trip = lists.create_list(session, alice, "  Trip   to  Rome ")
    assert trip.name == "Trip to Rome"  # trimmed, inner runs of spaces folded
    work = lists.create_list(session, alice, "Work")
    home = lists.create_list(session, alice, "Home")
    assert _names(session, alice) == ["Inbox", "Trip to Rome", "Work", "Home"]
    lists.reorder_lists(session, alice, [home.id, trip.id])
    assert _names(session, alice) == ["Inbox", "Home", "Trip to Rome", "Work"]
    renamed = lists.rename_list(session, alice, work.id, "Office")
    assert (renamed.id, renamed.name) == (work.id, "Office")
    lists.rename_list(session, alice, work.id, "OFFICE")  # its own name in another case
    with pytest.raises(ConflictError, match="already have a list called “home”"):
        lists.rename_list(session, alice, work.id, "home")
    with pytest.raises(NotFoundError):
        lists.reorder_lists(session, bob, [home.id])  # not bob's to order
    assert _names(session, bob) == ["Inbox"]


def test_shared_lists_follow_own_lists_by_name_with_their_owner(
    session: Session, alice: int, bob: int
) -> None:
    carol = make_user(session, "carol@example.com")
    zoo = lists.create_list(session, carol, "zoo")
    apples = lists.create_list(session, alice, "Apples")
    lists.share_list(session, carol, zoo.id, "bob@example.com", "viewer")
    lists.share_list(session, alice, apples.id, "bob@example.com", "editor")
    lists.create_list(session, bob, "Mine")
    views = lists.visible_lists(session, bob)
    assert [(v.name, v.role, v.owner_email, v.member_count) for v in views] == [
        ("Inbox", Role.OWNER, None, 0),
        ("Mine", Role.OWNER, None, 0),
        ("Apples", Role.EDITOR, "alice@example.com", 1),
        ("zoo", Role.VIEWER, "carol@example.com", 1),
    ]
    assert [v.can_edit for v in views] == [True, True, True, False]
    assert lists.get_list(session, bob, zoo.id) == views[3]
    assert lists.visible_lists(session, alice)[1].member_count == 1


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "give the list a name"),
        ("   \n\t ", "give the list a name"),
        ("x" * 101, "at most 100 characters"),
        (None, "must be text"),
        (42, "must be text"),
    ],
)
def test_a_list_name_is_1_to_100_characters_of_text(
    session: Session, alice: int, name: object, error: str
) -> None:
    with pytest.raises(ValidationError, match=error):
        lists.create_list(session, alice, name)
    assert lists.create_list(session, alice, "x" * 100).name == "x" * 100
    assert len(_names(session, alice)) == 2


def test_at_most_100_own_lists(session: Session, alice: int, bob: int) -> None:
    for number in range(lists.MAX_LISTS):
        lists.create_list(session, alice, f"List {number}")
    with pytest.raises(ValidationError, match="at most 100 lists"):
        lists.create_list(session, alice, "One too many")
    assert len(_names(session, alice)) == 101  # and the Inbox
    lists.create_list(session, bob, "Bob's first")  # a bound per user


def test_list_ids_from_a_page_are_checked(session: Session, alice: int) -> None:
    for raw in (None, "1", 1.0, True, -1, 0, 2**31, 10**30, [1]):
        with pytest.raises(NotFoundError, match="That list no longer exists"):
            lists.get_list(session, alice, raw)
        if raw is not None:  # None is the Inbox
            with pytest.raises(NotFoundError):
                # Ill-typed on purpose: the ids a page sends are not checked by mypy.
                todos.create_todo(session, alice, "x", list_id=raw)  # type: ignore[arg-type]


# --- sharing ---------------------------------------------------------------------------------


def test_sharing_by_email_reshare_changes_role_and_members_are_listed(
    session: Session, alice: int, bob: int
) -> None:
    carol = make_user(session, "carol@example.com")
    family = lists.create_list(session, alice, "Family")
    member = lists.share_list(session, alice, family.id, "  BOB@Example.com ", "Editor")
    assert member == lists.Member(bob, "bob@example.com", Role.EDITOR)
    lists.share_list(session, alice, family.id, "carol@example.com", "viewer")
    again = lists.share_list(session, alice, family.id, "bob@example.com", "viewer")
    assert again.role is Role.VIEWER
    assert lists.members(session, alice, family.id) == [
        lists.Member(bob, "bob@example.com", Role.VIEWER),
        lists.Member(carol, "carol@example.com", Role.VIEWER),
    ]
    assert lists.members(session, carol, family.id) == lists.members(session, alice, family.id)
    changed = lists.set_member_role(session, alice, family.id, carol, "editor")
    assert changed.role is Role.EDITOR and lists.role_in(session, carol, family.id) is Role.EDITOR
    lists.remove_member(session, alice, family.id, bob)
    with pytest.raises(NotFoundError, match="That list no longer exists"):
        lists.role_in(session, bob, family.id)
    with pytest.raises(NotFoundError, match="not a member"):
        lists.remove_member(session, alice, family.id, bob)


def test_an_email_without_an_account_is_refused_and_no_account_is_made(
    session: Session, alice: int
) -> None:
    family = lists.create_list(session, alice, "Family")
    users = len(session.exec(select(User)).all())
    with pytest.raises(ValidationError, match=r"^There is no account with that email\.$"):
        lists.share_list(session, alice, family.id, "nobody@example.com", "editor")
    with pytest.raises(ValidationError, match="valid email"):
        lists.share_list(session, alice, family.id, "not an email", "editor")
    with pytest.raises(ValidationError, match="email of the person"):
        lists.share_list(session, alice, family.id, "  ", "editor")
    assert len(session.exec(select(User)).all()) == users
    assert session.exec(select(ListMember)).all() == []


@pytest.mark.parametrize("role", ["owner", "admin", "", None, 1])
def test_a_member_is_an_editor_or_a_viewer(
    session: Session, alice: int, bob: int, role: object
) -> None:
    family = lists.create_list(session, alice, "Family")
    with pytest.raises(ValidationError, match="Editor or Viewer"):
        lists.share_list(session, alice, family.id, "bob@example.com", role)


def test_sharing_with_yourself_is_refused(session: Session, alice: int) -> None:
    family = lists.create_list(session, alice, "Family")
    with pytest.raises(ValidationError, match="your own email"):
        lists.share_list(session, alice, family.id, "alice@example.com", "editor")


def test_at_most_50_members(session: Session, alice: int) -> None:
    family = lists.create_list(session, alice, "Family")
    for number in range(lists.MAX_MEMBERS):
        make_user(session, f"member{number}@example.com")
        lists.share_list(session, alice, family.id, f"member{number}@example.com", "viewer")
    make_user(session, "late@example.com")
    with pytest.raises(ValidationError, match="at most 50 people"):
        lists.share_list(session, alice, family.id, "late@example.com", "viewer")
    # Changing an existing member's role is no new member.
    lists.share_list(session, alice, family.id, "member0@example.com", "editor")
    assert len(lists.members(session, alice, family.id)) == 50


# --- todos in lists --------------------------------------------------------------------------


def test_each_list_keeps_its_own_todos_and_all_lists_shows_them_all(
    session: Session, alice: int, bob: int
) -> None:
    groceries = lists.create_list(session, alice, "Groceries")
    work = lists.create_list(session, alice, "Work")
    todos.create_todo(session, alice, "Milk", list_id=groceries.id)
    todos.create_todo(session, alice, "Report", list_id=work.id)
    todos.create_todo(session, alice, "Loose end")
    assert _titles(session, alice, groceries.id) == ["Milk"]
    assert _titles(session, alice, work.id) == ["Report"]
    assert _titles(session, alice) == ["Loose end", "Milk", "Report"]
    assert queries.list_todos(session, alice, list_id=work.id).total == 1
    with pytest.raises(NotFoundError, match="That list no longer exists"):
        queries.find_todos(session, bob, queries.TodoQuery(list_id=work.id), NOW, "UTC")


def test_the_current_list_round_trips_through_the_url() -> None:
    query = queries.TodoQuery.from_params({"list": "42", "q": "milk"})
    assert query.list_id == 42
    assert query.to_params() == {"list": "42", "q": "milk"}
    assert queries.TodoQuery.from_params(query.to_params()) == query
    for bad in ("", "0", "-3", "abc", "4.2", "٣", "99999999999", "2147483648", " 7x"):
        assert queries.TodoQuery.from_params({"list": bad}).list_id is None
    assert queries.TodoQuery.from_params({"list": " 7 "}).list_id == 7
    assert "list" not in queries.TodoQuery().to_params()  # All lists


def test_moving_a_todo_into_another_owners_list_moves_it_with_its_tags_and_subtasks(
    session: Session, alice: int, bob: int
) -> None:
    family = lists.create_list(session, alice, "Family")
    lists.share_list(session, alice, family.id, "bob@example.com", "editor")
    todo = todos.create_todo(
        session, bob, "Plan holiday", fields=todos.clean_fields(tags=["fun", "summer"])
    )
    assert todo.id is not None
    subtasks.add_subtask(session, bob, todo.id, "Pick dates")
    moved = todos.move_todo(session, bob, todo.id, family.id)
    assert (moved.list_id, moved.owner_id) == (family.id, alice)
    assert tags.tags_by_todo(session, [todo.id]) == {todo.id: ["fun", "summer"]}
    alice_tags = {t.name for t in session.exec(select(Tag).where(Tag.owner_id == alice)).all()}
    assert {"fun", "summer"} <= alice_tags  # the list owner's tags now
    assert [(name, count) for name, count in tags.list_tags(session, bob)] == [
        ("fun", 0),
        ("summer", 0),
    ]
    assert [s.title for s in subtasks.list_subtasks(session, alice, todo.id)] == ["Pick dates"]
    back = todos.move_todo(session, bob, todo.id, lists.ensure_inbox(session, bob).id)
    assert back.owner_id == bob and tags.tags_by_todo(session, [todo.id])[todo.id] == [
        "fun",
        "summer",
    ]
    assert todos.move_todo(session, bob, todo.id, back.list_id).list_id == back.list_id  # no-op


def test_an_editor_sets_tags_as_the_owners_and_cannot_rename_them(
    session: Session, alice: int, bob: int
) -> None:
    family = lists.create_list(session, alice, "Family")
    lists.share_list(session, alice, family.id, "bob@example.com", "editor")
    todo = todos.create_todo(session, bob, "Bake", list_id=family.id)
    assert todo.id is not None
    todos.update_todo(session, bob, todo.id, fields=todos.clean_fields(tags=["kitchen"]))
    assert [t.owner_id for t in session.exec(select(Tag)).all()] == [alice]
    assert tags.list_tags(session, bob) == []  # none of bob's own
    assert tags.list_tags(session, bob, list_id=family.id) == [("kitchen", 1)]
    with pytest.raises(NotFoundError):
        tags.rename_tag(session, bob, "kitchen", "oven")
    bulk.tag_all(session, bob, [todo.id], "sweet")
    assert tags.tags_by_todo(session, [todo.id])[todo.id] == ["kitchen", "sweet"]
    assert {t.owner_id for t in session.exec(select(Tag)).all()} == {alice}


def test_a_repeating_todo_of_a_shared_list_repeats_in_that_list(
    session: Session, alice: int, bob: int
) -> None:
    family = lists.create_list(session, alice, "Family")
    lists.share_list(session, alice, family.id, "bob@example.com", "editor")
    bins = todos.create_todo(
        session,
        bob,
        "Bins out",
        list_id=family.id,
        fields=todos.clean_fields(
            recurrence=recurrence.daily(), due=make_due(date(2026, 11, 26), None, "UTC")
        ),
    )
    rollover = todos.complete(session, bob, bins.id).rollover
    assert rollover is not None
    (row,) = session.exec(select(Todo).where(Todo.list_id == family.id)).all()
    assert (row.list_id, row.owner_id, row.due_date) == (family.id, alice, date(2026, 11, 27))
    todos.roll_back(session, bob, rollover)  # Undo, by the editor who completed it
    assert session.get_one(Todo, bins.id).due_date == date(2026, 11, 26)


def test_a_viewer_cannot_sneak_a_change_through_a_batch(
    session: Session, alice: int, bob: int
) -> None:
    family = lists.create_list(session, alice, "Family")
    lists.share_list(session, alice, family.id, "bob@example.com", "viewer")
    theirs = todos.create_todo(session, alice, "Theirs", list_id=family.id)
    mine = todos.create_todo(session, bob, "Mine")
    with pytest.raises(ForbiddenError):
        bulk.complete_all(session, bob, [mine.id, theirs.id])
    with pytest.raises(ForbiddenError):
        bulk.move_all(session, bob, [mine.id], family.id)


# --- deleting a list and its undo -----------------------------------------------------------


def test_deleting_a_list_removes_its_todos_and_undo_brings_everything_back(
    session: Session, alice: int, bob: int
) -> None:
    carol = make_user(session, "carol@example.com")
    trip = lists.create_list(session, alice, "Trip")
    lists.create_list(session, alice, "After")
    lists.share_list(session, alice, trip.id, "bob@example.com", "editor")
    lists.share_list(session, alice, trip.id, "carol@example.com", "viewer")
    passport = todos.create_todo(
        session,
        bob,
        "Passport",
        "renew it",
        list_id=trip.id,
        fields=todos.clean_fields(priority="high", tags=["papers"]),
    )
    subtasks.add_subtask(session, alice, passport.id, "Photo")
    tent = todos.create_todo(session, alice, "Tent", list_id=trip.id)
    todos.set_completed(session, alice, tent.id, True)
    keep = todos.create_todo(session, alice, "Elsewhere")
    passport_id, passport_created, keep_id = passport.id, passport.created_at, keep.id

    snapshot = lists.delete_list(session, alice, trip.id)

    assert [t.title for t in snapshot.todos] == ["Passport", "Tent"]
    assert _names(session, alice) == ["Inbox", "After"]
    assert _names(session, bob) == ["Inbox"]
    for user in (alice, bob, carol):
        with pytest.raises(NotFoundError):
            todos.get_todo(session, user, passport_id)
        with pytest.raises(NotFoundError):
            lists.get_list(session, user, trip.id)
        with pytest.raises(NotFoundError):
            todos.create_todo(session, user, "Late", list_id=trip.id)
    assert session.exec(select(Subtask)).all() == []
    assert session.exec(select(ListMember)).all() == []
    assert todos.get_todo(session, alice, keep_id).title == "Elsewhere"
    with pytest.raises(NotFoundError):
        lists.restore_list(session, bob, snapshot)  # only the owner's undo

    restored = lists.restore_list(session, alice, snapshot)

    assert (restored.name, restored.member_count) == ("Trip", 2)
    assert _names(session, alice) == ["Inbox", "Trip", "After"]  # its old place
    page = queries.find_todos(session, alice, queries.TodoQuery(list_id=restored.id), NOW, "UTC")
    by_title = {view.todo.title: view for view in page.items}
    back = by_title["Passport"]
    assert (back.todo.description, back.todo.priority, back.tags) == ("renew it", 3, ["papers"])
    assert (back.subtasks_done, back.subtasks_total) == (0, 1)
    assert back.todo.created_at == passport_created and back.todo.owner_id == alice
    assert by_title["Tent"].todo.completed
    assert lists.role_in(session, bob, restored.id) is Role.EDITOR
    assert lists.role_in(session, carol, restored.id) is Role.VIEWER


def test_undo_of_a_list_delete_skips_deleted_accounts_and_respects_names(
    session: Session, alice: int, bob: int
) -> None:
    trip = lists.create_list(session, alice, "Trip")
    lists.share_list(session, alice, trip.id, "bob@example.com", "viewer")
    snapshot = lists.delete_list(session, alice, trip.id)
    lists.create_list(session, alice, "trip")
    with pytest.raises(ConflictError, match="already have a list called"):
        lists.restore_list(session, alice, snapshot)
    lists.delete_list(session, alice, lists.find_list(session, alice, "trip").id)
    session.delete(session.get(User, bob))
    session.flush()
    restored = lists.restore_list(session, alice, snapshot)
    assert restored.member_count == 0 and lists.members(session, alice, restored.id) == []


def test_undo_of_a_todo_delete_returns_it_to_its_list_while_the_user_may_edit_it(
    session: Session, alice: int, bob: int
) -> None:
    family = lists.create_list(session, alice, "Family")
    lists.share_list(session, alice, family.id, "bob@example.com", "editor")
    todo = todos.create_todo(session, bob, "Call grandma", list_id=family.id)
    snapshot = todos.delete_todo(session, bob, todo.id)
    assert snapshot.list_id == family.id
    assert todos.restore(session, bob, snapshot).list_id == family.id
    again = todos.delete_todo(session, bob, _titles_ids(session, alice, family.id)[0])
    lists.set_member_role(session, alice, family.id, bob, "viewer")
    with pytest.raises(ForbiddenError):
        todos.restore(session, bob, again)
    lists.delete_list(session, alice, family.id)
    with pytest.raises(NotFoundError):
        todos.restore(session, alice, again)


def _titles_ids(session: Session, user_id: int, list_id: int) -> list[int]:
    page = queries.find_todos(session, user_id, queries.TodoQuery(list_id=list_id), NOW, "UTC")
    return [view.todo.id or 0 for view in page.items]


def test_a_snapshot_from_before_lists_is_restored_into_the_inbox(
    session: Session, alice: int
) -> None:
    todo = todos.create_todo(session, alice, "Old")
    snapshot = todos.delete_todo(session, alice, todo.id)
    old = dataclasses.replace(snapshot, list_id=None)
    assert todos.restore(session, alice, old).list_id == lists.ensure_inbox(session, alice).id


# --- accounts --------------------------------------------------------------------------------


def test_deleting_an_account_keeps_what_it_added_to_others_lists(
    session: Session, alice: int, bob: int
) -> None:
    family = lists.create_list(session, alice, "Family")
    mine = lists.create_list(session, bob, "Bob's")
    lists.share_list(session, alice, family.id, "bob@example.com", "editor")
    lists.share_list(session, bob, mine.id, "alice@example.com", "editor")
    todos.create_todo(session, bob, "Added by bob", list_id=family.id)
    todos.create_todo(session, alice, "Added by alice", list_id=mine.id)
    session.delete(session.get(User, bob))
    session.flush()
    session.expire_all()
    assert _titles(session, alice) == ["Added by bob"]
    assert _names(session, alice) == ["Inbox", "Family"]
    assert lists.members(session, alice, family.id) == []
