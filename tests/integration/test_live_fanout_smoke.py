"""The live-updates fan-out benchmark runs end to end with tiny numbers: every
page gets every change, and the figures print (structure only, no timings).

The command itself (``python -m benchmarks.live_fanout``): its own PostgreSQL
database and process rehearsal (two backend processes sharing Redis, nginx),
started and stopped by the benchmark.
"""

from __future__ import annotations

import pytest

from benchmarks import live_fanout as bench
from tests.conftest import REDIS_URL

MEMBERS, PAGES, CHANGES = 3, 6, 3


def test_a_tiny_run_updates_every_page_and_prints_the_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = bench.main(
        [
            *("--members", str(MEMBERS), "--pages", str(PAGES), "--changes", str(CHANGES)),
            *("--backends", "2", "--cpu-events", "2", "--seed-todos", "2"),
            *("--no-undo-wait", "--redis-url", REDIS_URL),
        ]
    )

    out = capsys.readouterr().out
    print(out)  # the figures, in the test's log
    assert code == 0  # no page missed a change
    assert f"{PAGES * CHANGES} of {PAGES * CHANGES} page updates arrived, misses: 0" in out
    for line in (
        "every page, every change",
        "pages on backend 0",
        "pages on backend 1",
        "last page of each change",
        "PostgreSQL (this database)",
        "backend 1: state loads",
        f"add      {bench.SOLO}",
        f"toggle   {bench.SHARED} ({MEMBERS})",
    ):
        assert line in out, line


def test_the_command_refuses_numbers_it_cannot_run(capsys: pytest.CaptureFixture[str]) -> None:
    for wrong in (["--members", "51"], ["--pages", "0"], ["--seed-todos", "-1"]):
        with pytest.raises(SystemExit):
            bench.parse_args(wrong)
    assert "--members must be 1 to 50" in capsys.readouterr().err
