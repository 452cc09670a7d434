"""ADR-004's decisions (and what this product adds to them), asserted on the
rendered manifests of both overlays."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import (
    REPO,
    Rendered,
    all_containers,
    app_config_map,
    pod_labels,
    pod_spec,
    workloads,
)

SECRET_KEYS = (
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "JWT_SECRET",
    "GROQ_API_KEY",
    "REDIS_PASSWORD",
)
STATELESS = ("todo-backend", "todo-frontend")
MIN_REPLICAS = {"minikube": 2, "production": 3}
RECOMMENDED_LABELS = (
    "app",
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
)


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector (matchLabels only: this repo uses no expressions)."""
    assert "matchExpressions" not in selector, "selector expressions are not checked here"
    match = selector.get("matchLabels", selector)
    return all(labels.get(k) == v for k, v in match.items())


# --- services (ADR-004: backend internal, frontend the only entry point) ----


def test_backend_service_is_clusterip_8000(overlay: Rendered) -> None:
    svc = overlay.get("Service", "backend-service")
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["selector"] == {"app": "todo-backend"}
    (port,) = svc["spec"]["ports"]
    assert (port["port"], port["targetPort"], port.get("protocol", "TCP")) == (8000, 8000, "TCP")
    assert "nodePort" not in port


def test_backend_is_never_exposed(overlay: Rendered) -> None:
    backend = pod_labels(overlay.get("Deployment", "todo-backend"))
    for svc in overlay.of_kind("Service"):
        if selects(svc["spec"].get("selector", {}), backend):
            assert svc["spec"].get("type", "ClusterIP") == "ClusterIP", svc["metadata"]["name"]
    for ingress in overlay.of_kind("Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"]["name"] == "frontend-service"


def test_frontend_service(overlay: Rendered) -> None:
    svc = overlay.get("Service", "frontend-service")
    assert svc["spec"]["selector"] == {"app": "todo-frontend"}
    (port,) = svc["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (3000, 3000)
    if overlay.overlay == "minikube":
        assert svc["spec"]["type"] == "NodePort"
        assert port["nodePort"] == 30080
    else:  # behind the Ingress: no node port in production
        assert svc["spec"]["type"] == "ClusterIP"
        assert "nodePort" not in port


def test_ingress_only_in_production(overlay: Rendered) -> None:
    ingresses = overlay.of_kind("Ingress")
    if overlay.overlay == "minikube":
        assert ingresses == []
        return
    (ing,) = ingresses
    assert ing["spec"]["ingressClassName"] == "nginx"
    assert ing["spec"]["tls"] == [{"hosts": ["todo.example.com"], "secretName": "todo-tls"}]
    assert [r["host"] for r in ing["spec"]["rules"]] == ["todo.example.com"]
    annotations = ing["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    assert annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"] == "3600"
    assert not any("snippet" in key for key in annotations), "no config snippets (CVE-2021-25742)"
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "frontend-service", "port": {"number": 3000}}


def test_service_selectors_match_their_deployment(overlay: Rendered) -> None:
    deployments = workloads(overlay)
    for svc in overlay.of_kind("Service"):
        matched = [d for d in deployments if selects(svc["spec"]["selector"], pod_labels(d))]
        assert len(matched) == 1, f"{svc['metadata']['name']} selects {len(matched)} Deployments"
        ports = {p["containerPort"] for c in pod_spec(matched[0])["containers"] for p in c["ports"]}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in ports, svc["metadata"]["name"]
    for deploy in deployments:
        assert selects(deploy["spec"]["selector"], pod_labels(deploy))
    for pdb in overlay.of_kind("PodDisruptionBudget"):
        matched = [d for d in deployments if selects(pdb["spec"]["selector"], pod_labels(d))]
        assert [d["metadata"]["name"] for d in matched] == [pdb["metadata"]["name"]]
        assert pdb["spec"]["minAvailable"] == 1
        assert pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


# --- secrets ----------------------------------------------------------------


def test_no_secret_objects_rendered(overlay: Rendered) -> None:
    assert overlay.of_kind("Secret") == []
    assert "kind: Secret" not in overlay.text


def test_secrets_only_via_secret_key_ref(overlay: Rendered) -> None:
    for deploy in workloads(overlay):
        for container in all_containers(deploy):
            for env in container.get("env", []):
                if env["name"] in SECRET_KEYS:
                    assert "value" not in env, f"{env['name']} has a literal value"
                    ref = env["valueFrom"]["secretKeyRef"]
                    assert ref["name"] == "todo-secrets"
                    assert ref["key"] == env["name"]
            for env_from in container.get("envFrom", []):
                assert "secretRef" not in env_from, "whole-Secret injection hides what is used"
    for cm in overlay.of_kind("ConfigMap"):
        assert not set(cm.get("data", {})) & set(SECRET_KEYS)
    assert not re.search(r"postgres(ql)?(\+\w+)?://", overlay.text), "a database URL in YAML"


def test_backend_gets_every_secret(overlay: Rendered) -> None:
    backend = overlay.get("Deployment", "todo-backend")
    (app,) = pod_spec(backend)["containers"]
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in app["env"] if "valueFrom" in e}
    assert set(SECRET_KEYS) - {"MIGRATION_DATABASE_URL"} <= set(refs)
    assert refs["GROQ_API_KEY"].get("optional") is True
    assert not refs["REDIS_PASSWORD"].get("optional")
    (migrate,) = pod_spec(backend)["initContainers"]
    init_refs = {
        e["name"]: e["valueFrom"]["secretKeyRef"] for e in migrate["env"] if "valueFrom" in e
    }
    assert init_refs["MIGRATION_DATABASE_URL"].get("optional") is True
    assert not refs["DATABASE_URL"].get("optional") and not refs["JWT_SECRET"].get("optional")


def test_secrets_example_has_keys_but_no_values() -> None:
    example = (REPO / "deploy/secrets.env.example").read_text()
    entries = [line for line in example.splitlines() if line.strip() and not line.startswith("#")]
    assert sorted(line.split("=", 1)[0] for line in entries) == sorted(SECRET_KEYS)
    assert all(line.split("=", 1)[1] == "" for line in entries)
    dockerignore = (REPO / ".dockerignore").read_text().splitlines()
    assert "deploy/secrets.env" in dockerignore


def test_config_map(overlay: Rendered) -> None:
    cm = app_config_map(overlay)
    data = cm["data"]
    assert data["APP_ENV"] == "production"
    assert data["REFLEX_REDIS_URL"] == "redis://redis-service:6379/0"
    assert data["SHUTDOWN_DRAIN_SECONDS"] == "20"
    assert data["MIGRATE_ON_START"] == "false"
    assert data["REFLEX_TELEMETRY_ENABLED"] == "false"
    assert data["REFLEX_CHECK_LATEST_VERSION"] == "false"
    assert "LOG_LEVEL" in data
    backend = overlay.get("Deployment", "todo-backend")
    for container in all_containers(backend):
        refs = [e["configMapRef"]["name"] for e in container.get("envFrom", [])]
        assert refs == [cm["metadata"]["name"]], container["name"]


# --- probes, lifecycle, rollout ----------------------------------------------


HANDLERS = ("httpGet", "tcpSocket", "exec", "grpc")


def test_liveness_differs_from_readiness(overlay: Rendered) -> None:
    for deploy in workloads(overlay):
        for container in pod_spec(deploy)["containers"]:
            name = f"{deploy['metadata']['name']}/{container['name']}"
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert probe in container, f"{name} has no {probe}"
            assert container["livenessProbe"] != container["readinessProbe"], name
            handler = {k: v for k, v in container["livenessProbe"].items() if k in HANDLERS}
            ready = {k: v for k, v in container["readinessProbe"].items() if k in HANDLERS}
            assert handler != ready, f"{name}: liveness and readiness probe the same thing"


def test_probe_endpoints(overlay: Rendered) -> None:
    backend = pod_spec(overlay.get("Deployment", "todo-backend"))["containers"][0]
    assert backend["livenessProbe"]["httpGet"]["path"] == "/ping"
    # a local check: a database blip must not take every replica out of the Service
    assert backend["readinessProbe"]["httpGet"]["path"] == "/readyz"
    frontend = pod_spec(overlay.get("Deployment", "todo-frontend"))["containers"][0]
    assert frontend["livenessProbe"]["tcpSocket"]["port"] in (3000, "http")
    assert frontend["readinessProbe"]["httpGet"]["path"] == "/healthz"


def test_hpa_two_to_ten(overlay: Rendered) -> None:
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in overlay.of_kind("HorizontalPodAutoscaler")
    }
    assert set(hpas) == set(STATELESS)
    for name, hpa in hpas.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert hpa["spec"]["minReplicas"] == MIN_REPLICAS[overlay.overlay] >= 2
        assert hpa["spec"]["maxReplicas"] == 10
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert metric["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
        overlay.get("Deployment", name)


def test_replicas(overlay: Rendered) -> None:
    for name in STATELESS:
        spec = overlay.get("Deployment", name)["spec"]
        if overlay.overlay == "minikube":
            assert spec["replicas"] == 2
        else:  # the HPA owns the count: `kubectl apply` must not reset it
            assert "replicas" not in spec
    assert overlay.get("Deployment", "todo-redis")["spec"]["replicas"] == 1


@pytest.mark.parametrize("name", STATELESS)
def test_zero_downtime_rollout(overlay: Rendered, name: str) -> None:
    deploy = overlay.get("Deployment", name)
    strategy = deploy["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    spec = pod_spec(deploy)
    for container in spec["containers"]:
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep"
        assert spec["terminationGracePeriodSeconds"] > int(command[1])
    assert spec["terminationGracePeriodSeconds"] == {"todo-backend": 45, "todo-frontend": 30}[name]
    (spread,) = spec["topologySpreadConstraints"]
    assert spread["topologyKey"] == "kubernetes.io/hostname"
    assert spread["whenUnsatisfiable"] == "ScheduleAnyway"
    assert selects(spread["labelSelector"], pod_labels(deploy))


def test_redis_is_a_single_non_persistent_instance(overlay: Rendered) -> None:
    redis = overlay.get("Deployment", "todo-redis")
    assert redis["spec"]["strategy"] == {"type": "Recreate"}
    (container,) = pod_spec(redis)["containers"]
    assert re.fullmatch(r"redis:7\.\d+\.\d+-alpine", container["image"])
    args = container["args"]
    assert args[args.index("--save") + 1] == ""
    assert args[args.index("--appendonly") + 1] == "no"
    assert [m["mountPath"] for m in container["volumeMounts"]] == ["/data"]


def test_redis_requires_the_apps_password(overlay: Rendered) -> None:
    (container,) = pod_spec(overlay.get("Deployment", "todo-redis"))["containers"]
    args = container["args"]
    assert "--protected-mode" not in args
    users = [i for i, arg in enumerate(args) if arg == "--user"]
    default = args[users[0] + 1 : users[1]]
    app = args[users[1] + 1 :]
    assert default == ["default", "off", "resetpass"]
    assert app[:3] == ["todo", "on", ">$(REDIS_PASSWORD)"]
    assert "-@dangerous" in app and app.index("-@dangerous") > app.index("+@all")
    # set by Redis itself, so that it survives a restart (the app may not CONFIG SET)
    assert args[args.index("--notify-keyspace-events") + 1] == "K$sgxe"
    env = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"]}
    assert env == {"REDIS_PASSWORD": "REDIS_PASSWORD", "REDISCLI_AUTH": "REDIS_PASSWORD"}
    assert container["readinessProbe"]["exec"]["command"] == ["redis-cli", "--user", "todo", "ping"]
    cm = app_config_map(overlay)
    assert "REDIS_USERNAME" not in cm["data"]  # the settings' default, "todo", is the ACL user
    assert cm["data"]["REFLEX_IGNORE_REDIS_CONFIG_ERROR"] == "true"


def test_shutdown_fits_the_grace_period(overlay: Rendered) -> None:
    """preStop pause, then draining events, then closing sockets, then finishing the
    events that came in as they closed (as long as closing), all before SIGKILL."""
    cm = app_config_map(overlay)
    backend = pod_spec(overlay.get("Deployment", "todo-backend"))
    (app,) = backend["containers"]
    pause = int(app["lifecycle"]["preStop"]["exec"]["command"][-1])
    drain = int(cm["data"]["SHUTDOWN_DRAIN_SECONDS"])
    close = int(cm["data"]["SHUTDOWN_CLOSE_SECONDS"])
    assert pause + drain + 2 * close < backend["terminationGracePeriodSeconds"]
    frontend = pod_spec(overlay.get("Deployment", "todo-frontend"))
    (nginx,) = frontend["containers"]
    pause = int(nginx["lifecycle"]["preStop"]["exec"]["command"][-1])
    dockerfile = (REPO / "Dockerfile.frontend").read_text()
    match = re.search(r"worker_shutdown_timeout (\d+)s", dockerfile)
    assert match, "nginx has no worker_shutdown_timeout: open websockets would hold it up"
    assert pause + int(match.group(1)) < frontend["terminationGracePeriodSeconds"]


def test_migrations_run_as_init_container(overlay: Rendered) -> None:
    spec = pod_spec(overlay.get("Deployment", "todo-backend"))
    (init,) = spec["initContainers"]
    (app,) = spec["containers"]
    assert init["command"] == ["python", "-m", "todo_app.migrate"]
    assert init["image"] == app["image"]
    assert "command" not in app and "args" not in app  # the image's CMD serves


# --- security context, resources, images -----------------------------------


def test_pod_security(overlay: Rendered) -> None:
    service_accounts = {sa["metadata"]["name"]: sa for sa in overlay.of_kind("ServiceAccount")}
    for deploy in workloads(overlay):
        name = deploy["metadata"]["name"]
        spec = pod_spec(deploy)
        ctx = spec["securityContext"]
        assert ctx["runAsNonRoot"] is True, name
        for key in ("runAsUser", "runAsGroup", "fsGroup"):
            assert ctx[key] > 10000, f"{name}: {key}"
        assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["enableServiceLinks"] is False, name
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(key), name
        assert spec["serviceAccountName"] == name
        assert service_accounts[name]["automountServiceAccountToken"] is False
        for volume in spec.get("volumes", []):
            assert set(volume) == {"name", "emptyDir"}, f"{name}: only emptyDir volumes"
            assert "sizeLimit" in volume["emptyDir"]


def test_container_security_and_resources(overlay: Rendered) -> None:
    for deploy in workloads(overlay):
        for container in all_containers(deploy):
            name = f"{deploy['metadata']['name']}/{container['name']}"
            ctx = container["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True, name
            assert ctx["allowPrivilegeEscalation"] is False, name
            assert ctx["privileged"] is False, name
            assert ctx["capabilities"] == {"drop": ["ALL"]}, name
            resources = container["resources"]
            for kind in ("requests", "limits"):
                assert set(resources[kind]) == {"cpu", "memory"}, f"{name}: {kind}"
            assert "ports" not in container or all("hostPort" not in p for p in container["ports"])


def test_resource_figures(overlay: Rendered) -> None:
    expected = {
        "todo-backend": ({"cpu": "250m", "memory": "512Mi"}, {"cpu": "1", "memory": "1Gi"}),
        "todo-frontend": ({"cpu": "50m", "memory": "64Mi"}, {"cpu": "250m", "memory": "128Mi"}),
        "todo-redis": ({"cpu": "50m", "memory": "64Mi"}, {"cpu": "250m", "memory": "256Mi"}),
    }
    for name, (requests, limits) in expected.items():
        container = pod_spec(overlay.get("Deployment", name))["containers"][0]
        assert container["resources"] == {"requests": requests, "limits": limits}, name


def test_writable_paths_are_empty_dirs(overlay: Rendered) -> None:
    expected = {
        "todo-backend": {"/tmp", "/app/.web", "/app/.states"},
        "todo-frontend": {"/tmp", "/etc/nginx/conf.d"},
        "todo-redis": {"/data"},
    }
    for name, paths in expected.items():
        container = pod_spec(overlay.get("Deployment", name))["containers"][0]
        assert {m["mountPath"] for m in container["volumeMounts"]} == paths, name


def test_images_pinned(overlay: Rendered) -> None:
    policy = "IfNotPresent" if overlay.overlay == "minikube" else "Always"
    app_images = {
        "minikube": {"todo-backend": "todo-backend:0.1.0", "todo-frontend": "todo-frontend:0.1.0"},
        "production": {
            "todo-backend": "registry.example.com/todo/backend:0.1.0",
            "todo-frontend": "registry.example.com/todo/frontend:0.1.0",
        },
    }[overlay.overlay]
    for deploy in workloads(overlay):
        for container in all_containers(deploy):
            image = container["image"]
            name, _, tag = image.rpartition(":")
            assert name and tag and "/" not in tag, f"{image}: no tag"
            assert tag != "latest" and "latest" not in image.split("/")[-1]
            assert container["imagePullPolicy"] == policy, image
        if deploy["metadata"]["name"] in app_images:
            for container in all_containers(deploy):
                assert container["image"] == app_images[deploy["metadata"]["name"]]


def test_recommended_labels(overlay: Rendered) -> None:
    for deploy in workloads(overlay):
        for labels in (deploy["metadata"]["labels"], pod_labels(deploy)):
            missing = [k for k in RECOMMENDED_LABELS if k not in labels]
            assert missing == [], f"{deploy['metadata']['name']}: {missing}"
        assert deploy["spec"]["selector"]["matchLabels"] == {"app": deploy["metadata"]["name"]}


def test_checkov_skips_are_annotations_with_reasons(overlay: Rendered) -> None:
    for doc in overlay.docs:
        for key, value in (doc["metadata"].get("annotations") or {}).items():
            if key.startswith("checkov.io/skip"):
                # checkov splits on "=": one id, one reason, no other "=".
                assert re.fullmatch(r"CKV2?_[A-Z0-9]+_\d+=[^=]{30,}", value), value


def test_namespace_enforces_restricted_pod_security(overlay: Rendered) -> None:
    labels = overlay.get("Namespace", "todo")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


# --- network policies ---------------------------------------------------------


def policies_for(overlay: Rendered, labels: dict[str, str], direction: str) -> list[dict[str, Any]]:
    return [
        p
        for p in overlay.of_kind("NetworkPolicy")
        if direction in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], labels)
    ]


def rules(policies: list[dict[str, Any]], direction: str) -> list[dict[str, Any]]:
    key = "ingress" if direction == "Ingress" else "egress"
    return [rule for p in policies for rule in p["spec"].get(key, [])]


def ports(rule: dict[str, Any]) -> set[tuple[str, int]]:
    return {(p.get("protocol", "TCP"), p["port"]) for p in rule["ports"]}


def labels_of(overlay: Rendered, name: str) -> dict[str, str]:
    return pod_labels(overlay.get("Deployment", name))


def test_default_deny_all(overlay: Rendered) -> None:
    deny = overlay.get("NetworkPolicy", "default-deny-all")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


FROM_FRONTEND = [{"podSelector": {"matchLabels": {"app": "todo-frontend"}}}]
# Production: Prometheus scrapes /metrics on the backend's port (monitoring/).
FROM_PROMETHEUS = [
    {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
    }
]


def test_backend_ingress_only_from_frontend(overlay: Rendered) -> None:
    """And, in production, from Prometheus in the monitoring namespace (one rule,
    both selectors in one peer: its pods there, not every pod of the namespace)."""
    allowed = rules(policies_for(overlay, labels_of(overlay, "todo-backend"), "Ingress"), "Ingress")
    assert allowed, "backend admits nothing"
    expected = [FROM_FRONTEND] + ([FROM_PROMETHEUS] if overlay.overlay == "production" else [])
    assert sorted((rule["from"] for rule in allowed), key=str) == sorted(expected, key=str)
    for rule in allowed:
        assert ports(rule) == {("TCP", 8000)}


def test_redis_ingress_only_from_backend(overlay: Rendered) -> None:
    allowed = rules(policies_for(overlay, labels_of(overlay, "todo-redis"), "Ingress"), "Ingress")
    assert allowed, "redis admits nothing"
    for rule in allowed:
        assert rule["from"] == [{"podSelector": {"matchLabels": {"app": "todo-backend"}}}]
        assert ports(rule) == {("TCP", 6379)}


def test_frontend_ingress(overlay: Rendered) -> None:
    allowed = rules(
        policies_for(overlay, labels_of(overlay, "todo-frontend"), "Ingress"), "Ingress"
    )
    assert len(allowed) == 1
    (rule,) = allowed
    assert ports(rule) == {("TCP", 3000)}
    if overlay.overlay == "minikube":
        assert "from" not in rule  # NodePort: from anywhere
    else:
        assert rule["from"] == [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
        ]


DNS = {("UDP", 53), ("TCP", 53)}
KUBE_SYSTEM = [
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}
]


def egress_targets(overlay: Rendered, name: str) -> list[tuple[Any, set[tuple[str, int]]]]:
    allowed = rules(policies_for(overlay, labels_of(overlay, name), "Egress"), "Egress")
    return [(rule.get("to"), ports(rule)) for rule in allowed]


def test_egress(overlay: Rendered) -> None:
    dns = (KUBE_SYSTEM, DNS)
    backend_pods = [{"podSelector": {"matchLabels": {"app": "todo-backend"}}}]
    redis_pods = [{"podSelector": {"matchLabels": {"app": "todo-redis"}}}]
    anywhere = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]
    expected: dict[str, list[tuple[Any, set[tuple[str, int]]]]] = {
        "todo-frontend": [dns, (backend_pods, {("TCP", 8000)})],
        "todo-redis": [dns],
        "todo-backend": [
            dns,
            (redis_pods, {("TCP", 6379)}),
            (anywhere, {("TCP", 5432)}),
            (anywhere, {("TCP", 443)}),
        ],
    }
    for name, targets in expected.items():
        assert sorted(egress_targets(overlay, name), key=str) == sorted(targets, key=str), name
