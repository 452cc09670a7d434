"""The container rehearsal for the tests: the shipped images, run from the manifests.

``scripts/build-images`` (idempotent, fast when cached) builds the two images;
a throwaway PostgreSQL database stands in for Neon, reached by the backend
pods through the host's socket directory; ``scripts.kube_rehearsal`` runs the
rendered minikube overlay with podman as a kubelet would, the frontend's
NodePort on 127.0.0.1:30080. Nothing here skips: no podman, no build, no
PostgreSQL is a failure, with the reason.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from scripts.kube_rehearsal import (
    IMAGES_ENV,
    KubeRehearsal,
    Manifests,
    RehearsalError,
    generate_secrets,
    podman_environment,
    read_images_env,
)
from tests.support.databases import throwaway_postgres
from tests.support.live_app import PROJECT_ROOT

NODE_PORT = 30080
POSTGRES_SOCKET_DIR = Path(os.environ.get("TEST_POSTGRES_SOCKET_DIR", "/var/run/postgresql"))
BUILD_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class ContainerRehearsal:
    runner: KubeRehearsal
    frontend_url: str  # the NodePort, as users reach the cluster
    database_url: str  # host-side URL, for tests to look into the database
    jwt_secret: str
    secrets: Mapping[str, str]
    build_seconds: float


def build_images(env: Mapping[str, str]) -> float:
    """``scripts/build-images``; seconds it took. Raises with its output on failure."""
    script = PROJECT_ROOT / "scripts/build-images"
    if not script.exists():
        raise RehearsalError(f"{script} is missing: it builds the images the rehearsal runs")
    started = time.monotonic()
    result = subprocess.run(
        [str(script)],
        cwd=PROJECT_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        raise RehearsalError(
            f"scripts/build-images failed ({result.returncode}):\n"
            f"{(result.stdout + result.stderr)[-6000:]}"
        )
    return time.monotonic() - started


def socket_url(database_url: str, socket_dir: Path = POSTGRES_SOCKET_DIR) -> str:
    """The same database, through the Unix socket directory the pods get mounted."""
    url = make_url(database_url)
    user = url.username or "postgres"
    return f"postgresql+psycopg2://{user}@/{url.database}?host={socket_dir}"


@contextmanager
def container_rehearsal(
    node_port: int = NODE_PORT,
    host_port: int = NODE_PORT,
    replicas: Mapping[str, int] | None = None,
    rehearsal_id: str = "tests",
    build: bool = True,
) -> Iterator[ContainerRehearsal]:
    """Builds the images, creates a database, brings the rehearsal up; tears it all down."""
    env = podman_environment()
    build_seconds = build_images(env) if build else 0.0
    manifests = Manifests.render(image_overrides=read_images_env(IMAGES_ENV))
    with throwaway_postgres() as database_url:
        secrets = generate_secrets(manifests, socket_url(database_url))
        runner = KubeRehearsal(
            manifests=manifests,
            secrets=secrets,
            replicas=replicas,
            node_ports={node_port: host_port},
            rehearsal_id=rehearsal_id,
            podman_env=env,
            postgres_socket_dir=POSTGRES_SOCKET_DIR,
        )
        try:
            runner.up()
            yield ContainerRehearsal(
                runner=runner,
                frontend_url=runner.node_port_url(node_port),
                database_url=database_url,
                jwt_secret=secrets["JWT_SECRET"],
                secrets=secrets,
                build_seconds=build_seconds,
            )
        finally:
            runner.down()


def pod_logs(runner: KubeRehearsal, lines: int = 400) -> str:
    """The last lines of each running pod's main container (a failed test reports them)."""
    parts = []
    for pod in runner.live_pods():
        try:
            parts.append(f"--- {pod.name}\n{runner.logs(pod.name, lines=lines)}")
        except Exception as error:  # a pod going away as we read: say so, read the rest
            parts.append(f"--- {pod.name}: its log could not be read ({error})")
    return "\n".join(parts)
