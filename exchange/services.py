"""Webhook writes: subscriptions (create, change, delete, re-enable) and the outbox of
deliveries (`webhook_emit`, written in the caller's transaction and sent after commit by
`exchange.tasks.send_webhook_delivery`; the sending itself is `exchange.delivery`)."""

import base64
import secrets
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, NotFoundError
from exchange.endpoints import check_endpoint
from exchange.enums import DeliveryStatus
from exchange.events import EVENTS
from exchange.models import WebhookDelivery, WebhookSubscription
from exchange.permissions import can_manage_webhooks
from exchange.selectors import forget_subscribers, subscribers_by_event, subscription_get_for


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _clean_events(events) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise ApplicationError(
            _("Évènement inconnu : %(events)s.") % {"events": ", ".join(unknown)},
            code=ErrorCode.INVALID,
        )
    if not events:
        raise ApplicationError(_("Choisissez au moins un évènement."), code=ErrorCode.INVALID)
    return [name for name in EVENTS if name in set(events)]  # catalogue order, no duplicate


def _subscriptions_changed() -> None:
    """Forget who subscribes to what, now and once the change is visible to others."""
    forget_subscribers()
    transaction.on_commit(forget_subscribers, robust=True)


def _after_commit_send(deliveries) -> None:
    from exchange.tasks import send_webhook_delivery

    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: send_webhook_delivery.delay(pk), robust=True)


@transaction.atomic
def subscription_create(*, actor, organisation_id: int, url: str, events: list[str],
                        description: str = "") -> WebhookSubscription:  # fmt: skip
    """Subscribe an organisation's URL; the secret is in the returned object, to be shown
    once."""
    organisation = Organisation.objects.filter(pk=organisation_id, is_active=True).first()
    if organisation is None or not can_manage_webhooks(actor, organisation):
        raise NotFoundError(_("Organisation introuvable."))
    subscription = WebhookSubscription.objects.create(
        organisation=organisation, url=check_endpoint(url.strip()), events=_clean_events(events),
        description=description.strip(), secret=new_secret(), created_by=actor,
    )  # fmt: skip
    _subscriptions_changed()
    audit_log(actor=actor, action="webhook.subscribed", target=subscription,
              data={"url": subscription.url, "events": subscription.events})  # fmt: skip
    return subscription


def _lock(actor, subscription_id: int) -> WebhookSubscription:
    subscription_get_for(user=actor, subscription_id=subscription_id)  # 404 for strangers
    return WebhookSubscription.objects.select_for_update().get(pk=subscription_id)


@transaction.atomic
def subscription_update(*, actor, subscription_id: int, **changes) -> WebhookSubscription:
    """Change the URL, events, description or `active` (turning it on again re-enables)."""
    subscription = _lock(actor, subscription_id)
    if "url" in changes:
        subscription.url = check_endpoint(changes["url"].strip())
    if "events" in changes:
        subscription.events = _clean_events(changes["events"])
    if "description" in changes:
        subscription.description = changes["description"].strip()
    subscription.save()
    if "active" in changes and changes["active"] != subscription.active:
        if changes["active"]:
            return subscription_enable(actor=actor, subscription_id=subscription_id)
        subscription.active = False
        subscription.disabled_at = timezone.now()
        subscription.save(update_fields=["active", "disabled_at", "updated_at"])
    _subscriptions_changed()
    audit_log(actor=actor, action="webhook.changed", target=subscription,
              data={key: value for key, value in changes.items() if key != "secret"})  # fmt: skip
    return subscription


@transaction.atomic
def subscription_enable(*, actor, subscription_id: int) -> WebhookSubscription:
    """Re-enable a subscription: failures are forgotten and what still waits is sent."""
    subscription = _lock(actor, subscription_id)
    subscription.active = True
    subscription.consecutive_failures = 0
    subscription.disabled_at = None
    subscription.save(update_fields=["active", "consecutive_failures", "disabled_at",
                                     "updated_at"])  # fmt: skip
    waiting = list(
        subscription.deliveries.filter(status=DeliveryStatus.PENDING).only("pk").order_by("pk")
    )
    WebhookDelivery.objects.filter(pk__in=[d.pk for d in waiting]).update(
        next_attempt_at=timezone.now()
    )
    _after_commit_send(waiting)
    _subscriptions_changed()
    audit_log(actor=actor, action="webhook.enabled", target=subscription)
    return subscription


@transaction.atomic
def subscription_delete(*, actor, subscription_id: int) -> None:
    subscription = _lock(actor, subscription_id)
    audit_log(actor=actor, action="webhook.deleted", target=subscription,
              data={"url": subscription.url})  # fmt: skip
    subscription.delete()
    _subscriptions_changed()


@transaction.atomic
def delivery_resend(*, actor, subscription_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again, as a new delivery of the same message (same `webhook-id`, so
    the receiver can tell it already has it)."""
    subscription = _lock(actor, subscription_id)
    original = subscription.deliveries.filter(pk=delivery_id).first()
    if original is None:
        raise NotFoundError(_("Envoi introuvable."))
    if not subscription.active:
        raise ApplicationError(
            _("Réactivez l'abonnement avant de renvoyer un message."),
            code=ErrorCode.WEBHOOK_DISABLED,
        )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_type=original.event_type, payload=original.payload,
        webhook_id=original.webhook_id, next_attempt_at=timezone.now(), resent_from=original,
    )  # fmt: skip
    audit_log(actor=actor, action="webhook.resent", target=delivery,
              data={"from": original.pk})  # fmt: skip
    _after_commit_send([delivery])
    return delivery


def webhook_emit(*, event_type: str, organisation_ids, data: dict) -> list[WebhookDelivery]:
    """Write one delivery per active subscription of these organisations that listens to
    `event_type`, in the caller's transaction (the outbox); they are sent after commit.
    `data` carries ids and statuses, never a person's data."""
    if event_type not in EVENTS:
        raise ValueError(f"{event_type!r} is not in exchange.events.EVENTS")
    ids = set(organisation_ids) & subscribers_by_event().get(event_type, set())
    if not ids:
        return []
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(organisation_id__in=ids, active=True)
        .only("pk", "events")
        .order_by("pk")
        if event_type in s.events
    ]
    if not subscriptions:
        return []
    now = timezone.now()
    message = {"type": event_type, "timestamp": now.isoformat(), "data": data}
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription_id=s.pk,
                event_type=event_type,
                payload=message,
                webhook_id=new_webhook_id(),
                next_attempt_at=now,
            )  # fmt: skip
            for s in subscriptions
        ]
    )
    _after_commit_send(deliveries)
    return deliveries
