"""hadolint finds nothing in either Dockerfile (default threshold: info)."""

from __future__ import annotations

import pytest

from .conftest import DOCKERFILES, REPO, find_tool, run


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_hadolint_clean(dockerfile: str) -> None:
    result = run([find_tool("hadolint"), "--no-color", REPO / dockerfile])
    print(f"\n[hadolint] {dockerfile}: rc={result.returncode} {result.stdout.strip() or 'clean'}")
    assert result.returncode == 0, result.stdout + result.stderr
