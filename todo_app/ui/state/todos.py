"""The todo list page: one window of the user's todos, found by the URL's filters.

Only the window on screen is a state var (Reflex resends a changed var whole).
Rows are immutable snapshots; what a click changes often (completion) lives in
the small ``done_ids`` var, so completing a todo sends a few hundred bytes
whatever the list or page size.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from todo_app.core import bulk, queries, repeat_presets, subtasks, tags
from todo_app.core import lists as list_rules
from todo_app.core import todos as todo_service
from todo_app.core.due import clock_label, date_label, local_today, parse_due
from todo_app.core.errors import AuthenticationError, DomainError, NotFoundError, ValidationError
from todo_app.core.models import Priority, utcnow
from todo_app.core.quickadd import as_fields, parse_quick_add, preview_parts
from todo_app.core.recurrence import describe
from todo_app.core.zones import zone
from todo_app.ui import live_updates
from todo_app.ui.state import edit_fields
from todo_app.ui.state.guard import UNCHANGED, Unchanged, announces_change, guarded
from todo_app.ui.state.session import SessionState

log = logging.getLogger(__name__)

NEW_TODO_INPUT_ID = "new-todo"
NEW_SUBTASK_INPUT_ID = "new-subtask"
EDIT_TAG_INPUT_ID = "edit-new-tag"
BULK_TAG_INPUT_ID = "bulk-tag"
UNDO_SECONDS = 8  # how long the page shows an undo offer (its toast hides itself)
# The server honours an offer a little longer than the page shows it: a click in
# the toast's last moment still arrives after the toast's own timer has run out.
UNDO_GRACE_SECONDS = 2
MAX_QUICK_NOTES = 5
# What the empty list offers to try in quick add (each understood fully).
QUICK_ADD_EXAMPLES = (
    "Call mom tomorrow 6pm",
    "Pay rent every month on the 1st #home p1",
    "Buy milk #shopping",
    "Weekly team sync every monday 10am",
)
FILTER_NAMES = ("q", "status", "view", "priority", "tag", "sort", "from", "to", "list")


@dataclasses.dataclass
class TodoRow:
    """What one row shows (and its edit form starts from); nothing more."""

    id: int
    title: str
    description: str
    priority: int
    priority_label: str
    due_label: str
    due_date: str
    due_time: str
    overdue: bool
    due_soon: bool
    tags: list[str]
    progress: str
    repeat_label: str
    repeat: str
    can_edit: bool  # false in a list shared with this user as a viewer
    list_id: str  # as the edit form's "List" select holds it
    band: str = ""  # the heading above this row ("Overdue", "Today", ...), if one starts here


def _row(view: queries.TodoView, today: date, tz: str, locale: str = "", band: str = "") -> TodoRow:
    todo = view.todo
    assert todo.id is not None
    local = todo.due_at.astimezone(zone(tz)).time() if todo.due_at else None
    local_time = f"{local:%H:%M}" if local else ""  # as the edit form's time input holds it
    due_label = ""
    if todo.due_date is not None:
        clock = clock_label(local, locale) if local else ""
        due_label = " ".join(filter(None, (date_label(todo.due_date, today, locale=locale), clock)))
    priority = Priority(todo.priority)
    return TodoRow(
        id=todo.id,
        title=todo.title,
        description=todo.description,
        priority=todo.priority,
        # No badge for no priority.
        priority_label=priority.label if priority else "",
        due_label=due_label,
        due_date=todo.due_date.isoformat() if todo.due_date else "",
        due_time=local_time,
        overdue=view.overdue,
        due_soon=view.due_soon,
        tags=view.tags,
        progress=f"{view.subtasks_done}/{view.subtasks_total}" if view.subtasks_total else "",
        repeat_label=describe(todo.recurrence) if todo.recurrence else "",
        repeat=repeat_presets.preset_of(todo.recurrence, todo.series_start),
        can_edit=view.can_edit,
        list_id=str(todo.list_id),
        band=band,
    )


NO_ROW = TodoRow(
    id=0,
    title="",
    description="",
    priority=0,
    priority_label="",
    due_label="",
    due_date="",
    due_time="",
    overdue=False,
    due_soon=False,
    tags=[],
    progress="",
    repeat_label="",
    repeat="none",
    can_edit=False,
    list_id="",
)


@dataclasses.dataclass
class ListLink:
    """One entry of the "Lists" navigation."""

    id: int
    name: str
    href: str
    role: str  # this user's: "owner", "editor" or "viewer"
    shared_by: str  # the owner's email for a list shared with this user, else ""
    value: str  # the id as a select holds it


@dataclasses.dataclass
class QuickChip:
    """One part quick add understood: "due", "repeat", "tag" or "priority", and its text."""

    kind: str
    text: str


@dataclasses.dataclass
class ViewLink:
    """One smart view of the side bar, with its count of open todos."""

    value: str
    label: str
    count: int
    href: str
    icon: str


VIEW_LABELS = (
    (queries.View.ALL, "All todos"),
    (queries.View.TODAY, "Today"),
    (queries.View.UPCOMING, "Upcoming"),
    (queries.View.OVERDUE, "Overdue"),
    (queries.View.NO_DATE, "No date"),
)
VIEW_ICONS = {
    queries.View.ALL: "inbox",
    queries.View.TODAY: "sun",
    queries.View.UPCOMING: "calendar-days",
    queries.View.OVERDUE: "alarm-clock",
    queries.View.NO_DATE: "circle-dashed",
}

ALL_LISTS = "All lists"
LIST_UNAVAILABLE = "That list is no longer available to you."


class UndoKind(enum.Enum):
    REOPEN = enum.auto()  # a completion: reopen the todo
    ROLL_BACK = enum.auto()  # a repeating todo's completion: its date goes back
    RESTORE = enum.auto()  # a delete: restore the snapshots
    RESTORE_LIST = enum.auto()  # a list's deletion: restore it, todos and members


@dataclasses.dataclass(frozen=True)
class UndoOffer:
    """What "Undo" reverses; kept on the server, never sent to the page."""

    kind: UndoKind
    todo_id: int = 0
    snapshots: tuple[todo_service.TodoSnapshot, ...] = ()
    list_snapshot: list_rules.ListSnapshot | None = None
    rollover: todo_service.Rollover | None = None


@dataclasses.dataclass(frozen=True)
class _Added:
    """What an add read in its transaction for the page on screen."""

    placed: queries.NewTodo
    tag_counts: list[tuple[str, int]] | None  # the tag filter's options, when they changed
    reminders: list[tuple[int, str, datetime]] | None  # when the todo has a due time


@dataclasses.dataclass
class SubtaskRow:
    id: int
    title: str
    done: bool


def toggled(items: list[Any], item: Any, present: object) -> list[Any]:
    """``items`` with ``item`` in it once (present) or not at all."""
    others = [i for i in items if i != item]
    return [*others, item] if present is True else others


def form_text(form_data: dict[str, Any], name: str) -> str:
    value = form_data.get(name, "")
    if not isinstance(value, str):
        raise ValidationError(f"The {name.replace('_', ' ')} must be text.")
    return value


class TodoListState(SessionState):
    todos: list[TodoRow] = []  # noqa: RUF012  (Reflex copies defaults per client)
    done_ids: list[int] = []  # noqa: RUF012
    total: int = 0
    has_more: bool = False
    filtered: bool = False
    view_links: list[ViewLink] = []  # noqa: RUF012
    nav_open: bool = False  # the side bar, as a drawer on a phone
    filters_open: bool = False  # a phone's Status, Priority, Tag and due range, shown
    loaded: bool = False
    editing_id: int = 0
    edit_row: TodoRow = NO_ROW  # the todo in the edit panel, as saved last
    edit_status: str = ""  # "Saved" once the panel saved a change
    # Another window changed the todo being edited: the panel says so and redraws
    # its fields only when asked (never under the user's typing).
    edit_stale: bool = False
    edit_key: str = ""  # the panel's React key: a new todo, or its fields redrawn
    tag_options: list[str] = []  # noqa: RUF012
    quick_preview: str = ""  # the title quick add will save, while it understands more
    quick_chips: list[QuickChip] = []  # noqa: RUF012  (what else it understood)
    # What quick add did not take from the line, said plainly (core.quickadd notes).
    quick_notes: list[str] = []  # noqa: RUF012
    # [{"id", "title", "at" (epoch ms)}] of todos due soon, for the reminder script.
    reminders_json: str = "[]"
    subtasks: list[SubtaskRow] = []  # noqa: RUF012  (of the todo being edited)
    selected_ids: list[int] = []  # noqa: RUF012
    selecting: bool = False
    show_shortcuts: bool = False
    undo_label: str = ""
    # Counts the offers: a new one restarts the toast's timer (todo_app.ui.components.undo_toast).
    undo_serial: int = 0
    # The filters, as the URL has them (the URL is the source of truth).
    search: str = ""
    status: str = queries.Status.ALL.value
    view: str = queries.View.ALL.value
    priority: str = "any"
    tag: str = "any"
    sort: str = queries.Sort.SMART.value
    due_from: str = ""
    due_to: str = ""
    # The lists this user can see, and the one on screen (0: all of them).
    lists: list[ListLink] = []  # noqa: RUF012
    list_id: int = 0
    list_name: str = ALL_LISTS
    list_role: str = ""
    list_is_inbox: bool = False
    _params: dict[str, str] = {}  # noqa: RUF012
    # Whose open pages a change made here may show on: this user and everyone
    # who shares a list with them (not used to authorise anything).
    _audience: list[int] = []  # noqa: RUF012
    _window: int = queries.DEFAULT_PAGE_SIZE
    _undo: UndoOffer | None = None
    _undo_until: float = 0.0  # epoch seconds (the same clock in every process)
    _just_added: str = ""

    @rx.var
    def shown(self) -> int:
        return len(self.todos)

    @rx.var
    def movable_to(self) -> list[ListLink]:
        """The lists a todo may be moved into: those this user may edit."""
        return [link for link in self.lists if link.role != list_rules.Role.VIEWER.value]

    @rx.var
    def can_add(self) -> bool:
        return self.list_role != list_rules.Role.VIEWER.value

    # --- loading and finding -------------------------------------------------------------

    @rx.event
    @guarded
    async def load(self) -> None:
        query = queries.TodoQuery.from_params(dict(self.router.url.query_parameters))
        self._params = query.to_params()
        self.search = query.search
        self.status = query.status.value
        self.view = query.view.value
        self.priority = query.priority.key if query.priority is not None else "any"
        self.tag = query.tag or "any"
        self.sort = query.sort.value
        self.due_from = query.due_from.isoformat() if query.due_from else ""
        self.due_to = query.due_to.isoformat() if query.due_to else ""
        # A dialog or drawer left open does not come back with the next page.
        # (Set only when open: an assignment alone would send both in every load.)
        if self.show_shortcuts:
            self.show_shortcuts = False
        if self.nav_open:
            self.nav_open = False
        self._forget_stale_undo()
        # Changes made elsewhere to what this page shows refresh it (_follow_change).
        # Followed before the read: a change committed while the page reads would
        # otherwise be half in it (each statement sees the commits before it) and
        # its notice lost. Its refresh waits for this event to end, then reads again.
        self._follow(query.list_id)
        await self._refresh(query)
        if (self.list_id or None) != query.list_id:  # that list is gone: all lists shown
            self._follow(self.list_id or None)

    def _follow(self, list_id: int | None) -> None:
        if (pages := live_updates.open_pages()) is not None:
            user_id = self._verified_claims().user_id
            pages.show(self._client_token(), user_id, list_id=list_id)

    async def _follow_change(self) -> bool:
        """A change made elsewhere may show here: read the page again as this
        tab's user. False when the tab no longer has one (stop following)."""
        try:
            await self._refresh()
            if self.editing_id and not self.edit_stale:
                await self._compare_edited_todo()
        except AuthenticationError:
            return False
        except (DomainError, SQLAlchemyError):
            log.warning("live update: could not refresh a page", exc_info=True)
        return True

    async def _compare_edited_todo(self) -> None:
        """Whether the todo in the edit panel still reads as the panel shows it."""
        todo_id, tz, now = self.editing_id, self._tz(), utcnow()
        try:
            view = await self._as_user(
                lambda s, user_id: queries.todo_view(s, user_id, todo_id, now, tz)
            )
        except NotFoundError:
            self.edit_stale = True  # deleted or no longer shared: "Show" says so
            return
        row = _row(view, local_today(now, tz), tz, self._locale())
        if (
            edit_fields.changed_elsewhere(self.edit_row, row)
            or row.can_edit != self.edit_row.can_edit
        ):
            self.edit_stale = True

    @rx.event
    @guarded
    async def show_edit_changes(self) -> None:
        """The panel's fields redrawn with the todo as it is now."""
        if not self.editing_id:
            return
        try:
            await self._open_edit(self.editing_id)
        except NotFoundError:  # deleted meanwhile, or no longer shared: the alert says so
            self.editing_id, self.edit_row, self.edit_stale = 0, NO_ROW, False
            raise

    async def _refresh(self, query: queries.TodoQuery | None = None) -> None:
        query = (query or queries.TodoQuery.from_params(self._params)).page(self._window)
        tz, now = self._tz(), utcnow()

        def fetch(session: Session, user_id: int) -> tuple[Any, ...]:
            visible = list_rules.visible_lists(session, user_id)
            shared = [v.id for v in visible if not v.is_own or v.member_count]
            return (
                queries.find_todos(session, user_id, query, now, tz),
                tags.list_tags(session, user_id, list_id=query.list_id),
                queries.upcoming_reminders(session, user_id, now),
                visible,
                list_rules.audience_of_lists(session, shared) | {user_id},
                queries.open_counts(session, user_id, query.list_id, now, tz),
            )

        try:
            page, tag_counts, reminders, visible, audience, counts = await self._as_user(fetch)
        except NotFoundError:
            if query.list_id is None:
                raise
            # Deleted, or no longer shared with this user: show all their lists.
            self._params.pop("list", None)
            await self._refresh(dataclasses.replace(query, list_id=None))
            self.error = LIST_UNAVAILABLE
            return
        self._show_lists(visible, query.list_id)
        self._show_views(query, counts)
        self._audience = sorted(audience)
        self._show_reminders(reminders)
        today = local_today(now, tz)
        bands = (
            queries.band_starts(page.items, today)
            if query.sort is queries.Sort.SMART
            else [""] * len(page.items)
        )
        self.todos = [
            _row(view, today, tz, self._locale(), band)
            for view, band in zip(page.items, bands, strict=True)
        ]
        self.done_ids = [
            view.todo.id for view in page.items if view.todo.completed and view.todo.id
        ]
        self.total = page.total
        self.has_more = page.has_more
        # Filters that can hide todos (not the list or the order): an empty
        # page then says so, instead of offering examples to start with.
        self.filtered = query.to_params().keys() - {"list", "sort"} != set()
        shown = {row.id for row in self.todos}
        self.selected_ids = [i for i in self.selected_ids if i in shown]
        self.tag_options = [name for name, _count in tag_counts]
        self.loaded = True

    def _show_lists(self, visible: list[list_rules.ListView], current: int | None) -> None:
        self.lists = [
            ListLink(
                id=v.id,
                name=v.name,
                href=f"/?list={v.id}",
                role=v.role.value,
                shared_by=v.owner_email or "",
                value=str(v.id),
            )
            for v in visible
        ]
        shown = next((v for v in visible if v.id == current), None)
        self.list_id = shown.id if shown else 0
        self.list_name = shown.name if shown else ALL_LISTS
        self.list_role = shown.role.value if shown else ""
        self.list_is_inbox = shown.is_inbox if shown else False

    def _show_views(self, query: queries.TodoQuery, counts: dict[queries.View, int]) -> None:
        """The smart views beside the lists: each keeps the list and filters on screen."""
        others = {k: v for k, v in query.to_params().items() if k != "view"}
        links = []
        for view, label in VIEW_LABELS:
            params = {**others, "view": view.value} if view is not queries.View.ALL else others
            links.append(
                ViewLink(
                    value=view.value,
                    label=label,
                    count=counts.get(view, 0),
                    href="/?" + urlencode(params) if params else "/",
                    icon=VIEW_ICONS[view],
                )
            )
        self.view_links = links

    async def _announce_change(self, lists_changed: bool = False) -> None:
        """To this user's other pages and those of everyone sharing a list with
        them: the pages showing this list (or all lists) refresh, or, when the
        lists themselves changed, every page of theirs."""
        users = {*self._audience, self._verified_claims().user_id}
        await self._announce_to(users, None if lists_changed else (self.list_id or None))

    @rx.event
    def set_filter(self, name: str, value: str) -> Any:
        """Change one filter by changing the URL; loading the new URL applies it."""
        return self._filtered(name, value)

    @rx.event
    def set_search(self, value: str) -> Any:
        return self._filtered("q", value)

    def _filtered(self, name: str, value: object) -> Any:
        if name not in FILTER_NAMES or not isinstance(value, str):
            return None
        params = dict(self._params)
        params[name] = "" if value in ("any", "all") else value.strip()
        wanted = queries.TodoQuery.from_params(params).to_params()
        # Now, not when the new URL has loaded: a second change made before
        # then (typing a range's end right after its start) must build on it.
        self._params = wanted
        # Replace, not push: typing in Search must not add a history entry per key.
        return rx.redirect("/?" + urlencode(wanted) if wanted else "/", replace=True)

    @rx.event
    async def show_more(self) -> Any:
        self._window = min(self._window + queries.DEFAULT_PAGE_SIZE, queries.MAX_PAGE_SIZE)
        return TodoListState.load

    # --- adding --------------------------------------------------------------------------

    @rx.event
    def preview_quick_add(self, text: str) -> None:
        """What the quick-add line will set, shown under the box while typing."""
        # A debounced preview of a line that was already added arrives late.
        if not isinstance(text, str) or text == self._just_added:
            return  # the notes of the line just added stay until the next one is typed
        self._preview(text)

    def _preview(self, text: str) -> None:
        self.quick_preview, self.quick_chips, self.quick_notes = "", [], []
        if not text.strip():
            return
        try:
            parsed = parse_quick_add(text[:600], utcnow(), self._tz(), day_first=self._day_first())
        except ValidationError:
            return
        if parsed.recognised:
            self.quick_preview = parsed.title
            parts = preview_parts(parsed, utcnow(), self._locale())
            self.quick_chips = [QuickChip(kind=kind, text=text) for kind, text in parts]
        self.quick_notes = list(parsed.notes[:MAX_QUICK_NOTES])

    @rx.event
    def try_example(self, index: int) -> list[EventSpec]:
        """An example of the empty list, put in the quick-add box to try (not added)."""
        if not isinstance(index, int) or not 0 <= index < len(QUICK_ADD_EXAMPLES):
            return []
        phrase = QUICK_ADD_EXAMPLES[index]
        self._preview(phrase)
        return [rx.set_value(NEW_TODO_INPUT_ID, phrase), rx.set_focus(NEW_TODO_INPUT_ID)]

    @rx.event
    @guarded
    @announces_change
    async def add(self, form_data: dict[str, Any]) -> Any:
        tz = self._tz()
        line = form_text(form_data, "title")[:2000]
        parsed = parse_quick_add(line, utcnow(), tz, day_first=self._day_first())
        fields = as_fields(parsed)
        list_id = self.list_id or None  # "All lists": the Inbox
        query = queries.TodoQuery.from_params(self._params).page(self._window)
        # The page on screen takes the new row itself (no second page query)
        # when it shows this list and holds what a refresh would give.
        in_place = self.loaded and query.list_id == list_id
        now, known_tags = utcnow(), set(self.tag_options)

        def create(session: Session, user_id: int) -> _Added | None:
            todo = todo_service.create_todo(
                session, user_id, parsed.title, time_zone=tz, fields=fields, list_id=list_id
            )
            if not in_place:
                return None
            placed = queries.new_todo(
                session, user_id, todo, query, now, tz, tagged=bool(parsed.tags)
            )
            return _Added(
                placed,
                # The tag filter's options and the reminders change only with
                # a new tag or a due time.
                tags.list_tags(session, user_id, list_id=query.list_id)
                if not known_tags.issuperset(placed.view.tags)
                else None,
                queries.upcoming_reminders(session, user_id, now) if todo.due_at else None,
            )

        added = await self._as_user(create)
        if self.quick_preview or self.quick_chips:
            self.quick_preview, self.quick_chips = "", []
        self._just_added = line
        notes = list(parsed.notes[:MAX_QUICK_NOTES])  # what was saved without
        if notes != self.quick_notes:
            self.quick_notes = notes
        if added is None or not self._show_added(added, query, now, tz):
            await self._refresh()
        # Cleared only on success: a rejected title stays in the box to fix.
        # (Not by re-keying the box on a counter: a reconnect re-renders the
        # page from initial state and would wipe what the user is typing.)
        return rx.set_value(NEW_TODO_INPUT_ID, "")

    def _show_added(self, added: _Added, query: queries.TodoQuery, now: datetime, tz: str) -> bool:
        """Put a todo just created into the page on screen as a refresh would show
        it; False when only the page query can tell where it goes."""
        placed = added.placed
        if placed.matches:
            today = local_today(now, tz)
            done = set(self.done_ids)
            bands = [
                queries.band_of_row(
                    row.id in done,
                    row.overdue,
                    date.fromisoformat(row.due_date) if row.due_date else None,
                    today,
                )
                for row in self.todos
            ]
            band = queries.band_of(placed.view, today)
            position = queries.new_row_position(query.sort, band, bands)
            if position is None:
                return False
            if position < len(bands) or not self.has_more:
                rows = list(self.todos)
                rows.insert(position, _row(placed.view, today, tz, self._locale()))
                bands.insert(position, band)
                if len(rows) > query.limit:  # the last row leaves the window
                    rows.pop()
                    bands.pop()
                    self.has_more = True
                smart = query.sort is queries.Sort.SMART
                starts = queries.headings(bands) if smart else [""] * len(rows)
                self.todos = [
                    row if row.band == start else dataclasses.replace(row, band=start)
                    for row, start in zip(rows, starts, strict=True)
                ]
            self.total += 1
        if placed.views:
            self.view_links = [
                dataclasses.replace(link, count=link.count + 1)
                if queries.View(link.value) in placed.views
                else link
                for link in self.view_links
            ]
        if added.tag_counts is not None:
            self.tag_options = [name for name, _count in added.tag_counts]
        if added.reminders is not None:
            self._show_reminders(added.reminders)
        return True

    def _show_reminders(self, reminders: Sequence[tuple[int, str, datetime]]) -> None:
        self.reminders_json = json.dumps(
            [
                {"id": todo_id, "title": title, "at": int(at.timestamp() * 1000)}
                for todo_id, title, at in reminders
            ]
        )

    # --- completing, editing, deleting ---------------------------------------------------

    @rx.event
    @guarded
    @announces_change
    async def toggle(self, todo_id: int, completed: bool) -> Any:
        if completed is not True:
            await self._as_user(
                lambda s, user_id: todo_service.set_completed(s, user_id, todo_id, completed)
            )
            self.done_ids = [i for i in self.done_ids if i != todo_id]
            return None
        # The occurrence this page shows: a page that is behind (a double click,
        # another tab) does not roll a repeating todo on twice.
        seen = next((row.due_date for row in self.todos if row.id == todo_id), "")
        occurrence = date.fromisoformat(seen) if seen else None
        done = await self._as_user(
            lambda s, user_id: todo_service.complete(s, user_id, todo_id, occurrence=occurrence)
        )
        title = done.todo.title
        if done.rollover is not None:
            await self._refresh()  # same row, next date (and its place in the order)
            today = local_today(utcnow(), self._tz())
            next_due = date_label(done.rollover.now.date, today, locale=self._locale())
            self._offer_undo(
                f"Completed “{title}” · next: {next_due}.",
                UndoKind.ROLL_BACK,
                rollover=done.rollover,
            )
        elif done.todo.completed:
            self.done_ids = [*self.done_ids, todo_id]
            self._offer_undo(f"Completed “{title}”.", UndoKind.REOPEN, todo_id=todo_id)
        else:
            await self._refresh()  # that occurrence was completed elsewhere already
        return None

    # --- the edit panel: each field saved as the user leaves it -------------------------

    @rx.event
    @guarded
    async def start_edit(self, todo_id: int) -> None:
        await self._open_edit(todo_id)

    async def _open_edit(self, todo_id: int) -> None:
        tz, now = self._tz(), utcnow()

        def fetch(session: Session, user_id: int) -> tuple[Any, queries.TodoView]:
            return (
                subtasks.list_subtasks(session, user_id, todo_id),
                queries.todo_view(session, user_id, todo_id, now, tz),
            )

        items, view = await self._as_user(fetch)
        self.subtasks = [SubtaskRow(id=i.id or 0, title=i.title, done=i.done) for i in items]
        self.edit_row = _row(view, local_today(now, tz), tz, self._locale())
        self.edit_status, self.edit_stale = "", False
        self.editing_id, self.edit_key = todo_id, f"{todo_id}-{uuid.uuid4().hex[:8]}"

    @rx.event
    @guarded
    async def cancel_edit(self) -> None:
        """Closes the panel (what was changed is saved already)."""
        self.editing_id, self.edit_row, self.edit_status = 0, NO_ROW, ""
        await self._refresh()  # subtask progress may have changed

    @rx.event
    @guarded
    async def save_field(self, field: str, value: str) -> Any:
        """One field of the panel, left: its change saved (nothing if unchanged)."""
        if not self.editing_id:
            return UNCHANGED
        return await self._save_change(edit_fields.field_change(field, value, self.edit_row))

    @rx.event
    @guarded
    async def save_due(self, due_date: str, due_time: str) -> Any:
        """The due date or time, left: both saved together (a time needs its date)."""
        if not self.editing_id:
            return UNCHANGED
        change = edit_fields.due_change(due_date, due_time, self.edit_row, self._tz())
        return await self._save_change(change)

    @rx.event
    @guarded
    async def add_edit_tags(self, typed: str) -> Any:
        """Tags typed in the panel's tag box ("home, errands") as it is left, or a
        suggestion clicked."""
        return await self._add_tags(typed)

    @rx.event
    @guarded
    async def submit_edit_tag(self, form_data: dict[str, Any]) -> Any:
        """Enter in the panel's tag box."""
        return await self._add_tags(form_text(form_data, "new_tag"))

    async def _add_tags(self, typed: str) -> Any:
        if not self.editing_id or not typed.strip():
            return UNCHANGED  # an empty tag box left
        await self._save_change(edit_fields.with_tags(self.edit_row, typed))
        return rx.set_value(EDIT_TAG_INPUT_ID, "")

    @rx.event
    @guarded
    async def remove_edit_tag(self, name: str) -> None:
        if self.editing_id:
            await self._save_change(edit_fields.without_tag(self.edit_row, name))

    async def _save_change(self, change: edit_fields.Change | None) -> Unchanged | None:
        todo_id, tz, now = self.editing_id, self._tz(), utcnow()
        if change is None:
            return UNCHANGED  # left as it was: nothing written, nobody told

        def save(session: Session, user_id: int) -> queries.TodoView:
            todo_service.update_todo(
                session,
                user_id,
                todo_id,
                title=change.title,
                description=change.description,
                fields=change.fields,
            )
            if change.move_to is not None:  # core checks both lists
                todo_service.move_todo(session, user_id, todo_id, change.move_to)
            return queries.todo_view(session, user_id, todo_id, now, tz)

        view = await self._as_user(save)
        self.edit_row = _row(view, local_today(now, tz), tz, self._locale())
        self.edit_status = "Saved"
        await self._refresh()
        await self._announce_change(lists_changed=change.move_to is not None)
        return None

    @rx.var
    def edit_tag_suggestions(self) -> list[str]:
        """The user's tags the edited todo does not wear yet."""
        return [name for name in self.tag_options if name not in self.edit_row.tags][:20]

    # --- subtasks (of the todo being edited) ---------------------------------------------

    @rx.event
    @guarded
    @announces_change
    async def add_subtask(self, form_data: dict[str, Any]) -> Any:
        todo_id, title = self.editing_id, form_text(form_data, "subtask")
        await self._as_user(lambda s, user_id: subtasks.add_subtask(s, user_id, todo_id, title))
        await self._load_subtasks()
        return rx.set_value(NEW_SUBTASK_INPUT_ID, "")

    @rx.event
    @guarded
    @announces_change
    async def toggle_subtask(self, subtask_id: int, done: bool) -> None:
        await self._as_user(
            lambda s, user_id: subtasks.set_subtask_done(s, user_id, subtask_id, done)
        )
        await self._load_subtasks()

    @rx.event
    @guarded
    @announces_change
    async def delete_subtask(self, subtask_id: int) -> None:
        await self._as_user(lambda s, user_id: subtasks.delete_subtask(s, user_id, subtask_id))
        await self._load_subtasks()

    async def _load_subtasks(self) -> None:
        todo_id = self.editing_id
        items = await self._as_user(lambda s, user_id: subtasks.list_subtasks(s, user_id, todo_id))
        self.subtasks = [SubtaskRow(id=i.id or 0, title=i.title, done=i.done) for i in items]

    # --- bulk ----------------------------------------------------------------------------

    @rx.event
    def select(self, todo_id: int, chosen: bool) -> None:
        # Only rows on screen (at most the window's 200): a crafted event
        # cannot grow the selection.
        if any(row.id == todo_id for row in self.todos):
            self.selected_ids = toggled(self.selected_ids, todo_id, chosen)

    @rx.event
    def clear_selection(self) -> None:
        self.selected_ids = []

    @rx.event
    def toggle_selecting(self) -> None:
        """Selection is a mode: its boxes show only while it is on."""
        self.selecting = not self.selecting
        self.selected_ids = []

    @rx.event
    @guarded
    @announces_change
    async def complete_selected(self) -> None:
        ids = list(self.selected_ids)
        await self._as_user(lambda s, user_id: bulk.complete_all(s, user_id, ids))
        self.selected_ids, self.selecting = [], False
        await self._refresh()

    @rx.event
    @guarded
    @announces_change
    async def delete_selected(self) -> Any:
        ids = list(self.selected_ids)
        snapshots = await self._as_user(lambda s, user_id: bulk.delete_all(s, user_id, ids))
        self.selected_ids, self.selecting = [], False
        await self._refresh()
        self._offer_undo(f"Deleted {len(snapshots)} todos.", UndoKind.RESTORE, snapshots=snapshots)

    @rx.event
    @guarded
    @announces_change
    async def tag_selected(self, form_data: dict[str, Any]) -> Any:
        ids, name = list(self.selected_ids), form_text(form_data, "bulk_tag")
        await self._as_user(lambda s, user_id: bulk.tag_all(s, user_id, ids, name))
        self.selected_ids, self.selecting = [], False
        await self._refresh()
        return rx.set_value(BULK_TAG_INPUT_ID, "")

    # --- the tag list --------------------------------------------------------------------

    @rx.event
    @guarded
    @announces_change
    async def rename_tag(self, form_data: dict[str, Any]) -> None:
        old, new = form_text(form_data, "old_name"), form_text(form_data, "new_name")
        await self._as_user(lambda s, user_id: tags.rename_tag(s, user_id, old, new))
        await self._after_tag_change(old)

    @rx.event
    @guarded
    @announces_change
    async def delete_tag(self, name: str) -> None:
        await self._as_user(lambda s, user_id: tags.delete_tag(s, user_id, name))
        await self._after_tag_change(name)

    async def _after_tag_change(self, old: str) -> None:
        if self.tag == old.lstrip("#").lower():  # the filter named a tag that is gone
            self._params.pop("tag", None)
            self.tag = "any"
        await self._refresh()

    @rx.event
    def toggle_shortcuts(self) -> None:
        # No control sends it now ("?" clicks the dialog's trigger); kept as the
        # event that always answers, by which the security replays see a tab settle.
        self.show_shortcuts = not self.show_shortcuts

    @rx.event
    def toggle_nav(self) -> None:
        self.nav_open = not self.nav_open

    @rx.event
    def toggle_filters(self) -> None:
        self.filters_open = not self.filters_open

    @rx.event
    def set_shortcuts_open(self, is_open: bool) -> None:
        self.show_shortcuts = is_open is True

    @rx.event
    @guarded
    @announces_change
    async def save_edit(self, form_data: dict[str, Any]) -> None:
        todo_id = self.editing_id
        tz = self._tz()
        due = parse_due(form_text(form_data, "due_date"), form_text(form_data, "due_time"), tz)
        rule = edit_fields.repeat_rule(form_text(form_data, "repeat") or "none", due)
        # The panel saves tags as they are added or removed; a form without them keeps them.
        typed_tags = form_text(form_data, "tags") if "tags" in form_data else None
        fields = todo_service.clean_fields(
            priority=form_text(form_data, "priority") or "none",
            due=due,
            tags=todo_service.KEEP
            if typed_tags is None
            else [name for name in typed_tags.split(",") if name.strip()],
            recurrence=rule,
        )
        title, description = form_text(form_data, "title"), form_text(form_data, "description")
        target = edit_fields.list_choice(form_text(form_data, "list"))

        def save(session: Session, user_id: int) -> None:
            todo_service.update_todo(
                session, user_id, todo_id, title=title, description=description, fields=fields
            )
            if target is not None:  # the same list is no move; core checks both lists
                todo_service.move_todo(session, user_id, todo_id, target)

        await self._as_user(save)
        self.editing_id, self.edit_row, self.edit_status = 0, NO_ROW, ""
        await self._refresh()
        if target is not None:
            await self._announce_change(lists_changed=True)  # pages of the other list too

    @rx.event
    @guarded
    @announces_change
    async def delete(self, todo_id: int) -> Any:
        snapshot = await self._as_user(
            lambda s, user_id: todo_service.delete_todo(s, user_id, todo_id)
        )
        await self._refresh()
        self._offer_undo(f"Deleted “{snapshot.title}”.", UndoKind.RESTORE, snapshots=[snapshot])

    # --- undo ----------------------------------------------------------------------------

    def _offer_undo(
        self,
        label: str,
        kind: UndoKind,
        *,
        todo_id: int = 0,
        snapshots: Sequence[todo_service.TodoSnapshot] = (),
        rollover: todo_service.Rollover | None = None,
    ) -> None:
        self._show_offer(UndoOffer(kind, todo_id, tuple(snapshots), rollover=rollover), label)

    def _offer_list_undo(self, label: str, snapshot: list_rules.ListSnapshot) -> None:
        self._show_offer(UndoOffer(UndoKind.RESTORE_LIST, list_snapshot=snapshot), label)

    def _show_offer(self, offer: UndoOffer, label: str) -> None:
        """The toast shows it for UNDO_SECONDS and then hides itself in the page;
        no timer runs on the server: a stale offer is refused (undo) or dropped
        (the next page load) when it is next looked at."""
        self._undo, self._undo_until = offer, time.time() + UNDO_SECONDS + UNDO_GRACE_SECONDS
        self.undo_label = label
        self.undo_serial += 1

    def _forget_stale_undo(self) -> None:
        if self._undo is not None and time.time() > self._undo_until:
            self._undo = None
            if self.undo_label:
                self.undo_label = ""

    @rx.event
    @guarded
    @announces_change
    async def undo(self) -> None:
        offer, label = self._undo, self.undo_label
        self._undo, self.undo_label = None, ""
        if offer is None or time.time() > self._undo_until:
            return  # expired, or undone already (a double click)

        def reverse(session: Session, user_id: int) -> None:
            if offer.kind is UndoKind.REOPEN:
                todo_service.reopen(session, user_id, offer.todo_id)
            elif offer.rollover is not None:
                todo_service.roll_back(session, user_id, offer.rollover)
            elif offer.list_snapshot is not None:
                list_rules.restore_list(session, user_id, offer.list_snapshot)
            else:
                for snapshot in offer.snapshots:
                    todo_service.restore(session, user_id, snapshot)

        try:
            await self._as_user(reverse)
        except AuthenticationError:
            # Not verified yet: the offer stays for this event's replay once the
            # page has sent its token again.
            self._undo, self.undo_label = offer, label
            raise
        await self._refresh()
        if offer.kind is UndoKind.RESTORE_LIST:
            await self._announce_change(lists_changed=True)  # its members get it back

    @rx.event
    def expire_undo(self) -> None:
        """Drops an offer whose time is up (no control sends it any more: the toast
        hides itself; kept for pages loaded before that change)."""
        self._forget_stale_undo()

    @rx.event
    def dismiss_undo(self) -> None:
        self._undo, self.undo_label = None, ""
