"""Start the real app (``reflex run``) on free ports against a given database."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.fake_groq import FakeGroq

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 240


@dataclass(frozen=True)
class LiveApp:
    frontend_url: str
    backend_url: str
    jwt_secret: str
    database_url: str
    log_path: Path
    # The fake Groq server the app talks to; None: the app runs offline (no key).
    groq: FakeGroq | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, deadline: float, process: subprocess.Popen[bytes], log: Path) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early; see {log}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer in time; see {log}:\n{log.read_text()[-4000:]}")


def stop_process_group(process: subprocess.Popen[bytes], grace_seconds: float = 20) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def reflex_dev_app(database_url: str, log_path: Path) -> Iterator[LiveApp]:
    """``reflex run`` as a developer runs it, on free ports."""
    frontend_port, backend_port = free_port(), free_port()
    jwt_secret = secrets.token_urlsafe(48)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JWT_SECRET": jwt_secret,
        "APP_ENV": "local",
        "GROQ_API_KEY": "",  # the laptop default: the offline assistant
        # Watch only an empty folder: files the suite writes in the checkout
        # must not hot-reload the backend under the tests.
        "REFLEX_HOT_RELOAD_OVERRIDE_PATHS": str(log_path.parent / "no-reload"),
    }
    (log_path.parent / "no-reload").mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--frontend-port",
                str(frontend_port),
                "--backend-port",
                str(backend_port),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        backend_url = f"http://127.0.0.1:{backend_port}"
        frontend_url = f"http://localhost:{frontend_port}"
        wait_for_http(f"{backend_url}/ping", deadline, process, log_path)
        wait_for_http(f"{frontend_url}/login", deadline, process, log_path)
        yield LiveApp(frontend_url, backend_url, jwt_secret, database_url, log_path)
    finally:
        stop_process_group(process)
