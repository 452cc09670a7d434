"""Todos: search (the page's URL parameters), create (fields or a quick-add line), read,
update, complete, reopen, move, delete. Every rule is core's (todos.py, queries.py,
quickadd.py); this module only translates HTTP to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response, status

from todo_app.api.v1 import etags, pagination
from todo_app.api.v1.auth import CurrentActor
from todo_app.api.v1.context import Work
from todo_app.api.v1.problems import responses
from todo_app.api.v1.schemas import Move, QuickAdd, TodoCreate, TodoOut, TodoPage, TodoPatch
from todo_app.api.v1.views import from_view, read_todo
from todo_app.core import todos as todo_service
from todo_app.core.due import Due, make_due
from todo_app.core.errors import ValidationError
from todo_app.core.list_access import MAX_ID
from todo_app.core.models import Todo, utcnow
from todo_app.core.queries import SEARCH_MAX_LENGTH, Sort, Status, TodoQuery, View, find_todos
from todo_app.core.quickadd import as_fields, parse_quick_add
from todo_app.core.zones import zone

router = APIRouter(prefix="/todos", tags=["todos"])

TodoId = Annotated[int, Path(ge=1, le=MAX_ID, description="A todo's id.")]
IfMatch = Annotated[
    str | None, Header(description="The ETag you read; 412 if the todo changed since.")
]
_READ_ERRORS = responses(400, 401, 404, 422, 429)
_WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 429)


def _etagged(response: Response, todo: TodoOut) -> TodoOut:
    response.headers["ETag"] = todo.etag()
    return todo


@router.get("", response_model=TodoPage, responses=_READ_ERRORS, summary="Search todos")
async def search_todos(
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=SEARCH_MAX_LENGTH, description="Words to find.")] = "",
    status_: Annotated[str, Query(alias="status", description=f"One of {', '.join(Status)}.")] = "",
    view: Annotated[str, Query(description=f"One of {', '.join(View)}.")] = "",
    priority: Annotated[str, Query(description="none, low, medium or high.")] = "",
    tag: Annotated[str, Query(max_length=64, description="A tag name.")] = "",
    from_: Annotated[str, Query(alias="from", max_length=10, description="YYYY-MM-DD.")] = "",
    to: Annotated[str, Query(max_length=10, description="YYYY-MM-DD.")] = "",
    sort: Annotated[str, Query(description=f"One of {', '.join(Sort)}.")] = "",
    list_: Annotated[str, Query(alias="list", max_length=10, description="A list's id.")] = "",
    tz: Annotated[str, Query(max_length=64, description="IANA zone for 'today'.")] = "UTC",
    limit: Annotated[int, Query(ge=1, le=pagination.MAX_LIMIT)] = pagination.DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> TodoPage:
    """The same parameters as the page's URL, read the same way (an unknown value falls
    back to its default, as an old bookmark must still open)."""
    params = {
        "q": q,
        "status": status_,
        "view": view,
        "priority": priority,
        "tag": tag,
        "from": from_,
        "to": to,
        "sort": sort,
        "list": list_,
    }
    time_zone = zone(tz).key
    query = TodoQuery.from_params(params)
    filters = {**query.to_params(), "tz": time_zone}
    offset = pagination.decode(cursor, "todos", filters)
    paged = query.page(limit, offset)

    def search(work: Work) -> TodoPage:
        found = find_todos(work.session, work.user_id, paged, utcnow(), time_zone)
        return TodoPage(
            items=[from_view(view) for view in found.items],
            total=found.total,
            next_cursor=pagination.next_cursor(
                "todos", filters, offset, len(found.items), found.has_more
            ),
        )

    return await actor.read(search)


def _untagged(fields: todo_service.TodoFields) -> bool:
    return fields.tags is todo_service.KEEP or not fields.tags


def _due(body: Any, time_zone: str) -> Due | None:
    if body.due_date is None:
        if body.due_time is not None:
            raise ValidationError("Please give a due date for the due time.")
        return None
    return make_due(body.due_date, body.due_time, time_zone)


@router.post(
    "",
    response_model=TodoOut,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
    summary="Create a todo from its fields",
)
async def create_todo(body: TodoCreate, actor: CurrentActor, response: Response) -> TodoOut:
    time_zone = zone(body.time_zone).key
    fields = todo_service.clean_fields(
        priority=body.priority,
        due=_due(body, time_zone),
        tags=body.tags,
        recurrence=body.recurrence,
    )

    def create(work: Work) -> TodoOut:
        todo = todo_service.create_todo(
            work.session,
            work.user_id,
            body.title,
            body.description,
            time_zone=time_zone,
            fields=fields,
            list_id=body.list_id,
        )
        work.changed_list(todo.list_id)
        return read_todo(work.session, todo, can_edit=True, new=True, untagged=_untagged(fields))

    created = await actor.write(create)
    response.headers["Location"] = f"/api/v1/todos/{created.id}"
    return _etagged(response, created)


@router.post(
    "/quick-add",
    response_model=TodoOut,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
    summary="Create a todo from a quick-add line",
)
async def quick_add(body: QuickAdd, actor: CurrentActor, response: Response) -> TodoOut:
    time_zone = zone(body.time_zone).key
    parsed = parse_quick_add(body.text, utcnow(), time_zone, day_first=body.day_first)
    fields = as_fields(parsed)

    def create(work: Work) -> TodoOut:
        todo = todo_service.create_todo(
            work.session,
            work.user_id,
            parsed.title,
            time_zone=time_zone,
            fields=fields,
            list_id=body.list_id,
        )
        work.changed_list(todo.list_id)
        return read_todo(work.session, todo, can_edit=True, new=True, untagged=_untagged(fields))

    created = await actor.write(create)
    response.headers["Location"] = f"/api/v1/todos/{created.id}"
    return _etagged(response, created)


@router.get("/{todo_id}", response_model=TodoOut, responses=_READ_ERRORS, summary="Read a todo")
async def get_todo(todo_id: TodoId, actor: CurrentActor, response: Response) -> TodoOut:
    def read(work: Work) -> TodoOut:
        todo, role = todo_service.todo_and_role(work.session, work.user_id, todo_id)
        return read_todo(work.session, todo, can_edit=role.can_edit)

    return _etagged(response, await actor.read(read))


@router.patch(
    "/{todo_id}",
    response_model=TodoOut,
    responses=responses(401, 403, 404, 409, 412, 422, 428, 429),
    summary="Change a todo (If-Match required)",
)
async def update_todo(
    todo_id: TodoId,
    body: TodoPatch,
    actor: CurrentActor,
    response: Response,
    if_match: IfMatch = None,
) -> TodoOut:
    given = body.model_fields_set
    etags.require_header(if_match)

    def update(work: Work) -> TodoOut:
        todo = todo_service.editable_todo(work.session, work.user_id, todo_id)
        etags.check(work.session, todo, if_match)
        changes: dict[str, Any] = {}
        if body.priority is not None:
            changes["priority"] = body.priority
        if "recurrence" in given:
            changes["recurrence"] = body.recurrence
        if "tags" in given:
            changes["tags"] = body.tags or []
        if given & {"due_date", "due_time"}:
            changes["due"] = _due(body, todo.time_zone)
        todo_service.update_todo(
            work.session,
            work.user_id,
            todo_id,
            # An explicit null title is refused by core with its sentence.
            title=body.title if "title" in given else todo_service.KEEP,
            description=body.description if "description" in given else todo_service.KEEP,
            fields=todo_service.clean_fields(**changes),
        )
        work.changed_list(todo.list_id)
        return read_todo(work.session, todo, can_edit=True)

    return _etagged(response, await actor.write(update))


Change = Callable[[Work, int], Todo]


def _action(todo_id: int, if_match: str | None, change: Change) -> Callable[[Work], TodoOut]:
    """``change`` (which finds the todo editable, or raises) after the If-Match check
    when one is sent; the todo as it is then."""

    def run(work: Work) -> TodoOut:
        if if_match is not None:
            todo = todo_service.editable_todo(work.session, work.user_id, todo_id)
            etags.check(work.session, todo, if_match)
        changed = change(work, todo_id)
        work.changed_list(changed.list_id)
        return read_todo(work.session, changed, can_edit=True)

    return run


@router.post(
    "/{todo_id}/complete",
    response_model=TodoOut,
    responses=_WRITE_ERRORS,
    summary="Complete a todo (a repeating one moves to its next date)",
)
async def complete_todo(
    todo_id: TodoId, actor: CurrentActor, response: Response, if_match: IfMatch = None
) -> TodoOut:
    done = _action(
        todo_id,
        if_match,
        lambda work, todo_id: todo_service.complete(work.session, work.user_id, todo_id).todo,
    )
    return _etagged(response, await actor.write(done))


@router.post(
    "/{todo_id}/reopen", response_model=TodoOut, responses=_WRITE_ERRORS, summary="Reopen a todo"
)
async def reopen_todo(
    todo_id: TodoId, actor: CurrentActor, response: Response, if_match: IfMatch = None
) -> TodoOut:
    reopened = _action(
        todo_id,
        if_match,
        lambda work, todo_id: todo_service.reopen(work.session, work.user_id, todo_id),
    )
    return _etagged(response, await actor.write(reopened))


@router.post(
    "/{todo_id}/move",
    response_model=TodoOut,
    responses=_WRITE_ERRORS,
    summary="Move a todo to another list",
)
async def move_todo(
    todo_id: TodoId, body: Move, actor: CurrentActor, response: Response, if_match: IfMatch = None
) -> TodoOut:
    def move(work: Work, todo_id: int) -> Todo:
        before = todo_service.editable_todo(work.session, work.user_id, todo_id).list_id
        moved = todo_service.move_todo(work.session, work.user_id, todo_id, body.list_id)
        work.changed_list(before)
        return moved

    return _etagged(response, await actor.write(_action(todo_id, if_match, move)))


@router.delete(
    "/{todo_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_WRITE_ERRORS,
    summary="Delete a todo",
)
async def delete_todo(todo_id: TodoId, actor: CurrentActor, if_match: IfMatch = None) -> Response:
    def delete(work: Work) -> None:
        todo = todo_service.editable_todo(work.session, work.user_id, todo_id)
        etags.check(work.session, todo, if_match)
        list_id = todo.list_id
        todo_service.delete_todo(work.session, work.user_id, todo_id)
        work.changed_list(list_id)

    await actor.write(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
