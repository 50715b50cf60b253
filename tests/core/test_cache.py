"""The default cache: Redis (django-redis), with local memory standing in while it is down."""

import logging
import uuid

import pytest
from django.core.cache import cache, caches

from core import cache as failover
from tests.services import redis_url_or_unavailable

# Nothing listens on port 1: every operation is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def failover_caches(primary_location: str, *, prefix: str) -> dict:
    """CACHES with a default that fails over from Redis at `primary_location` to local memory.
    Each test names its own primary, so that the pause after an error stays its own."""
    primary = f"redis-{prefix}"
    return {
        "default": {
            "BACKEND": "core.cache.FailoverCache",
            "OPTIONS": {"PRIMARY": primary, "FALLBACK": "local"},
        },
        primary: {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": primary_location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        },
        "local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"fallback-{prefix}",
        },
    }


@pytest.fixture
def dead_redis(settings):
    settings.CACHES = failover_caches(DEAD_REDIS, prefix=f"dead-{uuid.uuid4().hex}")
    return settings.CACHES


def test_every_operation_answers_from_local_memory_when_redis_is_down(dead_redis, caplog):
    before = failover.error_count()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert cache.add("mark", 1, timeout=30) is True
        assert cache.add("mark", 2, timeout=30) is False  # add keeps its meaning
        assert cache.get("mark") == 1
        assert cache.incr("mark") == 2
        cache.set_many({"a": 1, "b": 2})
        assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
        assert cache.get_or_set("c", 3) == 3
        cache.delete("mark")
        assert cache.get("mark", "gone") == "gone"

    assert caches["local"].get("a") == 1  # what was written, was written there
    # One refusal, then Redis is left alone for a few seconds: counted and logged once.
    assert failover.error_count() == before + 1
    (record,) = [r for r in caplog.records if r.name == "core.cache"]
    assert "unavailable" in record.getMessage()
    assert record.cache_errors == before + 1


def test_redis_is_tried_again_after_the_pause(dead_redis, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(failover, "_clock", lambda: now[0])
    before = failover.error_count()

    cache.get("x")
    cache.get("x")
    assert failover.error_count() == before + 1

    now[0] += failover.RETRY_SECONDS + 0.1
    cache.get("x")
    assert failover.error_count() == before + 2


def test_clear_empties_the_stand_in_too(dead_redis):
    cache.set("left-over", 1)

    cache.clear()

    assert caches["local"].get("left-over") is None


def test_other_errors_are_not_hidden(dead_redis):
    with pytest.raises(ValueError):  # incr of a missing key: a bug, not an outage
        cache.incr("missing")


@pytest.mark.services
def test_values_go_to_redis_while_it_answers(settings):
    prefix = f"live-{uuid.uuid4().hex}"
    settings.CACHES = failover_caches(redis_url_or_unavailable(), prefix=prefix)
    before = failover.error_count()

    assert cache.add("mark", True, timeout=30) is True
    assert cache.add("mark", True, timeout=30) is False

    assert caches[f"redis-{prefix}"].get("mark") is True
    assert caches["local"].get("mark") is None
    assert failover.error_count() == before
    cache.delete("mark")


@pytest.mark.services
def test_the_redis_client_is_reused_across_operations(settings):
    """django-redis keeps one client (Django's own backend builds one per operation)."""
    prefix = f"live-{uuid.uuid4().hex}"
    settings.CACHES = failover_caches(redis_url_or_unavailable(), prefix=prefix)
    redis_cache = caches[f"redis-{prefix}"]

    assert redis_cache.client.get_client(write=True) is redis_cache.client.get_client()
