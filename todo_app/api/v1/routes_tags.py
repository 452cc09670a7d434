"""Your tags (core/tags.py): listed with their use, renamed, deleted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from todo_app.api.v1 import pagination
from todo_app.api.v1.auth import CurrentActor
from todo_app.api.v1.context import Work
from todo_app.api.v1.problems import responses
from todo_app.api.v1.schemas import TagOut, TagPage, TagRename
from todo_app.core import tags as tag_rules
from todo_app.core.models import TAG_MAX_LENGTH

router = APIRouter(prefix="/tags", tags=["tags"])

TagName = Annotated[str, Path(max_length=TAG_MAX_LENGTH + 1, description="A tag's name.")]
_WRITE_ERRORS = responses(401, 403, 404, 409, 422, 429)


@router.get("", response_model=TagPage, responses=responses(400, 401, 422, 429), summary="Tags")
async def get_tags(
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=pagination.MAX_LIMIT)] = pagination.DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> TagPage:
    """Your tags by name, each with the number of todos wearing it."""
    offset = pagination.decode(cursor, "tags", {})

    def read(work: Work) -> TagPage:
        found = tag_rules.list_tags(work.session, work.user_id)
        page = found[offset : offset + limit]
        return TagPage(
            items=[TagOut(name=name, todo_count=count) for name, count in page],
            next_cursor=pagination.next_cursor(
                "tags", {}, offset, len(page), len(found) > offset + limit
            ),
        )

    return await actor.read(read)


@router.patch("/{name}", response_model=TagOut, responses=_WRITE_ERRORS, summary="Rename a tag")
async def rename_tag(name: TagName, body: TagRename, actor: CurrentActor) -> TagOut:
    def rename(work: Work) -> TagOut:
        tag = tag_rules.rename_tag(work.session, work.user_id, name, body.name)
        counts = dict(tag_rules.list_tags(work.session, work.user_id))
        work.changed_lists(set())
        return TagOut(name=tag.name, todo_count=counts.get(tag.name, 0))

    return await actor.write(rename)


@router.delete(
    "/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_WRITE_ERRORS,
    summary="Delete a tag (its todos stay)",
)
async def delete_tag(name: TagName, actor: CurrentActor) -> Response:
    def delete(work: Work) -> None:
        tag_rules.delete_tag(work.session, work.user_id, name)
        work.changed_lists(set())

    await actor.write(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
