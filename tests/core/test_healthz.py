import pytest

from tests.services import redis_url_or_unavailable


@pytest.mark.django_db
def test_healthz_without_redis(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not_configured"}


@pytest.mark.django_db
def test_healthz_reports_unreachable_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "error"
    assert response.json()["database"] == "ok"
    assert isinstance(response.json()["cache_errors"], int)  # core.cache's fallbacks so far


@pytest.mark.services
@pytest.mark.django_db
def test_healthz_with_real_redis(client):
    redis_url_or_unavailable()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"
