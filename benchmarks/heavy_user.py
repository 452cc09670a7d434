"""The heavy-user benchmark: one account with 10,000 todos on PostgreSQL.

Seeds the account (and a few other accounts of the same size, so that owner
filtering matters), then times the server side of every list path the way the
app's event handlers run it (one ``session_scope`` per call) and prints p50,
p95 and max. ``--explain`` prints PostgreSQL's plans for the main list queries,
``--websocket`` measures the Socket.IO frames a running app sends.

Figures only: nothing here asserts a time. The one hard check is structural:
a page never holds more than ``DEFAULT_PAGE_SIZE`` todos.

    python -m benchmarks.heavy_user [--database-url URL] [--explain] [--websocket]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import random
import re
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, Table, delete, event, insert, make_url, text
from sqlalchemy import inspect as inspect_mapped
from sqlmodel import Session, SQLModel

from tests.support.databases import throwaway_postgres
from todo_app.core import lists, tags
from todo_app.core import todos as todo_service
from todo_app.core.db import build_engine, migrate, session_scope
from todo_app.core.due import local_today, make_due
from todo_app.core.models import Priority, Subtask, Tag, Todo, TodoTag, User, utcnow
from todo_app.core.queries import DEFAULT_PAGE_SIZE, Sort, Status, TodoQuery, View, find_todos
from todo_app.core.quickadd import parse_quick_add
from todo_app.core.security import hash_password

TZ = "Europe/Berlin"
CHUNK = 1000
TARGET_MS = 100.0
TOGGLE_FRAME_BUDGET = 5 * 1024
QUICK_ADD_TEXT = "Pay rent every month on the 1st #home !high"

# Titles and descriptions draw on one vocabulary, so words are shared between
# todos. COMMON_WORD is in ~8% of titles, RARE_WORD in one title per thousand;
# tag names appear in no title or description (a tag search finds them by tag).
_VOCABULARY = (
    "buy call email fix write read plan book clean check order review update send prepare "
    "cancel renew pay file sort wash paint repair install backup print sign pick drop visit "
    "meet schedule draft finish start organise milk bread coffee tea eggs cheese printer "
    "laptop phone invoice taxes rent insurance passport ticket flight hotel dentist doctor "
    "bike tyres window door kitchen sink garage fence lawn roses tomatoes letter parcel "
    "presentation slides budget meeting notes agenda contract lease receipt warranty charger "
    "battery cable router password account newsletter podcast article chapter recipe dinner "
    "lunch birthday present card gift party cake plumber electrician landlord neighbour "
    "colleague manager team client supplier bank pharmacy library museum concert theatre "
    "station airport monday tuesday weekend tomorrow morning evening quickly carefully again"
)
WORDS = _VOCABULARY.split()
COMMON_WORD = "report"
RARE_WORD = "zeppelin"
_TAGS = (
    "work home errands family health finance hobby car travel reading "
    "music school sport cooking shopping admin friends pets ideas urgent"
)
TAG_NAMES = _TAGS.split()
SEARCH_TAG = "errands"


@dataclass
class Seeded:
    owner_id: int
    other_ids: list[int]
    todo_ids: list[int]  # the measured owner's todos
    user_ids: list[int]
    todos: int = 0
    todo_tags: int = 0
    subtasks: int = 0
    seconds: float = 0.0


@dataclass
class Timing:
    name: str
    samples: list[float] = field(default_factory=list)  # milliseconds
    items: int | None = None  # todos on the page
    matches: int | None = None  # todos matching the query (the page's total)

    def keep(
        self, elapsed: float, counted: bool, items: int | None = None, matches: int | None = None
    ) -> None:
        if counted:
            self.samples.append(elapsed)
        self.items, self.matches = items, matches

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


_INDEX_USE = r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)"


@dataclass
class Plan:
    case: str
    role: str  # page, count, tags of the page, subtask progress
    statement: str
    parameters: Any
    lines: list[str]

    @property
    def indexes(self) -> list[str]:
        found = re.findall(_INDEX_USE, "\n".join(self.lines))
        return list(dict.fromkeys(found))

    @property
    def seq_scans(self) -> list[str]:
        return list(dict.fromkeys(re.findall(r"Seq Scan on (\w+)", "\n".join(self.lines))))

    @property
    def execution_ms(self) -> str:
        for line in self.lines:
            if line.startswith("Execution Time:"):
                return line.split(":", 1)[1].strip()
        return "?"


# --- seeding --------------------------------------------------------------------------------


def _sentence(rng: random.Random, low: int, high: int) -> list[str]:
    return rng.sample(WORDS, rng.randint(low, high))


def _todo_rows(
    rng: random.Random, owner_id: int, list_id: int, count: int, now: datetime
) -> list[dict[str, Any]]:
    today = local_today(now, TZ)
    rows: list[dict[str, Any]] = []
    for index in range(count):
        words = _sentence(rng, 2, 5)
        if rng.random() < 0.08:
            words.insert(rng.randrange(len(words) + 1), COMMON_WORD)
        if index % 1000 == 7:
            words.insert(rng.randrange(len(words) + 1), RARE_WORD)
        description = ""
        if rng.random() < 0.3:
            body = _sentence(rng, 6, 16)
            if rng.random() < 0.05:
                body.append(COMMON_WORD)
            description = " ".join(body).capitalize() + "."
        due_date, due_at = None, None
        if rng.random() < 0.6:
            day = today + timedelta(days=rng.randint(-90, 90))
            at = (
                clock(rng.randint(7, 20), rng.choice((0, 15, 30, 45)))
                if rng.random() < 0.3
                else None
            )
            due = make_due(day, at, TZ)
            due_date, due_at = due.date, due.at
        created = now - timedelta(seconds=rng.randint(0, 365 * 24 * 3600))
        completed = rng.random() < 0.25
        rows.append(
            {
                "owner_id": owner_id,
                "list_id": list_id,
                "title": " ".join(words).capitalize(),
                "description": description,
                "completed": completed,
                "priority": int(rng.choices(list(Priority), weights=(50, 20, 20, 10))[0]),
                "due_date": due_date,
                "due_at": due_at,
                "time_zone": TZ,
                "recurrence": None,
                "series_start": None,
                "previous_id": None,
                "completed_at": created + (now - created) / 2 if completed else None,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _table(model: type[SQLModel]) -> Table:
    """A model's Core table (SQLModel's classes have ``__table__`` but do not declare it)."""
    table = inspect_mapped(model).local_table
    assert isinstance(table, Table)
    return table


def _seed_user(
    session: Session, rng: random.Random, user_id: int, count: int, now: datetime
) -> tuple[list[int], int, int]:
    """Bulk inserts (executemany, CHUNK rows each): todos, their tags, some subtasks."""
    conn = session.connection()
    todo_table, tag_table = _table(Todo), _table(Tag)
    tag_ids = list(
        conn.execute(
            insert(tag_table).returning(tag_table.c.id, sort_by_parameter_order=True),
            [{"owner_id": user_id, "name": name} for name in TAG_NAMES],
        ).scalars()
    )
    inbox = lists.ensure_inbox(session, user_id)  # every todo is in a list: the Inbox here
    assert inbox.id is not None
    todo_ids: list[int] = []
    for chunk in _chunks(_todo_rows(rng, user_id, inbox.id, count, now)):
        todo_ids += conn.execute(
            insert(todo_table).returning(todo_table.c.id, sort_by_parameter_order=True), chunk
        ).scalars()
    links: list[dict[str, Any]] = []
    subtasks: list[dict[str, Any]] = []
    for todo_id in todo_ids:
        for tag_id in rng.sample(tag_ids, rng.choices((0, 1, 2, 3), weights=(40, 30, 20, 10))[0]):
            links.append({"todo_id": todo_id, "tag_id": tag_id})
        if rng.random() < 0.1:
            for position in range(rng.randint(1, 5)):
                subtasks.append(
                    {
                        "todo_id": todo_id,
                        "title": " ".join(_sentence(rng, 2, 4)).capitalize(),
                        "done": rng.random() < 0.4,
                        "position": position,
                    }
                )
    for chunk in _chunks(links):
        conn.execute(insert(_table(TodoTag)), chunk)
    for chunk in _chunks(subtasks):
        conn.execute(insert(_table(Subtask)), chunk)
    return todo_ids, len(links), len(subtasks)


def seed(engine: Engine, todos: int, other_users: int, rng: random.Random) -> Seeded:
    started = perf_counter()
    now = utcnow()
    password_hash = hash_password(uuid.uuid4().hex)  # once: nobody logs in with it
    run = uuid.uuid4().hex[:8]
    with session_scope(engine) as session:
        users = _table(User)
        user_ids = list(
            session.connection()
            .execute(
                insert(users).returning(users.c.id, sort_by_parameter_order=True),
                [
                    {"email": f"heavy-{run}-{n}@bench.example", "password_hash": password_hash}
                    for n in range(1 + other_users)
                ],
            )
            .scalars()
        )
        seeded = Seeded(
            owner_id=user_ids[0], other_ids=user_ids[1:], todo_ids=[], user_ids=user_ids
        )
        for user_id in user_ids:
            ids, links, subtasks = _seed_user(session, rng, user_id, todos, now)
            if user_id == seeded.owner_id:
                seeded.todo_ids = ids
            seeded.todos += len(ids)
            seeded.todo_tags += links
            seeded.subtasks += subtasks
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    seeded.seconds = perf_counter() - started
    return seeded


def unseed(engine: Engine, seeded: Seeded) -> None:
    """Removes the benchmark's accounts (todos, tags and subtasks cascade)."""
    with session_scope(engine) as session:
        table = _table(User)
        session.connection().execute(delete(table).where(table.c.id.in_(seeded.user_ids)))


# --- timing ---------------------------------------------------------------------------------


def list_cases(today: date) -> list[tuple[str, TodoQuery]]:
    return [
        ("first page (newest first)", TodoQuery()),
        (f"search common '{COMMON_WORD}'", TodoQuery(search=COMMON_WORD)),
        (f"search rare '{RARE_WORD}'", TodoQuery(search=RARE_WORD)),
        (f"search tag name '{SEARCH_TAG}'", TodoQuery(search=SEARCH_TAG)),
        ("view today", TodoQuery(view=View.TODAY)),
        ("view upcoming", TodoQuery(view=View.UPCOMING)),
        ("view overdue", TodoQuery(view=View.OVERDUE)),
        ("view no date", TodoQuery(view=View.NO_DATE)),
        ("status open", TodoQuery(status=Status.OPEN)),
        ("status done", TodoQuery(status=Status.DONE)),
        ("priority high", TodoQuery(priority=Priority.HIGH)),
        ("tag filter #work", TodoQuery(tag="work")),
        (
            "due range ±14 days",
            TodoQuery(due_from=today - timedelta(days=14), due_to=today + timedelta(days=14)),
        ),
        ("sort by due", TodoQuery(sort=Sort.DUE)),
        ("sort by priority", TodoQuery(sort=Sort.PRIORITY)),
        ("sort by title", TodoQuery(sort=Sort.TITLE)),
        (
            f"combined '{COMMON_WORD}'+#work+open+due",
            TodoQuery(search=COMMON_WORD, tag="work", status=Status.OPEN, sort=Sort.DUE),
        ),
    ]


def _timed(operation: Callable[[], Any]) -> tuple[float, Any]:
    started = perf_counter()
    result = operation()
    return (perf_counter() - started) * 1000, result


TAG_LIST, TOGGLE, QUICK_ADD = "tag list (list_tags)", "toggle (set_completed)", "quick-add parse"


def measure(engine: Engine, seeded: Seeded, rounds: int, rng: random.Random) -> list[Timing]:
    """Round-robin over the paths; round 0 warms up (connections, caches) and is not counted."""
    cases = list_cases(local_today(utcnow(), TZ))
    timings = {name: Timing(name) for name in [name for name, _ in cases] + [TAG_LIST, TOGGLE]}
    timings[QUICK_ADD] = Timing(QUICK_ADD + " (no db)")

    def find(query: TodoQuery) -> Any:
        with session_scope(engine) as session:
            return find_todos(session, seeded.owner_id, query, utcnow(), TZ)

    def tag_list() -> Any:  # the page's load lists the user's tags too, for the tag filter
        with session_scope(engine) as session:
            return tags.list_tags(session, seeded.owner_id)

    def toggle(todo_id: int, completed: bool) -> Any:
        with session_scope(engine) as session:
            return todo_service.set_completed(session, seeded.owner_id, todo_id, completed)

    for round_number in range(rounds + 1):
        counted = round_number > 0
        for name, query in cases:
            elapsed, page = _timed(partial(find, query))
            if len(page.items) > DEFAULT_PAGE_SIZE:  # the one hard check: never the whole list
                raise RuntimeError(f"{name}: a page held {len(page.items)} todos")
            timings[name].keep(elapsed, counted, len(page.items), page.total)
        elapsed, tag_counts = _timed(tag_list)
        timings[TAG_LIST].keep(elapsed, counted, len(tag_counts), len(tag_counts))
        # A random todo of the 10,000, completed and reopened on alternate rounds.
        todo_id = rng.choice(seeded.todo_ids)
        elapsed, _ = _timed(partial(toggle, todo_id, round_number % 2 == 0))
        timings[TOGGLE].keep(elapsed, counted, 1, 1)
        elapsed, _ = _timed(partial(parse_quick_add, QUICK_ADD_TEXT, utcnow(), TZ))
        timings[QUICK_ADD].keep(elapsed, counted)
    return list(timings.values())


def timing_table(timings: Sequence[Timing]) -> str:
    header = (
        f"{'path':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'items':>6} {'matches':>8}  target"
    )
    lines = [header, "-" * len(header)]
    for t in timings:
        p95 = t.percentile(0.95)
        lines.append(
            f"{t.name:<36} {t.percentile(0.5):>8.1f} {p95:>8.1f} {max(t.samples):>8.1f} "
            f"{'-' if t.items is None else t.items:>6} {'-' if t.matches is None else t.matches:>8}"
            f"  {'ok' if p95 <= TARGET_MS else 'OVER'}"
        )
    return "\n".join(lines)


# --- query plans ----------------------------------------------------------------------------


@contextmanager
def capture_sql(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (and its parameters) the engine sends while the block runs."""
    captured: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield captured
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _role(statement: str) -> str:
    """Which of find_todos' statements this is, by what it selects."""
    head = " ".join(statement.split())[:60]
    if head.startswith("SELECT count(*)"):
        return "count"
    if head.startswith("SELECT subtasks."):
        return "subtask progress"
    if head.startswith("SELECT todo_tags."):
        return "tags of the page"
    if head.startswith("SELECT list_members."):
        return "shared lists"  # the lists shared with the user: part of "All lists"
    return "page"


def explain_cases() -> list[tuple[str, TodoQuery]]:
    return [
        ("default page", TodoQuery()),
        (f"search '{COMMON_WORD}'", TodoQuery(search=COMMON_WORD)),
        (f"search '{RARE_WORD}'", TodoQuery(search=RARE_WORD)),
        ("today view", TodoQuery(view=View.TODAY)),
        ("overdue view", TodoQuery(view=View.OVERDUE)),
        ("status done", TodoQuery(status=Status.DONE)),
        ("tag filter #work", TodoQuery(tag="work")),
        ("sort by due", TodoQuery(sort=Sort.DUE)),
    ]


def explain(engine: Engine, owner_id: int, name: str, query: TodoQuery) -> list[Plan]:
    """Captures the SQL one find_todos call sends, then EXPLAINs it on the same connection."""
    plans: list[Plan] = []
    with Session(engine) as session:
        with capture_sql(engine) as captured:
            find_todos(session, owner_id, query, utcnow(), TZ)
        conn = session.connection()
        for statement, parameters in captured:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            rows = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + statement, parameters
            )
            lines = [row[0] for row in rows]
            plans.append(Plan(name, _role(statement), statement, parameters, lines))
        session.rollback()
    return plans


def print_plans(plans: Sequence[Plan]) -> None:
    for plan in plans:
        print(f"\n### {plan.case}: {plan.role} ({plan.execution_ms})")
        print("\n".join(plan.lines))
    print("\nIndexes used per query:")
    print(f"{'query':<24} {'statement':<18} {'exec time':>10}  indexes (seq scans)")
    for plan in plans:
        seq = f"  (seq scan: {', '.join(plan.seq_scans)})" if plan.seq_scans else ""
        print(
            f"{plan.case:<24} {plan.role:<18} {plan.execution_ms:>10}  "
            f"{', '.join(plan.indexes) or '-'}{seq}"
        )


# --- websocket frames -----------------------------------------------------------------------


@dataclass
class FrameStep:
    name: str
    payload_bytes: list[int]  # json.dumps of each received "event" message, compact, UTF-8
    wire_bytes: list[int]  # the Socket.IO packet as received (+1 Engine.IO type byte)
    rows: int | None  # todos in the list var this step sent, if it sent the list
    sent: list[str] = field(default_factory=list)  # the state vars (and events) it sent
    note: str = ""


def measure_frames(database_url: str, owner_id: int, search_word: str) -> list[FrameStep]:
    """Starts the production-shaped app on the seeded database and meters its frames."""
    # Imported here: they load Reflex and the UI, which the timing paths do not need.
    from scripts.process_rehearsal import Rehearsal, free_port
    from todo_app.core import sessions

    with tempfile.TemporaryDirectory(prefix="heavy-user-") as workdir:
        rehearsal = Rehearsal(
            database_url=database_url,
            redis_url="redis://127.0.0.1:6379/1",
            workdir=Path(workdir),
            frontend_ports=[free_port()],
            backend_count=1,
        )
        try:
            started = perf_counter()
            rehearsal.start()
            print(f"(rehearsal up in {perf_counter() - started:.1f} s: 1 backend, nginx)")
            engine = build_engine(database_url)
            with session_scope(engine) as session:
                token = sessions.log_in(
                    session, owner_id, rehearsal.jwt_secret, timedelta(minutes=30)
                )
            engine.dispose()
            return asyncio.run(
                _frame_steps(rehearsal.backends[0].url, token, database_url, owner_id, search_word)
            )
        finally:
            rehearsal.stop()


async def _frame_steps(
    backend_url: str, token: str, database_url: str, owner_id: int, search_word: str
) -> list[FrameStep]:
    from reflex_base.constants.state import FIELD_MARKER

    from tests.support.reflex_client import NAMESPACE, ReflexClient, delta_value, event_name
    from todo_app.ui.state.todos import TodoListState

    class MeteredClient(ReflexClient):
        def __init__(self, url: str, auth_token: str) -> None:
            super().__init__(url, auth_token)
            self.payloads: list[dict[str, Any]] = []
            self.wire: list[int] = []
            handlers = getattr(self.sio.eio, "handlers", None)
            if isinstance(handlers, dict) and "message" in handlers:
                original = handlers["message"]

                async def metered(data: Any) -> Any:
                    if isinstance(data, str) and data.startswith("2"):  # a Socket.IO EVENT
                        self.wire.append(len(data.encode()) + 1)
                    result = original(data)
                    return await result if inspect.isawaitable(result) else result

                handlers["message"] = metered

        async def _received(self, data: Any) -> None:
            self.payloads.append(data if isinstance(data, dict) else {"raw": data})
            await super()._received(data)

        async def emit_event(
            self, handler: str, payload: dict[str, Any], query: dict[str, str] | None = None
        ) -> None:
            search = "&".join(f"{key}={value}" for key, value in (query or {}).items())
            router_data: dict[str, Any] = {
                "pathname": "/",
                "asPath": f"/?{search}" if search else "/",
                "query": query or {},
            }
            await self.sio.emit(
                "event",
                {
                    "name": event_name(TodoListState, handler),
                    "payload": payload,
                    "router_data": router_data,
                },
                namespace=NAMESPACE,
            )
            await self.drain()

    def size(message: dict[str, Any]) -> int:
        return len(json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode())

    def sent(messages: list[dict[str, Any]]) -> list[str]:
        names = [
            var.removesuffix(FIELD_MARKER)
            for message in messages
            for fields in (message.get("delta") or {}).values()
            for var in fields
        ]
        names += [str(e.get("name")) for m in messages for e in (m.get("events") or [])]
        return list(dict.fromkeys(names))

    client = MeteredClient(backend_url, token)
    steps: list[FrameStep] = []

    async def step(name: str, action: Callable[[], Any], needs: str = "") -> None:
        if needs and not hasattr(TodoListState, needs):
            steps.append(FrameStep(name, [], [], None, note=f"skipped: no TodoListState.{needs}"))
            return
        first_payload, first_wire = len(client.payloads), len(client.wire)
        try:
            await action()
        except Exception as error:  # a missing or changed handler must not end the run
            steps.append(FrameStep(name, [], [], None, note=f"failed: {error!r}"))
            return
        payloads = client.payloads[first_payload:]
        todos = delta_value(payloads, TodoListState, "todos")
        steps.append(
            FrameStep(
                name,
                [size(p) for p in payloads],
                client.wire[first_wire:],
                len(todos) if isinstance(todos, list) else None,
                sent(payloads),
            )
        )

    first_id = _first_on_page(database_url, owner_id)
    await step("hydrate + first page (on_load)", client.connect)
    try:
        await step(
            "toggle: complete one todo",
            lambda: client.emit_event("toggle", {"todo_id": first_id, "completed": True}),
            needs="toggle",
        )
        await step(
            "toggle: reopen it",
            lambda: client.emit_event("toggle", {"todo_id": first_id, "completed": False}),
            needs="toggle",
        )
        await step(
            "set_search (its reply: a redirect)",
            lambda: client.emit_event("set_search", {"value": search_word}),
            needs="set_search",
        )
        await step(
            f"search change (load ?q={search_word})",
            lambda: client.emit_event("load", {}, {"q": search_word}),
            needs="load",
        )
        await step(
            "filter change (?view=overdue)",
            lambda: client.emit_event("load", {}, {"view": "overdue"}),
            needs="load",
        )
        await step("back to the first page", lambda: client.emit_event("load", {}), needs="load")
        await step(
            "show more (a wider window)",
            lambda: client.emit_event("show_more", {}),
            needs="show_more",
        )
        await step(
            "toggle after show more",
            lambda: client.emit_event("toggle", {"todo_id": first_id, "completed": True}),
            needs="toggle",
        )
        await step(
            "toggle back",
            lambda: client.emit_event("toggle", {"todo_id": first_id, "completed": False}),
            needs="toggle",
        )
    finally:
        await client.close()
    return steps


def _first_on_page(database_url: str, owner_id: int) -> int:
    engine = build_engine(database_url)
    try:
        with session_scope(engine) as session:
            page = find_todos(session, owner_id, TodoQuery(limit=1), utcnow(), TZ)
            todo_id = page.items[0].todo.id
            assert todo_id is not None
            return todo_id
    finally:
        engine.dispose()


def _names(names: list[str], width: int = 48) -> str:
    shown = [name for name in names if not name.startswith("rx_router")]  # URL bookkeeping
    text = ", ".join(shown) or "-"
    return text if len(text) <= width else text[: width - 3] + "..."


def frame_table(steps: Sequence[FrameStep]) -> str:
    header = (
        f"{'step':<38} {'frames':>6} {'payload B':>9} {'wire B':>8} {'largest':>8} "
        f"{'rows':>5} {'budget':>6}  vars and events sent"
    )
    lines = [header, "-" * (len(header) + 20)]
    for s in steps:
        if s.note:
            lines.append(f"{s.name:<38} {s.note}")
            continue
        verdict = ""
        if s.name.startswith("toggle"):
            verdict = (
                "ok" if sum(s.wire_bytes or s.payload_bytes) <= TOGGLE_FRAME_BUDGET else "OVER"
            )
        wire = sum(s.wire_bytes) if s.wire_bytes else "-"
        rows = "-" if s.rows is None else s.rows
        lines.append(
            f"{s.name:<38} {len(s.payload_bytes):>6} {sum(s.payload_bytes):>9} {wire:>8} "
            f"{max(s.payload_bytes, default=0):>8} {rows:>5} {verdict:>6}  {_names(s.sent)}"
        )
    return "\n".join(lines)


# --- the command ----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.heavy_user", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        help="a migrated or empty PostgreSQL database to seed (default: a throwaway one, "
        "dropped afterwards; the benchmark's accounts are removed from a given one)",
    )
    parser.add_argument("--todos", type=int, default=10_000, help="todos of the measured user")
    parser.add_argument(
        "--other-users", type=int, default=2, help="more accounts, each with --todos todos"
    )
    parser.add_argument("--rounds", type=int, default=50, help="timed calls per path")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the data")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans")
    parser.add_argument(
        "--websocket", action="store_true", help="start the app and measure its frame sizes"
    )
    args = parser.parse_args(argv)
    if args.database_url and not make_url(args.database_url).drivername.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL")
    if args.todos < 1 or args.rounds < 1 or args.other_users < 0:
        parser.error("--todos and --rounds must be positive, --other-users not negative")
    return args


def _load() -> str:
    """Other work on the machine skews p95: say how busy it was."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def run(args: argparse.Namespace, database_url: str) -> None:
    rng = random.Random(args.seed)  # noqa: S311  (test data, not secrets)
    engine = build_engine(database_url)
    migrate(engine)
    try:
        with engine.connect() as conn:
            server = conn.execute(text("SHOW server_version")).scalar()
        print(f"PostgreSQL {server}; {engine.url.render_as_string(hide_password=True)}")
        print(f"{os.cpu_count()} CPUs; {_load()}")
        seeded = seed(engine, args.todos, args.other_users, rng)
        print(
            f"Seeded {1 + args.other_users} users x {args.todos} todos = {seeded.todos} todos, "
            f"{seeded.todo_tags} tag links, {seeded.subtasks} subtasks "
            f"in {seeded.seconds:.1f} s (bulk insert, chunks of {CHUNK}, then ANALYZE)"
        )
        try:
            timings = measure(engine, seeded, args.rounds, rng)
            print(
                f"\nServer-side time per call ({args.rounds} rounds after 1 warm-up, "
                f"find_todos incl. page tags and subtask counts, own session each; "
                f"target p95 <= {TARGET_MS:.0f} ms; pages capped at {DEFAULT_PAGE_SIZE}):\n"
            )
            print(timing_table(timings))
            print(f"(after the timings: {_load()})")
            if args.explain:
                plans = [
                    plan
                    for name, query in explain_cases()
                    for plan in explain(engine, seeded.owner_id, name, query)
                ]
                print("\nEXPLAIN (ANALYZE, BUFFERS) of the SQL find_todos sends:")
                print_plans(plans)
            if args.websocket:
                print(
                    "\nWebsocket frames the server sent per step (payload B: payload bytes as "
                    "JSON; wire B: the Socket.IO text frames; uncompressed; budget: a toggle "
                    "<= 5 KB):"
                )
                try:
                    steps = measure_frames(database_url, seeded.owner_id, COMMON_WORD)
                    print(frame_table(steps))
                except Exception as error:  # the figures above stand on their own
                    print(f"websocket measurement failed: {error!r}")
        finally:
            if args.database_url:
                unseed(engine, seeded)
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    database: AbstractContextManager[str] = (
        nullcontext(args.database_url) if args.database_url else throwaway_postgres()
    )
    with database as url:
        run(args, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
