from pathlib import Path

import pytest

from todo_app.settings import Settings, SettingsError

NEON = "postgresql://alice:pw@ep-cool-name.eu-central-1.aws.neon.tech/neondb?sslmode=require"


def test_local_defaults_to_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'todo.db'}"


def test_neon_url_is_kept_whole_and_mapped_to_psycopg2() -> None:
    settings = Settings(database_url=NEON)
    assert settings.effective_database_url == (
        "postgresql+psycopg2://alice:pw@ep-cool-name.eu-central-1.aws.neon.tech/neondb"
        "?sslmode=require"
    )


def test_heroku_style_postgres_scheme_is_normalised() -> None:
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+psycopg2://u@h/db"


def test_production_refuses_to_start_without_a_database_url() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings(app_env="production", jwt_secret="x" * 64)


@pytest.mark.parametrize("secret", ["", "short", "x" * 31])
def test_production_refuses_a_weak_jwt_secret(secret: str) -> None:
    with pytest.raises(SettingsError, match="JWT_SECRET"):
        Settings(app_env="production", database_url=NEON, jwt_secret=secret)


def test_production_accepts_a_strong_secret() -> None:
    settings = Settings(app_env="production", database_url=NEON, jwt_secret="x" * 32)
    assert settings.effective_jwt_secret() == "x" * 32


def test_local_secret_is_created_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).effective_jwt_secret()
    second = Settings(data_dir=tmp_path).effective_jwt_secret()
    assert len(first) >= 32
    assert first == second
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", NEON)
    monkeypatch.setenv("JWT_LIFETIME_MINUTES", "30")
    settings = Settings()
    assert settings.database_url.startswith("postgresql+psycopg2://")
    assert settings.jwt_lifetime_minutes == 30


def test_redis_password_from_the_secret_joins_the_url() -> None:
    settings = Settings(reflex_redis_url="redis://redis-service:6379/0", redis_password="p@ss/w:rd")
    assert settings.effective_redis_url == "redis://todo:p%40ss%2Fw%3Ard@redis-service:6379/0"


def test_redis_url_without_a_password_is_left_alone() -> None:
    settings = Settings(reflex_redis_url="redis://127.0.0.1:6379/1")
    assert settings.effective_redis_url == "redis://127.0.0.1:6379/1"
    assert Settings().effective_redis_url == ""


def test_redis_credentials_in_the_url_are_replaced_by_the_secrets() -> None:
    settings = Settings(
        reflex_redis_url="redis://old:old@redis-service:6379/0",
        redis_username="app",
        redis_password="new",
    )
    assert settings.effective_redis_url == "redis://app:new@redis-service:6379/0"


def test_allowed_origins_are_a_trimmed_list() -> None:
    assert Settings().allowed_origins == []
    settings = Settings(cors_allowed_origins=" https://a.example , https://b.example,")
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]


def test_migration_url_is_normalised_like_the_database_url() -> None:
    settings = Settings(migration_database_url=NEON.replace("-pooler", ""))
    assert settings.migration_database_url.startswith("postgresql+psycopg2://")


def test_worker_threads_are_sized_with_the_pool_unless_set() -> None:
    settings = Settings(_env_file=None, db_pool_size=7, password_hash_concurrency=3)
    assert settings.effective_worker_threads == 10  # a thread per connection, plus the hashes'
    assert Settings(_env_file=None).effective_worker_threads == 12
    chosen = Settings(_env_file=None, db_pool_size=7, worker_threads=20)
    assert chosen.effective_worker_threads == 20
