"""One typed settings object, read only from the environment (12-factor).

Defaults are safe for a laptop: SQLite under ``data/`` and a JWT secret that is
generated once and kept in a git-ignored file. In production mode the app
refuses to start without a strong JWT secret and an explicit database URL.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlsplit, urlunsplit

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32


class AppEnv(StrEnum):
    LOCAL = "local"
    PRODUCTION = "production"


class SettingsError(RuntimeError):
    """The environment does not describe a configuration the app may run with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    app_env: AppEnv = AppEnv.LOCAL
    data_dir: Path = PROJECT_ROOT / ".data"
    database_url: str = ""
    # Optional direct (unpooled) URL for the migrate step: Neon's pooled
    # endpoint runs in transaction mode, fine for the app, not for DDL.
    migration_database_url: str = ""
    jwt_secret: SecretStr = SecretStr("")
    jwt_lifetime_minutes: Annotated[int, Field(ge=5, le=60 * 24 * 30)] = 60 * 24 * 7
    # Bounded pool and statement timeout: a slow database must not hold an
    # event loop (and every websocket client on it) hostage.
    db_pool_size: Annotated[int, Field(ge=1, le=100)] = 10
    db_pool_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 5.0
    db_statement_timeout_ms: Annotated[int, Field(ge=100, le=600_000)] = 5_000
    migrate_on_start: bool = True
    groq_api_key: SecretStr = SecretStr("")
    groq_model: str = "llama-3.3-70b-versatile"
    groq_base_url: str = ""  # empty: Groq's own; tests point it at a fake server
    groq_timeout_seconds: Annotated[float, Field(gt=0, le=20)] = 15.0
    log_level: str = "info"
    # Reflex's shared state (the cluster). The password, from the Secret, is
    # added to the URL here so that it never sits in a ConfigMap.
    reflex_redis_url: str = ""
    redis_username: str = "todo"
    redis_password: SecretStr = SecretStr("")
    # Origins other than the app's own that may open its websocket or call it
    # with credentials (comma-separated). Empty: the app's own origin only.
    cors_allowed_origins: str = ""
    # Argon2id hashes at once per process: each takes ~64 MiB, so a burst of
    # log-ins queues instead of exhausting the pod's memory.
    password_hash_concurrency: Annotated[int, Field(ge=1, le=16)] = 2
    # Worker threads for database and hashing work (one pool per process: the
    # CPU count seen in a pod is the node's, not the pod's limit). Unset: one per
    # pooled connection plus one per concurrent hash (effective_worker_threads).
    worker_threads: Annotated[int | None, Field(ge=2, le=64)] = None
    # Throttling (todo_app.core.throttle). New accounts per client address, in
    # the notation of the `limits` library ("60/minute", "20/minute;200/hour").
    # Generous by default: the browser suite signs up ~20 accounts a minute
    # from one address.
    signup_rate_limit: str = "60/minute"
    # Events one websocket may send (todo_app.api.socket_limits); a person
    # clicking and typing (debounced) stays far below it.
    socket_event_rate_limit: str = "40/second;1200/minute"
    # REST API (/api/v1) requests per personal access token and per client
    # address (todo_app.api.v1.auth); past them: 429 with Retry-After.
    api_rate_limit_per_token: str = "20/second;600/minute"  # noqa: S105 (a rate, not a secret)
    api_rate_limit_per_address: str = "50/second;1500/minute"
    # HTTP proxies in front of the backend that append the client's address to
    # X-Forwarded-For and are trusted to: 1 = the frontend's nginx (minikube,
    # the rehearsals); 2 = an Ingress controller in front of that nginx
    # (production). See todo_app.api.client_address.
    trusted_proxy_hops: Annotated[int, Field(ge=0, le=5)] = 1

    @field_validator("database_url", "migration_database_url")
    @classmethod
    def _normalise_database_url(cls, url: str) -> str:
        # Neon hands out bare postgres:// or postgresql:// URLs; SQLAlchemy 2.1
        # maps those to psycopg 3, while this project ships psycopg2.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg2://" + url[len(prefix) :]
        return url

    @field_validator(
        "signup_rate_limit",
        "socket_event_rate_limit",
        "api_rate_limit_per_token",
        "api_rate_limit_per_address",
    )
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(f"not a rate limit like '60/minute': {value!r}") from error
        return value

    @model_validator(mode="after")
    def _check_production(self) -> Settings:
        if self.app_env is AppEnv.PRODUCTION:
            if not self.database_url:
                raise SettingsError("DATABASE_URL is required when APP_ENV=production.")
            if len(self.jwt_secret.get_secret_value()) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters "
                    "when APP_ENV=production."
                )
        return self

    @property
    def effective_worker_threads(self) -> int:
        """Threads and connections are sized together: every database call runs on
        a worker thread holding one pooled connection, so with DB_POOL_SIZE
        threads for the database no thread waits for a connection (and none is
        idle while events queue for a thread), and PASSWORD_HASH_CONCURRENCY more
        keep log-ins' Argon2id hashes from taking the database's threads. Fewer
        threads than that queue events (each holding its tab's state lock) with
        connections idle; more only wait in the pool (DB_POOL_TIMEOUT_SECONDS)."""
        return self.worker_threads or self.db_pool_size + self.password_hash_concurrency

    @property
    def is_production(self) -> bool:
        return self.app_env is AppEnv.PRODUCTION

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'todo.db'}"

    @property
    def effective_redis_url(self) -> str:
        """REFLEX_REDIS_URL with the ACL user and password from the Secret, if given."""
        password = self.redis_password.get_secret_value()
        if not self.reflex_redis_url or not password:
            return self.reflex_redis_url
        parts = urlsplit(self.reflex_redis_url)
        host = parts.netloc.rsplit("@", 1)[-1]
        credentials = f"{quote(self.redis_username, safe='')}:{quote(password, safe='')}"
        return urlunsplit(parts._replace(netloc=f"{credentials}@{host}"))

    @property
    def allowed_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_allowed_origins.split(",") if origin.strip()]

    def effective_jwt_secret(self) -> str:
        """The configured secret, or (locally) one generated once and kept on disk."""
        configured = self.jwt_secret.get_secret_value()
        if configured or self.is_production:
            return configured
        return _local_secret(self.data_dir / "jwt_secret")


def _local_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # Exclusive create: two processes starting together agree on one secret.
    try:
        with path.open("x") as handle:
            handle.write(value)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
