"""The calendar feed: ``GET /api/v1/calendar/<token>.ics`` for calendar apps (the URL is
the key: they send no header), and its secret path for a token's owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlmodel import Session

from todo_app.api.v1.auth import CurrentActor, address_limited, context_of
from todo_app.api.v1.context import Work
from todo_app.api.v1.problems import responses
from todo_app.api.v1.schemas import FeedOut
from todo_app.core import calendar_feeds, ical
from todo_app.core.list_access import MAX_ID, list_and_role
from todo_app.core.tags import tags_by_todo

router = APIRouter(prefix="/calendar", tags=["calendar"])

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
FEED_PREFIX = "/api/v1/calendar/"
ListParam = Annotated[
    int | None, Query(alias="list", ge=1, le=MAX_ID, description="One list; default: all.")
]


def feed_path(token: str) -> str:
    return f"{FEED_PREFIX}{token}.ics"


@router.get(
    "/feed",
    response_model=FeedOut,
    responses=responses(401, 404, 422, 429),
    summary="Your calendar feed's secret path",
)
async def get_feed(request: Request, actor: CurrentActor, list_id: ListParam = None) -> FeedOut:
    secret = context_of(request).server_secret()

    def read(work: Work) -> FeedOut:
        feed = calendar_feeds.feed(work.session, work.user_id, secret, list_id)
        return FeedOut(path=feed_path(feed.token), list_id=feed.list_id)

    # It may make the feed on first use: a write, but one a read token may do (it
    # only shows what the token can read already).
    return await actor.read(read)


@router.post(
    "/feed/reset",
    response_model=FeedOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="A new secret path; the old one stops working",
)
async def reset_feed(request: Request, actor: CurrentActor, list_id: ListParam = None) -> FeedOut:
    secret = context_of(request).server_secret()

    def reset(work: Work) -> FeedOut:
        feed = calendar_feeds.reset_feed(work.session, work.user_id, secret, list_id)
        return FeedOut(path=feed_path(feed.token), list_id=feed.list_id)

    return await actor.write(reset)


@router.get(
    "/{token}.ics",
    response_class=Response,
    responses={
        200: {"description": "An iCalendar document.", "content": {"text/calendar": {}}},
        **responses(404, 422, 429),
    },
    summary="The calendar feed (iCalendar) of a secret path",
    dependencies=[Depends(address_limited)],
)
async def calendar_feed(
    request: Request,
    token: Annotated[str, Path(max_length=100)],
    kind: Annotated[ical.Kind, Query(description="VTODO (todo) or VEVENT (event).")] = (
        ical.Kind.TODO
    ),
) -> Response:
    context = context_of(request)
    secret = context.server_secret()

    def build(session: Session) -> bytes:
        row = calendar_feeds.resolve(session, token, secret)
        todos = calendar_feeds.todos_for_feed(session, row)
        name = "Todos"
        if row.list_id is not None:
            name = list_and_role(session, row.user_id, row.list_id)[0].name
        tags = tags_by_todo(session, [todo.id for todo in todos if todo.id is not None])
        return ical.calendar(name, todos, tags, kind)

    body = await context.anonymous(build)
    return Response(
        body,
        media_type=ICS_MEDIA_TYPE,
        headers={"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"},
    )
