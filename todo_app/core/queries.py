"""Finding todos: search, filters, smart views and sort, one page at a time.

A ``TodoQuery`` round-trips through URL parameters, so a view can be
bookmarked and shared; unknown or malformed parameters fall back to defaults
instead of failing (an old bookmark must still open). Its ``list_id`` (URL
parameter ``list``) is the list on screen; without it the query runs across
every list the user can see ("All lists"). A list the user cannot see is a
NotFoundError from ``find_todos`` (the page falls back to "All lists").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, case, exists, or_, union
from sqlmodel import Session, col, func, select

from todo_app.core.due import is_due_soon, is_overdue, local_today
from todo_app.core.list_access import MAX_ID, Role, Scope, scope_of
from todo_app.core.models import TAG_MAX_LENGTH, Priority, Subtask, Tag, Todo, TodoTag, utcnow
from todo_app.core.tags import tags_by_todo
from todo_app.core.todos import get_todo

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SEARCH_MAX_LENGTH = 200
UPCOMING_DAYS = 7


class Status(StrEnum):
    ALL = "all"
    OPEN = "open"
    DONE = "done"


class View(StrEnum):
    ALL = "all"
    TODAY = "today"
    UPCOMING = "upcoming"
    OVERDUE = "overdue"
    NO_DATE = "no-date"


class Sort(StrEnum):
    SMART = "smart"  # due first: overdue and today's by due, then the rest newest first
    CREATED = "created"
    DUE = "due"
    PRIORITY = "priority"
    TITLE = "title"


def _printable(value: str) -> str:
    return "".join(ch for ch in value if ch.isprintable() or ch == " ")


@dataclass(frozen=True, slots=True)
class TodoQuery:
    search: str = ""
    status: Status = Status.ALL
    view: View = View.ALL
    priority: Priority | None = None
    tag: str = ""
    due_from: date | None = None
    due_to: date | None = None
    sort: Sort = Sort.SMART
    list_id: int | None = None  # None: all lists the user can see
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> TodoQuery:
        def text(name: str) -> str:
            value = params.get(name, "")
            # Control characters (a NUL from "?q=%00") can never match a todo
            # and PostgreSQL refuses NUL in a string: drop them.
            return _printable(value).strip() if isinstance(value, str) else ""

        def choice(name: str, enum: type[StrEnum], default: StrEnum) -> Any:
            try:
                return enum(text(name))
            except ValueError:
                return default

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(text(name))
            except ValueError:
                return None

        def list_id() -> int | None:
            # ASCII digits only ("٣" is a digit to int()), within the id range.
            value = text("list")
            if not (value.isascii() and value.isdigit() and len(value) <= 10):
                return None
            number = int(value)
            return number if 0 < number <= MAX_ID else None

        return cls(
            search=text("q")[:SEARCH_MAX_LENGTH],
            status=choice("status", Status, Status.ALL),
            view=choice("view", View, View.ALL),
            priority=Priority.parse(text("priority")),
            tag=text("tag").lstrip("#").lower()[:TAG_MAX_LENGTH],
            due_from=day("from"),
            due_to=day("to"),
            sort=choice("sort", Sort, Sort.SMART),
            list_id=list_id(),
        )

    def to_params(self) -> dict[str, str]:
        """Only what differs from the defaults, so URLs stay short."""
        params = {
            "q": self.search,
            "status": self.status.value if self.status is not Status.ALL else "",
            "view": self.view.value if self.view is not View.ALL else "",
            "priority": self.priority.key if self.priority is not None else "",
            "tag": self.tag,
            "from": self.due_from.isoformat() if self.due_from else "",
            "to": self.due_to.isoformat() if self.due_to else "",
            "sort": self.sort.value if self.sort is not Sort.SMART else "",
            "list": str(self.list_id) if self.list_id is not None else "",
        }
        return {key: value for key, value in params.items() if value}

    def page(self, limit: int, offset: int = 0) -> TodoQuery:
        return replace(self, limit=max(1, min(limit, MAX_PAGE_SIZE)), offset=max(0, offset))


@dataclass(frozen=True, slots=True)
class TodoView:
    """One row as the list shows it."""

    todo: Todo
    tags: list[str] = field(default_factory=list)
    subtasks_done: int = 0
    subtasks_total: int = 0
    overdue: bool = False
    due_soon: bool = False
    can_edit: bool = True  # False on a list the user only views


# The bands Sort.SMART puts first (its order's band 0: open, due today or before).
DUE_NOW_BANDS = frozenset({"Overdue", "Today"})


def band_of(view: TodoView, today: date) -> str:
    """The heading a row falls under when the list puts what is due first."""
    return band_of_row(view.todo.completed, view.overdue, view.todo.due_date, today)


def band_of_row(completed: bool, overdue: bool, due_date: date | None, today: date) -> str:
    """band_of, from what a row on the page holds."""
    if completed:
        return "Done"
    if overdue:
        return "Overdue"
    if due_date is not None and due_date <= today:
        return "Today"
    return "Later"


def band_starts(views: list[TodoView], today: date) -> list[str]:
    """Per row, the heading that starts above it ("" under the same heading as the
    row before); no headings at all when everything falls under one."""
    return headings([band_of(view, today) for view in views])


def headings(bands: Sequence[str]) -> list[str]:
    """band_starts, from the rows' bands."""
    if len(set(bands)) < 2:
        return ["" for _ in bands]
    return [band if i == 0 or bands[i - 1] != band else "" for i, band in enumerate(bands)]


@dataclass(frozen=True, slots=True)
class TodoPage:
    items: list[TodoView]
    total: int
    has_more: bool


def _conditions(
    scope: Scope, query: TodoQuery, now: datetime, tz: str
) -> list[ColumnElement[bool]]:
    visible = scope.todos()
    conditions: list[ColumnElement[bool]] = [visible]
    # A todo wears its owner's tags: a constant owner when there is one (one list, or
    # no shared lists) keeps the (owner_id, name) index lookups of a single user.
    tag_owners = scope.tag_owner_ids()
    tag_owner: ColumnElement[bool] = (
        col(Tag.owner_id) == tag_owners[0]
        if len(tag_owners) == 1
        else col(Tag.owner_id).in_(tag_owners)
    )
    if query.search:
        needle = f"%{_escape_like(query.search.lower())}%"
        # Two id sets, not one OR with a subquery: the text half is then
        # something the trigram GIN indexes on lower(title) / lower(description)
        # can serve (as a BitmapOr) when they beat the owner index.
        by_text = select(col(Todo.id)).where(
            visible,
            or_(
                func.lower(col(Todo.title)).like(needle, escape="\\"),
                func.lower(col(Todo.description)).like(needle, escape="\\"),
            ),
        )
        by_tag = (
            select(col(TodoTag.todo_id))
            .join(Tag, col(Tag.id) == col(TodoTag.tag_id))
            .where(
                tag_owner,
                func.lower(col(Tag.name)).like(needle, escape="\\"),
            )
        )
        conditions.append(col(Todo.id).in_(union(by_text, by_tag)))
    if query.status is Status.OPEN:
        conditions.append(col(Todo.completed).is_(False))
    elif query.status is Status.DONE:
        conditions.append(col(Todo.completed).is_(True))
    if query.priority is not None:
        conditions.append(col(Todo.priority) == int(query.priority))
    if query.tag:
        conditions.append(
            exists().where(
                col(TodoTag.todo_id) == col(Todo.id),
                col(TodoTag.tag_id) == col(Tag.id),
                tag_owner,
                col(Tag.name) == query.tag,
            )
        )
    if query.due_from:
        conditions.append(col(Todo.due_date) >= query.due_from)
    if query.due_to:
        conditions.append(col(Todo.due_date) <= query.due_to)
    conditions.extend(_view_conditions(query.view, now, tz))
    return conditions


def _view_conditions(view: View, now: datetime, tz: str) -> list[ColumnElement[bool]]:
    today = local_today(now, tz)
    if view is View.TODAY:
        return [col(Todo.due_date) == today]
    if view is View.UPCOMING:
        return [
            col(Todo.due_date) > today,
            col(Todo.due_date) <= today + timedelta(days=UPCOMING_DAYS),
        ]
    if view is View.OVERDUE:
        return [
            col(Todo.completed).is_(False),
            or_(
                and_(col(Todo.due_at).is_(None), col(Todo.due_date) < today),
                and_(col(Todo.due_at).is_not(None), col(Todo.due_at) < now),
            ),
        ]
    if view is View.NO_DATE:
        return [col(Todo.due_date).is_(None)]
    return []


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(sort: Sort, now: datetime, tz: str) -> list[Any]:
    newest = [col(Todo.created_at).desc(), col(Todo.id).desc()]
    if sort is Sort.SMART:
        # What needs doing now on top (open, due today or before, soonest first),
        # then the other open todos newest first (a todo just added, dated or
        # not, shows at the top of them), then the completed ones.
        band = case(
            (col(Todo.completed).is_(True), 2),
            (col(Todo.due_date) <= local_today(now, tz), 0),
            else_=1,
        )
        due_now = case((band == 0, col(Todo.due_date)), else_=None)
        at_now = case((band == 0, col(Todo.due_at)), else_=None)
        return [band, due_now.asc().nulls_last(), at_now.asc().nulls_last(), *newest]
    if sort is Sort.DUE:
        # Undated last. Written as NULLS LAST so PostgreSQL can read the
        # (owner_id, due_date, due_at) index in order (docs/performance.md).
        return [col(Todo.due_date).asc().nulls_last(), col(Todo.due_at).asc().nulls_last(), *newest]
    if sort is Sort.PRIORITY:
        return [col(Todo.priority).desc(), *newest]
    if sort is Sort.TITLE:
        return [func.lower(col(Todo.title)), col(Todo.id)]
    return newest


def find_todos(
    session: Session, user_id: int, query: TodoQuery, now: datetime, tz: str
) -> TodoPage:
    """One page of the todos the user can see that match ``query``: in its list (any role
    on it reads; NotFoundError if the user may not see it), or across all their lists."""
    scope = scope_of(session, user_id, query.list_id)
    conditions = _conditions(scope, query, now, tz)
    rows = list(
        session.exec(
            select(Todo)
            .where(*conditions)
            .order_by(*_order(query.sort, now, tz))
            .offset(query.offset)
            .limit(query.limit + 1)  # one more than asked tells if there is more
        ).all()
    )
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    total = session.exec(select(func.count()).select_from(Todo).where(*conditions)).one()
    return TodoPage(items=_views(session, scope, rows, now, tz), total=total, has_more=has_more)


def todo_view(session: Session, user_id: int, todo_id: object, now: datetime, tz: str) -> TodoView:
    """One todo the user can see, as a page's row shows it (NotFoundError if they cannot),
    whatever the filters on screen: the edit panel keeps the todo it edits."""
    todo = get_todo(session, user_id, todo_id)
    return _views(session, scope_of(session, user_id, todo.list_id), [todo], now, tz)[0]


@dataclass(frozen=True, slots=True)
class NewTodo:
    """A todo just created, as a page of a query shows it."""

    view: TodoView
    matches: bool  # the query's filters and list would show it (it adds to its total)
    views: frozenset[View]  # the smart views whose open counts it adds to (View.ALL too)


def new_todo(
    session: Session,
    user_id: int,
    todo: Todo,
    query: TodoQuery,
    now: datetime,
    tz: str,
    *,
    tagged: bool = True,
) -> NewTodo:
    """How a page of ``query`` shows ``todo``, just created by ``user_id`` in a list
    they may edit: one query by its id, with the very conditions of find_todos and
    open_counts (no second copy of a filter), plus its tags when it has any."""
    assert todo.id is not None
    # The todo's own list: whether the page shows one list or all of them, a
    # todo just added there is in scope, and wears its list owner's tags.
    scope = Scope(
        user_id=user_id,
        list_id=todo.list_id,
        list_owner_id=todo.owner_id,
        role=Role.OWNER if todo.owner_id == user_id else Role.EDITOR,
    )
    in_list = query.list_id is None or query.list_id == todo.list_id
    views = [view for view in View if view is not View.ALL]
    # sqlmodel types a select of several columns by its first one only.
    row = cast(
        "Sequence[Any]",
        session.exec(
            select(
                and_(*_conditions(scope, query, now, tz)),
                *(and_(*_view_conditions(view, now, tz)) for view in views),
            ).where(col(Todo.id) == todo.id)
        ).one(),
    )
    tags = tags_by_todo(session, [todo.id]).get(todo.id, []) if tagged else []
    return NewTodo(
        view=_view(todo, tags, (0, 0), scope, now, tz),
        matches=in_list and bool(row[0]),
        views=frozenset(
            [View.ALL, *(view for view, inside in zip(views, row[1:], strict=True) if inside)]
        )
        if not todo.completed
        else frozenset(),
    )


def new_row_position(sort: Sort, band: str, bands: Sequence[str]) -> int | None:
    """Where a todo just created goes among a page's rows (in the page's order, of
    these bands under Sort.SMART), by _order; None when only the query can tell."""
    if sort is Sort.CREATED:
        return 0  # newest first
    if sort is Sort.SMART and band not in DUE_NOW_BANDS:
        # The newest of the rest: right after what is due now.
        return next((i for i, b in enumerate(bands) if b not in DUE_NOW_BANDS), len(bands))
    return None  # among the due-now rows by date and time, or by due, priority, title


def _view(
    todo: Todo,
    tags: list[str],
    progress: tuple[int, int],
    scope: Scope,
    now: datetime,
    tz: str,
) -> TodoView:
    return TodoView(
        todo=todo,
        tags=tags,
        subtasks_done=progress[0],
        subtasks_total=progress[1],
        overdue=not todo.completed and is_overdue(todo.due_date, todo.due_at, now, tz),
        due_soon=not todo.completed and is_due_soon(todo.due_date, todo.due_at, now, tz),
        can_edit=scope.can_edit(todo),
    )


def _views(
    session: Session, scope: Scope, rows: list[Todo], now: datetime, tz: str
) -> list[TodoView]:
    ids = [todo.id for todo in rows if todo.id is not None]
    tags = tags_by_todo(session, ids)
    progress: dict[int, tuple[int, int]] = {}
    if ids:
        for todo_id, done, total in session.exec(
            select(
                Subtask.todo_id,
                func.count().filter(col(Subtask.done).is_(True)),
                func.count(),
            )
            .where(col(Subtask.todo_id).in_(ids))
            .group_by(col(Subtask.todo_id))
        ).all():
            progress[todo_id] = (done, total)
    return [
        _view(todo, tags.get(todo.id or 0, []), progress.get(todo.id or 0, (0, 0)), scope, now, tz)
        for todo in rows
    ]


def list_todos(
    session: Session,
    user_id: int,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
    *,
    list_id: int | None = None,
) -> TodoPage:
    """The default view (everything, what is due first), as of now in UTC."""
    query = TodoQuery(list_id=list_id).page(limit, offset)
    return find_todos(session, user_id, query, utcnow(), "UTC")


REMINDER_HORIZON = timedelta(hours=24)
REMINDER_GRACE = timedelta(hours=1)


def open_counts(
    session: Session, user_id: int, list_id: int | None, now: datetime, tz: str
) -> dict[View, int]:
    """How many open todos each smart view holds, in the list (or all lists): one
    query, for the counts beside the views."""
    scope = scope_of(session, user_id, list_id)
    views = [view for view in View if view is not View.ALL]
    columns: list[Any] = [func.count()]
    columns += [func.count().filter(and_(*_view_conditions(v, now, tz))) for v in views]
    row = session.exec(select(*columns).where(scope.todos(), col(Todo.completed).is_(False))).one()
    counts = [int(value) for value in row]
    return {View.ALL: counts[0], **dict(zip(views, counts[1:], strict=True))}


def upcoming_reminders(
    session: Session, user_id: int, now: datetime, limit: int = 50
) -> list[tuple[int, str, datetime]]:
    """Open todos with a due time from an hour ago to a day ahead, in every list the user
    can see: the page reminds of them while it is open (todo_app.ui.components.reminders)."""
    rows = session.exec(
        select(Todo.id, Todo.title, Todo.due_at)
        .where(
            scope_of(session, user_id).todos(),
            col(Todo.completed).is_(False),
            col(Todo.due_at) >= now - REMINDER_GRACE,
            col(Todo.due_at) <= now + REMINDER_HORIZON,
        )
        .order_by(col(Todo.due_at))
        .limit(limit)
    ).all()
    return [(todo_id, title, due_at) for todo_id, title, due_at in rows if todo_id and due_at]
