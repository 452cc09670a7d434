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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.fake_groq import FakeGroq

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 240
# The pages of the app (todo_app/todo_app.py), opened once before the tests.
PAGES = ("/login", "/signup", "/", "/settings")
WARM_UP_ATTEMPTS = 5


@dataclass(frozen=True)
class LiveApp:
    frontend_url: str
    backend_url: str
    jwt_secret: str
    database_url: str
    log_path: Path
    # The fake Groq server the app talks to; None: the app runs offline (no key).
    groq: FakeGroq | None = None
    # All that the app's processes logged so far: a failed browser test reports
    # its warnings and errors (tests/support/browser.py).
    read_logs: Callable[[], str] | None = None


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
        # Vite transforms every page's modules at start-up, so it finds and
        # bundles all their dependencies at once; found later, on a first visit,
        # it re-bundles them and reloads every open page mid-test.
        "REFLEX_VITE_WARMUP_ROUTES": "true",
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
        warm_up(frontend_url)
        yield LiveApp(
            frontend_url,
            backend_url,
            jwt_secret,
            database_url,
            log_path,
            read_logs=lambda: log_path.read_text(errors="replace"),
        )
    finally:
        stop_process_group(process)


def warm_up(frontend_url: str, paths: Sequence[str] = PAGES) -> None:
    """Opens each page in a browser until it renders. ``reflex run``'s frontend
    server (Vite) compiles a page's modules at its first request and may then
    re-bundle dependencies it has just discovered, failing the imports in
    flight ("Failed to fetch dynamically imported module"): tests should meet a
    warm server, as a developer does after the first load. On its own thread:
    Playwright's sync API may already hold an event loop in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_open_each_page, frontend_url, paths).result()


def _open_each_page(frontend_url: str, paths: Sequence[str]) -> None:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM_ARGS, chromium_executable

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            for path in paths:
                for _ in range(WARM_UP_ATTEMPTS):
                    page.goto(f"{frontend_url}{path}", wait_until="networkidle", timeout=60_000)
                    if page.get_by_role("heading", name="Application Error").count() == 0:
                        break
                    page.wait_for_timeout(2_000)  # the re-bundling finishes meanwhile
                else:
                    raise RuntimeError(f"{frontend_url}{path} still fails after a warm-up")
        finally:
            browser.close()
