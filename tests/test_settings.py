"""Settings resolve from the environment; each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OWN_VARIABLES = {
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SITE_URL",
    "EMAIL_URL", "SMS_BACKEND", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "SOLIMOB_TESTING", "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_SOCKET_TIMEOUT", "CSP_REPORT_ONLY", "CSP_REPORT_URI",
    "PYTEST_XDIST_WORKER",
}  # fmt: skip

PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "db_host": settings.DATABASES["default"].get("HOST", ""),
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "cache_redis": settings.CACHES.get("redis", {}).get("LOCATION", ""),
    "cache_redis_options": settings.CACHES.get("redis", {}).get("OPTIONS", {}),
    "cache_options": settings.CACHES["default"].get("OPTIONS", {}),
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": getattr(settings, "EMAIL_HOST", ""),
    "sms_backend": settings.SMS_BACKEND,
    "stripe": settings.STRIPE_ENABLED,
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
    "site_url": settings.SITE_URL,
    "language": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES],
    "tz": settings.TIME_ZONE,
    "use_tz": settings.USE_TZ,
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
}))
"""


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def resolve(**env) -> dict:
    result = run(env, "-c", f"import django; django.setup()\n{PROBE}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_nothing_but_debug():
    resolved = resolve(DEBUG="1")
    assert resolved["engine"] == "django.db.backends.sqlite3"
    assert resolved["db_name"].endswith("db.sqlite3")
    assert resolved["eager"] is True
    assert resolved["broker"] == "memory://"
    assert resolved["cache"].endswith("LocMemCache")
    assert resolved["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert resolved["sms_backend"] == "core.sms.ConsoleSmsBackend"
    assert resolved["stripe"] is False
    assert resolved["language"] == "fr"
    assert resolved["languages"] == ["fr", "en"]
    assert resolved["tz"] == "Europe/Paris"
    assert resolved["use_tz"] is True
    assert resolved["site_url"] == "http://127.0.0.1:8000"
    # several writers at once: WAL, write lock taken at BEGIN, a wait instead of "locked"
    assert resolved["db_options"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }


def test_environment_switches_each_real_part_on():
    resolved = resolve(
        DEBUG="1",
        DATABASE_URL="postgres://solimob:secret@db.internal:5432/solimob",
        REDIS_URL="redis://cache.internal:6379/2",
        EMAIL_URL="smtp://mailer:pw@smtp.internal:587",
        SMS_BACKEND="core.sms.LocMemSmsBackend",
        STRIPE_SECRET_KEY="sk_test_123",
        ALLOWED_HOSTS="solimob.example.org,www.solimob.example.org",
        SITE_URL="https://solimob.example.org/",
    )
    assert resolved["engine"] == "django.db.backends.postgresql"
    assert (resolved["db_name"], resolved["db_host"]) == ("solimob", "db.internal")
    assert "transaction_mode" not in resolved["db_options"]  # SQLite's options stay SQLite's
    assert resolved["eager"] is False
    assert resolved["broker"] == "redis://cache.internal:6379/2"
    # Redis, with local memory standing in while it is unreachable (core.cache).
    assert resolved["cache"] == "core.cache.FailoverCache"
    assert resolved["cache_options"] == {"PRIMARY": "redis", "FALLBACK": "local"}
    assert resolved["cache_redis"] == "redis://cache.internal:6379/2"
    # A Redis that is down answers within half a second, it does not hang the request.
    assert resolved["cache_redis_options"] == {
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 0.5,
    }
    assert resolved["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert resolved["email_host"] == "smtp.internal"
    assert resolved["sms_backend"] == "core.sms.LocMemSmsBackend"
    assert resolved["stripe"] is True
    assert resolved["hosts"] == ["solimob.example.org", "www.solimob.example.org"]
    assert resolved["site_url"] == "https://solimob.example.org"


def test_each_xdist_worker_of_the_suite_takes_its_own_redis_database():
    redis = {"SOLIMOB_TESTING": "1", "REDIS_URL": "redis://127.0.0.1:6379/9"}
    assert resolve(**redis)["broker"] == "redis://127.0.0.1:6379/9"
    second = resolve(**redis, PYTEST_XDIST_WORKER="gw1")
    assert second["broker"] == second["cache_redis"] == "redis://127.0.0.1:6379/11"
    # outside the test suite, the variable changes nothing
    outside = resolve(DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/9", PYTEST_XDIST_WORKER="gw1")
    assert outside["broker"] == "redis://127.0.0.1:6379/9"


def test_production_refuses_to_start_without_a_secret_key():
    result = run({}, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_build_time_commands_need_no_secret_but_serving_does():
    result = run({}, "manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    refused = run({}, "manage.py", "check")
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr


def test_production_settings_turn_on_https_protections():
    resolved = resolve(SECRET_KEY="x" * 60, ALLOWED_HOSTS="solimob.example.org")
    assert resolved["debug"] is False
    assert resolved["ssl_redirect"] is True


@pytest.mark.timeout(180)
def test_production_settings_pass_check_deploy_without_warnings():
    result = run(
        {
            "SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
            "ALLOWED_HOSTS": "solimob.example.org",
            "SITE_URL": "https://solimob.example.org",
        },
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
