"""Lists: the ones you can see, create, read, rename, delete (core/lists.py's rules)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from todo_app.api.v1 import pagination
from todo_app.api.v1.auth import CurrentActor
from todo_app.api.v1.context import Work
from todo_app.api.v1.problems import responses
from todo_app.api.v1.schemas import ListName, ListOut, ListPage
from todo_app.api.v1.views import list_out
from todo_app.core import lists as list_rules
from todo_app.core.list_access import MAX_ID

router = APIRouter(prefix="/lists", tags=["lists"])

ListId = Annotated[int, Path(ge=1, le=MAX_ID, description="A list's id.")]
_READ_ERRORS = responses(400, 401, 404, 422, 429)
_WRITE_ERRORS = responses(401, 403, 404, 409, 422, 429)


@router.get("", response_model=ListPage, responses=_READ_ERRORS, summary="Your lists")
async def get_lists(
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=pagination.MAX_LIMIT)] = pagination.DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ListPage:
    """The Inbox first, your own lists in their order, then those shared with you."""
    offset = pagination.decode(cursor, "lists", {})

    def read(work: Work) -> ListPage:
        views = list_rules.visible_lists(work.session, work.user_id)
        page = views[offset : offset + limit]
        more = len(views) > offset + limit
        return ListPage(
            items=[list_out(view) for view in page],
            next_cursor=pagination.next_cursor("lists", {}, offset, len(page), more),
        )

    return await actor.read(read)


@router.post(
    "",
    response_model=ListOut,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
    summary="Create a list",
)
async def create_list(body: ListName, actor: CurrentActor, response: Response) -> ListOut:
    def create(work: Work) -> ListOut:
        view = list_rules.create_list(work.session, work.user_id, body.name)
        work.changed_lists(set())
        return list_out(view)

    created = await actor.write(create)
    response.headers["Location"] = f"/api/v1/lists/{created.id}"
    return created


@router.get("/{list_id}", response_model=ListOut, responses=_READ_ERRORS, summary="Read a list")
async def get_list(list_id: ListId, actor: CurrentActor) -> ListOut:
    return await actor.read(
        lambda work: list_out(list_rules.get_list(work.session, work.user_id, list_id))
    )


@router.patch(
    "/{list_id}", response_model=ListOut, responses=_WRITE_ERRORS, summary="Rename a list"
)
async def rename_list(list_id: ListId, body: ListName, actor: CurrentActor) -> ListOut:
    def rename(work: Work) -> ListOut:
        people = list_rules.audience(work.session, list_id)
        view = list_rules.rename_list(work.session, work.user_id, list_id, body.name)
        work.changed_lists(people)
        return list_out(view)

    return await actor.write(rename)


@router.delete(
    "/{list_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_WRITE_ERRORS,
    summary="Delete a list with its todos",
)
async def delete_list(list_id: ListId, actor: CurrentActor) -> Response:
    def delete(work: Work) -> None:
        people = list_rules.audience(work.session, list_id)
        list_rules.delete_list(work.session, work.user_id, list_id)
        work.changed_lists(people)

    await actor.write(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
