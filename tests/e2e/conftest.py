"""Chromium, driven by Playwright, against the live app."""

from __future__ import annotations

import pytest

from tests.support.live_app import LiveApp


@pytest.fixture(scope="session")
def base_url(live_app: LiveApp) -> str:
    return live_app.frontend_url
