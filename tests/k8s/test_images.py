"""The image recipes keep the interface contract the manifests rely on
(static checks: no Docker engine here; hadolint, checkov and trivy lint them)."""

from __future__ import annotations

import json
import re
import tomllib

from .conftest import DOCKERFILES, REPO, run


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (REPO / dockerfile).read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            op, _, args = line.strip().partition(" ")
            out.append((op.upper(), " ".join(args.split())))
    return out


def stages(dockerfile: str) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for op, args in instructions(dockerfile):
        if op == "FROM":
            result.append([])
        if result:
            result[-1].append((op, args))
    return result


def assert_locked_install(stage: list[tuple[str, str]], venv: str) -> None:
    """The builder installs requirements.lock (hash-checked, nothing resolved) in
    a layer of its own before the source is copied, then the app with --no-deps."""
    steps = [f"{op} {args}" for op, args in stage]

    def index(fragment: str) -> int:
        found = [i for i, step in enumerate(steps) if fragment in step]
        assert found, f"no step with {fragment!r}"
        return found[0]

    copy_lock = index("COPY requirements.lock /src/")
    install_lock = index(
        f"{venv}pip install --no-cache-dir --require-hashes --no-deps -r /src/requirements.lock"
    )
    copy_source = index("COPY . /src")
    install_app = index(f"{venv}pip install --no-cache-dir --no-deps /src")
    assert copy_lock < install_lock < copy_source < install_app


def parse_lock() -> dict[str, tuple[str, list[str], str]]:
    """requirements.lock as {normalized name: (version, hashes, annotation)}."""
    entries: dict[str, tuple[str, list[str], str]] = {}
    text = (REPO / "requirements.lock").read_text()
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = block.split("\\", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", head)
        if not match:
            continue
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
        entries[normalize(match.group(1))] = (match.group(2), hashes, block)
    return entries


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_requirements_lock_matches_pyproject_pins() -> None:
    """requirements.lock (scripts/lock-requirements) pins exactly pyproject's
    run-time dependencies at their versions, plus their own dependencies, every
    one with hashes; the dev extras stay out."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = {}
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)", requirement)
        assert match, f"not pinned: {requirement}"
        pins[normalize(match.group(1))] = match.group(3)
    lock = parse_lock()
    assert lock, "requirements.lock has no entries"
    for name, version in pins.items():
        assert name in lock, f"{name} is missing from requirements.lock"
        assert lock[name][0] == version, f"{name}: pyproject {version}, lock {lock[name][0]}"
    direct = {name for name, (_, _, block) in lock.items() if "todo-app (pyproject.toml)" in block}
    assert direct == set(pins), f"direct dependencies differ: {direct ^ set(pins)}"
    unhashed = [name for name, (_, hashes, _) in lock.items() if not hashes]
    assert not unhashed, f"entries without hashes: {unhashed}"
    test_tools = {"pytest", "pytest-playwright", "playwright", "ruff", "mypy"}
    assert not (test_tools & set(lock)), "dev tools must not reach the images"


def test_backend_image_contract() -> None:
    all_stages = stages("Dockerfile.backend")
    assert len(all_stages) == 2, "builder + runtime"
    for stage in all_stages:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+ AS \w+", stage[0][1])
    runtime = all_stages[-1]
    ops = dict(runtime)  # last value per instruction
    # Build settings (index, CA path) are builder ARGs only, never in the image.
    assert "ARG" not in ops
    assert ops["USER"] == "10001:10001"
    assert ops["WORKDIR"] == "/app"
    assert ops["EXPOSE"] == "8000"
    assert json.loads(ops["CMD"]) == ["python", "-m", "todo_app.serve"]
    assert "/ping" in ops["HEALTHCHECK"] and "urllib" in ops["HEALTHCHECK"]
    assert "STOPSIGNAL" not in ops
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime
    copied = " ".join(args for op, args in runtime if op == "COPY")
    for path in ("rxconfig.py", "alembic.ini", "todo_app/", "alembic/", "assets/"):
        assert path in copied, path
    runtime_runs = " ".join(args for op, args in runtime if op == "RUN")
    assert not re.search(r"apt-get|apk |gcc|build-essential", runtime_runs), (
        "no compilers in runtime"
    )
    assert_locked_install(all_stages[0], venv="")
    env = " ".join(args for op, args in runtime if op == "ENV")
    for setting in (
        "HOME=/tmp",
        "APP_ENV=production",
        "PORT=8000",
        "SHUTDOWN_DRAIN_SECONDS=20",
        "MIGRATE_ON_START=false",
        "REFLEX_TELEMETRY_ENABLED=false",
    ):
        assert setting in env, setting


def test_frontend_image_contract() -> None:
    all_stages = stages("Dockerfile.frontend")
    runtime = all_stages[-1]
    assert "ARG" not in dict(runtime), "build settings stay in the builder stages"
    assert re.fullmatch(
        r"nginxinc/nginx-unprivileged:\d+\.\d+\.\d+-alpine\S* AS runtime", runtime[0][1]
    )
    node = re.fullmatch(r"node:(\d+)\.\d+\.\d+-bookworm-slim AS node", all_stages[0][0][1])
    assert node, all_stages[0][0][1]
    # A supported LTS line (even major; 20 reached end of life in April 2026).
    major = int(node.group(1))
    assert major % 2 == 0 and major >= 22, f"Node {major} is not a supported LTS"
    ops = dict(runtime)
    assert ops["USER"] == "10101:10101"
    assert ops["EXPOSE"] == "3000"
    assert "http://127.0.0.1:3000/healthz" in ops["HEALTHCHECK"]
    assert ("COPY", "--from=builder /src/.web/build/client/ /usr/share/nginx/html/") in runtime
    builder_runs = " ".join(args for stage in all_stages[:-1] for op, args in stage if op == "RUN")
    assert "scripts/build-frontend" in builder_runs
    assert_locked_install(all_stages[1], venv="/src/.venv/bin/")


def test_no_image_uses_latest() -> None:
    for dockerfile in ("Dockerfile.backend", "Dockerfile.frontend"):
        for op, args in instructions(dockerfile):
            if op == "FROM":
                image = args.split()[0]
                assert ":" in image and not image.endswith(":latest"), image


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    entries = set((REPO / ".dockerignore").read_text().splitlines())
    for entry in (
        ".git",
        ".venv",
        ".tools",
        ".web",
        ".states",
        ".env",
        "deploy/secrets.env",
        "data",
    ):
        assert entry in entries, entry


def test_every_copied_path_exists_in_a_clean_checkout() -> None:
    """A COPY of a path git does not track (e.g. an empty folder) breaks the build."""
    tracked = run(["git", "ls-files"]).stdout.splitlines()
    for dockerfile in DOCKERFILES:
        for line in (REPO / dockerfile).read_text().splitlines():
            parts = line.split()
            if not parts or parts[0] != "COPY" or any(p.startswith("--from") for p in parts):
                continue
            for source in parts[1:-1]:
                if source == ".":
                    continue
                prefix = source.rstrip("/")
                assert any(f == prefix or f.startswith(prefix + "/") for f in tracked), (
                    f"{dockerfile}: COPY {source} is not in git"
                )
