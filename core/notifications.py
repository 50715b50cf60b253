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
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from core.enums import NotificationChannel, NotificationStatus
from core.models import Notification
from core.phones import can_receive_sms
from core.sms import SmsRejected, get_sms_backend
from core.sms_consent import SmsPermission, sms_permission
from core.sms_text import prepare

logger = logging.getLogger(__name__)


class DeliveryOutcome:
    SENT = "sent"
    ALREADY_HANDLED = "already_handled"
    RETRY = "retry"
    FAILED = "failed"
    REFUSED = "refused"


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

    An SMS needs the person's consent and no STOP from the number (`core.sms_consent`): a
    refused one is kept in the outbox as `refused`, never sent, and the message goes by
    e-mail instead when an address is known (the e-mail row is returned then).
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
    permission = None
    if channel == NotificationChannel.SMS:
        permission = sms_permission(phone=recipient, user=user)
    language = getattr(user, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, body = _render(template, {**context, "site_url": settings.SITE_URL}, channel)
    notification = outbox_write(
        channel=channel,
        recipient=recipient,
        user=user,
        template=template,
        context=context,
        subject=subject,
        body=body,
        refused=permission is not None and not permission.allowed,
        error=permission.reason if permission is not None else "",
    )
    if permission is not None and not permission.allowed:
        return _email_instead(notification, permission) or notification
    return notification


def _email_instead(sms: Notification, permission: SmsPermission) -> Notification | None:
    """The e-mail version of a refused SMS, to the address the consent's answer gave."""
    if not permission.email:
        return None
    language = getattr(sms.user, "language", None) or settings.LANGUAGE_CODE
    context = {**sms.context, "site_url": settings.SITE_URL}
    try:
        with translation.override(language):
            subject, body = _render(sms.template, context, NotificationChannel.EMAIL)
    except TemplateDoesNotExist:
        logger.warning("No e-mail version of %s: the refused SMS stays unsent.", sms.template)
        return None
    return outbox_write(
        channel=NotificationChannel.EMAIL, recipient=permission.email, user=sms.user,
        template=sms.template, context=sms.context, subject=subject, body=body,
    )  # fmt: skip


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
    refused: bool = False,
    error: str = "",
) -> Notification:
    """Write an already rendered message to the outbox and enqueue it after commit. An SMS
    is stored as it will be sent: GSM-7 or UCS-2, cut to SMS_MAX_SEGMENTS (core.sms_text).
    A `refused` SMS is kept, with the reason in `error`, and never sent."""
    sms = {}
    if channel == NotificationChannel.SMS:
        text = prepare(body, max_segments=settings.SMS_MAX_SEGMENTS,
                       transliterate_text=settings.SMS_TRANSLITERATE)  # fmt: skip
        body, sms = text.text, {"encoding": text.encoding, "segments": text.segments}
    notification = Notification.objects.create(
        channel=channel,
        recipient=recipient,
        user=user,
        template=template,
        context=context or {},
        subject=subject[:255],
        body=body,
        html_body=html_body,
        status=NotificationStatus.REFUSED if refused else NotificationStatus.PENDING,
        error=error,
        **sms,
    )
    if not refused:
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


def _send(notification: Notification) -> str:
    """Send; the provider's message id for an SMS, "" otherwise."""
    if notification.channel == NotificationChannel.SMS:
        return get_sms_backend().send(
            to=notification.recipient,
            body=notification.body,
            encoding=notification.encoding or "GSM7",
            reference=str(notification.pk),
        )
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
    )
    if notification.html_body:
        message.attach_alternative(notification.html_body, "text/html")
    message.send(fail_silently=False)
    return ""


def _refuse_if_no_consent(notification: Notification) -> bool:
    """Asked again just before sending: consent withdrawn or STOP received since."""
    if notification.channel != NotificationChannel.SMS:
        return False
    permission = sms_permission(phone=notification.recipient, user=notification.user)
    if permission.allowed:
        return False
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.REFUSED, error=permission.reason
        )
        _email_instead(notification, permission)
    return True


def deliver(*, notification_id: int) -> str:
    """Send one notification at most once; record the attempt and its outcome."""
    notification = _claim(notification_id)
    if notification is None:
        return DeliveryOutcome.ALREADY_HANDLED
    if _refuse_if_no_consent(notification):
        return DeliveryOutcome.REFUSED
    attempts = notification.attempts + 1
    try:
        provider_id = _send(notification)
    except Exception as exc:  # any backend failure is recorded, never lost
        logger.warning("Notification %s failed (attempt %s): %s", notification_id, attempts, exc)
        failed = isinstance(exc, SmsRejected) or attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.FAILED if failed else NotificationStatus.PENDING,
            attempts=attempts,
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return DeliveryOutcome.FAILED if failed else DeliveryOutcome.RETRY
    sent = {
        "attempts": attempts,
        "sent_at": timezone.now(),
        "error": "",
        "provider_id": provider_id,
    }
    # A delivery report may have come in already (it moved the row on): keep what it said.
    if not Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.SENDING
    ).update(status=NotificationStatus.SENT, **sent):
        Notification.objects.filter(pk=notification_id).update(**sent)
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
