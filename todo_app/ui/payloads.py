"""Every event's payload checked against its handler's signature, in one place.

Any handler can be called by a crafted websocket message with any arguments.
Before a handler of this app runs, its arguments are validated (pydantic,
strict: the page sends JSON of the right types, so "yes" is no bool, "5" no
id, a list no int, null no text), unknown or missing arguments refused, and
their size bounded. A payload that does
not fit never reaches the handler: the page gets a sentence in its alert.
Ranges and meaning (an id of a todo of yours, a title's length) stay with the
core services, where every path checks them.
"""

from __future__ import annotations

import functools
import inspect
import logging
import typing
from typing import Any

import reflex as rx
from pydantic import TypeAdapter, ValidationError
from reflex.event import Event
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate

from todo_app.ui.state.session import SessionState

log = logging.getLogger(__name__)

NOT_UNDERSTOOD = "That request was not understood. Nothing was changed."
# No field of this app takes more text than an imported file's worth.
MAX_ARGUMENT_CHARS = 100_000


# Per parameter: its validator, and whether the call must give it.
Checks = dict[str, tuple[TypeAdapter[Any], bool]]


@functools.lru_cache(maxsize=512)
def _parameters(state_name: str, handler_name: str) -> Checks | None:
    """Each parameter's validator and whether it is required; None: not ours."""
    try:
        state = rx.State.get_class_substate(state_name)
        handler = state.event_handlers[handler_name]
    except (ValueError, KeyError):
        return None
    fn = handler.fn
    hints = typing.get_type_hints(fn, include_extras=False)
    checks: Checks = {}
    for name, parameter in list(inspect.signature(fn).parameters.items())[1:]:  # not self
        hint = hints.get(name, Any)
        adapter = TypeAdapter(hint, config={"arbitrary_types_allowed": True, "strict": True})
        checks[name] = (adapter, parameter.default is inspect.Parameter.empty)
    return checks


def check_payload(
    state_name: str,
    handler_name: str,
    payload: dict[str, Any],
    given_by_reflex: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The payload, validated and converted; raises ValueError when it does not fit.
    ``given_by_reflex``: parameters Reflex fills itself (an upload's files)."""
    checks = _parameters(state_name, handler_name)
    if checks is None:
        raise ValueError(f"no handler {handler_name}")
    if set(payload) - set(checks):
        raise ValueError("unknown arguments")
    checked: dict[str, Any] = {}
    for name, (adapter, required) in checks.items():
        if name in given_by_reflex:
            continue
        if name not in payload:
            if required:
                raise ValueError(f"missing {name}")
            continue
        value = payload[name]
        if len(repr(value)) > MAX_ARGUMENT_CHARS:
            raise ValueError(f"{name} too large")
        if not _is_storable_text(value):
            # A lone surrogate ("\ud800" in JSON) would make every later reply
            # of this tab unencodable; PostgreSQL refuses it and NUL ("\u0000")
            # in text, failing the transaction instead of the input.
            raise ValueError(f"{name} is not valid text")
        checked[name] = adapter.validate_python(value)
    return checked


def _is_storable_text(value: object) -> bool:
    """No lone surrogate and no NUL in any string of ``value`` (nested lists and
    dicts too)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_is_storable_text(k) and _is_storable_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_is_storable_text(item) for item in value)
    return True


class PayloadCheck(Middleware):
    """``app.add_middleware(PayloadCheck())``: only this app's own states."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        state_name, _, handler_name = event.name.rpartition(".")
        if not state_name.startswith(SessionState.get_full_name()):
            return None  # Reflex's own events (hydrate, storage updates, page loads)
        try:
            # Upload handlers get their files from Reflex, not from the payload;
            # what the page bound besides them is checked like any argument.
            if _is_upload(event):
                arguments = {k: v for k, v in event.payload.items() if k != "files"}
                checked = check_payload(state_name, handler_name, arguments, frozenset({"files"}))
            else:
                checked = check_payload(state_name, handler_name, event.payload)
            event.payload.update(checked)
        except (ValueError, ValidationError, TypeError) as error:
            log.info("refused a payload for %s: %s", handler_name, type(error).__name__)
            session = await state.get_state(SessionState)
            session.error = NOT_UNDERSTOOD
            return StateUpdate(delta=state.get_delta())
        return None


def _is_upload(event: Event) -> bool:
    """Files Reflex read from /_upload; a websocket message cannot carry these."""
    files = event.payload.get("files")
    return isinstance(files, list) and all(isinstance(f, rx.UploadFile) for f in files)
