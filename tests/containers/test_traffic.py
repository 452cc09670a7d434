"""Traffic through the frontend's NodePort, and losing backend pods under it.

Runs after test_pods (file order); each disruption test ends with the
Deployment back at its replica count, every pod Ready.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.support.containers import ContainerRehearsal

BACKEND = "todo-backend"


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float


def get(base: str, path: str, timeout: float = 15) -> Response:
    parts = urlsplit(base)
    started = time.monotonic()
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        headers = {key.lower(): value for key, value in response.getheaders()}
        return Response(response.status, body, headers, time.monotonic() - started)
    except OSError as error:
        return Response(0, repr(error).encode(), {}, time.monotonic() - started)
    finally:
        connection.close()


@dataclass
class Traffic:
    """GET ``path`` in a loop from a thread; every answer is kept with its time."""

    base: str
    path: str = "/ping"
    results: list[tuple[float, Response]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Traffic:
        def loop() -> None:
            while not self._stop.is_set():
                self.results.append((time.monotonic(), get(self.base, self.path)))
                time.sleep(0.05)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=30)

    def failures(self) -> list[tuple[float, Response]]:
        return [(at, r) for at, r in self.results if r.status != 200]


def test_frontend_serves_the_app_and_proxies_the_backend(
    container_rehearsal: ContainerRehearsal, container_rehearsal_port: int
) -> None:
    base = container_rehearsal.frontend_url
    assert base == f"http://127.0.0.1:{container_rehearsal_port}"

    page = get(base, "/")
    assert page.status == 200
    assert b"<html" in page.body.lower()
    # nginx's own headers (deploy/nginx template), so the page came from the frontend pod.
    assert "content-security-policy" in page.headers
    assert get(base, "/healthz").status == 200

    pong = get(base, "/ping")
    assert pong.status == 200, pong
    assert b"pong" in pong.body

    # Each backend pod reaches PostgreSQL (the host's socket) and Redis (by its
    # Service name, with the Secret's password) from inside the network; its
    # /_health says so (asked on the pod's published port: nginx keeps it internal).
    runner = container_rehearsal.runner
    for pod in runner.live_pods(BACKEND):
        health = get(f"http://127.0.0.1:{runner.host_port(pod.name, 'http')}", "/_health")
        assert health.status == 200, health
        report = json.loads(health.body)
        print(f"\n[backend] {pod.name} /_health: {report}")
        assert report.get("db") is True, report
        assert report.get("redis") is True, report


def test_kill_9_of_one_backend_pod(container_rehearsal: ContainerRehearsal) -> None:
    runner = container_rehearsal.runner
    victim, survivor = runner.live_pods(BACKEND)[:2]
    with Traffic(container_rehearsal.frontend_url) as traffic:
        time.sleep(1.0)
        record = runner.kill_pod(victim.name)
        killed = time.monotonic()
        # The other backend keeps answering, on its own port and through the frontend.
        for _ in range(20):
            assert (
                get(f"http://127.0.0.1:{runner.host_port(survivor.name, 'http')}", "/ping").status
                == 200
            )
            time.sleep(0.1)
        replacement = runner.wait_for_replacement(victim.name, timeout=180)
        ready_after = time.monotonic() - killed
        time.sleep(1.0)

    assert record.exit_codes == {"backend": 137}
    assert runner.podman.exit_code(runner.container_name(victim.name, "backend")) == 137
    after_kill = [(at, r) for at, r in traffic.results if at >= killed]
    assert len(after_kill) >= 20
    assert not traffic.failures(), traffic.failures()[:5]
    slowest = max(r.seconds for _, r in after_kill)

    assert replacement.name != victim.name
    assert replacement.deployment == BACKEND and replacement.ready
    assert replacement.replaces == victim.name
    assert [(r.container, r.exit_code) for r in replacement.init_records] == [
        (spec["name"], 0) for spec in replacement.spec["initContainers"]
    ]
    for kind in ("startup", "readiness"):
        records = runner.probe_history(replacement.name, "backend", kind)
        assert records and records[-1].ok, records
    runner.wait_ready(BACKEND, timeout=30)
    assert sum(p.ready for p in runner.live_pods(BACKEND)) == runner.replicas(BACKEND)
    print(
        f"\n[kill -9] {len(after_kill)} requests through the frontend after the kill, all 200 "
        f"(slowest {slowest:.2f}s); replacement {replacement.name} Ready {ready_after:.1f}s "
        f"after the kill"
    )


def test_sigterm_drains_one_backend_within_its_grace_period(
    container_rehearsal: ContainerRehearsal,
) -> None:
    runner = container_rehearsal.runner
    pod = runner.live_pods(BACKEND)[0]
    spec = pod.spec["containers"][0]
    grace = float(pod.spec["terminationGracePeriodSeconds"])
    pre_stop = spec["lifecycle"]["preStop"]["exec"]["command"]
    name = runner.container_name(pod.name, spec["name"])
    own_port = f"http://127.0.0.1:{runner.host_port(pod.name, 'http')}"

    with Traffic(own_port) as own, Traffic(container_rehearsal.frontend_url) as through_frontend:
        time.sleep(0.5)
        record = runner.stop_pod(pod.name)

    exit_code = runner.podman.run("inspect", "--format", "{{.State.ExitCode}}", name).stdout
    assert int(exit_code) == 0, runner.logs(pod.name)[-3000:]
    assert record.exit_codes == {spec["name"]: 0}
    assert record.seconds < grace, record

    started, finished, code = record.pre_stop[spec["name"]]
    assert code == 0
    # preStop ran first, to completion, and only then came the stop signal.
    assert record.started <= started < finished <= record.signal_sent < record.exited
    if pre_stop[0] == "sleep":
        assert finished - started >= float(pre_stop[1]) - 0.5
    # During preStop the pod still served: it is the window in which endpoints drain.
    served = [at for at, r in own.results if r.status == 200 and started < at < finished]
    assert served and max(served) > finished - 2.0, "the pod stopped serving during preStop"
    # The frontend kept answering throughout (the other backend took over).
    assert not through_frontend.failures(), through_frontend.failures()[:5]

    replacement = runner.wait_for_replacement(pod.name, timeout=180)
    runner.wait_ready(BACKEND, timeout=60)
    assert replacement.ready_at is not None
    print(
        f"\n[SIGTERM] {pod.name}: preStop {pre_stop} took {finished - started:.1f}s, "
        f"exit 0 {record.exited - record.signal_sent:.1f}s after the signal, "
        f"{record.seconds:.1f}s in all (grace {grace:.0f}s); replacement {replacement.name} "
        f"Ready {replacement.ready_at - record.started:.1f}s after the stop began"
    )
