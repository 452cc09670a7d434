"""checkov: no failed check in the rendered manifests (kubernetes), the
overlays themselves (kustomize) or the Dockerfiles (dockerfile).

Every skip is an annotation `checkov.io/skipN: CKV_..=<reason>` on the object;
the skips allowed here are listed below with the overlay they apply to, so a
new skip cannot slip in unnoticed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import DOCKERFILES, K8S, REPO, VENV_BIN, Rendered, find_tool, run

ALLOWED_SKIPS = {
    # image digests: tags are pinned, digests are set by the release pipeline
    "CKV_K8S_43",
    # ADR-004: secrets injected as env vars via secretKeyRef
    "CKV_K8S_35",
}
ALLOWED_SKIPS_BY_OVERLAY = {
    # images built into minikube: imagePullPolicy stays IfNotPresent
    "minikube": ALLOWED_SKIPS | {"CKV_K8S_15"},
    "production": ALLOWED_SKIPS,
}


def checkov(args: list[str | Path]) -> dict[str, Any]:
    env = {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # no PyPI lookup for a newer checkov
        # The kustomize framework shells out to kubectl: use the venv's.
        "PATH": f"{find_tool('kubectl').parent}{os.pathsep}{VENV_BIN}{os.pathsep}"
        + os.environ.get("PATH", ""),
    }
    result = run([find_tool("checkov"), *args, "--skip-download", "-o", "json"], env=env)
    assert result.stdout.strip(), f"checkov printed nothing:\n{result.stderr[-3000:]}"
    data = json.loads(result.stdout)
    reports = data if isinstance(data, list) else [data]
    assert reports and all("results" in r for r in reports), result.stdout[-3000:]
    return {
        "passed": sum(r["summary"]["passed"] for r in reports),
        "failed": [c for r in reports for c in r["results"]["failed_checks"]],
        "skipped": [c for r in reports for c in r["results"]["skipped_checks"]],
        "parsing_errors": sum(r["summary"]["parsing_errors"] for r in reports),
    }


def report(label: str, res: dict[str, Any]) -> None:
    print(
        f"\n[checkov] {label}: passed={res['passed']} failed={len(res['failed'])} "
        f"skipped={len(res['skipped'])}"
    )
    for check in res["failed"]:
        print(f"    FAILED {check['check_id']} {check['resource']} {check['check_name']}")
    for check in res["skipped"]:
        reason = check["check_result"].get("suppress_comment", "")
        print(f"    skipped {check['check_id']} {check['resource']}: {reason}")


def assert_clean(res: dict[str, Any], allowed_skips: set[str]) -> None:
    assert res["parsing_errors"] == 0
    assert res["passed"] > 0
    assert res["failed"] == [], [(c["check_id"], c["resource"]) for c in res["failed"]]
    for check in res["skipped"]:
        reason = check["check_result"].get("suppress_comment", "")
        assert len(reason.strip()) >= 20, f"skip without an honest reason: {check['check_id']}"
        assert check["check_id"] in allowed_skips, f"unexpected skip {check['check_id']}"


def test_kubernetes_framework_on_rendered_yaml(overlay: Rendered, tmp_path: Path) -> None:
    (tmp_path / f"{overlay.overlay}.yaml").write_text(overlay.text)
    res = checkov(["--framework", "kubernetes", "-d", tmp_path])
    report(f"kubernetes/{overlay.overlay}", res)
    assert_clean(res, ALLOWED_SKIPS_BY_OVERLAY[overlay.overlay])


# One overlay per run: checkov's kustomize runner writes every overlay's
# objects into one temporary folder by kind and name, so two overlays in one
# run overwrite each other and only one gets scanned.
@pytest.mark.parametrize("name", ["minikube", "production"])
def test_kustomize_framework_on_overlays(name: str) -> None:
    res = checkov(["--framework", "kustomize", "-d", K8S / "overlays" / name])
    report(f"kustomize/{name}", res)
    assert_clean(res, ALLOWED_SKIPS_BY_OVERLAY[name])
    # the overlay was really built (not an empty scan)
    assert res["passed"] > 100


def test_dockerfile_framework() -> None:
    args: list[str | Path] = ["--framework", "dockerfile"]
    for dockerfile in DOCKERFILES:
        args += ["-f", REPO / dockerfile]
    res = checkov(args)
    report("dockerfile", res)
    assert_clean(res, set())
