"""A socket without a login cannot flood the backends' log or write lines of its own.

Once, such a socket wrote 10 MB of log in 2 s through Reflex's frontend-exception
event, forged ``[Reflex Backend Exception]`` lines among them (the app set no
``frontend_exception_handler``). Both ways a page reports an error are used here:
the state event any crafted message can call, and the ``client_error`` socket event.
"""

from __future__ import annotations

import time

from reflex.state import FrontendEventExceptionState

from scripts.process_rehearsal import Rehearsal
from tests.security.conftest import LogWatch, backend_logs, settled
from tests.support.reflex_client import NAMESPACE, ReflexClient, run_in_own_loop

FORGED = "\n[Reflex Backend Exception]\nTraceback (most recent call last):\n  forged by a client\n"
REPORT = ("x" * 2_000 + FORGED) * 40  # about 80 KB
REPORTS = 30  # each way; under the socket's event rate limit, so all arrive
LOG_BUDGET_BYTES = 40_000  # for all of them; once, 10 MB


def test_error_reports_neither_flood_nor_forge_the_log(rehearsal: Rehearsal) -> None:
    watch = LogWatch(backend_logs(rehearsal))

    async def flood() -> None:
        anonymous = ReflexClient(rehearsal.url, "")
        await anonymous.connect()
        try:
            for _ in range(REPORTS):
                await anonymous.emit(
                    FrontendEventExceptionState,
                    "handle_frontend_exception",
                    {"info": REPORT, "component_stack": REPORT},
                )
                await anonymous.sio.emit(
                    "client_error", {"error_type": "Error", "message": REPORT}, namespace=NAMESPACE
                )
            await settled(anonymous)
        finally:
            await anonymous.close()

    run_in_own_loop(flood())
    time.sleep(0.5)
    logged = watch.new_text()
    assert len(logged.encode()) < LOG_BUDGET_BYTES, f"{len(logged.encode())} bytes"
    for line in logged.splitlines():
        assert not line.startswith(("[Reflex Backend Exception]", "Traceback", "  forged")), line
