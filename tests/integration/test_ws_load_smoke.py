"""The websocket load benchmark runs end to end with tiny numbers: no event fails,
and the figures print (structure only, no timings).

The command itself (``python -m benchmarks.ws_load``): its own PostgreSQL
database and backend process (Redis state), started and stopped by the benchmark.
"""

from __future__ import annotations

import re

import pytest

from benchmarks import ws_load as bench
from tests.conftest import REDIS_URL

EVENTS = 6


def test_a_tiny_run_has_no_errors_and_prints_the_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = bench.main(
        [
            *("--concurrency", "1,2", "--seconds", "5", "--events", str(EVENTS)),
            *("--redis-url", REDIS_URL),
        ]
    )

    out = capsys.readouterr().out
    print(out)  # the figures, in the test's log
    assert code == 0  # no errors
    assert bench.HEADER in out
    table = out[out.index(bench.HEADER) :]
    for operation in bench.OPERATIONS:
        for clients in (1, 2):
            # operation, clients, events, events/s, p50, p95, p99, errors 0, CPU ms/event
            figures = rf"{operation} +{clients} +(\d+) +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +0 +-?[\d.]+"
            found = re.search(figures, table)
            assert found, (operation, clients)
            assert int(found.group(1)) >= EVENTS  # each level ran its events


def test_the_command_refuses_what_it_cannot_run(capsys: pytest.CaptureFixture[str]) -> None:
    for wrong in (["--concurrency", "0"], ["--ops", "delete"], ["--backends", "0"]):
        with pytest.raises(SystemExit):
            bench.parse_args(wrong)
    assert "choose from add, toggle" in capsys.readouterr().err
