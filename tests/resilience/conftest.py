"""A private rehearsal per test module, on a PostgreSQL server the tests may stop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from scripts.process_rehearsal import Rehearsal
from tests.conftest import REDIS_URL
from tests.support.live_app import free_port
from tests.support.private_postgres import PrivatePostgres, private_postgres
from todo_app.core.db import build_engine


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture(scope="module")
def shape(
    postgres: PrivatePostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Rehearsal]:
    rehearsal = Rehearsal(
        database_url=postgres.create_database("todo"),
        redis_url=REDIS_URL,
        workdir=tmp_path_factory.mktemp("resilience"),
        frontend_ports=[free_port()],
    )
    try:
        rehearsal.start()
        yield rehearsal
    finally:
        rehearsal.stop()


@pytest.fixture(scope="module")
def app_db(shape: Rehearsal) -> Iterator[Engine]:
    engine = build_engine(shape.database_url)
    yield engine
    engine.dispose()
