"""Readiness: this process serves and is not shutting down.

A local check on purpose. Whether PostgreSQL and Redis answer is reported at
``/_health`` for operators; making readiness depend on them would take every
replica out of its Service at once when the database blips, turning a partial
outage (pages still load, events say "try again") into a total one.
"""

from __future__ import annotations

import threading

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

_draining = threading.Event()


def start_draining() -> None:
    """Called on SIGTERM: readiness fails from now on."""
    _draining.set()


def is_draining() -> bool:
    return _draining.is_set()


async def readyz(_request: Request) -> PlainTextResponse:
    if _draining.is_set():
        return PlainTextResponse("draining\n", status_code=503)
    return PlainTextResponse("ready\n")


def health_routes() -> Starlette:
    """Mounted in front of Reflex's routes through ``api_transformer``."""
    return Starlette(routes=[Route("/readyz", readyz, methods=["GET"])])
