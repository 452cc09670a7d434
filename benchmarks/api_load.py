"""Load on the REST API: create, toggle and list todos through /api/v1 with closed-loop
clients (each sends its next request when its last one answered) at concurrency 1, 10,
50 and 200; prints requests per second, p50/p95/p99 latency and errors per level.

By default it serves the API itself as one pod would (one uvicorn process, the app's
own engine and pool settings, ``todo_app.api.v1.app.create_api``) on a throwaway
PostgreSQL database, with the rate limits raised out of the way (they are what this
would measure otherwise). ``--url`` and ``--tokens`` aim it at a running server
instead (e.g. the rehearsal's nginx, http://localhost:30080/api/v1). ``--baseline``
serves, the same way, a seed-style FastAPI + SQLModel todo API
(``benchmarks/seed_style_api.py``) under the same load, for a ratio measured on
one machine.

Figures only: nothing here asserts a time.

    python -m benchmarks.api_load [--levels 1,10,50,200] [--seconds 10] [--users 20] [--baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks import seed_style_api
from tests.support.databases import throwaway_postgres
from tests.support.live_app import free_port
from todo_app.core import access_tokens, lists
from todo_app.core.db import build_engine, migrate, session_scope
from todo_app.core.models import User
from todo_app.serve import KEEP_ALIVE_SECONDS

OPERATIONS = ("create", "toggle", "list")
DEFAULT_LEVELS = (1, 10, 50, 200)
REQUEST_TIMEOUT_SECONDS = 30.0


@dataclass
class Tally:
    """Latencies (seconds) of the answered requests and the errors, per operation."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    statuses: dict[int, int] = field(default_factory=dict)
    # Requests with no answer, by the client's exception (ReadTimeout, ConnectError...).
    unanswered: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LevelResult:
    concurrency: int
    seconds: float
    tally: Tally
    server_cpu_seconds: float | None = None  # the server process's, when it is ours
    client_cpu_seconds: float | None = None  # this process's: the load itself costs CPU

    @property
    def answered(self) -> int:
        return sum(self.tally.statuses.values())

    def rows(self) -> Iterator[tuple[str, int, float, float, float, float, int]]:
        for op in OPERATIONS:
            found = sorted(self.tally.latencies[op])
            count = len(found) + self.tally.errors[op]
            yield (
                op,
                count,
                count / self.seconds,
                _percentile(found, 50),
                _percentile(found, 95),
                _percentile(found, 99),
                self.tally.errors[op],
            )


def _percentile(ordered: Sequence[float], percent: int) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))
    return ordered[index] * 1000  # ms


async def _client(
    http: httpx.AsyncClient,
    token: str,
    stop_at: float,
    tally: Tally,
    rng: random.Random,
    turns: int | None = None,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    mine: list[int] = []  # the todos this client made, to toggle
    done: set[int] = set()
    turn = rng.randrange(len(OPERATIONS))
    first = turn
    while time.perf_counter() < stop_at and (turns is None or turn - first < turns):
        op = OPERATIONS[turn % len(OPERATIONS)]
        turn += 1
        if op == "toggle" and not mine:
            op = "create"
        started = time.perf_counter()
        try:
            if op == "create":
                answer = await http.post(
                    "/todos", json={"title": f"Load {rng.random():.6f}"}, headers=headers
                )
                if answer.status_code == 201:
                    mine.append(answer.json()["id"])
            elif op == "toggle":
                todo_id = rng.choice(mine)
                action = "reopen" if todo_id in done else "complete"
                answer = await http.post(f"/todos/{todo_id}/{action}", headers=headers)
                if answer.status_code == 200:
                    done.symmetric_difference_update({todo_id})
            else:
                answer = await http.get("/todos", params={"limit": 50}, headers=headers)
        except httpx.HTTPError as error:
            tally.errors[op] += 1
            kind = type(error).__name__
            tally.unanswered[kind] = tally.unanswered.get(kind, 0) + 1
            continue
        elapsed = time.perf_counter() - started
        tally.statuses[answer.status_code] = tally.statuses.get(answer.status_code, 0) + 1
        if answer.is_success:
            tally.latencies[op].append(elapsed)
        else:
            tally.errors[op] += 1


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311  (varied load, not secrets)


async def run_level(
    base_url: str,
    tokens: Sequence[str],
    concurrency: int,
    seconds: float,
    seed: int = 7,
    turns: int | None = None,
) -> LevelResult:
    """``concurrency`` clients for ``seconds``, or until each has sent ``turns`` requests."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    tally = Tally()
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT_SECONDS
    ) as http:
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(
            *(
                _client(http, tokens[n % len(tokens)], stop_at, tally, _rng(seed + n), turns)
                for n in range(concurrency)
            )
        )
        return LevelResult(concurrency, time.perf_counter() - started, tally)


def report(result: LevelResult) -> str:
    lines = [f"concurrency {result.concurrency} ({result.seconds:.1f} s)"]
    lines.append(
        f"  {'op':<7}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'errors':>8}"
    )
    for op, count, rate, p50, p95, p99, errors in result.rows():
        lines.append(f"  {op:<7}{count:>9}{rate:>9.1f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{errors:>8}")
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(result.tally.statuses.items()))
    lines.append(f"  statuses: {statuses}")
    if result.server_cpu_seconds is not None and result.answered:
        per_request = result.server_cpu_seconds * 1000 / result.answered
        lines.append(f"  server CPU: {per_request:.2f} ms per answered request")
    if result.client_cpu_seconds is not None and result.seconds:
        share = result.client_cpu_seconds / result.seconds
        lines.append(f"  client CPU: {share:.2f} cores (this process, sending the load)")
    if result.tally.unanswered:
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(result.tally.unanswered.items()))
        lines.append(f"  no answer: {kinds}")
    return "\n".join(lines)


def make_users(database_url: str, users: int) -> list[str]:
    """``users`` accounts with their Inbox, and a read-write token each."""
    engine = build_engine(database_url)
    try:
        migrate(engine)
        tokens = []
        with session_scope(engine) as session:
            for number in range(users):
                user = User(email=f"load{number}@example.com", password_hash="-")  # noqa: S106
                session.add(user)
                session.flush()
                assert user.id is not None
                lists.ensure_inbox(session, user.id)
                new = access_tokens.create_token(session, user.id, "load", "read-write", 1)
                tokens.append(new.secret)
        return tokens
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Served:
    """What one uvicorn process serves: its factory, the URL path of its API and
    of its OpenAPI document (asked until it answers), and its environment."""

    factory: str
    path: str
    openapi: str
    env: dict[str, str]


OURS = Served(
    "benchmarks.api_load:app",
    "/api/v1",
    "/api/v1/openapi.json",
    {
        "JWT_SECRET": "benchmark-secret-" + "x" * 32,
        "API_RATE_LIMIT_PER_TOKEN": "1000000/second",
        "API_RATE_LIMIT_PER_ADDRESS": "1000000/second",
        "REFLEX_REDIS_URL": "",
        "LOG_LEVEL": "warning",
    },
)
BASELINE_SECRET = "baseline-secret-" + "x" * 32  # a throwaway benchmark's key
BASELINE = Served(
    "benchmarks.seed_style_api:app",
    seed_style_api.PREFIX,
    f"{seed_style_api.PREFIX}/openapi.json",
    {seed_style_api.SECRET_ENV: BASELINE_SECRET},
)


@contextlib.contextmanager
def served(database_url: str, what: Served = OURS) -> Iterator[tuple[str, int]]:
    """The API in its own uvicorn process, as one backend pod; yields its URL and
    process id."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, **what.env}
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "uvicorn",
            what.factory,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            # As the backend pod serves (todo_app/serve.py): with uvicorn's 5 s
            # default, a saturated client's next request could meet a closing
            # connection (a ReadError in 0-3 of ~900 requests at 50-200 clients).
            "--timeout-keep-alive",
            str(KEEP_ALIVE_SECONDS),
        ],
        env=env,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{origin}{what.openapi}", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the API server did not start") from None
                time.sleep(0.1)
        yield f"{origin}{what.path}", server.pid
    finally:
        server.terminate()
        server.wait(timeout=15)


def app() -> object:
    """uvicorn's factory: the API as the backend mounts it (no live updates here)."""
    from todo_app.api.v1.app import create_api, default_context

    async def no_live_updates(_notice: object) -> None:
        return None

    return create_api(default_context(no_live_updates))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--levels", default=",".join(map(str, DEFAULT_LEVELS)))
    parser.add_argument("--seconds", type=float, default=10.0, help="per concurrency level")
    parser.add_argument("--users", type=int, default=20, help="accounts (one token each)")
    parser.add_argument("--url", default="", help="a running server's /api/v1 base URL")
    parser.add_argument("--tokens", default="", help="comma-separated tokens for --url")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="serve the seed-style API (benchmarks/seed_style_api.py) instead of ours",
    )
    return parser.parse_args(argv)


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of one process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_levels(
    url: str,
    tokens: Sequence[str],
    levels: Sequence[int],
    seconds: float,
    server_pid: int | None = None,
) -> list[LevelResult]:
    results = []
    for level in levels:
        before = process_cpu_seconds(server_pid) if server_pid else 0.0
        client_before = time.process_time()
        result = await run_level(url, tokens, level, seconds)
        result = dataclasses.replace(result, client_cpu_seconds=time.process_time() - client_before)
        if server_pid:
            used = process_cpu_seconds(server_pid) - before
            result = dataclasses.replace(result, server_cpu_seconds=used)
        print(report(result), flush=True)
        results.append(result)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    levels = [int(part) for part in args.levels.split(",") if part.strip()]
    if args.url:
        tokens = [token for token in args.tokens.split(",") if token]
        if not tokens:
            print("--url needs --tokens", file=sys.stderr)
            return 2
        asyncio.run(run_levels(args.url, tokens, levels, args.seconds))
        return 0
    with throwaway_postgres() as database_url:
        if args.baseline:
            what = BASELINE
            tokens = seed_style_api.make_users(database_url, args.users, BASELINE_SECRET)
        else:
            what, tokens = OURS, make_users(database_url, args.users)
        with served(database_url, what) as (url, pid):
            asyncio.run(run_levels(url, tokens, levels, args.seconds, server_pid=pid))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
