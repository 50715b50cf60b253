"""Sending a webhook delivery (Standard Webhooks): claim the row, sign the body with the
subscription's secret (`standardwebhooks`), POST it, record the outcome.

- Claimed by a conditional update (`pending` and due → `sending`), so a task run twice, or
  racing the sweep, sends once. The HTTP call happens outside any transaction.
- A 2xx answer is success; anything else (another status, a timeout, a refused
  connection, an unsafe address) is a failed attempt: the delivery is tried again after
  `WEBHOOK_RETRY_BASE_SECONDS` × 2^(attempts − 1) (exponential back-off), until
  `WEBHOOK_MAX_ATTEMPTS` attempts have failed (then `failed`).
- Each failed attempt counts against the subscription; after
  `WEBHOOK_DISABLE_AFTER_FAILURES` failures in a row (any success resets the count) the
  subscription is disabled and its waiting deliveries stay pending until it is re-enabled.
"""

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from core.errors import ApplicationError
from exchange.endpoints import check_endpoint
from exchange.enums import DeliveryStatus
from exchange.models import WebhookDelivery, WebhookSubscription
from exchange.selectors import forget_subscribers

logger = logging.getLogger(__name__)
USER_AGENT = "Solimob-Webhooks/1.0"


@dataclass(frozen=True)
class Attempt:
    ok: bool
    response_code: int | None
    duration_ms: int
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer (3xx), never followed elsewhere


_opener = urllib.request.build_opener(_NoRedirect)


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(*, secret: str, webhook_id: str, body: bytes, at=None) -> dict[str, str]:
    at = at or timezone.now()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, at, body),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Attempt:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        check_endpoint(url)  # again: the name may resolve elsewhere now
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(1024)
            code = response.status
    except urllib.error.HTTPError as exc:
        return Attempt(False, exc.code, took(), f"HTTP {exc.code}")
    except ApplicationError as exc:
        return Attempt(False, None, took(), exc.message)
    except (OSError, ValueError) as exc:  # refused, timed out, TLS, malformed answer
        return Attempt(False, None, took(), f"{type(exc).__name__}: {exc}"[:500])
    return Attempt(200 <= code < 300, code, took(), "" if 200 <= code < 300 else f"HTTP {code}")


def _claim(delivery_id: int, now) -> bool:
    return bool(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk=delivery_id, status=DeliveryStatus.PENDING, subscription__active=True,
        ).update(status=DeliveryStatus.SENDING, updated_at=now)
    )  # fmt: skip


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def deliver(*, delivery_id: int) -> str | None:
    """Send one due delivery. Returns its new status, or None when it was not ours to send
    (not due, already sent, subscription disabled)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = body_of(delivery.payload)
    attempt = post(
        subscription.url,
        body=body,
        headers=signed_headers(
            secret=subscription.secret, webhook_id=delivery.webhook_id, body=body
        ),  # fmt: skip
    )
    return _record(delivery, attempt)


@transaction.atomic
def _record(delivery: WebhookDelivery, attempt: Attempt) -> str:
    now = timezone.now()
    subscription = (
        WebhookSubscription.objects.select_for_update().filter(pk=delivery.subscription_id).first()
    )
    if subscription is None:  # deleted while the message was on its way (with its log)
        return DeliveryStatus.FAILED
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = attempt.response_code
    delivery.duration_ms = attempt.duration_ms
    delivery.error = attempt.error
    if attempt.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        subscription.consecutive_failures = 0
    else:
        subscription.consecutive_failures = F("consecutive_failures") + 1
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save()
    subscription.save(update_fields=["consecutive_failures", "updated_at"])
    subscription.refresh_from_db(fields=["consecutive_failures"])
    if subscription.active and (
        subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
    ):
        subscription.active = False
        subscription.disabled_at = now
        subscription.save(update_fields=["active", "disabled_at", "updated_at"])
        forget_subscribers()
        transaction.on_commit(forget_subscribers, robust=True)
        logger.warning("webhook subscription %s disabled after %s failures", subscription.pk,
                       subscription.consecutive_failures)  # fmt: skip
    logger.info(
        "webhook %s %s → %s (%s, %s ms, attempt %s)%s", delivery.webhook_id, delivery.event_type,
        delivery.status, attempt.response_code, attempt.duration_ms, delivery.attempts,
        f": {attempt.error}" if attempt.error else "",
    )  # fmt: skip
    if delivery.status == DeliveryStatus.PENDING and subscription.active:
        from exchange.tasks import schedule_retry

        transaction.on_commit(lambda: schedule_retry(delivery), robust=True)
    return delivery.status


def due_delivery_ids(*, now=None, stuck_minutes: int = 10) -> list[int]:
    """Deliveries the sweep should send: pending and due, of active subscriptions; and those
    left `sending` by a worker that died (put back to pending first)."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, updated_at__lt=now - timedelta(minutes=stuck_minutes)
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now, updated_at=now)
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
