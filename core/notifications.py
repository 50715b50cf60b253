"""The notification outbox (DESIGN §8).

`notify` writes a `Notification` row inside the caller's transaction and enqueues its
delivery only after commit, so a rolled-back event never sends anything. `deliver` claims
the row before sending, so a task that runs twice sends once. A periodic sweep re-enqueues
rows that are stuck (enqueue lost, worker died mid-send).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from core.enums import NotificationChannel, NotificationStatus
from core.models import Notification
from core.phones import can_receive_sms
from core.sms import get_sms_backend

logger = logging.getLogger(__name__)


class DeliveryOutcome:
    SENT = "sent"
    ALREADY_HANDLED = "already_handled"
    RETRY = "retry"
    FAILED = "failed"


def _enqueue_on_commit(notification_id: int) -> None:
    from core.tasks import send_notification

    transaction.on_commit(lambda: send_notification.delay(notification_id), robust=True)


def _render_text(name: str, context: dict) -> str:
    """Plain text (e-mail and SMS): no HTML escaping, « Main-d'œuvre » stays as written."""
    template = get_template(name).template
    return template.render(Context(context, autoescape=False)).strip()


def _render(template: str, context: dict, channel: str) -> tuple[str, str]:
    body = _render_text(f"notifications/{template}.{channel}.txt", context)
    subject = ""
    if channel == NotificationChannel.EMAIL:
        subject = _render_text(f"notifications/{template}.subject.txt", context)
        subject = " ".join(subject.split())
    return subject, body


def notify(
    *,
    template: str,
    context: dict,
    user=None,
    channel: str | None = None,
    recipient: str | None = None,
) -> Notification | None:
    """Write one outbox row and send it after commit.

    The channel defaults to the user's preferred one, falling back to e-mail when an SMS
    user has no mobile number. The text is rendered now, in the reader's language, from
    `templates/notifications/<template>.<channel>.txt` (and `.subject.txt` for e-mail).
    Returns None when the reader has no address on any channel.
    """
    if user is not None:
        channel = channel or user.preferred_channel
        if channel == NotificationChannel.SMS and not can_receive_sms(user.phone):
            channel = NotificationChannel.EMAIL
        recipient = recipient or (user.phone if channel == NotificationChannel.SMS else user.email)
    channel = channel or NotificationChannel.EMAIL
    if not recipient:
        logger.warning("No recipient for notification %s; nothing written.", template)
        return None
    language = getattr(user, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, body = _render(template, {**context, "site_url": settings.SITE_URL}, channel)
    return outbox_write(
        channel=channel,
        recipient=recipient,
        user=user,
        template=template,
        context=context,
        subject=subject,
        body=body,
    )


def outbox_write(
    *,
    channel: str,
    recipient: str,
    template: str,
    body: str,
    subject: str = "",
    html_body: str = "",
    context: dict | None = None,
    user=None,
) -> Notification:
    """Write an already rendered message to the outbox and enqueue it after commit."""
    notification = Notification.objects.create(
        channel=channel,
        recipient=recipient,
        user=user,
        template=template,
        context=context or {},
        subject=subject[:255],
        body=body,
        html_body=html_body,
    )
    _enqueue_on_commit(notification.pk)
    return notification


def _claim(notification_id: int) -> Notification | None:
    """Move a pending row to `sending`; None if another run has it or it is done."""
    now = timezone.now()
    stuck_before = now - timedelta(minutes=settings.NOTIFICATION_STUCK_MINUTES)
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(
            Q(status=NotificationStatus.PENDING)
            | Q(status=NotificationStatus.SENDING, last_attempt_at__lt=stuck_before)
        )
        .update(status=NotificationStatus.SENDING, last_attempt_at=now)
    )
    if not claimed:
        return None
    return Notification.objects.get(pk=notification_id)


def _send(notification: Notification) -> None:
    if notification.channel == NotificationChannel.SMS:
        get_sms_backend().send(to=notification.recipient, body=notification.body)
        return
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
    )
    if notification.html_body:
        message.attach_alternative(notification.html_body, "text/html")
    message.send(fail_silently=False)


def deliver(*, notification_id: int) -> str:
    """Send one notification at most once; record the attempt and its outcome."""
    notification = _claim(notification_id)
    if notification is None:
        return DeliveryOutcome.ALREADY_HANDLED
    attempts = notification.attempts + 1
    try:
        _send(notification)
    except Exception as exc:  # any backend failure is recorded, never lost
        logger.warning("Notification %s failed (attempt %s): %s", notification_id, attempts, exc)
        failed = attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.FAILED if failed else NotificationStatus.PENDING,
            attempts=attempts,
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return DeliveryOutcome.FAILED if failed else DeliveryOutcome.RETRY
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.SENT, attempts=attempts, sent_at=timezone.now(), error=""
    )
    return DeliveryOutcome.SENT


def stuck_notification_ids(*, now=None) -> list[int]:
    """Rows that should have been sent by now: pending or half-sent for too long."""
    now = now or timezone.now()
    before = now - timedelta(minutes=settings.NOTIFICATION_STUCK_MINUTES)
    return list(
        Notification.objects.filter(attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS)
        .filter(
            Q(
                status=NotificationStatus.PENDING,
                last_attempt_at__isnull=True,
                created_at__lt=before,
            )
            | Q(status=NotificationStatus.PENDING, last_attempt_at__lt=before)
            | Q(status=NotificationStatus.SENDING, last_attempt_at__lt=before)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
