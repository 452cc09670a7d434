"""Running a coroutine from a test, whatever else runs in the test process."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a fresh thread: once a browser test has run, Playwright's
    sync API keeps an event loop running in the main thread, and asyncio.run
    there fails ("cannot be called from a running event loop")."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
