"""Every pod of the rendered manifests runs as the kubelet would run it.

Readiness comes from the probes the manifests declare, executed on their own
schedule; init containers ran to completion; each container runs under its
securityContext and limits (read from podman and from inside the container).
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from sqlalchemy import create_engine, text

from scripts.kube_rehearsal import (
    PROBE_KINDS,
    KubeRehearsal,
    Pod,
    ProbeRecord,
    quantity_bytes,
    quantity_cpus,
)
from tests.support.containers import ContainerRehearsal


def _containers(pod: Pod) -> list[dict[str, Any]]:
    return list(pod.spec["containers"])


def _wait_for_record(
    runner: KubeRehearsal, pod: Pod, container: str, kind: str, probe: dict[str, Any]
) -> list[ProbeRecord]:
    """The probe's records, once it has run at least once (liveness runs every period)."""
    period = float(probe.get("periodSeconds", 10))
    timeout = float(probe.get("timeoutSeconds", 1))
    deadline = time.monotonic() + period + timeout + 5
    while True:
        records = runner.probe_history(pod.name, container, kind)
        if records or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def test_every_deployment_is_ready_through_its_declared_probes(
    container_rehearsal: ContainerRehearsal,
) -> None:
    runner = container_rehearsal.runner
    for name, deployment in runner.manifests.deployments.items():
        pods = runner.live_pods(name)
        assert len(pods) == deployment["spec"]["replicas"], name
        assert all(pod.ready for pod in pods), runner.readiness()
        for pod in pods:
            assert pod.ready_at is not None
            print(
                f"\n[probes] {pod.name}: Ready {pod.ready_at - pod.created_at:.1f}s after "
                f"creation ({pod.ready_at - (pod.main_started_at or 0):.1f}s after its "
                "containers started)"
            )
            for spec in _containers(pod):
                declared = {
                    kind[: -len("Probe")]: spec[kind] for kind in PROBE_KINDS if kind in spec
                }
                # The manifests declare all three on every container.
                assert set(declared) == {"startup", "readiness", "liveness"}, spec["name"]
                for kind, probe in declared.items():
                    records = _wait_for_record(runner, pod, spec["name"], kind, probe)
                    assert records, f"{pod.name}/{spec['name']}: no {kind} probe ran"
                    assert records[-1].ok, records[-1]
                    print(
                        f"  {spec['name']} {kind}: {len(records)} run(s), "
                        f"{sum(r.ok for r in records)} ok, last: {records[-1].detail}"
                    )
                startups = runner.probe_history(pod.name, spec["name"], "startup")
                # Startup stops at its first success; only then do the others run.
                assert [r.ok for r in startups].count(True) == 1 and startups[-1].ok
                later = [
                    r
                    for kind in ("readiness", "liveness")
                    for r in runner.probe_history(pod.name, spec["name"], kind)
                ]
                assert min(r.at for r in later) >= startups[-1].at
                # Failed startup attempts were spaced by the declared period.
                period = float(spec["startupProbe"].get("periodSeconds", 10))
                for before, after in itertools.pairwise(startups):
                    assert after.at - before.at >= period - 0.1
                # Healthy since: no readiness or liveness failure once the pod was Ready.
                since_ready = [r for r in later if r.at >= pod.ready_at]
                assert all(r.ok for r in since_ready), [r for r in since_ready if not r.ok]
    assert all(count == 0 for count in runner.restarts().values()), runner.restarts()
    print(f"[stats] {json.dumps(runner.stats(), indent=1)}")


def test_init_containers_ran_in_order_and_exited_0(
    container_rehearsal: ContainerRehearsal,
) -> None:
    runner = container_rehearsal.runner
    with_init = [pod for pod in runner.live_pods() if pod.spec.get("initContainers")]
    assert with_init, "the backend declares its migrate init container"
    for pod in with_init:
        declared = [spec["name"] for spec in pod.spec["initContainers"]]
        assert [(r.container, r.exit_code) for r in pod.init_records] == [
            (name, 0) for name in declared
        ]
        for name in declared:
            state = runner.podman.json("inspect", runner.container_name(pod.name, name))[0]
            assert state["State"]["Status"] == "exited"
            assert state["State"]["ExitCode"] == 0
    # The migrate init container really migrated the (socket-reached) database.
    engine = create_engine(container_rehearsal.database_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            tables = set(
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
            )
    finally:
        engine.dispose()
    assert version
    assert {"users", "todos"} <= tables


def _status_field(status: str, field: str) -> str:
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {field} in /proc/1/status")


def test_each_container_runs_under_its_security_context_and_limits(
    container_rehearsal: ContainerRehearsal,
) -> None:
    runner = container_rehearsal.runner
    checked = 0
    for pod in runner.live_pods():
        pod_context = pod.spec.get("securityContext") or {}
        specs = [*pod.spec.get("initContainers", []), *pod.spec["containers"]]
        for spec in specs:
            name = runner.container_name(pod.name, spec["name"])
            context = {**pod_context, **(spec.get("securityContext") or {})}
            inspect = runner.podman.json("inspect", name)[0]
            host = inspect["HostConfig"]
            assert host["ReadonlyRootfs"] is True, name
            assert context["readOnlyRootFilesystem"] is True
            assert inspect["Config"]["User"] == f"{context['runAsUser']}:{context['runAsGroup']}"
            assert int(context["runAsUser"]) != 0
            assert not host.get("CapAdd"), host.get("CapAdd")
            assert context["capabilities"]["drop"] == ["ALL"]
            assert not inspect.get("EffectiveCaps"), inspect.get("EffectiveCaps")
            assert "no-new-privileges" in host["SecurityOpt"], host["SecurityOpt"]
            limits = spec["resources"]["limits"]
            assert host["Memory"] == quantity_bytes(limits["memory"])
            assert host["NanoCpus"] == round(quantity_cpus(limits["cpu"]) * 1e9)
            # Each emptyDir is a directory of this pod's own, writable by anyone.
            volumes = {v["name"]: v for v in pod.spec.get("volumes", [])}
            mounts = {m["Destination"]: m for m in inspect["Mounts"]}
            for mount in spec.get("volumeMounts", []):
                if "emptyDir" in volumes[mount["name"]]:
                    bound = mounts[mount["mountPath"]]
                    assert bound["Type"] == "bind" and bound["RW"] is True
                    assert bound["Source"].startswith(str(pod.workdir)), bound["Source"]
            checked += 1
            if spec in pod.spec.get("initContainers", []):
                continue
            # From inside: the process really has no capabilities, no way up, its user.
            status = runner.podman.run("exec", name, "cat", "/proc/1/status", check=True).stdout
            for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
                assert int(_status_field(status, field), 16) == 0, (name, field)
            assert _status_field(status, "NoNewPrivs") == "1"
            assert _status_field(status, "Uid").split()[0] == str(context["runAsUser"])
            assert _status_field(status, "Gid").split()[0] == str(context["runAsGroup"])
            fs_group = str(pod_context["fsGroup"])
            assert fs_group in _status_field(status, "Groups").split()
    assert checked >= sum(
        len(pod.spec["containers"]) + len(pod.spec.get("initContainers", []))
        for pod in runner.live_pods()
    )


def test_backend_root_filesystem_is_read_only_and_tmp_is_writable(
    container_rehearsal: ContainerRehearsal,
) -> None:
    runner = container_rehearsal.runner
    for pod in runner.live_pods("todo-backend"):
        name = runner.container_name(pod.name, "backend")
        in_app = runner.podman.run("exec", name, "touch", "/app/rehearsal-write-probe")
        assert in_app.returncode != 0
        assert "Read-only file system" in in_app.stderr, in_app.stderr
        in_tmp = runner.podman.run("exec", name, "touch", "/tmp/rehearsal-write-probe")
        assert in_tmp.returncode == 0, in_tmp.stderr
        listed = runner.podman.run("exec", name, "ls", "-ln", "/tmp/rehearsal-write-probe")
        assert listed.stdout.split()[2] == "10001", listed.stdout  # written as the pod's user
        # The file landed in this pod's own emptyDir on the host, not in a shared one.
        assert (pod.workdir / "volumes" / "tmp" / "rehearsal-write-probe").exists()
