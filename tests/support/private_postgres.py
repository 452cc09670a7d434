"""A private PostgreSQL server that tests may stop and start at will.

The machine's shared server (127.0.0.1:5432) must never go down under a test;
tests that prove how the app behaves while the database is away get their own
throwaway cluster instead: ``initdb`` into a temporary directory, served on a
free port of 127.0.0.1 with trust auth, removed afterwards. PostgreSQL refuses
to run as root, so as root the binaries run as the ``postgres`` OS user.
There is deliberately no skip: a server that does not start is an error.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import create_engine, text

_POSTGRES_ROOT = Path("/usr/lib/postgresql")
_STOP_MODES = ("smart", "fast", "immediate")
_LOG_TAIL_LINES = 40


def _bin_dir() -> Path:
    """The ``bin`` directory of the newest installed PostgreSQL major version."""
    candidates = [
        path.parent
        for path in _POSTGRES_ROOT.glob("*/bin/pg_ctl")
        if re.fullmatch(r"\d+(\.\d+)?", path.parent.parent.name)
    ]
    if not candidates:
        raise RuntimeError(f"no PostgreSQL server binaries (initdb, pg_ctl) in {_POSTGRES_ROOT}")
    return max(candidates, key=lambda b: tuple(int(p) for p in b.parent.name.split(".")))


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivatePostgres:
    """One PostgreSQL cluster living in ``directory`` (``data/``, socket and log)."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.data_dir = directory / "data"
        self.log_file = directory / "server.log"
        self.port: int = port if port is not None else _free_port()
        self._bin = _bin_dir()
        # As root, run as ``postgres``; ``runuser`` lives in /usr/sbin.
        self._as_user: list[str] = (
            [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]
            if os.geteuid() == 0
            else []
        )

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` on this server (trust auth, no password)."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        """Create the cluster (superuser ``postgres``, trust auth, UTF8) and configure it."""
        self._run(
            "initdb",
            [
                *("-D", str(self.data_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8"),
                *("--locale=C", "--no-sync", "--no-instructions"),
            ],
            timeout=120,
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.directory}'",
            "max_connections": "100",
            # Durability is pointless for a throwaway test cluster.
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
        }
        # Appending keeps the file's owner (``postgres``); later lines win.
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/support/private_postgres.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_file))

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``smart``, ``fast`` or ``immediate``) and wait until it is down."""
        if mode not in _STOP_MODES:
            raise ValueError(f"stop mode must be one of {_STOP_MODES}, not {mode!r}")
        self._pg_ctl("stop", "-m", mode, "-w", "-t", "60")

    @property
    def running(self) -> bool:
        """Whether the postmaster of this cluster is up (``pg_ctl status``)."""
        if not self.data_dir.is_dir():
            return False
        result = subprocess.run(
            [*self._as_user, str(self._bin / "pg_ctl"), "status", "-D", str(self.data_dir)],
            cwd=self.directory,
            env=self._env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        return result.returncode == 0

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its URL."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
            raise ValueError(f"not a plain database name: {name!r}")
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    def kill(self) -> None:
        """Last resort when ``pg_ctl stop`` fails: SIGKILL the postmaster by its pid."""
        with suppress(OSError, ValueError, IndexError):
            pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGKILL)

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", [args[0], "-D", str(self.data_dir), *args[1:]], timeout=90)

    def _run(self, program: str, args: list[str], timeout: float) -> None:
        command = [*self._as_user, str(self._bin / program), *args]
        try:
            result = subprocess.run(
                command,
                cwd=self.directory,  # root's cwd may be out of reach for ``postgres``
                env=self._env(),
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(
                f"{program} {args[0]} timed out after {timeout}s\n{self._log_tail()}"
            ) from error
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed (exit {result.returncode})\n"
                f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}\n"
                f"{self._log_tail()}"
            )

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return f"(no server log at {self.log_file})"
        return f"server log tail ({self.log_file}):\n" + "\n".join(lines[-_LOG_TAIL_LINES:])

    @staticmethod
    def _env() -> dict[str, str]:
        # PGDATA, PGPORT, PGHOST... from the caller must not redirect the tools.
        return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Yield a started private server; stop it and remove its directory afterwards."""
    # Directly under /tmp: pytest's tmp dirs (/tmp/pytest-of-root) are 0700 root.
    directory = Path(tempfile.mkdtemp(prefix="todo-pg-", dir="/tmp"))
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(directory, owner.pw_uid, owner.pw_gid)
        server = PrivatePostgres(directory)
        server.initdb()
        try:
            server.start()
            yield server
        finally:
            if server.running:
                try:
                    server.stop("immediate")
                except RuntimeError:
                    server.kill()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
