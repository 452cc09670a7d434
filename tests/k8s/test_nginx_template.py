"""deploy/nginx/default.conf.template: the frontend image's nginx config.

Static checks that keep it renderable by both users (the image's entrypoint
and the local rehearsal), then a live run: the template rendered exactly as
`envsubst '${BACKEND_UPSTREAM} ${LISTEN_PORT} ${STATIC_ROOT} ${TRUSTED_PROXIES}'`
would, inside a minimal non-root-style http {} block with the CSP hashes that
scripts/build-frontend writes for the fake static site's pages, in front of a
fake backend. Clients connect from 127.0.0.1 (an untrusted client) or from
127.0.0.2 (the trusted proxy, as the Ingress controller would be). Needs
Debian's nginx (`apt-get install nginx`).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
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

from todo_app.serve import KEEP_ALIVE_SECONDS

from .conftest import REPO

TEMPLATE = REPO / "deploy/nginx/default.conf.template"
BUILD_FRONTEND = REPO / "scripts/build-frontend"
EXPORT = REPO / ".web/build/client"
EXPORT_HASHES = REPO / ".web/build/csp-script-hashes.conf"
VARIABLES = ("BACKEND_UPSTREAM", "LISTEN_PORT", "STATIC_ROOT", "TRUSTED_PROXIES")
UNTRUSTED_CLIENT = "127.0.0.1"
TRUSTED_PROXY = "127.0.0.2"
HSTS = "max-age=31536000; includeSubDomains"

# The fake site's inline scripts, as an export has them: a classic one, an
# inline module, one with CR LF line ends (the browser hashes it with LF), the
# same one again on another page (one hash); scripts with src are not hashed.
INLINE_SCRIPTS = (
    'document.documentElement.className="js";',
    'import "/assets/app-3f2a.js";\nwindow.routes = {"root": 1};',
    "window.ctx = {\r\n  spa: true\r\n};",
)
INDEX_HTML = (
    "<!DOCTYPE html><html><head><script>" + INLINE_SCRIPTS[0] + "</script>"
    '<script src="/js/time_zone.js" data-cookie="todo_tz"></script>'
    '<script type="module" async="">' + INLINE_SCRIPTS[1] + "</script>"
    "</head><body><p>home</p></body></html>"
)
NOT_FOUND_HTML = (
    "<!DOCTYPE html><html><head><SCRIPT>" + INLINE_SCRIPTS[2] + "</SCRIPT>"
    "<script>" + INLINE_SCRIPTS[0] + "</script>"
    '<script defer src="/js/shortcuts.js"></script></head><body><p>not found</p></body></html>'
)


def csp_hash(script: str) -> str:
    text = script.replace("\r\n", "\n")
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


SCRIPT_HASHES = sorted({csp_hash(script) for script in INLINE_SCRIPTS})
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'self'; script-src 'self' {' '.join(SCRIPT_HASHES)}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def test_template_uses_only_the_four_variables() -> None:
    text = TEMPLATE.read_text()
    assert set(re.findall(r"\$\{(\w+)\}", text)) == set(VARIABLES)
    # nginx's own $variables must not look like ${...} placeholders
    placeholders = r"\$\{(" + "|".join(VARIABLES) + r")\}"
    assert "${" not in re.sub(placeholders, "", text)


def test_nginx_closes_idle_upstream_connections_before_the_backend_does() -> None:
    """Otherwise nginx may send a POST on a connection the backend is closing that
    instant, and answer the user 502 (nginx does not retry a POST)."""
    upstream = re.search(r"^upstream todo_backend \{(.*?)^\}", TEMPLATE.read_text(), re.S | re.M)
    assert upstream is not None
    timeout = re.search(r"^\s*keepalive_timeout (\d+)s;", upstream.group(1), re.M)
    assert timeout is not None, "the upstream block must set keepalive_timeout"
    assert int(timeout.group(1)) < KEEP_ALIVE_SECONDS


def test_template_is_a_server_level_snippet() -> None:
    code = "\n".join(line.split("#", 1)[0] for line in TEMPLATE.read_text().splitlines())
    assert not re.search(r"^\s*(http|events)\s*\{", code, re.M)
    for directive in ("pid", "user", "error_log", "include", "load_module", "worker_processes"):
        assert not re.search(rf"^\s*{directive}\s", code, re.M), directive
    assert not re.search(r"_temp_path\s", code)
    assert "server_tokens off;" in code
    assert "client_max_body_size 2m;" in code
    assert "gzip_static on;" in code


def render(
    static_root: Path, backend_port: int, listen_port: int, trusted_proxies: str = ""
) -> str:
    values = {
        "BACKEND_UPSTREAM": f"127.0.0.1:{backend_port}",
        "LISTEN_PORT": str(listen_port),
        "STATIC_ROOT": str(static_root),
        "TRUSTED_PROXIES": trusted_proxies,
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    return text


def write_csp_hashes(site: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """What scripts/build-frontend does after the export, for any site."""
    return subprocess.run(
        [str(BUILD_FRONTEND), "--csp-hashes", str(site), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def nginx_binary() -> str:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if not binary:
        pytest.fail("nginx not found: apt-get install -y nginx", pytrace=False)
    return binary


def write_nginx_conf(root: Path, run: Path, server_conf: Path, hashes_conf: Path) -> Path:
    """A minimal http {} block around the rendered template, as the image's
    nginx.conf includes conf.d/*.conf (the template and the CSP hashes)."""
    conf = root / "nginx.conf"
    conf.write_text(
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
    include {hashes_conf};
    include {server_conf};
}}
"""
    )
    return conf


def nginx_check(binary: str, conf: Path, run: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "-t", "-c", str(conf), "-e", f"{run}/error.log"],
        capture_output=True,
        text=True,
        check=False,
    )


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
    access_log: Path

    def get(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        method: str = "GET",
        body: bytes | None = None,
        source: str = UNTRUSTED_CLIENT,
    ) -> Response:
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(source, 0)
        )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()


@pytest.fixture(scope="module")
def nginx() -> Iterator[Server]:
    binary = nginx_binary()

    # World-readable: when these tests run as root, nginx's workers run as nobody.
    root = Path(tempfile.mkdtemp(prefix="todo-nginx-"))
    root.chmod(0o755)
    site = root / "site"
    (site / "login").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "index.html").write_text(INDEX_HTML)
    (site / "login" / "index.html").write_text("<p>login</p>")
    (site / "signup.html").write_text("<p>signup</p>")
    # bytes: CR LF kept as written
    (site / "404.html").write_bytes(NOT_FOUND_HTML.encode())
    (site / "assets" / "app-3f2a.js").write_text("console.log('x');" * 50)
    (site / "assets" / "app-3f2a.js.gz").write_bytes(gzip.compress(b"console.log('x');" * 50))
    hashes = write_csp_hashes(site, root / "csp-script-hashes.conf")
    assert hashes.returncode == 0, hashes.stderr
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)

    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoBackend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    port = free_port()
    server_conf = root / "server.conf"
    server_conf.write_text(render(site, backend.server_address[1], port, f"{TRUSTED_PROXY}/32 1;"))
    run = root / "run"
    run.mkdir()
    conf = write_nginx_conf(root, run, server_conf, root / "csp-script-hashes.conf")
    check = nginx_check(binary, conf, run)
    assert check.returncode == 0, check.stderr
    access_log = run / "access.log"  # nginx's stdout: the template logs there
    with access_log.open("ab") as stdout:
        proc = subprocess.Popen(
            [binary, "-c", str(conf), "-e", f"{run}/error.log"],
            stdout=stdout,
            stderr=subprocess.DEVNULL,
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
        yield Server(port, access_log)
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
    # plain http from a client: never HSTS
    assert resp.headers.get("Strict-Transport-Security") is None


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/", INDEX_HTML.encode()),
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
        assert resp.body == NOT_FOUND_HTML.encode()


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


def seen_by_backend(resp: Response) -> dict[str, str]:
    return dict(line.split("=", 1) for line in resp.body.decode().splitlines())


@pytest.mark.parametrize("path", ["/ping", "/_upload", "/_event/?EIO=4", "/api/v1/lists"])
def test_backend_paths_are_proxied(nginx: Server, path: str) -> None:
    resp = nginx.get(path, {"Host": "todo.example.com:30080"})
    assert resp.status == 200
    if path == "/ping":
        assert resp.body == b"pong"
    else:
        seen = seen_by_backend(resp)
        assert seen["path"] == path
        assert seen["X-Forwarded-Proto"] == "http"
        # the port too: the backend's websocket origin check compares with it
        assert seen["X-Forwarded-Host"] == "todo.example.com:30080"
        assert seen["Host"] == "todo.example.com:30080"
        assert seen["X-Forwarded-For"] == UNTRUSTED_CLIENT
        assert seen["Connection"] == "None"  # keepalive upstream, no upgrade asked
    # nginx adds no caching header of its own to backend responses
    assert resp.headers.get("Cache-Control") is None
    assert_security_headers(resp)


def test_csp_allows_no_inline_script_but_the_builds_by_hash(nginx: Server) -> None:
    """script-src lists exactly the hashes scripts/build-frontend wrote for the
    site's inline scripts (CR LF hashed as LF, duplicates once, src scripts
    not at all) and no 'unsafe-inline'; only style-src keeps it."""
    for path in ("/", "/nope", "/assets/app-3f2a.js", "/ping"):
        policy = nginx.get(path).headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"].split() == ["'self'", *SCRIPT_HASHES], path
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "'unsafe-eval'" not in policy
        assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert len(SCRIPT_HASHES) == 3


def test_hsts_only_for_a_trusted_proxys_https_request(nginx: Server) -> None:
    def hsts(source: str, headers: dict[str, str]) -> str | None:
        return nginx.get("/", headers, source=source).headers.get("Strict-Transport-Security")

    assert hsts(TRUSTED_PROXY, {"X-Forwarded-Proto": "https"}) == HSTS
    assert (
        nginx.get("/nope", {"X-Forwarded-Proto": "https"}, source=TRUSTED_PROXY).headers.get(
            "Strict-Transport-Security"
        )
        == HSTS
    )  # errors too (always)
    assert hsts(TRUSTED_PROXY, {"X-Forwarded-Proto": "http"}) is None
    assert hsts(TRUSTED_PROXY, {}) is None
    # plain http NodePort: a client's claim changes nothing
    assert hsts(UNTRUSTED_CLIENT, {"X-Forwarded-Proto": "https"}) is None
    assert hsts(UNTRUSTED_CLIENT, {}) is None


def test_forwarded_headers_are_believed_only_from_a_trusted_proxy(nginx: Server) -> None:
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    seen = seen_by_backend(nginx.get("/_event/?EIO=4", forged, source=UNTRUSTED_CLIENT))
    assert seen["X-Forwarded-Proto"] == "http"  # nginx's own scheme, not the claim
    assert seen["X-Forwarded-For"] == UNTRUSTED_CLIENT  # the claimed chain is dropped

    seen = seen_by_backend(nginx.get("/_event/?EIO=4", forged, source=TRUSTED_PROXY))
    assert seen["X-Forwarded-Proto"] == "https"  # kept from the Ingress
    assert seen["X-Forwarded-For"] == f"203.0.113.7, {TRUSTED_PROXY}"

    # only http or https, even from the proxy
    odd = {"X-Forwarded-Proto": "javascript"}
    seen = seen_by_backend(nginx.get("/_event/?EIO=4", odd, source=TRUSTED_PROXY))
    assert seen["X-Forwarded-Proto"] == "http"


def test_access_log_leaves_query_strings_out(nginx: Server) -> None:
    """Reflex's socket URL carries the client token in its query string."""
    token = "c0ffee-secret-token-1234"
    agent = "access-log-test"  # picks this request's line out of the log
    resp = nginx.get(f"/_event/?EIO=4&transport=websocket&token={token}", {"User-Agent": agent})
    assert resp.status == 200
    deadline = time.monotonic() + 5
    while True:  # nginx writes the line after the response went out
        log = nginx.access_log.read_text()
        lines = [line for line in log.splitlines() if f'"{agent}"' in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert lines, log
    assert token not in log
    assert "token=" not in log and "EIO=" not in log
    (line,) = lines
    assert line.startswith(f"{UNTRUSTED_CLIENT} - ")
    assert '"GET /_event/ HTTP/1.1" 200 ' in line


def test_an_empty_trusted_proxies_renders_a_valid_config(tmp_path: Path) -> None:
    """The image's default (TRUSTED_PROXIES=""): trust nobody, and nginx starts."""
    binary = nginx_binary()
    tmp_path.chmod(0o755)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(INDEX_HTML)
    hashes = write_csp_hashes(site, tmp_path / "csp-script-hashes.conf")
    assert hashes.returncode == 0, hashes.stderr
    server_conf = tmp_path / "server.conf"
    server_conf.write_text(render(site, 9, free_port(), ""))
    assert "default 0;\n    \n}" in server_conf.read_text()  # an empty geo: nobody
    run = tmp_path / "run"
    run.mkdir()
    conf = write_nginx_conf(tmp_path, run, server_conf, tmp_path / "csp-script-hashes.conf")
    check = nginx_check(binary, conf, run)
    assert check.returncode == 0, check.stderr


def test_nginx_refuses_to_start_without_the_csp_hashes(tmp_path: Path) -> None:
    """No build, no policy: nginx does not fall back to an unrestricted one."""
    binary = nginx_binary()
    server_conf = tmp_path / "server.conf"
    server_conf.write_text(render(tmp_path, 9, free_port()))
    empty = tmp_path / "empty.conf"
    empty.write_text("")
    run = tmp_path / "run"
    run.mkdir()
    check = nginx_check(binary, write_nginx_conf(tmp_path, run, server_conf, empty), run)
    assert check.returncode != 0
    assert "todo_csp_script_hashes" in check.stderr


@pytest.mark.parametrize(
    ("page", "why"),
    [
        ('<button onclick="go()">Go</button>', "inline event handler"),
        ('<a href="javascript:go()">Go</a>', "javascript: URL"),
        ("<script>if (a <!--b) go();</script>", "cannot be hashed reliably"),
    ],
)
def test_the_build_refuses_inline_code_a_hash_cannot_cover(
    tmp_path: Path, page: str, why: str
) -> None:
    (tmp_path / "index.html").write_text(f"<html><body>{page}</body></html>")
    result = write_csp_hashes(tmp_path, tmp_path / "out.conf")
    assert result.returncode != 0
    assert why in result.stderr
    assert not (tmp_path / "out.conf").exists()


def test_the_builds_hashes_cover_every_inline_script_of_its_export() -> None:
    """The real export (when scripts/build-frontend has run): every inline
    <script> of every page has its hash in the file nginx gets, and nothing else."""
    if not (EXPORT / "index.html").exists() or not EXPORT_HASHES.exists():
        pytest.skip("no export: run scripts/build-frontend")
    expected = set()
    for page in EXPORT.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for attrs, text in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
            if not re.search(r"\ssrc=", attrs):
                expected.add(csp_hash(text))
        # the app's own scripts are files, not inline
        assert 'src="/js/time_zone.js"' in html, page
    written = re.search(r'default "([^"]*)";', EXPORT_HASHES.read_text())
    assert written, EXPORT_HASHES.read_text()
    assert set(written.group(1).split()) == expected
    assert expected


@pytest.mark.parametrize("path", ["/_health", "/readyz", "/metrics"])
def test_only_what_browsers_need_is_proxied(nginx: Server, path: str) -> None:
    """Dependency status, readiness and metrics are for operators, probes and
    Prometheus inside the cluster (the REST API under /api/ is proxied)."""
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


def test_frontend_image_renders_exactly_the_four_variables() -> None:
    """The image's entrypoint substitutes every env var matching
    NGINX_ENVSUBST_FILTER (an awk regex): it must be our four and nothing the
    kubelet or the base image defines. It substitutes only variables that are
    defined, so each has a default; and the build's CSP hashes become a second
    template (rendered into conf.d, which the image's nginx.conf includes)."""
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
    assert 'TRUSTED_PROXIES="" ' in dockerfile  # trust nobody by default
    assert (
        "COPY --from=builder /src/.web/build/csp-script-hashes.conf "
        "/etc/nginx/templates/csp-script-hashes.conf.template" in dockerfile
    )
    assert (
        "COPY deploy/nginx/default.conf.template /etc/nginx/templates/default.conf.template"
        in dockerfile
    )
