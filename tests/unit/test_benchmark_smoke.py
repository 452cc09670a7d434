"""The heavy-user benchmark runs end to end on a small account (structure only, no timings).

Its own throwaway PostgreSQL database: the plans and the bulk insert are PostgreSQL's.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from benchmarks import heavy_user as bench
from tests.support.databases import throwaway_postgres
from todo_app.core.db import build_engine, migrate
from todo_app.core.queries import DEFAULT_PAGE_SIZE, TodoQuery

TODOS = 300


@pytest.fixture(scope="module")
def postgres() -> Iterator[Engine]:
    with throwaway_postgres() as url:
        engine = build_engine(url)
        migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def seeded(postgres: Engine) -> bench.Seeded:
    return bench.seed(postgres, todos=TODOS, other_users=1, rng=random.Random(7))


def test_seeding_fills_every_table_for_every_account(seeded: bench.Seeded) -> None:
    assert len(seeded.todo_ids) == TODOS and seeded.todos == 2 * TODOS
    assert seeded.other_ids and seeded.owner_id not in seeded.other_ids
    assert seeded.todo_tags > 0 and seeded.subtasks > 0


def test_one_round_times_every_path_with_pages_of_at_most_a_page_size(
    postgres: Engine, seeded: bench.Seeded
) -> None:
    timings = bench.measure(postgres, seeded, rounds=2, rng=random.Random(7))

    cases = [name for name, _ in bench.list_cases(date.today())]
    assert [t.name for t in timings][: len(cases)] == cases
    assert {bench.TAG_LIST, bench.TOGGLE, "quick-add parse (no db)"} <= {t.name for t in timings}
    for timing in timings:
        assert len(timing.samples) == 2, timing.name
        assert timing.items is None or timing.items <= DEFAULT_PAGE_SIZE, timing.name
    first_page = timings[0]
    # A full page of the owner's todos only: the other account's are not counted.
    assert first_page.items == DEFAULT_PAGE_SIZE and first_page.matches == TODOS
    rare = next(t for t in timings if t.name.startswith("search rare"))
    assert rare.matches == 1
    table = bench.timing_table(timings)
    assert all(timing.name in table for timing in timings)


def test_explain_captures_the_sql_find_todos_sends_and_plans_it(
    postgres: Engine, seeded: bench.Seeded
) -> None:
    plans = bench.explain(postgres, seeded.owner_id, "search", TodoQuery(search=bench.COMMON_WORD))

    # First the lists shared with the user ("All lists" spans them), then the page.
    assert [plan.role for plan in plans][:3] == ["shared lists", "page", "count"]
    page = plans[1]
    assert "LIKE" in page.statement and "LIMIT" in page.statement
    assert f"%{bench.COMMON_WORD}%" in str(page.parameters)
    assert any(line.startswith("Execution Time:") for line in page.lines)
