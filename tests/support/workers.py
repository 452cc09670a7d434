"""How the suite shares two cores: pytest-xdist workers (``-n``), each with its
own Redis database, and the tests scheduled in groups so that what is costly to
start starts once.

The container rehearsal holds the host's port 30080 and takes minutes to build
and start, and ``reflex run`` compiles into the checkout's ``.web``: each runs on
one worker only, with every test that needs it. Both run on the same worker, one
after the other, never side by side: starting and stopping containers adds and
removes network interfaces, and Chromium then fails the requests it has in
flight (``net::ERR_NETWORK_CHANGED``), which a ``reflex run`` page, loading
hundreds of modules from Vite, rarely escapes. That shared scope, the longest
piece of work (image builds on a fresh machine), is sent out first. Any other
test goes with its module, so module-scoped rehearsals start once (each worker
starts its own session rehearsal).

The groups are read off the test ids (xdist's ``loadgroup`` cannot be used:
with pytest 9 its marker no longer reaches the scheduler).
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from xdist.scheduler import LoadScopeScheduling

# Redis has 16 databases by default; a worker's is its index above the base.
MAX_REDIS_DB = 15

# A test of `live_app` on one of these targets has its id parameters start with
# the target's name: test_x[containers-chromium], test_y[reflex-run].
SOLO_TARGETS = re.compile(r"\[(containers|reflex-run)[-\]]")
# Modules whose every test uses the container rehearsal itself.
CONTAINER_MODULES = "tests/containers/"


def worker_index() -> int:
    """0 for the first xdist worker (gw0) or without xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)


def worker_redis_url(base_url: str) -> str:
    """The base URL's database number plus this worker's index: tests that
    flush Redis or count rate limits there see only their own worker's apps."""
    parts = urlsplit(base_url)
    database = int(parts.path.strip("/") or 0) + worker_index()
    if database > MAX_REDIS_DB:
        raise pytest.UsageError(
            f"{base_url} leaves no Redis database for worker {worker_index()}: "
            "use fewer workers (-n) or a lower database in TEST_REDIS_URL."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def group_of(nodeid: str) -> str:
    """The group of tests that must run on the same worker as this one."""
    if nodeid.startswith(CONTAINER_MODULES):
        return "containers"
    solo = SOLO_TARGETS.search(nodeid)
    return solo.group(1) if solo else nodeid.split("::", 1)[0]


SOLO_FIXTURES = {"container_rehearsal": "containers", "dev_app": "reflex-run"}
# The scope (xdist's unit of work) of both solo groups.
SOLO_SCOPE = "containers+reflex-run"


def scope_of(nodeid: str) -> str:
    """The unit of work this test is sent to a worker in."""
    group = group_of(nodeid)
    return SOLO_SCOPE if group in SOLO_FIXTURES.values() else group


def check_groups(items: list[pytest.Item]) -> None:
    """Refuses a collection where a test that needs a solo fixture would not be
    scheduled with the others that need it (a new module using it, say)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        target = callspec.params.get("live_app") if callspec is not None else None
        names = set(getattr(item, "fixturenames", ()))
        for fixture, group in SOLO_FIXTURES.items():
            if (fixture in names or target == group) and group_of(item.nodeid) != group:
                raise pytest.UsageError(
                    f"{item.nodeid} needs {fixture} but would not run in the "
                    f"{group!r} group: see tests/support/workers.py"
                )


class SoloScopeFirst(OrderedDict[str, Any]):
    """xdist's queue of scopes (it sends them out from the front), with the solo
    scope put at the front whenever it is queued."""

    def __setitem__(self, scope: str, tests: Any) -> None:
        super().__setitem__(scope, tests)
        if scope == SOLO_SCOPE:
            self.move_to_end(scope, last=False)


class GroupScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no types
    """Whole groups to a worker at a time (xdist's load-by-scope, our scopes)."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        self.workqueue = SoloScopeFirst()

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)
