"""Fixtures shared by every layer of the suite. The browser's own settings are
in tests/support/browser.py (a plugin, so that they apply wherever a test asks
for a page)."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from scripts.process_rehearsal import Rehearsal
from tests.support import containers
from tests.support.app_logs import logs_in
from tests.support.containers import ContainerRehearsal
from tests.support.databases import throwaway_postgres, throwaway_sqlite
from tests.support.fake_groq import FakeGroq, fake_groq
from tests.support.live_app import LiveApp, free_port, reflex_dev_app
from tests.support.workers import GroupScheduling, check_groups, worker_redis_url
from todo_app.core.db import build_engine, migrate, session_scope

pytest_plugins = ["tests.support.browser"]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of each kind; core tests run once on each."""
    if request.param == "sqlite":
        context = throwaway_sqlite(tmp_path_factory.mktemp("sqlite"))
    else:
        context = throwaway_postgres()
    with context as url:
        db_engine = build_engine(url)
        migrate(db_engine)
        yield db_engine
        db_engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The engine, emptied after the test so tests stay independent."""
    yield engine
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM todos"))
        connection.execute(text("DELETE FROM users"))


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    with session_scope(db) as db_session:
        yield db_session


REDIS_URL = worker_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1"))


@pytest.fixture(scope="session")
def dev_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """``reflex run``, as on a laptop, on a throwaway PostgreSQL database."""
    log = tmp_path_factory.mktemp("dev-app") / "reflex.log"
    with throwaway_postgres() as database_url, reflex_dev_app(database_url, log) as app:
        yield app


@pytest.fixture(scope="session")
def groq_server() -> Iterator[FakeGroq]:
    """A fake Groq on loopback; tests script its answers. Never the real API."""
    with fake_groq() as server:
        yield server


@pytest.fixture(scope="session")
def rehearsal(
    tmp_path_factory: pytest.TempPathFactory, groq_server: FakeGroq
) -> Iterator[Rehearsal]:
    """The production shape as processes: nginx on two ports, one build, two
    backend processes sharing Redis. (The container rehearsal has :30080.)"""
    with throwaway_postgres() as database_url:
        shape = Rehearsal(
            database_url=database_url,
            redis_url=REDIS_URL,
            workdir=tmp_path_factory.mktemp("rehearsal"),
            frontend_ports=[free_port(), free_port()],
            extra_env={
                "GROQ_API_KEY": "gsk_test_not_a_real_key",
                "GROQ_BASE_URL": groq_server.base_url,
                "GROQ_TIMEOUT_SECONDS": "5",
            },
        )
        try:
            shape.start()
            yield shape
        finally:
            shape.stop()


@pytest.fixture(scope="session")
def container_rehearsal_port() -> int:
    """Host port of the frontend's NodePort: 30080, as in the cluster."""
    return containers.NODE_PORT


@pytest.fixture(scope="session")
def container_rehearsal(container_rehearsal_port: int) -> Iterator[ContainerRehearsal]:
    """The shipped images run from the rendered manifests (scripts/kube_rehearsal.py).

    A missing podman, a failed image build or a pod that never gets Ready fails
    every test that needs it, with the reason (never a skip).
    """
    with ExitStack() as stack:
        try:
            shape = stack.enter_context(
                containers.container_rehearsal(host_port=container_rehearsal_port)
            )
        except Exception as error:
            pytest.fail(f"the container rehearsal did not come up:\n{error}", pytrace=False)
        runner = shape.runner
        print(
            f"\n[containers] images built or checked in {shape.build_seconds:.1f}s; "
            f"rehearsal up in {runner.up_seconds:.1f}s\n{runner.summary()}"
        )
        yield shape


@pytest.fixture(
    scope="session", params=["reflex-run", "rehearsal", "rehearsal-2nd-port", "containers"]
)
def live_app(request: pytest.FixtureRequest) -> LiveApp:
    """Each browser and websocket test runs against every way the app is served:
    ``reflex run``, the process rehearsal on two ports, and the shipped images
    run from the manifests (no Groq key there: the assistant is offline)."""
    if request.param == "reflex-run":
        dev: LiveApp = request.getfixturevalue("dev_app")
        return dev
    if request.param == "containers":
        shape_c: ContainerRehearsal = request.getfixturevalue("container_rehearsal")
        return LiveApp(
            frontend_url=shape_c.frontend_url,
            backend_url=shape_c.frontend_url,
            jwt_secret=shape_c.jwt_secret,
            database_url=shape_c.database_url,
            log_path=shape_c.runner.workdir,
            groq=None,
            read_logs=functools.partial(containers.pod_logs, shape_c.runner),
        )
    shape: Rehearsal = request.getfixturevalue("rehearsal")
    frontend = shape.frontends[0 if request.param == "rehearsal" else 1]
    # The browser and the crafted clients both go through nginx, as in the cluster.
    return LiveApp(
        frontend_url=frontend.url,
        backend_url=frontend.url,
        jwt_secret=shape.jwt_secret,
        database_url=shape.database_url,
        log_path=shape.workdir,
        groq=request.getfixturevalue("groq_server"),
        read_logs=functools.partial(logs_in, shape.workdir),
    )


# Every browser and websocket test runs on the process rehearsal: the production
# build behind nginx, two backends, Redis. The other targets prove what only they
# can with the tests that cross them, not every feature test again: the second
# port, that one build serves any origin (sign-up to log-out, crafted events);
# `reflex run`, that a laptop gets the same app (the journey, the offline
# assistant, live updates, the API on the backend's port, crafted events, its
# readable logs); the shipped images, that the cluster does (the same, plus
# accounts, lists and sharing, lost state).
TARGET_MODULES = {
    "rehearsal-2nd-port": frozenset({"test_foundation_journey.py", "test_event_isolation.py"}),
    "reflex-run": frozenset(
        {
            "test_foundation_journey.py",
            "test_assistant.py",
            "test_live_updates.py",
            "test_api_tokens.py",
            "test_event_isolation.py",
            "test_backend_logs.py",
        }
    ),
    "containers": frozenset(
        {
            "test_foundation_journey.py",
            "test_account.py",
            "test_assistant.py",
            "test_lists.py",
            "test_live_updates.py",
            "test_api_tokens.py",
            "test_event_isolation.py",
            "test_backend_logs.py",
            "test_lost_state.py",
        }
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        target = callspec.params.get("live_app") if callspec is not None else None
        modules = TARGET_MODULES.get(target) if isinstance(target, str) else None
        if modules is not None and item.path.name not in modules:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    check_groups(items)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> GroupScheduling:
    """Tests that share a costly fixture run on one worker (tests/support/workers.py)."""
    return GroupScheduling(config, log)
