"""/readyz: local, and failing once the drain has started (todo_app/api/health.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from todo_app.api import health


@pytest.fixture
def client() -> Iterator[TestClient]:
    health._draining.clear()
    yield TestClient(health.health_routes())
    health._draining.clear()


def test_ready_while_serving(client: TestClient) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.text) == (200, "ready\n")


def test_not_ready_once_draining(client: TestClient) -> None:
    health.start_draining()
    response = client.get("/readyz")
    assert (response.status_code, response.text) == (503, "draining\n")
    assert health.is_draining()
