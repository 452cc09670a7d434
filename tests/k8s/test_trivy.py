"""trivy config finds no misconfiguration, at any severity, in the Dockerfiles
and the rendered manifests of both overlays.

Offline: --skip-check-update uses the checks embedded in the binary (its log
says "Falling back to embedded checks"), --skip-version-check and
--disable-telemetry stop the other calls home, and the cache is a temporary
folder. No .trivyignore is read.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import DOCKERFILES, OVERLAYS, REPO, Rendered, find_tool, run

# KSV-0125 ("images from trusted registries") trusts only the big clouds'
# registries unless told otherwise. This is the project's own registry, used
# by the production overlay; change both together.
TRUSTED_REGISTRIES = ["registry.example.com"]


def test_trivy_config_finds_nothing(rendered: dict[str, Rendered], tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    for dockerfile in DOCKERFILES:
        shutil.copy(REPO / dockerfile, target / dockerfile)
    for name in OVERLAYS:
        (target / f"k8s-{name}.yaml").write_text(rendered[name].text)
    data = tmp_path / "data"
    data.mkdir()
    (data / "trusted-registries.json").write_text(
        json.dumps({"ksv0125": {"trusted_registries": TRUSTED_REGISTRIES}})
    )

    result = run(
        [
            find_tool("trivy"),
            "config",
            "--skip-check-update",
            "--skip-version-check",
            "--disable-telemetry",
            "--cache-dir",
            tmp_path / "cache",
            "--ignorefile",
            "",
            "--config-data",
            data,
            "--misconfig-scanners",
            "dockerfile,kubernetes",
            "--format",
            "json",
            "--exit-code",
            "0",
            target,
        ],
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    results = report.get("Results") or []
    scanned = {r["Target"]: r for r in results}
    print("\n[trivy]")
    for name, res in sorted(scanned.items()):
        summary = res.get("MisconfSummary", {})
        print(
            f"    {name} ({res['Type']}): successes={summary.get('Successes')} "
            f"failures={summary.get('Failures')}"
        )
        for m in res.get("Misconfigurations") or []:
            print(f"      {m['ID']} {m['Severity']}: {m['Message']}")

    expected = set(DOCKERFILES) | {f"k8s-{name}.yaml" for name in OVERLAYS}
    assert set(scanned) == expected, "trivy did not scan every file"
    for name, res in scanned.items():
        assert res["MisconfSummary"]["Successes"] > 10, f"{name}: no checks ran"
    findings = [
        (name, m["ID"], m["Severity"], m["Message"])
        for name, res in scanned.items()
        for m in res.get("Misconfigurations") or []
    ]
    assert findings == []
