"""Acting on several todos at once: all of them, or (on any error) none.

Each todo passes the same check as alone (todos.editable_todo): one todo of a list the
user only views, or cannot see, refuses the whole batch. ``move_all`` needs the user to
edit the target list as well.
"""

from __future__ import annotations

from sqlmodel import Session

from todo_app.core import todos
from todo_app.core.errors import ValidationError
from todo_app.core.tags import clean_tag_name, set_todo_tags, tags_by_todo

MAX_BULK = 200


def _ids(raw: object) -> list[int]:
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError("Please select at least one todo.")
    if len(raw) > MAX_BULK:
        raise ValidationError(f"Please select at most {MAX_BULK} todos at once.")
    return list(dict.fromkeys(raw))  # each id is checked by get_todo


def complete_all(session: Session, user_id: int, todo_ids: object) -> int:
    ids = _ids(todo_ids)
    for todo_id in ids:
        todos.set_completed(session, user_id, todo_id, True)
    return len(ids)


def delete_all(session: Session, user_id: int, todo_ids: object) -> list[todos.TodoSnapshot]:
    return [todos.delete_todo(session, user_id, todo_id) for todo_id in _ids(todo_ids)]


def tag_all(session: Session, user_id: int, todo_ids: object, tag: object) -> int:
    """Adds the tag to each todo, as its owner's tag (a shared list's todos wear the list
    owner's tags)."""
    name = clean_tag_name(tag)
    found = [todos.editable_todo(session, user_id, i) for i in _ids(todo_ids)]
    current = tags_by_todo(session, [todo.id or 0 for todo in found])
    for todo in found:
        assert todo.id is not None
        names = current.get(todo.id, [])
        if name not in names:
            set_todo_tags(session, todo.owner_id, todo.id, [*names, name])
    return len(found)


def move_all(session: Session, user_id: int, todo_ids: object, list_id: object) -> int:
    ids = _ids(todo_ids)
    for todo_id in ids:
        todos.move_todo(session, user_id, todo_id, list_id)
    return len(ids)
