"""The production shape on one machine (DESIGN.md section 4), without a cluster.

The exported static frontend behind nginx, rendered from the same template as
the frontend image (deploy/nginx/default.conf.template), in front of several
backend processes (``python -m todo_app.serve``, as in the backend image) that
share Redis, on PostgreSQL. Run by ``scripts/rehearse``
(``python -m scripts.process_rehearsal``) and by the test suite (tests import it
as ``scripts.process_rehearsal``, as they do ``scripts.kube_rehearsal``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = PROJECT_ROOT / "deploy/nginx/default.conf.template"
STATIC_ROOT = PROJECT_ROOT / ".web/build/client"
# Written by scripts/build-frontend with the export: the CSP's script hashes,
# an http-level snippet next to the template (in the image: a second template).
CSP_HASHES = PROJECT_ROOT / ".web/build/csp-script-hashes.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
READY_TIMEOUT_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http_status(url: str, timeout: float = 5) -> int:
    try:
        # Only the http:// URLs of the processes started here.
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def wait_for_status(url: str, status: int = 200, timeout: float = READY_TIMEOUT_SECONDS) -> float:
    """Seconds until ``url`` answered ``status``; raises TimeoutError otherwise."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if http_status(url, timeout=2) == status:
            return time.monotonic() - started
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer {status} within {timeout}s")


def build_frontend() -> None:
    script = str(PROJECT_ROOT / "scripts/build-frontend")
    subprocess.run([script], check=True, cwd=PROJECT_ROOT)  # noqa: S603 (a fixed argv, no shell)


@dataclass
class Backend:
    """One backend process, as one pod of the backend Deployment runs it."""

    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "todo_app.serve"],
            cwd=PROJECT_ROOT,
            env={**self.env, "PORT": str(self.port), "HOST": "127.0.0.1"},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> float:
        return wait_for_status(f"{self.url}/ping", 200, timeout)

    def signal(self, signum: int) -> None:
        assert self.process is not None
        # The whole group, should the server ever fork workers.
        os.killpg(self.process.pid, signum)

    def wait_exit(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class Frontend:
    """nginx serving the static build and proxying the backend paths."""

    port: int
    upstreams: list[int]
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def render(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        # One template, as in the image; the rehearsal lists every backend
        # process in the upstream, as kube-proxy spreads a Service over pods.
        upstream = "; server ".join(f"127.0.0.1:{port}" for port in self.upstreams)
        server = TEMPLATE.read_text()
        for name, value in {
            "BACKEND_UPSTREAM": upstream,
            "LISTEN_PORT": str(self.port),
            "STATIC_ROOT": str(STATIC_ROOT),
            # nginx is the edge here, as on the NodePort: trust no proxy.
            "TRUSTED_PROXIES": "",
        }.items():
            server = server.replace("${" + name + "}", value)
        (self.workdir / "default.conf").write_text(server)
        temp_paths = "\n".join(
            f"    {kind}_temp_path {self.workdir}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        config = self.workdir / "nginx.conf"
        config.write_text(
            f"""daemon off;
worker_processes 1;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
{temp_paths}
    include {CSP_HASHES};
    include {self.workdir}/default.conf;
}}
"""
        )
        return config

    def start(self) -> None:
        config = self.render()
        subprocess.run([NGINX, "-t", "-q", "-c", str(config)], check=True)  # noqa: S603 (no shell)
        # The template logs requests to stdout, as in the image.
        with (
            (self.workdir / "access.log").open("ab") as access_log,
            (self.workdir / "stderr.log").open("ab") as stderr_log,
        ):
            self.process = subprocess.Popen(  # noqa: S603 (argv built here, no shell)
                [NGINX, "-c", str(config)],
                stdout=access_log,
                stderr=stderr_log,
                start_new_session=True,
            )
        wait_for_status(f"{self.url}/healthz")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish open requests
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Rehearsal:
    database_url: str
    redis_url: str
    workdir: Path
    frontend_ports: list[int] = field(default_factory=lambda: [30080])
    backend_count: int = 2
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    extra_env: dict[str, str] = field(default_factory=dict)
    backends: list[Backend] = field(default_factory=list)
    frontends: list[Frontend] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "APP_ENV": "production",
            "DATABASE_URL": self.database_url,
            "JWT_SECRET": self.jwt_secret,
            "REFLEX_REDIS_URL": self.redis_url,
            "MIGRATE_ON_START": "false",
            **self.extra_env,
        }

    @property
    def url(self) -> str:
        return self.frontends[0].url

    def start(self) -> None:
        built = (STATIC_ROOT / "index.html").exists() and CSP_HASHES.exists()
        if not built or os.environ.get("REHEARSAL_REBUILD"):
            build_frontend()
        self.start_backends()
        ports = [backend.port for backend in self.backends]
        self.frontends = [
            Frontend(port, ports, self.workdir / f"nginx-{port}") for port in self.frontend_ports
        ]
        for frontend in self.frontends:
            frontend.start()

    def start_backends(self) -> None:
        """Migrate, then start the backend processes and wait until they answer
        (no frontend: for clients that talk to the backends directly)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        # Once per rollout, as the migration step in the cluster.
        subprocess.run(
            [sys.executable, "-m", "todo_app.migrate"], check=True, cwd=PROJECT_ROOT, env=self.env
        )
        self.backends = [
            Backend(free_port(), self.env, self.workdir / f"backend-{index}.log")
            for index in range(self.backend_count)
        ]
        for backend in self.backends:
            backend.start()
        for backend in self.backends:
            backend.wait_ready()

    def stop(self) -> None:
        for frontend in self.frontends:
            frontend.stop()
        for backend in self.backends:
            backend.stop()


def main() -> None:
    """``scripts/rehearse``: run the rehearsal until Ctrl-C."""
    rehearsal = Rehearsal(
        database_url=os.environ.get(
            "DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/todo_rehearsal"
        ),
        redis_url=os.environ.get("REFLEX_REDIS_URL", "redis://127.0.0.1:6379/0"),
        workdir=Path(os.environ.get("REHEARSAL_DIR", PROJECT_ROOT / ".data/rehearsal")),
        frontend_ports=[int(os.environ.get("REHEARSAL_PORT", "30080"))],
        backend_count=int(os.environ.get("REHEARSAL_BACKENDS", "2")),
        jwt_secret=os.environ.get("JWT_SECRET") or secrets.token_urlsafe(48),
    )
    ensure_database(rehearsal.database_url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        rehearsal.start()
        print(f"Rehearsal running at {rehearsal.url} (logs in {rehearsal.workdir}); Ctrl-C stops.")
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        rehearsal.stop()


def ensure_database(url: str) -> None:
    """Create the rehearsal's PostgreSQL database on first use."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not target.database:
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


if __name__ == "__main__":
    main()
