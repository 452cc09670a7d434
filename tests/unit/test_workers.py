"""The suite's own scheduling (tests/support/workers.py): tests that share a costly
fixture share a worker; each worker its own Redis database."""

from __future__ import annotations

import pytest

from tests.support.workers import SOLO_SCOPE, SoloScopeFirst, group_of, scope_of, worker_redis_url


@pytest.mark.parametrize(
    ("nodeid", "group"),
    [
        ("tests/containers/test_pods.py::test_probes", "containers"),
        ("tests/e2e/test_lists.py::test_share[containers-chromium]", "containers"),
        ("tests/integration/test_event_isolation.py::test_b[containers-alg none]", "containers"),
        ("tests/integration/test_event_isolation.py::test_c[containers]", "containers"),
        ("tests/e2e/test_assistant.py::test_offline[reflex-run-chromium]", "reflex-run"),
        ("tests/e2e/test_lists.py::test_share[rehearsal-chromium]", "tests/e2e/test_lists.py"),
        ("tests/e2e/test_x.py::test_y[rehearsal-2nd-port]", "tests/e2e/test_x.py"),
        ("tests/unit/test_due.py::test_z[postgresql]", "tests/unit/test_due.py"),
    ],
)
def test_tests_sharing_a_costly_fixture_share_a_group(nodeid: str, group: str) -> None:
    assert group_of(nodeid) == group


def test_the_container_rehearsal_and_reflex_run_share_one_scope_sent_first() -> None:
    solo = [
        "tests/containers/test_pods.py::test_probes",
        "tests/e2e/test_assistant.py::test_offline[reflex-run-chromium]",
    ]
    assert {scope_of(nodeid) for nodeid in solo} == {SOLO_SCOPE}
    assert scope_of("tests/unit/test_due.py::test_z") == "tests/unit/test_due.py"
    queue = SoloScopeFirst()
    for scope in ("tests/unit/test_due.py", SOLO_SCOPE, "tests/api/test_x.py"):
        queue[scope] = {}
    assert list(queue) == [SOLO_SCOPE, "tests/unit/test_due.py", "tests/api/test_x.py"]
    assert queue.popitem(last=False)[0] == SOLO_SCOPE


def test_each_worker_gets_its_own_redis_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert worker_redis_url("redis://127.0.0.1:6379/1") == "redis://127.0.0.1:6379/1"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    assert worker_redis_url("redis://:pw@127.0.0.1:6379/2") == "redis://:pw@127.0.0.1:6379/5"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw15")
    with pytest.raises(pytest.UsageError):
        worker_redis_url("redis://127.0.0.1:6379/1")
