import pytest
from sqlmodel import Session

from todo_app.core import accounts, bulk, tags, todos
from todo_app.core.errors import NotFoundError, ValidationError


@pytest.fixture
def owner(session: Session) -> int:
    user = accounts.sign_up(session, "bulk@example.com", "password!")
    assert user.id is not None
    return user.id


def _make(session: Session, owner: int, n: int) -> list[int]:
    return [todos.create_todo(session, owner, f"todo {i}").id or 0 for i in range(n)]


def test_complete_tag_and_delete_several(session: Session, owner: int) -> None:
    ids = _make(session, owner, 4)
    assert bulk.complete_all(session, owner, ids[:2]) == 2
    assert [todos.get_todo(session, owner, i).completed for i in ids] == [True, True, False, False]
    assert bulk.tag_all(session, owner, ids[1:3], "#Batch") == 2
    assert tags.tags_by_todo(session, ids) == {ids[1]: ["batch"], ids[2]: ["batch"]}
    snapshots = bulk.delete_all(session, owner, ids[:3])
    assert [s.title for s in snapshots] == ["todo 0", "todo 1", "todo 2"]
    assert todos.get_todo(session, owner, ids[3]).title == "todo 3"


def test_one_foreign_id_fails_the_whole_batch(session: Session, owner: int) -> None:
    other = accounts.sign_up(session, "victim@example.com", "password!")
    assert other.id is not None
    theirs = todos.create_todo(session, other.id, "not yours").id
    mine = _make(session, owner, 1)
    with pytest.raises(NotFoundError):
        bulk.delete_all(session, owner, [mine[0], theirs])
    assert todos.get_todo(session, other.id, theirs).title == "not yours"


@pytest.mark.parametrize("ids", [[], "1,2", list(range(1, 202))])
def test_bad_selections_are_refused(session: Session, owner: int, ids: object) -> None:
    with pytest.raises(ValidationError):
        bulk.complete_all(session, owner, ids)
