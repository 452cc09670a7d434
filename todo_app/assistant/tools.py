"""The assistant's tools: a model's tool calls run through the same core services as the UI.

The model's output is untrusted. Every call is parsed and validated by its tool's pydantic
model (``tool_args``: bad JSON, an unknown tool, a wrong type or an extra key become a tool
error, never an exception), then runs in one transaction, so a failing call writes nothing.
The user is bound when the executor is built, on the server: no tool takes a user id, and an
``owner_id`` or ``user_id`` argument is refused as an unknown parameter.

Changes are budgeted per user request (:class:`ChangeBudget`), not per batch: a model that
spreads a bulk change over several tool rounds is held back as soon as the request's budget
is spent, and nothing held back runs until the user confirms it in the page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from todo_app.assistant.tool_args import (
    LIST_LIMIT_DEFAULT,
    InvalidCall,
    JsonDict,
    parse_call,
)
from todo_app.core import lists, recurrence
from todo_app.core import todos as todo_service
from todo_app.core.db import session_scope
from todo_app.core.due import date_label, is_overdue, local_today
from todo_app.core.errors import DomainError, ValidationError
from todo_app.core.list_access import scope_of
from todo_app.core.models import Priority, Todo, TodoList
from todo_app.core.queries import MAX_PAGE_SIZE, Sort, Status, TodoQuery, View, find_todos
from todo_app.core.quickadd import as_fields, parse_quick_add
from todo_app.core.tags import tags_by_todo
from todo_app.core.zones import zone

log = logging.getLogger(__name__)

CONFIRM_THRESHOLD = 3  # more changes than this in one request need the user's confirmation
DELETE_CONFIRM_THRESHOLD = 2  # this many deletes in one request need it too
PENDING_LINES_SHOWN = 20  # the Confirm callout lists this many changes, then "and N more"
PENDING_LINE_MAX_CHARS = 300  # a rename quotes two titles of up to 500 characters each
WAITING_FOR_CONFIRMATION = "waiting_for_user_confirmation"
NOT_DONE_YET = "Not done yet: the user must confirm this in the page first."
PLAN_LIMIT = 50
PLAN_WEEK_DAYS = 7

_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# Every tool that writes counts against the budget; reads (list_todos, plan) never do.
CHANGE_TOOLS = frozenset({"add_todo", "update_todo", "complete_todo", "delete_todo"})


@dataclass(frozen=True)
class PendingAction:
    """A change waiting for the user's confirmation in the page."""

    name: str
    arguments: JsonDict
    summary: str


@dataclass(frozen=True)
class ToolResult:
    """What one call did. Python values for the page and the loop; the model reads it only
    as JSON, through :func:`render_for_model`."""

    ok: bool
    content: JsonDict = field(default_factory=dict)  # JSON-serialisable
    error: str = ""
    summary: str = ""  # one human sentence of what happened
    held: PendingAction | None = None  # the change that waits for the user's confirmation

    @property
    def needs_confirmation(self) -> bool:
        return self.held is not None


ToolCall = tuple[str, str | Mapping[str, Any] | None]


@dataclass
class ChangeBudget:
    """The changes one user request may make without the user's confirmation: the one place
    of that rule, for the Groq loop and the offline parser alike.

    One budget spans a whole request (every tool round of one ``ask``), so a model cannot
    spread a bulk change over rounds. A batch of calls runs only if all its changes fit in
    what is left; the first batch that does not is held whole, and from then on every
    change of the request is held too. Reads are never counted nor held.
    """

    max_deletes: int = DELETE_CONFIRM_THRESHOLD - 1
    max_changes: int = CONFIRM_THRESHOLD
    deletes: int = 0  # deletes run (attempted) in this request
    changes: int = 0  # changes run (attempted) in this request, deletes included
    exhausted: bool = False
    held: list[PendingAction] = field(default_factory=list)

    def admit(self, names: Sequence[str]) -> bool:
        """Spend the budget on a batch's calls if all its changes fit, else hold it all."""
        changes = [name for name in names if name in CHANGE_TOOLS]
        if not changes:
            return True
        deletes = sum(name == "delete_todo" for name in changes)
        if (
            self.exhausted
            or self.deletes + deletes > self.max_deletes
            or self.changes + len(changes) > self.max_changes
        ):
            self.exhausted = True  # what comes after a held change must not run before it
            return False
        self.deletes += deletes
        self.changes += len(changes)
        return True

    def hold(self, actions: Sequence[PendingAction]) -> None:
        """Remember held actions for the page; a call the model repeats is held once."""
        self.held = _unique([*self.held, *actions])


def _unique(actions: Sequence[PendingAction]) -> list[PendingAction]:
    """In order, each (tool, arguments) once: confirming must not run a repeated call twice."""
    kept: list[PendingAction] = []
    for action in actions:
        if not any(action.name == k.name and action.arguments == k.arguments for k in kept):
            kept.append(action)
    return kept


def render_for_model(result: ToolResult) -> str:
    """The tool message content: a JSON object whose ``user_data`` field holds everything that
    quotes the user's todos (titles, descriptions, tags, the summary, a held change). The
    system prompt says that this is data, never instructions; the change budget, not this
    wrapping, is what stops a todo's text from driving changes."""
    payload: JsonDict = {"ok": result.ok}
    if result.held is not None:
        payload["status"] = WAITING_FOR_CONFIRMATION
    if not result.ok:
        payload["error"] = result.error
    data: JsonDict = dict(result.content) if result.ok else {}
    if result.held is not None:
        data |= {
            "name": result.held.name,
            "arguments": result.held.arguments,
            "action": result.held.summary,
        }
    if result.summary:
        data["summary"] = result.summary
    if data:
        payload["user_data"] = data
    return json.dumps(payload, ensure_ascii=False)


def confirm_question(pending: Sequence[PendingAction]) -> str:
    """One sentence naming what waits for confirmation (the chat reply); the callout lists
    every change with :func:`pending_lines`."""
    return _batch_summary(pending)


def confirm_headline(pending: Sequence[PendingAction]) -> str:
    """The Confirm callout's first line, above :func:`pending_lines`."""
    if not pending:
        return ""
    return "Confirm this change:" if len(pending) == 1 else f"Confirm these {len(pending)} changes:"


def pending_lines(pending: Sequence[PendingAction], limit: int = PENDING_LINES_SHOWN) -> list[str]:
    """One short line per waiting change, at most ``limit`` of them, then "and N more"."""
    lines = [_clip(action.summary, PENDING_LINE_MAX_CHARS) for action in pending[:limit]]
    if len(pending) > limit:
        lines.append(f"and {len(pending) - limit} more")
    return lines


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- rows and wording -----------------------------------------------------------------------


def _due_text(todo: Todo) -> str | None:
    if todo.due_date is None:
        return None
    if todo.due_at is None:
        return todo.due_date.isoformat()
    local = todo.due_at.astimezone(zone(todo.time_zone))
    return f"{todo.due_date.isoformat()}T{local:%H:%M}"


def _row(todo: Todo, tags: Sequence[str], list_name: str) -> JsonDict:
    row: JsonDict = {
        "id": todo.id,
        "title": todo.title,
        "completed": todo.completed,
        "priority": Priority(todo.priority).name.lower(),
        "due": _due_text(todo),
        "tags": list(tags),
        "list": list_name,
    }
    if todo.recurrence:
        row["repeats"] = recurrence.describe(todo.recurrence)
    return row


def describe_due(due: str | None, today: date | None = None) -> str:
    """A row's due for people: "Fri 27 Nov" (with its year when not ``today``'s), "18:30"."""
    if not due:
        return "no due date"
    day = date.fromisoformat(due[:10])
    text = f"{_DAY_ABBR[day.weekday()]} {day.day} {_MONTH_ABBR[day.month - 1]}"
    if today is not None and today.year != day.year:
        text += f" {day.year}"
    return text + (f" {due[11:]}" if len(due) > 10 else "")


def _quote(title: str) -> str:
    return f"“{title}”"


# --- the executor ---------------------------------------------------------------------------


SessionFactory = Callable[[], AbstractContextManager[Session]]


class ToolExecutor:
    """Runs tool calls for one user, bound here on the server.

    Its :class:`ChangeBudget` spans every batch it runs until :meth:`begin_request`: build an
    executor per user request, or begin one at the start of each.
    """

    def __init__(
        self,
        engine_or_session_factory: Engine | SessionFactory,
        owner_id: int,
        tz: str,
        now: Callable[[], datetime],
    ) -> None:
        if isinstance(engine_or_session_factory, Engine):
            engine = engine_or_session_factory
            self._sessions: SessionFactory = lambda: session_scope(engine)
        else:
            self._sessions = engine_or_session_factory
        self.owner_id = owner_id
        self.tz = zone(tz).key  # a bad zone fails here, not in the middle of a call
        self.now = now
        self._handlers: dict[str, Callable[[Session, JsonDict], ToolResult]] = {
            "add_todo": self._add,
            "list_todos": self._list,
            "update_todo": self._update,
            "complete_todo": self._complete,
            "delete_todo": self._delete,
            "plan": self._plan,
        }
        self.budget = ChangeBudget()

    # --- public API

    def begin_request(self) -> ChangeBudget:
        """A fresh change budget: one user request starts (one ask, whatever its rounds)."""
        self.budget = ChangeBudget()
        return self.budget

    def execute(self, name: str, arguments: str | Mapping[str, Any] | None) -> ToolResult:
        """One call, outside the budget: for confirmed actions and trusted callers. A model's
        calls go through :meth:`execute_many`."""
        try:
            tool, args = parse_call(name, arguments)
        except InvalidCall as error:
            return ToolResult(ok=False, error=str(error))
        return self._run(tool, args)

    def execute_many(self, calls: Sequence[ToolCall]) -> list[ToolResult]:
        """Runs a model turn's calls in order, each in its own transaction, unless the
        request's budget holds the turn's changes back until :meth:`confirm`."""
        parsed: list[tuple[str, JsonDict] | ToolResult] = []
        for name, arguments in calls:
            try:
                parsed.append(parse_call(name, arguments))
            except InvalidCall as error:
                parsed.append(ToolResult(ok=False, error=str(error)))
        valid = [call for call in parsed if isinstance(call, tuple)]
        if self.budget.admit([name for name, _ in valid]):
            return [c if isinstance(c, ToolResult) else self._run(*c) for c in parsed]
        held = self._describe_pending([c for c in valid if c[0] in CHANGE_TOOLS])
        self.budget.hold(held)
        # Request-wide, so the last held result names everything waiting so far.
        question = confirm_question(self.budget.held)
        waiting = iter(held)
        results = []
        for call in parsed:
            if isinstance(call, ToolResult):
                results.append(call)
            elif call[0] in CHANGE_TOOLS:
                action = next(waiting)
                results.append(
                    ToolResult(ok=False, error=NOT_DONE_YET, summary=question, held=action)
                )
            else:
                results.append(self._run(*call))
        return results

    def pending_actions(self, results: Sequence[ToolResult]) -> list[PendingAction]:
        """The actions of ``execute_many``'s results that wait for confirmation, for the UI
        (a call held twice is listed once)."""
        return _unique([r.held for r in results if r.held is not None])

    def confirm(self, pending: Sequence[PendingAction | ToolCall]) -> list[ToolResult]:
        """Runs confirmed actions for real, each validated again (the page sent them back)."""
        results = []
        for action in pending:
            name, arguments = (
                (action.name, action.arguments) if isinstance(action, PendingAction) else action
            )
            results.append(self.execute(name, arguments))
        return results

    def find_by_title(
        self, text: str, *, completed: bool | None = None, limit: int = 6
    ) -> list[JsonDict]:
        """This user's todos called ``text``: exact title (any case) first, else containing it."""
        needle = " ".join(text.split()).lower()
        if not needle:
            return []
        with self._sessions() as session:
            base = select(Todo).where(scope_of(session, self.owner_id).todos())
            if completed is not None:
                base = base.where(col(Todo.completed).is_(completed))
            base = base.order_by(col(Todo.created_at).desc(), col(Todo.id).desc()).limit(limit)
            title = func.lower(col(Todo.title))
            found = list(session.exec(base.where(title == needle)).all())
            if not found:
                like = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                found = list(session.exec(base.where(title.like(f"%{like}%", escape="\\"))).all())
            return self._rows(session, found)

    # --- running

    def _run(self, name: str, args: JsonDict) -> ToolResult:
        try:
            with self._sessions() as session:  # one transaction: an error rolls all back
                return self._handlers[name](session, args)
        except DomainError as error:
            return ToolResult(ok=False, error=str(error))
        except Exception:
            # Never let a model's call crash the chat; the log keeps the bug.
            log.exception("assistant tool %s failed", name)
            return ToolResult(ok=False, error="Something went wrong; nothing was changed.")

    def _rows(self, session: Session, found: Sequence[Todo]) -> list[JsonDict]:
        tags = tags_by_todo(session, [t.id for t in found if t.id is not None])
        list_ids = sorted({todo.list_id for todo in found})
        names: dict[int | None, str] = dict(
            session.exec(
                select(TodoList.id, TodoList.name).where(col(TodoList.id).in_(list_ids))
            ).all()
            if list_ids
            else []
        )
        return [
            _row(todo, tags.get(todo.id or 0, []), names.get(todo.list_id, "")) for todo in found
        ]

    def _list_id(self, session: Session, args: JsonDict) -> int | None:
        """The id of the list the call names (among those the user can see), or None."""
        if "list" not in args:
            return None
        return lists.find_list(session, self.owner_id, args["list"]).id

    def list_names(self) -> list[str]:
        """The names of the lists the user can see, in their order (the offline parser
        tells "add milk to Groceries" from "add go to the gym" with them)."""
        with self._sessions() as session:
            return [view.name for view in lists.visible_lists(session, self.owner_id)]

    def _today(self) -> date:
        return local_today(self.now(), self.tz)

    def _due_fields(self, text: str, *, keep_repeat: bool) -> JsonDict:
        """Keyword arguments for ``clean_fields`` from a natural-language due."""
        if not text.strip():
            return {}  # an empty due is no change, not "clear it"
        if text.strip().lower() in ("none", "no", "no date", "no due date", "never"):
            return {"due": None, "recurrence": None}
        parsed = parse_quick_add(text, self.now(), self.tz)
        used = sum(len(phrase.split()) for phrase in parsed.recognised)
        if used != len(text.split()) or parsed.priority or parsed.tags:
            raise ValidationError(
                f"I could not read the due “{text.strip()}”: try 'tomorrow', 'friday 6pm', "
                "'2026-12-24 18:30' or 'every monday'."
            )
        fields = as_fields(parsed)
        if parsed.recurrence is None and keep_repeat:
            return {"due": fields.due}  # moving a repeating todo keeps its rule
        return {"due": fields.due, "recurrence": fields.recurrence}

    # --- tools

    def _add(self, session: Session, args: JsonDict) -> ToolResult:
        extra = self._due_fields(args["due"], keep_repeat=False) if "due" in args else {}
        fields = todo_service.clean_fields(
            priority=args.get("priority", todo_service.KEEP),
            tags=args.get("tags", todo_service.KEEP),
            **extra,
        )
        todo = todo_service.create_todo(
            session,
            self.owner_id,
            args["title"],
            time_zone=self.tz,
            fields=fields,
            list_id=self._list_id(session, args),
        )
        row = self._rows(session, [todo])[0]
        due = f" (due {describe_due(row['due'], self._today())})" if row["due"] else ""
        where = f" to {_quote(row['list'])}" if "list" in args else ""
        return ToolResult(
            ok=True, content={"todo": row}, summary=f"Added {_quote(todo.title)}{where}{due}."
        )

    def _list(self, session: Session, args: JsonDict) -> ToolResult:
        view = View(args.get("view", "all"))
        query = TodoQuery(
            search=" ".join(args.get("search", "").split()),
            status=Status(args.get("status", "all")),
            view=view,
            priority=Priority[args["priority"].upper()] if "priority" in args else None,
            tag=args.get("tag", "").strip().lstrip("#").lower(),
            sort=Sort.CREATED if view in (View.ALL, View.NO_DATE) else Sort.DUE,
            list_id=self._list_id(session, args),
        ).page(args.get("limit", LIST_LIMIT_DEFAULT))
        page = find_todos(session, self.owner_id, query, self.now(), self.tz)
        rows = self._rows(session, [item.todo for item in page.items])
        noun = "todo" if page.total == 1 else "todos"
        shown = f", showing {len(rows)}" if page.has_more else ""
        content: JsonDict = {"todos": rows, "total": page.total, "has_more": page.has_more}
        where = ""
        if query.list_id is not None:
            content["list"] = lists.get_list(session, self.owner_id, query.list_id).name
            where = f" in {_quote(content['list'])}"
        return ToolResult(
            ok=True, content=content, summary=f"Found {page.total} {noun}{where}{shown}."
        )

    def _update(self, session: Session, args: JsonDict) -> ToolResult:
        changes: JsonDict = {key: args[key] for key in ("priority", "tags") if key in args}
        if "due" in args:
            changes |= self._due_fields(args["due"], keep_repeat=True)
        if not changes and not {"title", "description", "list"} & args.keys():
            raise ValidationError(
                "Nothing to change: give a title, description, priority, due, tags or list."
            )
        todo = todo_service.update_todo(
            session,
            self.owner_id,
            args["todo_id"],
            title=args.get("title", todo_service.KEEP),
            description=args.get("description", todo_service.KEEP),
            fields=todo_service.clean_fields(**changes),
        )
        target = self._list_id(session, args)
        if target is not None:  # editing rights on both lists, checked by move_todo
            todo = todo_service.move_todo(session, self.owner_id, todo.id, target)
        row = self._rows(session, [todo])[0]
        moved = f" and moved it to {_quote(row['list'])}" if target is not None else ""
        return ToolResult(
            ok=True, content={"todo": row}, summary=f"Updated {_quote(todo.title)}{moved}."
        )

    def _complete(self, session: Session, args: JsonDict) -> ToolResult:
        completed = args.get("completed", True)
        rollover = None
        if completed is True:
            completion = todo_service.complete(session, self.owner_id, args["todo_id"])
            todo, rollover = completion.todo, completion.rollover
        else:
            todo = todo_service.set_completed(session, self.owner_id, args["todo_id"], completed)
        done = "as done" if completed else "as not done"
        if rollover is not None:  # a repeating todo: it stays, due on its next date
            done += f"; it repeats, next due {date_label(rollover.now.date, relative=False)}"
        return ToolResult(
            ok=True,
            content={"todo": self._rows(session, [todo])[0]},
            summary=f"Marked {_quote(todo.title)} {done}.",
        )

    def _delete(self, session: Session, args: JsonDict) -> ToolResult:
        snapshot = todo_service.delete_todo(session, self.owner_id, args["todo_id"])
        return ToolResult(
            ok=True,
            content={"deleted": {"id": args["todo_id"], "title": snapshot.title}},
            summary=f"Deleted {_quote(snapshot.title)}.",
        )

    def _plan(self, session: Session, args: JsonDict) -> ToolResult:
        now, today = self.now(), self._today()
        week = args["period"] == "week"
        last = today + timedelta(days=PLAN_WEEK_DAYS - 1 if week else 0)
        query = TodoQuery(
            status=Status.OPEN, due_to=last, sort=Sort.DUE, list_id=self._list_id(session, args)
        ).page(MAX_PAGE_SIZE)
        found = [
            view.todo for view in find_todos(session, self.owner_id, query, now, self.tz).items
        ]
        # Priority first (high to low), then the earliest due: overdue todos lead their
        # priority. An undated due sorts at the end of its day; the id keeps ties stable.
        found.sort(
            key=lambda t: (
                -t.priority,
                t.due_date or last,
                t.due_at is None,
                t.due_at or now,
                t.id or 0,
            )
        )
        rows = self._rows(session, found[:PLAN_LIMIT])
        late = 0
        for todo, row in zip(found, rows, strict=False):
            row["overdue"] = is_overdue(todo.due_date, todo.due_at, now, self.tz)
            late += row["overdue"]
        period = "this week (the next 7 days)" if week else "today"
        rationale = (
            f"Open todos due {period} or overdue, ordered by priority (high first), then by "
            "due date and time (earliest first), so overdue ones lead within their priority."
        )
        if late:
            rationale += f" {late} {'is' if late == 1 else 'are'} overdue."
        noun = "todo" if len(found) == 1 else "todos"
        return ToolResult(
            ok=True,
            content={
                "period": args["period"],
                "todos": rows,
                "total": len(found),
                "rationale": rationale,
            },
            summary=f"{len(found)} {noun} to do {period}, {late} overdue.",
        )

    # --- confirmation

    def _describe_pending(self, calls: Sequence[tuple[str, JsonDict]]) -> list[PendingAction]:
        ids = [args["todo_id"] for _, args in calls if "todo_id" in args]
        titles: dict[int | None, str] = {}
        try:
            if ids:
                with self._sessions() as session:
                    titles = dict(
                        session.exec(
                            select(Todo.id, Todo.title).where(
                                scope_of(session, self.owner_id).todos(), col(Todo.id).in_(ids)
                            )
                        ).all()
                    )
        except Exception:  # the titles only decorate the question; ask with ids instead
            log.exception("assistant could not look up titles to confirm")
        return [PendingAction(name, args, _describe(name, args, titles)) for name, args in calls]


def _describe(name: str, args: JsonDict, titles: Mapping[int | None, str]) -> str:
    """One line for the Confirm callout: what this held call will do."""
    if name == "add_todo":
        due = f" (due “{args['due']}”)" if args.get("due") else ""
        where = f" to {_quote(args['list'])}" if args.get("list") else ""
        return f"Add {_quote(args['title'])}{where}{due}."
    title = titles.get(args["todo_id"])
    what = _quote(title) if title else f"todo #{args['todo_id']}"
    if name == "delete_todo":
        return f"Delete {what}."
    if name == "complete_todo":
        return f"Mark {what} as {'done' if args.get('completed', True) else 'not done'}."
    moving = f" and move it to {_quote(args['list'])}" if args.get("list") else ""
    others = [key for key in args if key not in ("todo_id", "title", "list")]
    if "title" not in args:
        if not others and moving:
            return f"Move {what} to {_quote(args['list'])}."
        return f"Change {', '.join(others) or 'nothing'} of {what}{moving}."
    rename = f"Rename {what} to {_quote(args['title'])}"
    return rename + (f" and change its {', '.join(others)}" if others else "") + f"{moving}."


def _batch_summary(pending: Sequence[PendingAction]) -> str:
    if len(pending) == 1:
        return pending[0].summary
    deletes = [a for a in pending if a.name == "delete_todo"]
    if len(deletes) == len(pending):
        titles = ", ".join(a.summary.removeprefix("Delete ").rstrip(".") for a in deletes[:5])
        more = f" and {len(deletes) - 5} more" if len(deletes) > 5 else ""
        return f"Delete {len(deletes)} todos: {titles}{more}."
    return (
        f"Make {len(pending)} changes: "
        + " ".join(a.summary for a in pending[:5])
        + (f" And {len(pending) - 5} more." if len(pending) > 5 else "")
    )
