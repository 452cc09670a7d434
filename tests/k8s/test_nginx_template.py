"""deploy/nginx/default.conf.template: the frontend image's nginx config.

Static checks that keep it renderable by both users (the image's entrypoint
and the local rehearsal), then a live run: the template rendered exactly as
`envsubst '${BACKEND_UPSTREAM} ${LISTEN_PORT} ${STATIC_ROOT}'` would, inside a
minimal non-root-style http {} block, in front of a fake static site and a fake
backend, all on 127.0.0.1. Needs Debian's nginx (`apt-get install nginx`).
"""

from __future__ import annotations

import gzip
import http.client
import http.server
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO

TEMPLATE = REPO / "deploy/nginx/default.conf.template"
VARIABLES = ("BACKEND_UPSTREAM", "LISTEN_PORT", "STATIC_ROOT")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def test_template_uses_only_the_three_variables() -> None:
    text = TEMPLATE.read_text()
    assert set(re.findall(r"\$\{(\w+)\}", text)) == set(VARIABLES)
    # nginx's own $variables must not look like ${...} placeholders
    placeholders = r"\$\{(" + "|".join(VARIABLES) + r")\}"
    assert "${" not in re.sub(placeholders, "", text)


def test_template_is_a_server_level_snippet() -> None:
    code = "\n".join(line.split("#", 1)[0] for line in TEMPLATE.read_text().splitlines())
    assert not re.search(r"^\s*(http|events)\s*\{", code, re.M)
    for directive in ("pid", "user", "error_log", "include", "load_module", "worker_processes"):
        assert not re.search(rf"^\s*{directive}\s", code, re.M), directive
    assert not re.search(r"_temp_path\s", code)
    assert "server_tokens off;" in code
    assert "client_max_body_size 2m;" in code
    assert "gzip_static on;" in code


def render(static_root: Path, backend_port: int, listen_port: int) -> str:
    values = {
        "BACKEND_UPSTREAM": f"127.0.0.1:{backend_port}",
        "LISTEN_PORT": str(listen_port),
        "STATIC_ROOT": str(static_root),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    return text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EchoBackend(http.server.BaseHTTPRequestHandler):
    """Answers every request with what it received (path and proxy headers)."""

    def do_GET(self) -> None:
        if self.path == "/ping":
            body = b"pong"
        else:
            keys = (
                "Connection",
                "Upgrade",
                "X-Forwarded-For",
                "X-Forwarded-Proto",
                "X-Forwarded-Host",
                "Host",
            )
            body = "\n".join(
                [f"path={self.path}"] + [f"{k}={self.headers.get(k)}" for k in keys]
            ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Server:
    port: int

    def get(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        method: str = "GET",
        body: bytes | None = None,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()


@pytest.fixture(scope="module")
def nginx() -> Iterator[Server]:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if not binary:
        pytest.fail("nginx not found: apt-get install -y nginx", pytrace=False)

    # World-readable: when these tests run as root, nginx's workers run as nobody.
    root = Path(tempfile.mkdtemp(prefix="todo-nginx-"))
    root.chmod(0o755)
    site = root / "site"
    (site / "login").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "index.html").write_text("<p>home</p>")
    (site / "login" / "index.html").write_text("<p>login</p>")
    (site / "signup.html").write_text("<p>signup</p>")
    (site / "404.html").write_text("<p>not found</p>")
    (site / "assets" / "app-3f2a.js").write_text("console.log('x');" * 50)
    (site / "assets" / "app-3f2a.js.gz").write_bytes(gzip.compress(b"console.log('x');" * 50))
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)

    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoBackend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    port = free_port()
    (root / "server.conf").write_text(render(site, backend.server_address[1], port))
    run = root / "run"
    run.mkdir()
    (root / "nginx.conf").write_text(
        f"""worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {root}/server.conf;
}}
"""
    )
    conf = str(root / "nginx.conf")
    check = subprocess.run(
        [binary, "-t", "-c", conf, "-e", f"{run}/error.log"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [binary, "-c", conf, "-e", f"{run}/error.log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, (run / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        yield Server(port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        backend.shutdown()
        shutil.rmtree(root, ignore_errors=True)


def assert_security_headers(resp: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers.get_all(name) == [value], name
    assert resp.headers.get("Permissions-Policy")
    assert resp.headers.get("Server") == "nginx"  # server_tokens off: no version


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/", b"<p>home</p>"),
        ("/login", b"<p>login</p>"),
        ("/login/", b"<p>login</p>"),
        ("/signup", b"<p>signup</p>"),
    ],
)
def test_pages(nginx: Server, path: str, body: bytes) -> None:
    resp = nginx.get(path)
    assert (resp.status, resp.body) == (200, body)
    assert resp.headers.get("Cache-Control") == "no-cache"
    assert_security_headers(resp)


@pytest.mark.parametrize("path", ["/nope", "/todos/42", "/assets/missing.js"])
def test_unknown_paths_are_real_404s(nginx: Server, path: str) -> None:
    resp = nginx.get(path)
    assert resp.status == 404
    assert_security_headers(resp)
    if not path.startswith("/assets/"):
        assert resp.body == b"<p>not found</p>"


def test_hashed_assets_are_immutable_and_precompressed(nginx: Server) -> None:
    resp = nginx.get("/assets/app-3f2a.js", {"Accept-Encoding": "gzip"})
    assert resp.status == 200
    assert resp.headers.get("Content-Encoding") == "gzip"
    assert resp.headers.get("Cache-Control") == "public, max-age=31536000, immutable"
    assert_security_headers(resp)


def test_own_health_endpoint(nginx: Server) -> None:
    resp = nginx.get("/healthz")
    assert (resp.status, resp.body) == (200, b"ok\n")
    assert_security_headers(resp)


@pytest.mark.parametrize("path", ["/ping", "/_upload", "/_event/?EIO=4"])
def test_backend_paths_are_proxied(nginx: Server, path: str) -> None:
    resp = nginx.get(path, {"X-Forwarded-Proto": "https", "Host": "todo.example.com:30080"})
    assert resp.status == 200
    if path == "/ping":
        assert resp.body == b"pong"
    else:
        seen = dict(line.split("=", 1) for line in resp.body.decode().splitlines())
        assert seen["path"] == path
        assert seen["X-Forwarded-Proto"] == "https"  # kept from the Ingress
        # the port too: the backend's websocket origin check compares with it
        assert seen["X-Forwarded-Host"] == "todo.example.com:30080"
        assert seen["Host"] == "todo.example.com:30080"
        assert seen["X-Forwarded-For"] == "127.0.0.1"
        assert seen["Connection"] == "None"  # keepalive upstream, no upgrade asked
    # nginx adds no caching header of its own to backend responses
    assert resp.headers.get("Cache-Control") is None
    assert_security_headers(resp)


@pytest.mark.parametrize("path", ["/_health", "/readyz", "/api/v1/todos"])
def test_only_what_browsers_need_is_proxied(nginx: Server, path: str) -> None:
    """Dependency status and readiness are for operators and probes inside the
    cluster; /api/ is not served by the backend (yet)."""
    resp = nginx.get(path)
    assert resp.status == 404
    assert b"path=" not in resp.body


def test_websocket_upgrade_headers_reach_the_backend(nginx: Server) -> None:
    resp = nginx.get(
        "/_event/?EIO=4&transport=websocket", {"Upgrade": "websocket", "Connection": "Upgrade"}
    )
    seen = dict(line.split("=", 1) for line in resp.body.decode().splitlines())
    assert (seen["Upgrade"], seen["Connection"]) == ("websocket", "upgrade")
    assert seen["X-Forwarded-Proto"] == "http"


def test_body_size_limit(nginx: Server) -> None:
    resp = nginx.get(
        "/_upload",
        method="POST",
        body=b"x" * (3 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert resp.status == 413


def test_frontend_image_renders_exactly_the_three_variables() -> None:
    """The image's entrypoint substitutes every env var matching
    NGINX_ENVSUBST_FILTER (an awk regex): it must be our three and nothing the
    kubelet or the base image defines."""
    dockerfile = (REPO / "Dockerfile.frontend").read_text()
    match = re.search(r'NGINX_ENVSUBST_FILTER="([^"]+)"', dockerfile)
    assert match, "Dockerfile.frontend sets no NGINX_ENVSUBST_FILTER"
    pattern = re.compile(match.group(1))
    for name in VARIABLES:
        assert pattern.search(name), name
    for name in (
        "PATH",
        "HOME",
        "HOSTNAME",
        "NGINX_VERSION",
        "PKG_RELEASE",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_PORT",
        "host",
        "uri",
    ):
        assert not pattern.search(name), name
    assert "LISTEN_PORT=3000" in dockerfile
    assert "STATIC_ROOT=/usr/share/nginx/html" in dockerfile
    assert "BACKEND_UPSTREAM=backend-service:8000" in dockerfile
    assert (
        "COPY deploy/nginx/default.conf.template /etc/nginx/templates/default.conf.template"
        in dockerfile
    )
