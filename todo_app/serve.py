"""``python -m todo_app.serve``: the backend as the image and the rehearsal run it.

Not ``reflex run``: without a TTY it ignores SIGTERM. Here uvicorn serves the
Reflex ASGI app in this one process (one worker per pod; scale by pods), and
on SIGTERM the shutdown runs in this order:

1. stop accepting connections (Kubernetes' preStop pause has already taken
   the pod out of its Service);
2. let the events already being handled finish and send their replies over
   the still-open websockets (Reflex's event processor drains);
3. close the websockets (clients reconnect to another replica);
4. finish the events that arrived as they closed, then exit. (Reflex's
   processor would drop them: its default is to cancel at once. Their work is
   saved, and their replies reach the tab through Redis once it has reconnected
   elsewhere.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator

import uvicorn
from reflex_base import constants
from reflex_base.environment import environment
from reflex_base.event.processor.event_processor import EventProcessor

from todo_app.api.health import start_draining
from todo_app.observability.logs import configure_logging
from todo_app.settings import get_settings

log = logging.getLogger("todo_app.serve")

# preStop pause + DRAIN_SECONDS + 2 x CLOSE_SECONDS must fit in the pod's
# terminationGracePeriodSeconds (k8s/base/backend-deployment.yaml).
DRAIN_SECONDS = float(os.environ.get("SHUTDOWN_DRAIN_SECONDS", "20"))
# After the drain: how long open connections get to close before they are cut,
# and then how long the events that came in meanwhile get to finish.
CLOSE_SECONDS = int(os.environ.get("SHUTDOWN_CLOSE_SECONDS", "5"))
# How long an idle keep-alive connection stays open: longer than nginx keeps its
# idle upstream connections (keepalive_timeout 60s, deploy/nginx), so that nginx,
# not the backend, closes them. Otherwise (uvicorn's default is 5 s) nginx may
# send a request on a connection the backend is closing that instant, and a POST
# is not retried: the user gets a 502.
KEEP_ALIVE_SECONDS = 75


class DrainingServer(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # asyncio.to_thread uses the loop's default executor, which would size
        # itself from the node's CPU count; this one has the configured size.
        workers = get_settings().effective_worker_threads  # sized with the pool
        asyncio.get_running_loop().set_default_executor(
            concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="todo")
        )
        await super().startup(sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        start_draining()  # /readyz answers 503 to whoever still asks
        for server in self.servers:
            server.close()  # step 1; uvicorn's own shutdown repeats it harmlessly
        from todo_app.todo_app import app

        log.info("draining in-flight events (up to %.0fs)", DRAIN_SECONDS)
        await drain_events(app.event_processor, DRAIN_SECONDS)
        await super().shutdown(sockets)


@contextlib.asynccontextmanager
async def finish_late_events() -> AsyncIterator[None]:
    """Step 4, as the app's lifespan ends: the sockets are closed, and Reflex is
    about to stop its event processor, which cancels what is left (a tab's events
    run one at a time, so one may still wait behind another)."""
    yield
    from todo_app.todo_app import app

    await drain_events(app.event_processor, CLOSE_SECONDS)


async def drain_events(processor: EventProcessor, timeout: float) -> None:
    """Wait until queued events are dispatched and running handlers are done.

    Not ``processor.stop()``: that must run in the lifespan's context, which
    Reflex enters only after the connections have closed (too late to reply).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    with contextlib.suppress(TimeoutError):
        await processor.join(timeout=timeout)
    # _tasks: the running handler tasks (a documented attribute of EventProcessor).
    while processor._tasks and loop.time() < deadline:
        await asyncio.sleep(0.05)


def main() -> None:
    # First, so that even import-time lines are JSON in production (rxconfig
    # calls it again when Reflex loads the config: the second call replaces the first).
    configure_logging(get_settings())
    # What `reflex run --env prod --backend-only` sets: prod mode, backend only,
    # no compile (the frontend ships in its own image). Set through Reflex's API
    # (some of the names are internal) before the app module is imported.
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_BACKEND_ONLY.set(True)
    environment.REFLEX_SKIP_COMPILE.set(True)
    from todo_app.todo_app import app

    # Registered last, so that it ends first: before the event processor stops.
    app.register_lifespan_task(finish_late_events)
    config = uvicorn.Config(
        app(),  # Reflex's App() returns the ASGI app
        host=os.environ.get("HOST", "0.0.0.0"),  # noqa: S104 (a container listens on all)
        port=int(os.environ.get("PORT", "8000")),
        lifespan="on",
        ws="wsproto",
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level=os.environ.get("LOG_LEVEL", "info").lower(),
        # uvicorn's own lines go through the root handler (configure_logging)
        # instead of a handler of its own: JSON in production, secrets redacted.
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=CLOSE_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    # uvicorn re-raises the signal after its graceful shutdown; the stop was
    # asked for and completed, so the status is success rather than 143.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    DrainingServer(config).run()


if __name__ == "__main__":
    main()
