"""The todo list page: a window of the user's todos, and small edits to it."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from todo_app.core import queries
from todo_app.core import todos as todo_service
from todo_app.core.models import Todo
from todo_app.ui.state.guard import guarded, in_session
from todo_app.ui.state.session import SessionState

NEW_TODO_INPUT_ID = "new-todo"


@dataclasses.dataclass
class TodoRow:
    """What one row of the list shows; the browser holds nothing more."""

    id: int
    title: str
    description: str
    completed: bool


def _row(todo: Todo) -> TodoRow:
    assert todo.id is not None
    return TodoRow(
        id=todo.id, title=todo.title, description=todo.description, completed=todo.completed
    )


class TodoListState(SessionState):
    # Only the window on screen is a state var: Reflex resends a changed var
    # whole, so the list must stay small whatever the user's todo count.
    todos: list[TodoRow] = []  # noqa: RUF012  (Reflex copies defaults per client)
    total: int = 0
    has_more: bool = False
    loaded: bool = False
    editing_id: int = 0
    _window: int = queries.DEFAULT_PAGE_SIZE

    @rx.var
    def shown(self) -> int:
        return len(self.todos)

    @rx.event
    @guarded
    async def load(self) -> None:
        user_id = self._user_id()
        window = self._window
        page = await in_session(lambda s: queries.list_todos(s, user_id, limit=window))
        self.todos = [_row(view.todo) for view in page.items]
        self.total = page.total
        self.has_more = page.has_more
        self.loaded = True

    @rx.event
    async def show_more(self) -> Any:
        self._window = min(self._window + queries.DEFAULT_PAGE_SIZE, queries.MAX_PAGE_SIZE)
        return TodoListState.load

    @rx.event
    @guarded
    async def add(self, form_data: dict[str, Any]) -> Any:
        user_id = self._user_id()
        title = form_data.get("title", "")
        todo = await in_session(lambda s: todo_service.create_todo(s, user_id, title))
        self.todos = [_row(todo), *self.todos]
        self.total += 1
        # Cleared only on success: a rejected title stays in the box to fix.
        # (Not by re-keying the box on a counter: a reconnect re-renders the
        # page from initial state and would wipe what the user is typing.)
        return rx.set_value(NEW_TODO_INPUT_ID, "")

    @rx.event
    @guarded
    async def toggle(self, todo_id: int, completed: bool) -> None:
        user_id = self._user_id()
        todo = await in_session(
            lambda s: todo_service.set_completed(s, user_id, todo_id, completed)
        )
        self._replace(_row(todo))

    @rx.event
    def start_edit(self, todo_id: int) -> None:
        self.error = ""
        self.editing_id = todo_id

    @rx.event
    def cancel_edit(self) -> None:
        self.editing_id = 0

    @rx.event
    @guarded
    async def save_edit(self, form_data: dict[str, Any]) -> None:
        user_id = self._user_id()
        todo_id = self.editing_id
        title = form_data.get("title", "")
        description = form_data.get("description", "")
        todo = await in_session(
            lambda s: todo_service.update_todo(
                s, user_id, todo_id, title=title, description=description
            )
        )
        self._replace(_row(todo))
        self.editing_id = 0

    @rx.event
    @guarded
    async def delete(self, todo_id: int) -> None:
        user_id = self._user_id()
        await in_session(lambda s: todo_service.delete_todo(s, user_id, todo_id))
        self.todos = [row for row in self.todos if row.id != todo_id]
        self.total = max(0, self.total - 1)

    def _replace(self, updated: TodoRow) -> None:
        self.todos = [updated if row.id == updated.id else row for row in self.todos]
