import pytest
from sqlmodel import Session

from todo_app.core import accounts, tags, todos
from todo_app.core.errors import ConflictError, NotFoundError, ValidationError


@pytest.fixture
def owner(session: Session) -> int:
    user = accounts.sign_up(session, "tagger@example.com", "password!")
    assert user.id is not None
    return user.id


def _todo(session: Session, owner: int, title: str, names: list[str]) -> int:
    todo = todos.create_todo(session, owner, title, fields=todos.clean_fields(tags=names))
    assert todo.id is not None
    return todo.id


@pytest.mark.parametrize(
    ("raw", "clean"), [("#Home", "home"), ("  work-stuff ", "work-stuff"), ("Ünïcode", "ünïcode")]
)
def test_tag_names_are_normalised(raw: str, clean: str) -> None:
    assert tags.clean_tag_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "#", "12", "#1abc", "two words", "x" * 41, None])
def test_bad_tag_names_are_refused(raw: object) -> None:
    with pytest.raises(ValidationError):
        tags.clean_tag_name(raw)


def test_tags_are_created_inline_and_shared(session: Session, owner: int) -> None:
    first = _todo(session, owner, "one", ["home", "#Errands"])
    _todo(session, owner, "two", ["home"])
    assert tags.list_tags(session, owner) == [("errands", 1), ("home", 2)]
    assert tags.tags_by_todo(session, [first]) == {first: ["errands", "home"]}


def test_duplicate_tags_on_one_todo_collapse(session: Session, owner: int) -> None:
    todo_id = _todo(session, owner, "dup", ["home", "HOME", "#home"])
    assert tags.tags_by_todo(session, [todo_id])[todo_id] == ["home"]


def test_rename_and_its_collision(session: Session, owner: int) -> None:
    _todo(session, owner, "one", ["home", "work"])
    tags.rename_tag(session, owner, "home", "house")
    assert [name for name, _ in tags.list_tags(session, owner)] == ["house", "work"]
    with pytest.raises(ConflictError, match="already have a tag"):
        tags.rename_tag(session, owner, "house", "work")


def test_delete_keeps_the_todos(session: Session, owner: int) -> None:
    todo_id = _todo(session, owner, "keep me", ["gone"])
    tags.delete_tag(session, owner, "gone")
    assert tags.list_tags(session, owner) == []
    assert todos.get_todo(session, owner, todo_id).title == "keep me"
    assert tags.tags_by_todo(session, [todo_id]) == {}


def test_tags_are_per_user(session: Session, owner: int) -> None:
    other = accounts.sign_up(session, "other@example.com", "password!")
    assert other.id is not None
    _todo(session, owner, "mine", ["secret"])
    assert tags.list_tags(session, other.id) == []
    with pytest.raises(NotFoundError):
        tags.rename_tag(session, other.id, "secret", "stolen")
    with pytest.raises(NotFoundError):
        tags.delete_tag(session, other.id, "secret")
