"""The websocket load benchmark: many users adding and toggling todos, closed loop.

Starts ``python -m todo_app.serve`` (1 backend process by default, ``--backends
2`` for two) with Redis state (``REFLEX_REDIS_URL``) on a throwaway PostgreSQL
database, as ``scripts.process_rehearsal`` starts them, without nginx: the
clients talk to the backends directly (client i to backend i mod B). Each user
has their own account and login (a JWT from ``sessions.log_in``) and their own
Socket.IO client speaking Reflex's ``/_event`` protocol
(``tests.support.reflex_client``): it hydrates with its token and loads ``/``
as the browser's ``on_load`` does.

Then, for each operation and concurrency, C of these users work in a closed
loop for ``--seconds``: each sends an event, waits for the reply that carries
its change, and sends the next one at once.

- ``add``: ``TodoListState.add`` with a new title; its reply is the one whose
  ``todos`` holds that title.
- ``toggle``: ``TodoListState.toggle`` of one of the user's own todos,
  completing and reopening it in turn; its reply is the one whose ``done_ids``
  holds (or no longer holds) that id.
- ``nav``: ``TodoListState.toggle_nav`` (the phone's side bar), which touches no
  database and no other service: what any event costs in Reflex (state lock,
  load and save in Redis, the delta) and in the app's own event middleware
  (payload checks, metrics, logs). The floor under ``add`` and ``toggle``.

Printed per (operation, concurrency): events per second, p50/p95/p99 of emit ->
the reply that carries the change (ms, stamped when the message arrives), errors
(no such reply within 30 s, an error sentence in a reply, a closed socket), and
the server CPU per event: utime + stime of the backend processes from /proc
over the level (including what its events leave running afterwards: an undo
offer's expiry task, before it was removed), minus their idle CPU, divided by
the events.

Figures only: nothing here asserts a time. The smoke test
(tests/integration/test_ws_load_smoke.py) asserts zero errors on a tiny run.

    python -m benchmarks.ws_load [--ops add,toggle,nav] [--concurrency 1,10,50,200]
                                 [--seconds 10] [--backends 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks.live_fanout import cpu_seconds, percentile
from scripts.process_rehearsal import Rehearsal
from tests.support.databases import throwaway_postgres
from tests.support.loops import run_in_own_loop
from tests.support.reflex_client import ReflexClient, delta_value
from todo_app.core import lists, sessions
from todo_app.core import todos as todo_service
from todo_app.core.db import build_engine, session_scope
from todo_app.core.models import User
from todo_app.core.security import hash_password
from todo_app.ui.state.session import SessionState
from todo_app.ui.state.todos import UNDO_SECONDS, TodoListState

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
OPERATIONS = ("add", "toggle", "nav")
CONCURRENCY = (1, 10, 50, 200)
# No reply carrying the change by then: an error (a failure, not a slow reply:
# 200 clients in a closed loop wait for each other several seconds).
REPLY_TIMEOUT_SECONDS = 30.0
CONNECT_BATCH = 10  # clients connected at once
SEED_TODOS = 20  # each user's list before the run (so a page shows rows)
IDLE_SECONDS = 2.0  # to measure the backends' idle CPU
# After a level: what its events left running finishes before the CPU is read
# (an undo offer expires UNDO_SECONDS after a completion).
SETTLE_SECONDS = {"add": 0.5, "toggle": UNDO_SECONDS + 0.5, "nav": 0.5}
# A closed loop on one socket goes faster than a person can click; the
# per-socket event limit (SOCKET_EVENT_RATE_LIMIT, 40/s) would drop events.
BACKEND_ENV = {"SOCKET_EVENT_RATE_LIMIT": "100000/second", "LOG_LEVEL": "warning"}

Message = dict[str, Any]
Check = Callable[[Message], bool]


# --- the users ------------------------------------------------------------------------------


def seed_users(rehearsal: Rehearsal, count: int, seed_todos: int) -> list[str]:
    """``count`` accounts, each with its Inbox, ``seed_todos`` todos and a login token.

    Inserted directly with one real Argon2id hash computed once (nobody logs in
    with a password), as live_fanout does; the login sessions are real.
    """
    run = uuid.uuid4().hex[:8]
    password_hash = hash_password(uuid.uuid4().hex)
    engine = build_engine(rehearsal.database_url)
    tokens: list[str] = []
    try:
        with session_scope(engine) as session:
            for number in range(count):
                user = User(email=f"load-{run}-{number}@bench.example", password_hash=password_hash)
                session.add(user)
                session.flush()
                assert user.id is not None
                inbox = lists.ensure_inbox(session, user.id)
                for todo in range(seed_todos):
                    todo_service.create_todo(
                        session, user.id, f"Seeded todo {todo}", list_id=inbox.id
                    )
                tokens.append(
                    sessions.log_in(session, user.id, rehearsal.jwt_secret, timedelta(hours=2))
                )
    finally:
        engine.dispose()
    return tokens


# --- one user's tab -------------------------------------------------------------------------


class LoadClient(ReflexClient):
    """One user's open page; keeps its rows and done ids, stamps each reply on arrival."""

    def __init__(self, backend_url: str, auth_token: str) -> None:
        super().__init__(backend_url, auth_token)
        self.rows: list[dict[str, Any]] = []
        self.done: set[int] = set()
        self.nav_open = False
        self.stamped: asyncio.Queue[tuple[float, Message]] = asyncio.Queue()
        self.run = uuid.uuid4().hex[:6]
        self.serial = 0
        self.connecting = False

    async def _received(self, data: Any) -> None:
        now = perf_counter()  # on arrival, before any queueing in this process
        message: Message = data if isinstance(data, dict) else {"raw": data}
        rows = delta_value([message], TodoListState, "todos")
        if isinstance(rows, list):
            self.rows = rows
        done = delta_value([message], TodoListState, "done_ids")
        if isinstance(done, list):
            self.done = set(done)
        nav_open = delta_value([message], TodoListState, "nav_open")
        if isinstance(nav_open, bool):
            self.nav_open = nav_open
        if self.connecting:
            await self.messages.put(message)  # for ReflexClient.connect, which drains them
        else:
            await self.stamped.put((now, message))

    async def open(self) -> None:
        """Hydrate (which runs the page's on_load for ``/``); load it if it did not."""
        self.connecting = True
        try:
            await self.connect()
        finally:
            self.connecting = False
        if not self.rows:
            await self.emit(TodoListState, "load", {})
            await self._until(lambda m: isinstance(delta_value([m], TodoListState, "todos"), list))

    async def _until(self, check: Check) -> tuple[float, Message]:
        async with asyncio.timeout(REPLY_TIMEOUT_SECONDS):
            while True:
                at, message = await self.stamped.get()
                if error_of(message):
                    raise EventError(error_of(message))
                if check(message):
                    return at, message

    def _discard(self) -> None:
        while not self.stamped.empty():
            self.stamped.get_nowait()

    async def one(self, operation: str) -> float:
        """Send one event and wait for the reply carrying its change: ms."""
        self._discard()
        if operation == "add":
            self.serial += 1
            title = f"Load {self.run} #{self.serial}"
            payload: dict[str, Any] = {"form_data": {"title": title}}
            check = _shows_title(title)
        elif operation == "toggle":
            todo_id = int(self.rows[-1]["id"])  # the oldest row on screen: adds go on top
            completed = todo_id not in self.done
            payload = {"todo_id": todo_id, "completed": completed}
            check = _shows_done(todo_id, completed)
        else:
            payload, check = {}, _shows_nav(not self.nav_open)
        sent = perf_counter()
        await self.emit(TodoListState, HANDLERS[operation], payload)
        at, _ = await self._until(check)
        return (at - sent) * 1000


HANDLERS = {"add": "add", "toggle": "toggle", "nav": "toggle_nav"}


class EventError(Exception):
    """A reply carried an error sentence."""


def error_of(message: Message) -> str:
    error = delta_value([message], SessionState, "error")
    return error if isinstance(error, str) else ""


def _shows_title(title: str) -> Check:
    def check(message: Message) -> bool:
        rows = delta_value([message], TodoListState, "todos")
        return isinstance(rows, list) and any(
            isinstance(row, dict) and row.get("title") == title for row in rows
        )

    return check


def _shows_done(todo_id: int, completed: bool) -> Check:
    def check(message: Message) -> bool:
        ids = delta_value([message], TodoListState, "done_ids")
        return isinstance(ids, list) and (todo_id in ids) == completed

    return check


def _shows_nav(open_: bool) -> Check:
    def check(message: Message) -> bool:
        return delta_value([message], TodoListState, "nav_open") is open_

    return check


# --- the levels -----------------------------------------------------------------------------


@dataclass
class Level:
    operation: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)  # ms, successful events
    errors: int = 0
    seconds: float = 0.0  # the closed loop's wall time
    cpu_seconds: float = 0.0  # the backends', idle subtracted
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def events(self) -> int:
        return len(self.latencies)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_event(self) -> float:
        return self.cpu_seconds * 1000 / self.events if self.events else 0.0

    def note_error(self, error: BaseException) -> None:
        self.errors += 1
        kind = type(error).__name__
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def run_level(
    rehearsal: Rehearsal,
    clients: Sequence[LoadClient],
    level: Level,
    seconds: float,
    max_events: int | None,
    idle_rate: float,
) -> None:
    """``level.concurrency`` clients in a closed loop for ``seconds`` (or until
    ``max_events`` were sent); one uncounted event per client first (warm-up)."""
    working = clients[: level.concurrency]
    warm = await asyncio.gather(
        *(client.one(level.operation) for client in working), return_exceptions=True
    )
    for outcome in warm:
        if isinstance(outcome, BaseException):
            level.note_error(outcome)
    await asyncio.sleep(SETTLE_SECONDS["add"])
    sent = 0
    before, started = cpu_seconds(rehearsal), perf_counter()
    deadline = started + seconds

    async def loop(client: LoadClient) -> None:
        nonlocal sent
        while perf_counter() < deadline and (max_events is None or sent < max_events):
            sent += 1
            try:
                level.latencies.append(await client.one(level.operation))
            except (TimeoutError, EventError, ConnectionError) as error:
                level.note_error(error)

    await asyncio.gather(*(loop(client) for client in working))
    level.seconds = perf_counter() - started
    await asyncio.sleep(SETTLE_SECONDS[level.operation])
    wall = perf_counter() - started
    level.cpu_seconds = cpu_seconds(rehearsal) - before - idle_rate * wall


async def measure(
    rehearsal: Rehearsal,
    tokens: Sequence[str],
    operations: Sequence[str],
    concurrencies: Sequence[int],
    seconds: float,
    max_events: int | None,
) -> tuple[list[Level], float, float]:
    """Opens one page per user, measures idle CPU, then each level in turn.
    Returns the levels, the seconds to open the pages and the idle CPU (ms/s)."""
    urls = [backend.url for backend in rehearsal.backends]
    clients = [LoadClient(urls[i % len(urls)], token) for i, token in enumerate(tokens)]
    try:
        started = perf_counter()
        for start in range(0, len(clients), CONNECT_BATCH):
            await asyncio.gather(*(c.open() for c in clients[start : start + CONNECT_BATCH]))
        opened = perf_counter() - started
        await asyncio.sleep(0.5)
        before, idle_started = cpu_seconds(rehearsal), perf_counter()
        await asyncio.sleep(IDLE_SECONDS)
        idle_rate = (cpu_seconds(rehearsal) - before) / (perf_counter() - idle_started)
        levels: list[Level] = []
        for operation in operations:
            for concurrency in concurrencies:
                level = Level(operation, concurrency)
                await run_level(rehearsal, clients, level, seconds, max_events, idle_rate)
                levels.append(level)
                print(row(level), flush=True)
        return levels, opened, idle_rate * 1000
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


# --- figures --------------------------------------------------------------------------------

HEADER = (
    f"{'operation':<9} {'clients':>7} {'events':>7} {'events/s':>9} {'p50 ms':>7} "
    f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'CPU ms/event':>12}"
)


def row(level: Level) -> str:
    got = level.latencies
    p50, p95, p99 = (
        (f"{percentile(got, q):>7.1f}" for q in (0.5, 0.95, 0.99)) if got else ("-",) * 3
    )
    return (
        f"{level.operation:<9} {level.concurrency:>7} {level.events:>7} "
        f"{level.events_per_second:>9.1f} {p50:>7} {p95:>7} {p99:>7} {level.errors:>6} "
        f"{level.cpu_ms_per_event:>12.2f}"
    )


def table(levels: Sequence[Level]) -> str:
    lines = [HEADER, "-" * len(HEADER), *(row(level) for level in levels)]
    for level in levels:
        if level.error_kinds:
            lines.append(
                f"({level.operation} at {level.concurrency}: errors "
                f"{json.dumps(level.error_kinds, sort_keys=True)})"
            )
    return "\n".join(lines)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def _numbers(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from error
    if not values or any(value < 1 for value in values):
        raise argparse.ArgumentTypeError("give positive numbers, e.g. 1,10,50,200")
    return values


def _operations(text: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not values or any(value not in OPERATIONS for value in values):
        raise argparse.ArgumentTypeError(f"choose from {', '.join(OPERATIONS)}")
    return values


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ws_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--ops", type=_operations, default=list(OPERATIONS), help="add,toggle,nav (in this order)"
    )
    parser.add_argument(
        "--concurrency",
        type=_numbers,
        default=list(CONCURRENCY),
        help="clients working at once, one level each (default 1,10,50,200)",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each level")
    parser.add_argument(
        "--events", type=int, default=None, help="stop a level after this many events"
    )
    parser.add_argument("--backends", type=int, default=1, help="backend processes")
    parser.add_argument("--redis-url", default=REDIS_URL, help="Redis for the backends' state")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="more environment for the backends (e.g. REFLEX_OPLOCK_ENABLED=true)",
    )
    args = parser.parse_args(argv)
    if args.backends < 1 or args.seconds <= 0 or (args.events is not None and args.events < 1):
        parser.error("--backends, --seconds and --events must be positive")
    if any("=" not in item for item in args.env):
        parser.error("--env takes NAME=VALUE")
    return args


@contextlib.contextmanager
def backends_on_fresh_database(
    backends: int, redis_url: str, extra_env: dict[str, str]
) -> Iterator[Rehearsal]:
    with (
        throwaway_postgres() as database_url,
        tempfile.TemporaryDirectory(prefix="ws-load-") as workdir,
    ):
        rehearsal = Rehearsal(
            database_url=database_url,
            redis_url=redis_url,
            workdir=Path(workdir),
            frontend_ports=[],
            backend_count=backends,
            extra_env={**BACKEND_ENV, **extra_env},
        )
        try:
            rehearsal.start_backends()
            yield rehearsal
        finally:
            rehearsal.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    extra_env = dict(item.split("=", 1) for item in args.env)
    users = max(args.concurrency)
    print(f"{os.cpu_count()} CPUs; {_load()} at the start")
    with backends_on_fresh_database(args.backends, args.redis_url, extra_env) as rehearsal:
        started = perf_counter()
        tokens = seed_users(rehearsal, users, SEED_TODOS)
        print(
            f"{args.backends} backend process(es) (python -m todo_app.serve, Redis state "
            f"{args.redis_url}{', ' + ' '.join(args.env) if args.env else ''}); {users} users "
            f"with {SEED_TODOS} todos each, seeded in {perf_counter() - started:.1f} s"
        )
        levels, opened, idle = run_in_own_loop(
            measure(rehearsal, tokens, args.ops, args.concurrency, args.seconds, args.events)
        )
    print(
        f"\n{users} pages opened in {opened:.1f} s; each level {args.seconds:g} s closed loop "
        f"after one warm-up event per client; latency: emit -> the reply carrying the change; "
        f"CPU: utime+stime of the backend processes, idle ({idle:.1f} ms/s) subtracted, "
        f"a toggle's including its undo expiry\n"
    )
    print(table(levels))
    print(f"\n({_load()} at the end)")
    return 1 if any(level.errors for level in levels) else 0


if __name__ == "__main__":
    sys.exit(main())
