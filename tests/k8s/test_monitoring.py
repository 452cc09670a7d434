"""The backend's monitoring in the manifests: scrape annotations (base), and in the
production overlay a PodMonitor, PrometheusRules and a Grafana dashboard, all written
against metric names the app really exports; the HPA example for prometheus-adapter.

kubernetes-validate has no schema for the Prometheus Operator's custom resources
(test_validate.py), so their shape is checked here."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import todo_app.observability.metrics  # noqa: F401  (registers the app's metrics)

from .conftest import K8S, Rendered, find_tool, pod_labels, pod_spec, run

MONITORING = K8S / "overlays/production/monitoring"
HPA_EXAMPLE = MONITORING / "hpa-websockets.example.yaml"
ALERTS = {
    "TodoEventLatencyHigh",
    "TodoEventErrorRate",
    "TodoRedisEvictions",
    "TodoDbPoolExhausted",
    "TodoDbPoolCheckoutTimeouts",
    "TodoBackendNotScraped",
}
# Series the app does not export: redis_exporter's, Prometheus' own, the process
# collector's (which comes with prometheus-client's registry, so it is exported).
FOREIGN = {"redis_evicted_keys_total", "up"}


def exported_series() -> set[str]:
    """Every series name /metrics can carry (a family's samples by their suffixes)."""
    names: set[str] = set()
    for family in REGISTRY.collect():
        names |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_count", "_sum")}
    return names


def series_in(expr: str) -> set[str]:
    """Metric names in a PromQL expression (words followed by a selector or a range)."""
    words = set(re.findall(r"\b([a-z_][a-z0-9_]*)\s*(?:\{|\[)", expr))
    return {w for w in words if "_" in w and w not in {"by", "on", "without"}}


def check_series(exprs: list[str]) -> None:
    known = exported_series() | FOREIGN
    used = set().union(*(series_in(e) for e in exprs))
    assert used, exprs
    assert used <= known, sorted(used - known)


def backend(overlay: Rendered) -> dict[str, Any]:
    return overlay.get("Deployment", "todo-backend")


def test_backend_pods_carry_scrape_annotations(overlay: Rendered) -> None:
    """For a Prometheus without the operator; harmless where none runs."""
    deploy = backend(overlay)
    annotations = deploy["spec"]["template"]["metadata"]["annotations"]
    (container,) = pod_spec(deploy)["containers"]
    (port,) = container["ports"]
    assert annotations == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(port["containerPort"]),
        "prometheus.io/path": "/metrics",
    }


def test_only_production_uses_the_operators_resources(overlay: Rendered) -> None:
    kinds = overlay.kinds()
    expected = 1 if overlay.overlay == "production" else 0
    assert (kinds["PodMonitor"], kinds["PrometheusRule"]) == (expected, expected)


@pytest.fixture
def production(rendered: dict[str, Rendered]) -> Rendered:
    return rendered["production"]


def test_pod_monitor_scrapes_each_backend_pod(production: Rendered) -> None:
    (monitor,) = production.of_kind("PodMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    spec = monitor["spec"]
    labels = pod_labels(backend(production))
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert "namespaceSelector" not in spec  # its own namespace, todo
    (endpoint,) = spec["podMetricsEndpoints"]
    (container,) = pod_spec(backend(production))["containers"]
    assert endpoint["port"] in {p["name"] for p in container["ports"]}
    assert endpoint["path"] == "/metrics"
    assert set(endpoint) <= {"port", "path", "interval", "scrapeTimeout"}


def rules(production: Rendered) -> list[dict[str, Any]]:
    (rule,) = production.of_kind("PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    (group,) = rule["spec"]["groups"]
    return list(group["rules"])


def test_prometheus_rules(production: Rendered) -> None:
    by_name = {r["alert"]: r for r in rules(production)}
    assert set(by_name) == ALERTS
    for rule in by_name.values():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
    latency = by_name["TodoEventLatencyHigh"]
    assert "histogram_quantile(0.95" in latency["expr"] and 'kind="event"' in latency["expr"]
    assert latency["expr"].strip().endswith("> 0.25") and latency["for"] == "10m"
    errors = by_name["TodoEventErrorRate"]
    assert 'outcome="error"' in errors["expr"] and errors["expr"].strip().endswith("> 0.02")
    assert "todo_db_pool_checkouts_waiting" in by_name["TodoDbPoolExhausted"]["expr"]
    assert "redis_evicted_keys_total" in by_name["TodoRedisEvictions"]["expr"]
    check_series([r["expr"] for r in by_name.values()])


def test_rule_expressions_are_balanced(production: Rendered) -> None:
    for rule in rules(production):
        expr = rule["expr"]
        for opening, closing in ("()", "{}", "[]"):
            assert expr.count(opening) == expr.count(closing), (rule["alert"], opening)
        assert expr.count('"') % 2 == 0, rule["alert"]


def dashboard(production: Rendered) -> tuple[dict[str, Any], dict[str, Any]]:
    (cm,) = [
        c
        for c in production.of_kind("ConfigMap")
        if c["metadata"]["name"] == "todo-grafana-dashboard"
    ]
    (document,) = cm["data"].values()
    return cm, json.loads(document)


def test_grafana_dashboard(production: Rendered) -> None:
    cm, board = dashboard(production)
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert board["uid"] == "todo-backend" and board["title"]
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    panels = board["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    exprs = []
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], panel["title"]
        exprs += [t["expr"] for t in panel["targets"]]
    check_series(exprs)
    # What the issue asks to see, each on the board.
    text = "\n".join(exprs)
    for name in (
        "todo_events_total",
        "todo_event_duration_seconds_bucket",
        "todo_websockets_open",
        "todo_state_duration_seconds_bucket",
        "todo_db_pool_in_use",
        "todo_db_pool_checkouts_waiting",
        "todo_redis_duration_seconds_bucket",
        "todo_assistant_groq_requests_total",
        "todo_groq_attempt_duration_seconds_bucket",
        "todo_login_failures_total",
    ):
        assert name in text, name


def test_scrape_network_policy_admits_prometheus_only_on_the_backend_port(
    production: Rendered,
) -> None:
    policy = production.get("NetworkPolicy", "todo-backend-from-prometheus")["spec"]
    assert policy["podSelector"] == {"matchLabels": {"app": "todo-backend"}}
    assert policy["policyTypes"] == ["Ingress"]
    (rule,) = policy["ingress"]
    (peer,) = rule["from"]
    assert set(peer) == {"namespaceSelector", "podSelector"}  # both: an AND, one peer
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]


def test_hpa_example_is_valid_and_not_applied(rendered: dict[str, Rendered]) -> None:
    """An example for clusters with prometheus-adapter: valid, and in no overlay."""
    for overlay in rendered.values():
        for hpa in overlay.of_kind("HorizontalPodAutoscaler"):
            metrics = hpa["spec"]["metrics"]
            assert [m["type"] for m in metrics] == ["Resource"], overlay.overlay
    assert "hpa-websockets.example.yaml" not in (MONITORING / "kustomization.yaml").read_text()
    result = run([find_tool("kubernetes-validate"), "--strict", HPA_EXAMPLE])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed for resource" in result.stdout
    (hpa,) = [d for d in yaml.safe_load_all(HPA_EXAMPLE.read_text()) if d]
    pods = [m["pods"]["metric"]["name"] for m in hpa["spec"]["metrics"] if m["type"] == "Pods"]
    assert pods == ["todo_websockets_open", "todo_events_per_second"]
    # The first is exported as it is; the second is the adapter's rate of todo_events_total.
    assert "todo_websockets_open" in exported_series()
    assert "todo_events_total" in exported_series()
    assert "name: {as: todo_events_per_second}" in HPA_EXAMPLE.read_text()
