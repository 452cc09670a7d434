"""Both overlays render with `kubectl kustomize` into the expected objects."""

from __future__ import annotations

from collections import Counter

from .conftest import Rendered, app_config_map

COMMON = {
    "Namespace": 1,
    "ServiceAccount": 3,
    "ConfigMap": 1,
    "Service": 3,
    "Deployment": 3,
    "PodDisruptionBudget": 2,
    "HorizontalPodAutoscaler": 2,
    "NetworkPolicy": 7,
}
EXPECTED_KINDS = {
    "minikube": Counter(COMMON),
    # + the monitoring of the backend (monitoring/): the scrape's NetworkPolicy,
    # the Grafana dashboard's ConfigMap, a PodMonitor and PrometheusRules.
    "production": Counter(
        {
            **COMMON,
            "Ingress": 1,
            "NetworkPolicy": 8,
            "ConfigMap": 2,
            "PodMonitor": 1,
            "PrometheusRule": 1,
        }
    ),
}


def test_overlay_renders_expected_objects(overlay: Rendered) -> None:
    kinds = overlay.kinds()
    print(
        f"\n[render] {overlay.overlay}: {len(overlay.docs)} objects {dict(sorted(kinds.items()))}"
    )
    assert kinds == EXPECTED_KINDS[overlay.overlay]


def test_everything_lives_in_namespace_todo(overlay: Rendered) -> None:
    for doc in overlay.docs:
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["name"] == "todo"
        else:
            assert doc["metadata"].get("namespace") == "todo", doc["metadata"]["name"]


def test_names_are_unique(overlay: Rendered) -> None:
    keys = Counter((d["kind"], d["metadata"]["name"]) for d in overlay.docs)
    assert [k for k, n in keys.items() if n > 1] == []


def test_configmap_is_generated_and_referenced(overlay: Rendered) -> None:
    """The ConfigMap name carries a content hash, and every reference follows it."""
    cm = app_config_map(overlay)
    name = cm["metadata"]["name"]
    assert name.startswith("todo-config-") and name != "todo-config-"
    assert "name: todo-config\n" not in overlay.text
    assert overlay.text.count(f"name: {name}") >= 3  # itself + 2 envFrom refs
