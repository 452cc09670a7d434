"""How the suite shares two cores: pytest-xdist workers (``-n``), each with its
own Redis database, and the tests grouped so that what is costly to start
starts once.

The container rehearsal holds the host's port 30080 and takes minutes to build
and start, and ``reflex run`` compiles into the checkout's ``.web``: each runs
on one worker only, with every test that needs it. Any other test goes with its
module, so module-scoped rehearsals start once (each worker starts its own
session rehearsal).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

# Redis has 16 databases by default; a worker's is its index above the base.
MAX_REDIS_DB = 15

# Fixtures that are costly or hold a fixed port, and the target names that
# `live_app` takes for them.
SOLO_FIXTURES = {"container_rehearsal": "containers", "dev_app": "reflex-run"}


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


def xdist_group_of(item: pytest.Item) -> str:
    """The group of tests that must run on the same worker as this one."""
    callspec = getattr(item, "callspec", None)
    target = callspec.params.get("live_app") if callspec is not None else None
    names = set(getattr(item, "fixturenames", ()))
    for fixture, group in SOLO_FIXTURES.items():
        if fixture in names or target == group:
            return group
    return item.nodeid.split("::")[0]
