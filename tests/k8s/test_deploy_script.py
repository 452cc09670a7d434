"""scripts/deploy-minikube, run against stub minikube/kubectl/docker that
record their arguments: its checks, and the commands it runs, in order."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from .conftest import REPO, run

SCRIPT = REPO / "scripts/deploy-minikube"

STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$STUB_LOG"
case "$(basename "$0") $1" in
  "minikube ip") echo 192.0.2.10 ;;
  "kubectl apply") cat >/dev/null; echo "secret/todo-secrets configured" ;;
  "kubectl create") echo "apiVersion: v1" ;;
  "kubectl kustomize") printf '  - image: todo-backend:0.1.0\n  - image: todo-frontend:0.1\n' ;;
esac
exit 0
"""


@pytest.fixture
def stubs(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("minikube", "kubectl", "docker"):
        path = bin_dir / tool
        path.write_text(STUB)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "STUB_LOG": str(tmp_path / "calls.log"),
        "HOME": str(tmp_path),
    }


def test_script_is_executable_bash() -> None:
    assert os.access(SCRIPT, os.X_OK)
    text = SCRIPT.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert run(["bash", "-n", SCRIPT]).returncode == 0


def test_fails_clearly_without_secrets_file(stubs: dict[str, str], tmp_path: Path) -> None:
    env = {**stubs, "TODO_SECRETS_FILE": str(tmp_path / "absent.env")}
    result = run([SCRIPT], env=env)
    assert result.returncode != 0
    assert "deploy/secrets.env.example" in result.stderr
    log = Path(stubs["STUB_LOG"])
    assert not log.exists() or "image build" not in log.read_text()


def test_fails_when_a_tool_is_missing(stubs: dict[str, str], tmp_path: Path) -> None:
    (Path(stubs["PATH"].split(":")[0]) / "docker").unlink()
    result = run([SCRIPT], env={**stubs, "TODO_SECRETS_FILE": str(tmp_path / "x.env")})
    assert result.returncode != 0
    assert "'docker' is not on PATH" in result.stderr


def test_refuses_empty_required_secret(stubs: dict[str, str], tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("DATABASE_URL=\nJWT_SECRET=x\nGROQ_API_KEY=\n")
    result = run([SCRIPT], env={**stubs, "TODO_SECRETS_FILE": str(secrets)})
    assert result.returncode != 0
    assert "DATABASE_URL has no value" in result.stderr


def test_refuses_short_jwt_secret(stubs: dict[str, str], tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text(
        "DATABASE_URL=postgresql://u:p@db/x\nJWT_SECRET=short\nREDIS_PASSWORD=" + "r" * 40 + "\n"
    )
    result = run([SCRIPT], env={**stubs, "TODO_SECRETS_FILE": str(secrets)})
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_refuses_missing_redis_password(stubs: dict[str, str], tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("DATABASE_URL=postgresql://u:p@db/x\nJWT_SECRET=" + "j" * 40 + "\n")
    result = run([SCRIPT], env={**stubs, "TODO_SECRETS_FILE": str(secrets)})
    assert result.returncode != 0
    assert "REDIS_PASSWORD has no value" in result.stderr


VALID_SECRETS = (
    "# comment\nDATABASE_URL=postgresql://u:p@db/x\n"
    "JWT_SECRET=s3cret-s3cret-s3cret-s3cret-s3cret\nGROQ_API_KEY=\n"
    "REDIS_PASSWORD=r3dis-r3dis-r3dis-r3dis-r3dis-r3dis\n"
)


def test_deploys_backend_before_frontend(stubs: dict[str, str], tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text(VALID_SECRETS)
    env = {**stubs, "TODO_SECRETS_FILE": str(secrets), "IMAGE_TAG": "abc123def456"}
    result = run([SCRIPT], env=env)
    assert result.returncode == 0, result.stderr
    calls = Path(stubs["STUB_LOG"]).read_text().splitlines()
    expected_in_order = [
        "minikube image build -t todo-backend:abc123def456 -f Dockerfile.backend .",
        "minikube image build -t todo-frontend:abc123def456 -f Dockerfile.frontend .",
        "kubectl create namespace todo --dry-run=client -o yaml",
        f"kubectl -n todo create secret generic todo-secrets --from-env-file={secrets} "
        "--dry-run=client -o yaml",
        "kubectl kustomize k8s/overlays/minikube",
        "kubectl -n todo rollout restart deploy/todo-backend",
        "kubectl -n todo rollout status deploy/todo-redis --timeout=300s",
        "kubectl -n todo rollout status deploy/todo-backend --timeout=300s",
        "kubectl -n todo rollout status deploy/todo-frontend --timeout=300s",
    ]
    positions = [calls.index(call) for call in expected_in_order]
    assert positions == sorted(positions), calls
    applies = [i for i, call in enumerate(calls) if call.startswith("kubectl apply -f /")]
    assert len(applies) == 2, calls
    # first everything but the frontend, then (after the backend rolled out) all
    assert calls[applies[0]].endswith("-l app.kubernetes.io/component!=frontend")
    backend_ready = calls.index("kubectl -n todo rollout status deploy/todo-backend --timeout=300s")
    assert applies[0] < backend_ready < applies[1]
    assert "http://192.0.2.10:30080" in result.stdout
    # the secret's values never reach the output
    assert "s3cret" not in result.stdout + result.stderr
    assert "r3dis" not in result.stdout + result.stderr


def test_tags_images_from_the_git_commit(stubs: dict[str, str], tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text(VALID_SECRETS)
    git_path = f"{stubs['PATH']}:/usr/local/bin"
    result = run([SCRIPT], env={**stubs, "PATH": git_path, "TODO_SECRETS_FILE": str(secrets)})
    assert result.returncode == 0, result.stderr
    commit = run(["git", "rev-parse", "--short=12", "HEAD"]).stdout.strip()
    builds = [c for c in Path(stubs["STUB_LOG"]).read_text().splitlines() if "image build" in c]
    assert len(builds) == 2
    for build in builds:
        tag = build.split(" -t ", 1)[1].split(" ", 1)[0].split(":", 1)[1]
        assert tag.startswith(commit), build
        assert tag != "0.1.0"
