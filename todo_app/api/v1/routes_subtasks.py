"""Subtasks of a todo (core/subtasks.py): read with the todo, changed by its editors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from todo_app.api.v1.auth import CurrentActor
from todo_app.api.v1.context import Work
from todo_app.api.v1.problems import responses
from todo_app.api.v1.schemas import SubtaskCreate, SubtaskList, SubtaskOut, SubtaskPatch
from todo_app.api.v1.views import subtask_out
from todo_app.core import subtasks as subtask_rules
from todo_app.core.list_access import MAX_ID
from todo_app.core.models import Subtask, Todo

router = APIRouter(tags=["subtasks"])

TodoId = Annotated[int, Path(ge=1, le=MAX_ID, description="A todo's id.")]
SubtaskId = Annotated[int, Path(ge=1, le=MAX_ID, description="A subtask's id.")]
_WRITE_ERRORS = responses(401, 403, 404, 422, 429)


def _changed(work: Work, subtask: Subtask) -> None:
    todo = work.session.get(Todo, subtask.todo_id)
    if todo is not None:
        work.changed_list(todo.list_id)


@router.get(
    "/todos/{todo_id}/subtasks",
    response_model=SubtaskList,
    responses=responses(401, 404, 422, 429),
    summary="A todo's subtasks (at most 100)",
)
async def get_subtasks(todo_id: TodoId, actor: CurrentActor) -> SubtaskList:
    def read(work: Work) -> SubtaskList:
        found = subtask_rules.list_subtasks(work.session, work.user_id, todo_id)
        return SubtaskList(items=[subtask_out(subtask) for subtask in found])

    return await actor.read(read)


@router.post(
    "/todos/{todo_id}/subtasks",
    response_model=SubtaskOut,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
    summary="Add a subtask",
)
async def add_subtask(todo_id: TodoId, body: SubtaskCreate, actor: CurrentActor) -> SubtaskOut:
    def add(work: Work) -> SubtaskOut:
        subtask = subtask_rules.add_subtask(work.session, work.user_id, todo_id, body.title)
        _changed(work, subtask)
        return subtask_out(subtask)

    return await actor.write(add)


@router.patch(
    "/subtasks/{subtask_id}",
    response_model=SubtaskOut,
    responses=_WRITE_ERRORS,
    summary="Tick or untick a subtask",
)
async def set_subtask(subtask_id: SubtaskId, body: SubtaskPatch, actor: CurrentActor) -> SubtaskOut:
    def tick(work: Work) -> SubtaskOut:
        subtask = subtask_rules.set_subtask_done(work.session, work.user_id, subtask_id, body.done)
        _changed(work, subtask)
        return subtask_out(subtask)

    return await actor.write(tick)


@router.delete(
    "/subtasks/{subtask_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_WRITE_ERRORS,
    summary="Delete a subtask",
)
async def delete_subtask(subtask_id: SubtaskId, actor: CurrentActor) -> Response:
    def delete(work: Work) -> None:
        subtask = work.session.get(Subtask, subtask_id)
        subtask_rules.delete_subtask(work.session, work.user_id, subtask_id)
        if subtask is not None:
            _changed(work, subtask)

    await actor.write(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
