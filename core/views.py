import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import cache
from core.enums import ErrorCode

logger = logging.getLogger(__name__)


def not_found(request, exception=None):
    """A URL that matches nothing: under /api/, the API's `{detail, code}` (a path parameter
    that is not a number lands here too); elsewhere, the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Introuvable."), "code": ErrorCode.NOT_FOUND}, status=404)
    return defaults.page_not_found(request, exception)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.error("healthz: database unreachable: %s", exc)
        return "error"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not_configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as exc:
        logger.error("healthz: redis unreachable: %s", exc)
        return "error"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value != "error" for value in checks.values())
    body = {"status": "ok" if healthy else "error", **checks}
    if settings.REDIS_URL:  # how often this process fell back to local memory (core.cache)
        body["cache_errors"] = cache.error_count()
    return JsonResponse(body, status=200 if healthy else 503)
