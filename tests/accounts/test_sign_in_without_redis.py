"""Signing in while Redis is down (issue 18): the rate limits fall back to local memory
(core.cache), so the sign-in page and the token endpoint still answer, and still refuse."""

import uuid

import pytest
from django.contrib.auth import get_user
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core import cache as failover
from tests.core.test_cache import DEAD_REDIS, failover_caches
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def redis_down(settings):
    settings.CACHES = failover_caches(DEAD_REDIS, prefix=f"down-{uuid.uuid4().hex}")
    settings.REDIS_URL = DEAD_REDIS  # what /healthz probes


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_the_sign_in_page_lets_the_right_password_in(client):
    user = UserFactory()
    before = failover.error_count()

    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert get_user(client) == user
    assert failover.error_count() > before  # the outage was seen, and counted


def test_the_sign_in_page_still_refuses_a_wrong_password(client):
    user = UserFactory()

    response = sign_in(client, user.email, "mauvais")

    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()
    assert not get_user(client).is_authenticated


def test_the_sign_in_page_still_locks_an_account_after_five_failures(client):
    user = UserFactory()
    for _ in range(5):
        sign_in(client, user.email, "mauvais")

    response = sign_in(client, user.email, PASSWORD)

    assert "Trop de tentatives de connexion échouées." in response.content.decode()
    assert not get_user(client).is_authenticated


def test_the_token_endpoint_gives_a_token_for_the_right_password(api_client):
    user = UserFactory()

    response = api_client.post(TOKEN_URL, {"email": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key


def test_the_token_endpoint_still_refuses_a_wrong_password(api_client):
    user = UserFactory()

    response = api_client.post(TOKEN_URL, {"email": user.email, "password": "mauvais"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_the_token_endpoint_still_throttles(api_client, settings):
    user = UserFactory()
    for n in range(10):
        api_client.post(TOKEN_URL, {"email": f"inconnu{n}@exemple.test", "password": "x"})

    response = api_client.post(TOKEN_URL, {"email": user.email, "password": PASSWORD})

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_healthz_says_redis_is_down(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["redis"] == "error"
