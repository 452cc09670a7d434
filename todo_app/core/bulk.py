"""Acting on several todos at once: all of them, or (on any error) none."""

from __future__ import annotations

from collections.abc import Sequence

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


def complete_all(session: Session, owner_id: int, todo_ids: object) -> int:
    ids = _ids(todo_ids)
    for todo_id in ids:
        todos.set_completed(session, owner_id, todo_id, True)
    return len(ids)


def delete_all(session: Session, owner_id: int, todo_ids: object) -> list[todos.TodoSnapshot]:
    return [todos.delete_todo(session, owner_id, todo_id) for todo_id in _ids(todo_ids)]


def tag_all(session: Session, owner_id: int, todo_ids: object, tag: object) -> int:
    name = clean_tag_name(tag)
    ids = _ids(todo_ids)
    owned: Sequence[int] = [todos.get_todo(session, owner_id, i).id or 0 for i in ids]
    current = tags_by_todo(session, list(owned))
    for todo_id in owned:
        names = current.get(todo_id, [])
        if name not in names:
            set_todo_tags(session, owner_id, todo_id, [*names, name])
    return len(owned)
