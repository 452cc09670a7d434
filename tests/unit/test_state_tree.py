"""Which Reflex states a todo event loads from Redis (and may save back).

Reflex's Redis state manager loads the event's state with its parents and all
its substates (StateManagerRedis._get_required_state_classes, read here as the
manager itself calls it). The assistant's conversation must not ride along with
every add and toggle.
"""

from __future__ import annotations

from typing import Any, cast

from reflex.istate.manager.redis import StateManagerRedis

from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.session import SessionState
from todo_app.ui.state.todos import TodoListState


def _loaded_with(state: type) -> set[type]:
    # No Redis needed: the method only walks the state classes.
    manager: StateManagerRedis = object.__new__(cast(Any, StateManagerRedis))
    return set(manager._get_required_state_classes(state, subclasses=True))


def test_a_todo_event_does_not_load_the_assistant() -> None:
    loaded = _loaded_with(TodoListState)
    assert TodoListState in loaded
    assert SessionState in loaded  # the token and the user's time zone
    assert AssistantState not in loaded


def test_an_assistant_event_does_not_load_the_todo_list_until_it_asks_for_it() -> None:
    loaded = _loaded_with(AssistantState)
    assert AssistantState in loaded
    assert TodoListState not in loaded
