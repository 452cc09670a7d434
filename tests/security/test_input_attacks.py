"""Input that once broke the page ("An error occurred", a traceback in the log):
each is sent again, over the socket or ``/_upload`` of the process rehearsal,
and must come back as a sentence (or be ignored) with nothing changed.

- a ``todo_tz`` cookie naming a folder of the zone database ("America", "Etc");
- a link with ``?q=%00``;
- handlers called with lists, 2**64, floats and null where they take other types
  (every handler and form field, one by one; tests/security/test_fuzzed_events.py
  adds random payloads);
- an import holding a lone surrogate or the zone "America";
- Suggest choices sent without a login, to grow the tab's server state.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
import socketio
from sqlalchemy import Engine

from scripts.process_rehearsal import Rehearsal
from tests.security.conftest import LogWatch, backend_logs, new_account, settled, titles_of
from tests.support.reflex_client import (
    NAMESPACE,
    ReflexClient,
    delta_value,
    delta_values,
    run_in_own_loop,
    state_key,
)
from todo_app.core import subtasks, tags
from todo_app.core import todos as todo_service
from todo_app.core.db import session_scope
from todo_app.ui.state.api_tokens import ApiTokensState
from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.auth import AuthState
from todo_app.ui.state.session import UNEXPECTED_ERROR, SessionState
from todo_app.ui.state.todos import TodoListState
from todo_app.ui.state.transfer import TransferState


def _errors(replies: list[dict[str, Any]]) -> list[str]:
    return [str(error) for error in delta_values(replies, SessionState, "error")]


@pytest.mark.parametrize("zone_name", ["America", "Etc"])
def test_a_time_zone_cookie_naming_a_folder_breaks_no_event(
    rehearsal: Rehearsal, rehearsal_db: Engine, zone_name: str
) -> None:
    account = new_account(rehearsal_db, rehearsal.jwt_secret, "steady")
    cookie = {state_key(SessionState, "time_zone"): zone_name}

    async def visit() -> list[dict[str, Any]]:
        tab = ReflexClient(rehearsal.url, account.token, storage=cookie)
        await tab.connect()
        try:
            await tab.emit(TodoListState, "load", {})
            await tab.emit(TodoListState, "preview_quick_add", {"text": "Dentist tomorrow 9am"})
            await tab.emit(TodoListState, "add", {"form_data": {"title": "Dentist tomorrow 9am"}})
            await tab.emit(TodoListState, "start_edit", {"todo_id": account.todo_ids["steady"]})
            return await settled(tab)
        finally:
            await tab.close()

    replies = run_in_own_loop(visit())
    assert not any(_errors(replies)), _errors(replies)
    assert "zoneinfo" not in str(replies)  # the path of the zone database never shows
    added = delta_value(replies, TodoListState, "todos")
    assert added[0]["title"] == "Dentist" and added[0]["due_time"] == "09:00"  # read as UTC
    assert titles_of(rehearsal_db, account.user_id) == ["Dentist", "steady"]


def test_a_link_with_a_nul_in_its_search_lists_the_todos(
    rehearsal: Rehearsal, rehearsal_db: Engine
) -> None:
    account = new_account(rehearsal_db, rehearsal.jwt_secret, "report", "other")

    async def follow_the_link() -> list[dict[str, Any]]:
        tab = ReflexClient(rehearsal.url, account.token)
        await tab.connect()
        try:
            await tab.emit(TodoListState, "load", {}, path="/?q=rep%00ort")
            return await tab.drain()
        finally:
            await tab.close()

    replies = run_in_own_loop(follow_the_link())
    assert not any(_errors(replies)), _errors(replies)
    assert [row["title"] for row in delta_value(replies, TodoListState, "todos")] == ["report"]


# --- every handler, every argument and form field, each wrong type -------------------

# (A NUL is text of the right type that PostgreSQL cannot store.)
HOSTILE: list[Any] = [["a", "list"], 2**64, 1.5, None, "a NUL \x00 in it"]
# Not swept: each call would count as a log-in or sign-up attempt of the shared test
# address (the throttle's caps); they read their forms with _field/_credentials,
# which take anything that is not text for "". import_json takes files, not a payload.
NOT_SWEPT = {"log_in", "sign_up", "change_password", "delete_account", "import_json"}
STATES: list[Any] = [
    SessionState,
    AuthState,
    TodoListState,
    AssistantState,
    TransferState,
    ApiTokensState,
]
SAVE_EDIT_FORM = {
    "title": "Sturdy",
    "description": "",
    "due_date": "",
    "due_time": "",
    "repeat": "none",
    "priority": "none",
    "tags": "",
}
# A valid call of each handler: (state, handler) -> payload. {todo} is the todo's id.
VALID_CALLS: dict[tuple[Any, str], dict[str, Any]] = {
    (TodoListState, "add"): {"form_data": {"title": "x"}},
    (TodoListState, "add_subtask"): {"form_data": {"subtask": "x"}},
    (TodoListState, "tag_selected"): {"form_data": {"bulk_tag": "x"}},
    (TodoListState, "rename_tag"): {"form_data": {"old_name": "x", "new_name": "y"}},
    (TodoListState, "save_edit"): {"form_data": SAVE_EDIT_FORM},
    (AssistantState, "ask"): {"form_data": {"question": "x"}},
    (TodoListState, "delete"): {"todo_id": "{todo}"},
    (TodoListState, "delete_subtask"): {"subtask_id": 1},
    (TodoListState, "delete_tag"): {"name": "x"},
    (TodoListState, "preview_quick_add"): {"text": "x"},
    (TodoListState, "select"): {"todo_id": "{todo}", "chosen": True},
    (TodoListState, "start_edit"): {"todo_id": "{todo}"},
    (TodoListState, "save_field"): {"field": "title", "value": "Sturdy"},
    (TodoListState, "save_due"): {"due_date": "", "due_time": ""},
    (TodoListState, "add_edit_tags"): {"typed": "x"},
    (TodoListState, "submit_edit_tag"): {"form_data": {"new_tag": "x"}},
    (TodoListState, "remove_edit_tag"): {"name": "x"},
    (TodoListState, "toggle"): {"todo_id": "{todo}", "completed": True},
    (TodoListState, "toggle_subtask"): {"subtask_id": 1, "done": True},
    (TodoListState, "set_filter"): {"name": "q", "value": "x"},
    (TodoListState, "set_search"): {"value": "x"},
    (AssistantState, "accept"): {"key": "s0", "chosen": True},
    (AssistantState, "suggest"): {"todo_id": "{todo}"},
    (TransferState, "export"): {"kind": "json"},
    (TodoListState, "try_example"): {"index": 0},
    (TodoListState, "set_shortcuts_open"): {"is_open": True},
    (ApiTokensState, "create_token"): {
        "form_data": {"token_name": "x", "scope": "Read", "expiry": "30 days"}
    },
    (ApiTokensState, "revoke_token"): {"token_id": 1},
}
# What the page has done before these handlers can get far: an edit open, a selection.
# (Sent at most this fast: the socket's event rate limit would drop events unseen.)
EVENTS_PER_SECOND = 25
NEEDS_EDIT = {
    "add_subtask",
    "save_edit",
    "save_field",
    "save_due",
    "add_edit_tags",
    "submit_edit_tag",
    "remove_edit_tag",
}
NEEDS_SELECTION = {"tag_selected"}


def _handlers_with_arguments() -> set[tuple[Any, str]]:
    """Each state's own handlers (Reflex's generic ``setvar`` aside) that take arguments."""
    return {
        (state, name)
        for state in STATES
        for name, handler in state.event_handlers.items()
        if name not in NOT_SWEPT | {"setvar"}
        and len(inspect.signature(handler.fn).parameters) > 1  # beyond self
    }


def _targets(payload: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """Each argument, and each field of a form argument."""
    for name, value in payload.items():
        yield (name,)
        if isinstance(value, dict):
            for field in value:
                yield (name, field)


def _with(payload: dict[str, Any], target: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(payload))
    if len(target) == 1:
        changed[target[0]] = value
    else:
        changed[target[0]][target[1]] = value
    return changed


async def _alerts_after(
    tab: ReflexClient,
    setup: list[tuple[str, dict[str, Any]]],
    state: Any,
    handler: str,
    payloads: list[dict[str, Any]],
) -> list[str]:
    """The page's alert after the setup events then each payload, sent at an honest pace."""
    started = time.monotonic()
    for name, arguments in setup:
        await tab.emit(TodoListState, name, arguments)
    for payload in payloads:
        await tab.emit(state, handler, payload)
    errors = _errors(await settled(tab))
    if state.event_handlers[handler].is_background:
        # Not in the tab's queue: its answers may come after the last event's.
        def all_answered(more: list[dict[str, Any]]) -> bool:
            return sum(map(bool, errors + _errors(more))) >= len(payloads)

        errors += _errors(await tab.receive_until(all_answered, timeout=10))
    sent = len(setup) + len(payloads) + 1
    await asyncio.sleep(max(0.0, sent / EVENTS_PER_SECOND - (time.monotonic() - started)))
    return errors


def test_the_sweep_covers_every_handler_that_takes_arguments() -> None:
    assert set(VALID_CALLS) == _handlers_with_arguments()


def test_wrong_types_in_any_argument_or_form_field_get_a_sentence_and_change_nothing(
    rehearsal: Rehearsal, rehearsal_db: Engine
) -> None:
    account = new_account(rehearsal_db, rehearsal.jwt_secret, "Sturdy")
    todo_id = account.todo_ids["Sturdy"]
    watch = LogWatch(backend_logs(rehearsal))

    def resolved(payload: dict[str, Any]) -> dict[str, Any]:
        filled: dict[str, Any] = json.loads(json.dumps(payload).replace('"{todo}"', str(todo_id)))
        return filled

    async def sweep() -> tuple[dict[str, list[str]], list[str], bool]:
        tab = ReflexClient(rehearsal.url, account.token)
        await tab.connect()
        found: dict[str, list[str]] = {}
        try:
            for (state, handler), valid in VALID_CALLS.items():
                setup = [("start_edit", {"todo_id": todo_id})] if handler in NEEDS_EDIT else []
                if handler in NEEDS_SELECTION:
                    setup.append(("select", {"todo_id": todo_id, "chosen": True}))
                for target in _targets(valid):
                    payloads = [_with(resolved(valid), target, value) for value in HOSTILE]
                    found[f"{handler}({'.'.join(target)})"] = await _alerts_after(
                        tab, setup, state, handler, payloads
                    )
            late = _errors(await tab.drain(first_seconds=1, quiet_seconds=0.3))
            return found, late, NAMESPACE in tab.sio.namespaces
        finally:
            await tab.close()

    found, late, still_open = run_in_own_loop(sweep())
    assert still_open, "the server closed the socket"
    crashed = [case for case, errors in found.items() if UNEXPECTED_ERROR in errors]
    assert not crashed and UNEXPECTED_ERROR not in late, crashed
    # Every case was answered: at least its list, float and null were refused in words.
    unanswered = [case for case, errors in found.items() if not any(errors)]
    assert not unanswered, unanswered
    logged = watch.new_text()
    assert "Traceback" not in logged and "unhandled" not in logged, logged[-3000:]
    with session_scope(rehearsal_db) as session:
        todo = todo_service.get_todo(session, account.user_id, todo_id)
        assert (todo.title, todo.description, todo.completed, todo.due_date) == (
            "Sturdy",
            "",
            False,
            None,
        )
        assert tags.list_tags(session, account.user_id) == []
        assert subtasks.list_subtasks(session, account.user_id, todo_id) == []
    assert titles_of(rehearsal_db, account.user_id) == ["Sturdy"]


# --- imports --------------------------------------------------------------------------


def _export_of(entry: dict[str, Any]) -> bytes:
    return json.dumps({"format": "todo-app", "version": 1, "todos": [entry]}).encode()


HOSTILE_IMPORTS = {
    "lone surrogate": _export_of({"title": "\ud800 half a pair"}),
    "zone America": _export_of({"title": "Call", "time_zone": "America"}),
    "zone Etc": _export_of({"title": "Call", "time_zone": "Etc"}),
    "not UTF-8": b'{"format": "todo-app", "version": 1, "todos": [{"title": "\xed\xa0\x80"}]}',
}


@pytest.mark.parametrize("content", list(HOSTILE_IMPORTS.values()), ids=list(HOSTILE_IMPORTS))
def test_a_hostile_import_gets_a_sentence_imports_nothing_and_the_page_still_loads(
    rehearsal: Rehearsal, rehearsal_db: Engine, content: bytes
) -> None:
    account = new_account(rehearsal_db, rehearsal.jwt_secret, "kept")

    async def upload_then_reload() -> tuple[int, str, list[dict[str, Any]]]:
        tab = ReflexClient(rehearsal.url, account.token)  # the page's own socket is open
        await tab.connect()
        try:
            response = await tab.upload(TransferState, "import_json", "todos.json", content)
            status, body = response.status_code, response.text
        except httpx.HTTPError as error:
            status, body = 0, f"the answer broke off: {error!r}"
        finally:
            await tab.close()
        # The same tab loaded again (its client token kept), as after F5.
        again = ReflexClient(rehearsal.url, account.token, client_token=tab.client_token)
        try:
            await again.connect()
            return status, body, await again.send(TodoListState, "load")
        except (ConnectionError, socketio.exceptions.ConnectionError) as error:
            return status, body, [{"raw": f"the page no longer loads: {error!r}"}]
        finally:
            await again.close()

    status, body, reloaded = run_in_own_loop(upload_then_reload())
    assert status == 200, body
    errors = _errors([json.loads(line) for line in body.splitlines() if line.strip()])
    assert errors and errors[-1] and errors[-1] != UNEXPECTED_ERROR, body
    assert "zoneinfo" not in body
    assert "kept" in str(delta_value(reloaded, TodoListState, "todos")), reloaded
    assert titles_of(rehearsal_db, account.user_id) == ["kept"]


# --- state grown without a login -------------------------------------------------------


def test_suggest_choices_sent_without_a_login_do_not_grow_the_server_state(
    rehearsal: Rehearsal,
) -> None:
    """Once: 200 such events of 0.5 MB grew a backend by 63 MB, kept for an hour."""
    chunk = "k" * 90_000  # under the payload size cap: the handler itself must refuse it

    async def attack() -> tuple[str, list[dict[str, Any]]]:
        anonymous = ReflexClient(rehearsal.url, "")  # never logged in
        await anonymous.connect()
        try:
            for n in range(10):
                await anonymous.emit(
                    AssistantState, "accept", {"key": f"{n}{chunk}", "chosen": True}
                )
            return anonymous.client_token, await settled(anonymous)
        finally:
            await anonymous.close()

    client_token, replies = run_in_own_loop(attack())
    assert not delta_value(replies, AssistantState, "accepted")
    with redis.Redis.from_url(rehearsal.redis_url) as store:
        sizes = [store.strlen(key) for key in store.scan_iter(match=f"{client_token}_*")]
    assert sizes, "no state stored for the tab"
    assert sum(sizes) < 64_000, sizes
