"""Every error of the API as an RFC 9457 problem (``application/problem+json``) whose
``detail`` is a sentence a person can act on.

Core's ``DomainError`` subclasses map to one status each, so a rule's refusal reads the
same in the page, the assistant and the API. Nothing else (no traceback, no SQL) ever
reaches a client: an unexpected error is a 500 with a fixed sentence, logged here.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from todo_app.core.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    TooManyAttempts,
    ValidationError,
)

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
UNEXPECTED = "Something went wrong on our side. Nothing was changed; please try again."
DATABASE_BUSY = "The database is busy or unreachable. Nothing was changed; please retry shortly."
MAX_LISTED_ERRORS = 10

_STATUS_OF: list[tuple[type[DomainError], int]] = [
    (ValidationError, 422),
    (NotFoundError, 404),
    (ForbiddenError, 403),
    (AuthenticationError, 401),
    (ConflictError, 409),
    (TooManyAttempts, 429),
]
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="The HTTP status' phrase.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, as a sentence for a person.")
    errors: list[str] | None = Field(
        default=None, description="Each invalid field with its reason (validation only)."
    )


class ApiProblem(Exception):
    """An HTTP-level refusal (412, 428, a bad cursor) raised by the routes."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def problem_response(
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: list[str] | None = None,
) -> JSONResponse:
    body = Problem(title=_TITLES.get(status, "Error"), status=status, detail=detail, errors=errors)
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def status_of(error: DomainError) -> int:
    return next((status for kind, status in _STATUS_OF if isinstance(error, kind)), 400)


def _domain(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="todo-api"'
    if isinstance(error, TooManyAttempts):
        headers["Retry-After"] = str(max(1, math.ceil(error.wait_seconds)))
    return problem_response(status, str(error), headers=headers)


def _api_problem(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiProblem)
    return problem_response(error.status, error.detail, headers=error.headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "the request"


def _reason(item: Mapping[str, Any]) -> str:
    message = str(item.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")  # our own validators' sentences


def _invalid(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    found = list(error.errors())[:MAX_LISTED_ERRORS]
    errors = [f"{_field(item.get('loc', ()))}: {_reason(item)}" for item in found]
    first = errors[0] if errors else "the request: is not valid"
    name, _, reason = first.partition(": ")
    detail = f"Please check “{name}”: {reason.rstrip('.')}."
    return problem_response(422, detail, errors=errors)


def _http(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    sentences = {
        400: "The request could not be read: send a JSON body in UTF-8.",
        404: "There is nothing at this address in the API.",
        405: "This address does not take that method.",
    }
    detail = sentences.get(error.status_code) or str(error.detail)
    return problem_response(error.status_code, detail, headers=dict(error.headers or {}))


def _database(_request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, PoolTimeout | OperationalError):
        log.warning("API request refused: database busy or unreachable (%s)", type(error).__name__)
        return problem_response(503, DATABASE_BUSY, headers={"Retry-After": "2"})
    log.exception("database error in an API request")
    return problem_response(500, UNEXPECTED)


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error in an API request", exc_info=error)
    return problem_response(500, UNEXPECTED)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(SQLAlchemyError, _database)
    app.add_exception_handler(Exception, _unexpected)


# What any operation may answer: an unreadable request, no or a bad token, an
# invalid field, a rate limit, a database that is busy or down.
COMMON_STATUSES = (400, 401, 422, 429, 503)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses and the common ones, all
    problem+json."""
    return {
        status: {
            "description": _TITLES.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in sorted({*statuses, *COMMON_STATUSES})
    }
