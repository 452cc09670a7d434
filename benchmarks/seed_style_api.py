"""The baseline of ``python -m benchmarks.api_load --baseline``: a todo API in the
shape the seed's generation of this product had, FastAPI and SQLModel as their
tutorials build one, so that ours is compared with it on the same machine under
the same load instead of with a figure taken elsewhere.

- plain ``def`` endpoints (FastAPI runs them on its thread pool);
- one ``Session`` per request from a dependency, with the engine's default pool;
- a JWT bearer (PyJWT, HS256) decoded on every request and its user loaded;
- the written row read back after the commit (``session.refresh``);
- the same three calls as ``api_load`` makes (create, complete/reopen, a 50-row
  list), under ``/api``; no tags, subtasks, counts, cursors, ETags, rate limits,
  problem bodies or live updates: what ours does on top.

Its own two tables (``seed_users``, ``seed_todos``) in its own metadata, created
in the benchmark's throwaway database: nothing here is part of the app.
"""

# No ``from __future__ import annotations``: FastAPI reads the dependencies'
# annotations at runtime, and two of them are local to ``_routes``.
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Literal

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

SECRET_ENV = "SEED_STYLE_JWT_SECRET"  # noqa: S105  (the variable's name, not a secret)
PREFIX = "/api"


def _now() -> datetime:
    return datetime.now(UTC)


class SeedModel(SQLModel, registry=registry()):
    """Its own registry: these tables stay out of the app's metadata (and migrations)."""


class SeedUser(SeedModel, table=True):
    __tablename__ = "seed_users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)


class SeedTodo(SeedModel, table=True):
    __tablename__ = "seed_todos"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="seed_users.id", index=True)
    title: str = Field(max_length=200)
    completed: bool = False
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)


class TodoCreate(SQLModel):
    title: str = Field(min_length=1, max_length=200)


class TodoRead(SQLModel):
    id: int
    title: str
    completed: bool
    created_at: datetime
    updated_at: datetime


def make_users(database_url: str, users: int, secret: str) -> list[str]:
    """The tables, ``users`` accounts and a signed token for each."""
    engine = create_engine(database_url)
    try:
        SeedModel.metadata.create_all(engine)
        with Session(engine) as session:
            accounts = [SeedUser(email=f"seed{number}@example.com") for number in range(users)]
            session.add_all(accounts)
            session.commit()
            return [
                jwt.encode({"sub": str(account.id)}, secret, algorithm="HS256")
                for account in accounts
            ]
    finally:
        engine.dispose()


def app() -> FastAPI:
    """uvicorn's factory: the API on DATABASE_URL, tokens signed with SEED_STYLE_JWT_SECRET."""
    engine = create_engine(os.environ["DATABASE_URL"])
    secret = os.environ[SECRET_ENV]
    api = FastAPI(openapi_url=f"{PREFIX}/openapi.json")
    _routes(api, engine, secret)
    return api


def _routes(api: FastAPI, engine: Engine, secret: str) -> None:
    bearer = HTTPBearer()

    def get_session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    SessionDep = Annotated[Session, Depends(get_session)]

    def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)], session: SessionDep
    ) -> SeedUser:
        try:
            claims = jwt.decode(credentials.credentials, secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid token") from None
        user = session.get(SeedUser, int(claims["sub"]))
        if user is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Unknown user")
        return user

    UserDep = Annotated[SeedUser, Depends(current_user)]

    @api.post(f"{PREFIX}/todos", status_code=status.HTTP_201_CREATED, response_model=TodoRead)
    def create_todo(body: TodoCreate, user: UserDep, session: SessionDep) -> SeedTodo:
        assert user.id is not None
        todo = SeedTodo(title=body.title, user_id=user.id)
        session.add(todo)
        session.commit()
        session.refresh(todo)
        return todo

    @api.post(f"{PREFIX}/todos/{{todo_id}}/{{action}}", response_model=TodoRead)
    def set_completed(
        todo_id: int, action: Literal["complete", "reopen"], user: UserDep, session: SessionDep
    ) -> SeedTodo:
        todo = session.get(SeedTodo, todo_id)
        if todo is None or todo.user_id != user.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Todo not found")
        todo.completed = action == "complete"
        todo.updated_at = _now()
        session.commit()
        session.refresh(todo)
        return todo

    @api.get(f"{PREFIX}/todos", response_model=list[TodoRead])
    def list_todos(
        user: UserDep, session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 50
    ) -> list[SeedTodo]:
        return list(
            session.exec(
                select(SeedTodo)
                .where(SeedTodo.user_id == user.id)
                .order_by(col(SeedTodo.created_at).desc())
                .limit(limit)
            ).all()
        )
