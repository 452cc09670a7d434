"""Running core services from event handlers: off the event loop, errors as sentences."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from todo_app.core.errors import AuthenticationError, DomainError
from todo_app.ui.state.session import SessionMissing, SessionState

log = logging.getLogger(__name__)

S = TypeVar("S", bound=SessionState)
P = ParamSpec("P")
R = TypeVar("R")

DATABASE_DOWN = "We could not reach the database. Nothing was changed; please try again shortly."


class Unchanged:
    """What a guarded handler returns when it changed nothing (a field of the edit
    panel left as it was): the alert shown stays, since what it says is still
    true (the field beside it may still hold the value it refused)."""


UNCHANGED = Unchanged()


def guarded(
    handler: Callable[Concatenate[S, P], Awaitable[Any]],
) -> Callable[Concatenate[S, P], Awaitable[Any]]:
    """Turn domain errors into the page's alert, and a bad token into a log-out."""

    @functools.wraps(handler)
    async def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> Any:
        shown = self.error
        self.error = ""
        try:
            result = await handler(self, *args, **kwargs)
            if result is UNCHANGED:
                self.error = shown
                return None
            return result
        except SessionMissing:
            # Lost server state (e.g. Redis flushed) is not a log-out: the page
            # still holds its token; recover it, then run this event again.
            return await self._recover_session(handler.__name__, args, kwargs)
        except AuthenticationError as error:
            if self._session_ended:
                # Signed out already (a page load runs several handlers): the
                # reason shown stays; _signed_out sets none the second time.
                self.error = shown
            return self._signed_out(str(error))
        except DomainError as error:
            self.error = str(error)
        except SQLAlchemyError:
            log.exception("database error in %s", handler.__qualname__)
            self.error = DATABASE_DOWN
        return None

    return wrapper


def announces_change(
    handler: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Awaitable[R]]:
    """After the handler has committed its change, the other open pages that
    show it refresh themselves (todo_app.ui.live_updates). Goes under
    ``@guarded``: a handler that fails announces nothing."""

    @functools.wraps(handler)
    async def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        result = await handler(self, *args, **kwargs)
        await self._announce_change()
        return result

    return wrapper
