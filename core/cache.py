"""The default cache: Redis, with a local-memory stand-in while Redis cannot be reached.

What lives in the default cache is short-lived and rebuilt on its own: allauth's sign-in
rate limits and used TOTP codes, DRF's throttles, the bookings' "a run is queued" mark.
None of it is worth a 500, so when Redis refuses or times out the operation is logged,
counted (`error_count()`, also shown by /healthz) and done on the process's local memory
cache instead: limits keep applying, per process, rather than failing open or closed.
After an error Redis is left alone for `RETRY_SECONDS` (so an outage costs one socket
timeout per process every few seconds, not one per operation), then tried again.

Both caches are ordinary entries of `CACHES` (Redis through django-redis, whose client
is reused across operations), named by this backend's `OPTIONS`:

    "default": {"BACKEND": "core.cache.FailoverCache",
                "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "local"}},
"""

import logging
import threading
import time

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# What says "Redis is not there" (django-redis wraps redis-py's errors in the first one).
UNAVAILABLE = (ConnectionInterrupted, redis.ConnectionError, redis.TimeoutError)

_lock = threading.Lock()
_errors = 0
_skip_until: dict[str, float] = {}  # primary alias -> monotonic time to try it again


def error_count() -> int:
    """Operations this process could not do on the primary cache since it started."""
    return _errors


def _clock() -> float:
    return time.monotonic()


class FailoverCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.primary = options["PRIMARY"]
        self.fallback = options["FALLBACK"]
        self.retry_seconds = float(options.get("RETRY_SECONDS", RETRY_SECONDS))

    def _call(self, method: str, *args, **kwargs):
        global _errors
        if _skip_until.get(self.primary, 0.0) <= _clock():
            try:
                return getattr(caches[self.primary], method)(*args, **kwargs)
            except UNAVAILABLE as exc:
                with _lock:
                    _errors += 1
                    count = _errors
                    _skip_until[self.primary] = _clock() + self.retry_seconds
                logger.warning(
                    "cache %r unavailable (%s: %s), using %r for %.0f s (errors so far: %d)",
                    self.primary, type(exc).__name__, exc, self.fallback, self.retry_seconds,
                    count, extra={"cache_errors": count},
                )  # fmt: skip
        return getattr(caches[self.fallback], method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta=delta, version=version)

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("get_or_set", key, default, timeout=timeout, version=version)

    def clear(self):
        # Both: what the fallback held while Redis was away must not outlive a clear.
        caches[self.fallback].clear()
        return self._call("clear")

    def close(self, **kwargs):
        pass  # the two caches are entries of CACHES: Django closes them itself
