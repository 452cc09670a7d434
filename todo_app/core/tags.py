"""A user's tags: named once per user, attached to many todos.

Tags belong to the todo's owner, that is to the owner of its list: a todo of a shared
list wears its owner's tags, which its editors may set (creating a name among the
owner's tags) and everyone who sees the list reads. Renaming or deleting a tag is the
tag owner's alone. A todo moved into another owner's list keeps its tag names, as that
owner's tags (todos.move_todo).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from todo_app.core.errors import ConflictError, NotFoundError, ValidationError
from todo_app.core.list_access import scope_of
from todo_app.core.models import TAG_MAX_LENGTH, Tag, Todo, TodoTag

MAX_TAGS_PER_TODO = 20
# Letters first (so "#12" in "Fix bug #12" is not a tag), then letters,
# digits, "-" and "_". Unicode letters are welcome.
_TAG_SHAPE = re.compile(r"^[^\W\d_][\w-]*$")


def clean_tag_name(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError("A tag must be text.")
    name = raw.strip().lstrip("#").lower()
    if not name:
        raise ValidationError("Please give the tag a name.")
    if len(name) > TAG_MAX_LENGTH:
        raise ValidationError(f"Tags can be at most {TAG_MAX_LENGTH} characters.")
    if not _TAG_SHAPE.match(name):
        raise ValidationError(
            f"“{name}” is not a valid tag: start with a letter, then letters, digits, - or _."
        )
    return name


def clean_tag_names(raw: Iterable[object]) -> list[str]:
    names = list(dict.fromkeys(clean_tag_name(item) for item in raw))
    if len(names) > MAX_TAGS_PER_TODO:
        raise ValidationError(f"A todo can have at most {MAX_TAGS_PER_TODO} tags.")
    return names


def list_tags(
    session: Session, owner_id: int, *, list_id: int | None = None
) -> list[tuple[str, int]]:
    """Every tag of the user with the number of todos wearing it, by name (the tags the
    user may rename and delete). With ``list_id``, the tags worn in that list (its
    owner's) with their counts there: any role on the list may read them."""
    if list_id is not None:
        scope = scope_of(session, owner_id, list_id)
        return [
            (name, count)
            for name, count in session.exec(
                select(Tag.name, func.count(col(TodoTag.todo_id)))
                .join(TodoTag, col(TodoTag.tag_id) == col(Tag.id))
                .join(Todo, col(Todo.id) == col(TodoTag.todo_id))
                .where(scope.todos())
                .group_by(col(Tag.id), col(Tag.name))
                .order_by(col(Tag.name))
            ).all()
        ]
    rows = session.exec(
        select(Tag.name, func.count(col(TodoTag.todo_id)))
        .join(TodoTag, col(TodoTag.tag_id) == col(Tag.id), isouter=True)
        .where(Tag.owner_id == owner_id)
        .group_by(col(Tag.id), col(Tag.name))
        .order_by(col(Tag.name))
    ).all()
    return [(name, count) for name, count in rows]


def ensure_tags(session: Session, owner_id: int, names: Sequence[str]) -> list[Tag]:
    """The user's tags with these (clean) names, creating the missing ones."""
    if not names:
        return []
    existing = {
        tag.name: tag
        for tag in session.exec(
            select(Tag).where(Tag.owner_id == owner_id, col(Tag.name).in_(names))
        ).all()
    }
    for name in names:
        if name not in existing:
            tag = Tag(owner_id=owner_id, name=name)
            try:
                with session.begin_nested():  # another tab may create it at once
                    session.add(tag)
            except IntegrityError:
                tag = session.exec(
                    select(Tag).where(Tag.owner_id == owner_id, Tag.name == name)
                ).one()
            existing[name] = tag
    return [existing[name] for name in names]


def set_todo_tags(session: Session, owner_id: int, todo_id: int, names: Sequence[str]) -> None:
    """Replace a todo's tags with ``owner_id``'s tags of these names. The caller has
    checked that the user may edit the todo, and passes the todo's owner."""
    tags = ensure_tags(session, owner_id, names)
    current = session.exec(select(TodoTag).where(TodoTag.todo_id == todo_id)).all()
    wanted = {tag.id for tag in tags}
    for link in current:
        if link.tag_id not in wanted:
            session.delete(link)
    have = {link.tag_id for link in current}
    for tag in tags:
        if tag.id not in have:
            assert tag.id is not None
            session.add(TodoTag(todo_id=todo_id, tag_id=tag.id))
    session.flush()


def tags_by_todo(session: Session, todo_ids: Sequence[int]) -> dict[int, list[str]]:
    """Tag names of each of these todos, in one query (for a page of the list)."""
    found: dict[int, list[str]] = defaultdict(list)
    if todo_ids:
        for todo_id, name in session.exec(
            select(TodoTag.todo_id, Tag.name)
            .join(Tag, col(Tag.id) == col(TodoTag.tag_id))
            .where(col(TodoTag.todo_id).in_(todo_ids))
            .order_by(col(Tag.name))
        ).all():
            found[todo_id].append(name)
    return found


def _get_tag(session: Session, owner_id: int, name: object) -> Tag:
    tag = session.exec(
        select(Tag).where(Tag.owner_id == owner_id, Tag.name == clean_tag_name(name))
    ).first()
    if tag is None:
        raise NotFoundError("That tag no longer exists.")
    return tag


def rename_tag(session: Session, owner_id: int, old: object, new: object) -> Tag:
    tag = _get_tag(session, owner_id, old)
    new_name = clean_tag_name(new)
    if new_name == tag.name:
        return tag
    try:
        with session.begin_nested():  # the UPDATE inside the savepoint: a clash undoes only it
            tag.name = new_name
            session.flush()
    except IntegrityError as error:
        raise ConflictError(f"You already have a tag called “{new_name}”.") from error
    return tag


def delete_tag(session: Session, owner_id: int, name: object) -> None:
    """Removes the tag from every todo; the todos stay."""
    session.delete(_get_tag(session, owner_id, name))
    session.flush()
