"""The container rehearsal, once per session: the shipped images run from the manifests.

A missing podman, a failed image build or a pod that never gets Ready fails
every test here with the reason (never a skip).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.support import containers
from tests.support.containers import ContainerRehearsal


@pytest.fixture(scope="session")
def container_rehearsal_port() -> int:
    """Host port of the frontend's NodePort: 30080, as in the cluster."""
    return containers.NODE_PORT


@pytest.fixture(scope="session")
def container_rehearsal(container_rehearsal_port: int) -> Iterator[ContainerRehearsal]:
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
