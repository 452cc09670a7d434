"""The API load benchmark (benchmarks/api_load.py) runs end to end on a tiny scale:
structure only, no timings. Each client sends a fixed number of requests (two
rounds of create, toggle and list: the first toggle of a client with no todo yet
is a create), however slow the machine; the time is only a bound."""

from __future__ import annotations

from sqlalchemy import Engine

from benchmarks import api_load, seed_style_api
from tests.support.databases import throwaway_postgres
from tests.support.loops import run_in_own_loop
from todo_app.core import access_tokens, lists
from todo_app.core.db import session_scope
from todo_app.core.models import User

TURNS = 2 * len(api_load.OPERATIONS)


def test_closed_loop_clients_create_toggle_and_list_without_errors(served: str, db: Engine) -> None:
    with session_scope(db) as session:
        user = User(email="load@example.com", password_hash="not-a-real-hash")
        session.add(user)
        session.flush()
        assert user.id is not None
        lists.ensure_inbox(session, user.id)
        token = access_tokens.create_token(session, user.id, "load", "read-write", 1).secret
    result = _smoke(served, [token])
    _each_operation_answered_without_errors(result)


def test_the_seed_style_baseline_takes_the_same_load_without_errors() -> None:
    with throwaway_postgres() as database_url:
        tokens = seed_style_api.make_users(database_url, 2, api_load.BASELINE_SECRET)
        with api_load.served(database_url, api_load.BASELINE) as (url, _pid):
            result = _smoke(url, tokens)
    _each_operation_answered_without_errors(result)


def _smoke(url: str, tokens: list[str]) -> api_load.LevelResult:
    level = api_load.run_level(url, tokens, concurrency=3, seconds=60.0, turns=TURNS)
    return run_in_own_loop(level)


def _each_operation_answered_without_errors(result: api_load.LevelResult) -> None:
    rows = {row[0]: row for row in result.rows()}
    assert set(rows) == set(api_load.OPERATIONS)
    assert all(rows[op][1] > 0 for op in api_load.OPERATIONS), rows
    assert sum(row[1] for row in rows.values()) == 3 * TURNS, rows
    assert sum(row[6] for row in rows.values()) == 0, result.tally.statuses
    assert "concurrency 3" in api_load.report(result)
