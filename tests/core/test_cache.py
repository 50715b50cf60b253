"""The Redis cache keeps one client per connection pool instead of one per operation."""

import uuid

import pytest

from core.cache import RedisCache
from tests.services import redis_url_or_unavailable


def test_one_client_per_pool():
    cache = RedisCache("redis://127.0.0.1:6379/0", {})  # no connection is opened here
    client = cache._cache.get_client("a", write=True)

    assert cache._cache.get_client("b", write=True) is client
    assert cache._cache.get_client("c") is client  # one server: reads use the same pool


@pytest.mark.services
def test_the_reused_client_works_against_redis():
    cache = RedisCache(redis_url_or_unavailable(), {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})

    assert cache.add("mark", True, timeout=30) is True
    assert cache.add("mark", True, timeout=30) is False  # only the first one sets it
    assert cache.get("mark") is True
    cache.delete("mark")
    assert cache.add("mark", 2, timeout=30) is True and cache.get("mark") == 2
    cache.delete("mark")
