"""Real services some tests need. Missing ones skip, or fail under REQUIRE_SERVICES=1."""

import os
import shutil

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def service_unavailable(reason: str) -> None:
    """Skip the test, or fail it when REQUIRE_SERVICES=1 says the service must be there."""
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def redis_url_or_unavailable() -> str:
    from django.conf import settings

    if not settings.REDIS_URL:
        service_unavailable("REDIS_URL is not set: no Redis to test against")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at REDIS_URL does not answer: {exc}")
    return settings.REDIS_URL


def postgres_or_unavailable() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        service_unavailable("DATABASE_URL does not point at PostgreSQL")


def chromium_or_unavailable() -> str:
    if not (os.path.exists(CHROMIUM_PATH) or shutil.which("chromium")):
        service_unavailable(f"Chromium not found at {CHROMIUM_PATH} (apt-get install chromium)")
    return CHROMIUM_PATH if os.path.exists(CHROMIUM_PATH) else shutil.which("chromium")
