"""`kubernetes-validate --strict` accepts every rendered object, for the oldest
Kubernetes we support (1.30) and for the newest schema the package ships.

The Prometheus Operator's objects (PodMonitor, PrometheusRule) are custom
resources whose schemas the package does not ship: it warns and skips them;
tests/k8s/test_monitoring.py checks their shape and the metric names in them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import Rendered, find_tool, run

OLDEST = "1.30.0"
# Custom resources: no schema offline (see the module doc).
CUSTOM_GROUPS = ("monitoring.coreos.com/",)


def is_custom(doc: dict[str, object]) -> bool:
    return str(doc["apiVersion"]).startswith(CUSTOM_GROUPS)


@pytest.fixture(scope="session")
def newest_schema() -> str:
    """The package names its schemas by version (e.g. v1.37.0-local-strict) and
    defaults to the newest one: read that default from --help."""
    result = run([find_tool("kubernetes-validate"), "--help"])
    assert result.returncode == 0, result.stderr
    match = re.search(r"Defaults to\s+(\d+\.\d+\.\d+)", " ".join(result.stdout.split()))
    assert match, f"no default version in --help:\n{result.stdout}"
    return match.group(1)


def validate(path: Path, version: str) -> tuple[int, str]:
    result = run([find_tool("kubernetes-validate"), "--strict", "-k", version, path])
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("which", ["oldest", "newest"])
def test_strict_schema_validation(overlay: Rendered, which: str, newest_schema: str) -> None:
    version = OLDEST if which == "oldest" else newest_schema
    rc, output = validate(overlay.path, version)
    passed = output.count("passed for resource")
    custom = [d for d in overlay.docs if is_custom(d)]
    total = len(overlay.docs) - len(custom)
    print(
        f"\n[kubernetes-validate] {overlay.overlay} @ {version}: {passed}/{total} passed"
        f" ({len(custom)} custom resources skipped)"
    )
    assert rc == 0, output
    assert passed == total, output
    # The only objects without a schema are the custom resources, each warned about.
    skipped = [line for line in output.splitlines() if "Couldn't find schema" in line]
    assert len(skipped) == len(custom), output
    assert all("monitoring.coreos.com/v1" in line for line in skipped), output


def test_strict_mode_rejects_unknown_fields(rendered_dir: Path, newest_schema: str) -> None:
    """Control: the validator really fails on a typo (so a green run means something)."""
    bad = rendered_dir / "typo.yaml"
    bad.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: todo}\n"
        "spec: {type: ClusterIP, selecter: {app: x}, ports: [{port: 80}]}\n"
    )
    rc, output = validate(bad, newest_schema)
    assert rc != 0, output
