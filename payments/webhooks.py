"""Stripe's webhook: verify, store, then process once.

`event_receive` checks the `Stripe-Signature` (anything wrong: `BadSignature`, the view
answers 400 with no detail and stores nothing), then inserts the `StripeEvent` — the unique
event id makes a replay a no-op — and queues its processing after commit. That is all the
request does, so it answers in a few milliseconds.

`event_process` claims the row (`SELECT … FOR UPDATE SKIP LOCKED` where still `received`),
re-reads the object from Stripe (the PaymentIntent, SetupIntent, charge or refund: never the
payload, which may be old or come out of order), folds it in, and marks the event processed,
in one transaction: an event is processed once, and a crash leaves it `received` for the
sweep. Deliveries in any order, any number of times, end in the state Stripe holds."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_log
from core.errors import ApplicationError
from payments import gateway, services, services_sepa
from payments.enums import HANDLED_EVENTS, StripeEventStatus
from payments.models import Payment, StripeEvent

logger = logging.getLogger(__name__)
BadSignature = gateway.BadSignature


def event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent | None, bool]:
    """Store a signed event; returns (event, created). A replay returns (None, False)."""
    data = gateway.webhook_event(payload, signature)
    obj = (data.get("data") or {}).get("object") or {}
    try:
        with transaction.atomic():
            event = StripeEvent.objects.create(
                stripe_id=data["id"][:255],
                type=data["type"][:100],
                payload=data,
                object_id=str(obj.get("id") or "")[:255],
            )
            audit_log(actor=None, action="stripe_event.received", target=event,
                      data={"type": event.type, "stripe_id": event.stripe_id})  # fmt: skip
            pk = event.pk

            def queue():
                from payments.tasks import process_stripe_event

                process_stripe_event.delay(pk)

            transaction.on_commit(queue, robust=True)
    except IntegrityError:
        return None, False
    return event, True


def event_process(*, event_id: int) -> str:
    """Process one stored event once; returns its status afterwards ('received' when Stripe
    could not be reached: the task retries)."""
    with transaction.atomic():
        event = (
            StripeEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, status=StripeEventStatus.RECEIVED)
            .first()
        )
        if event is None:
            return "skipped"
        try:
            with transaction.atomic():
                acted = _handle(event.type, (event.payload.get("data") or {}).get("object") or {})
        except ApplicationError as exc:
            event.error = f"{exc.code}: {exc.message}"[:1000]
            event.save(update_fields=["error"])
            logger.warning("Stripe event %s not processed yet: %s", event.stripe_id, exc.message)
            return StripeEventStatus.RECEIVED
        event.status = StripeEventStatus.PROCESSED if acted else StripeEventStatus.IGNORED
        event.processed_at = timezone.now()
        event.error = ""
        event.save(update_fields=["status", "processed_at", "error"])
        audit_log(actor=None, action=f"stripe_event.{event.status}", target=event,
                  data={"type": event.type})  # fmt: skip
        return event.status


def _payment_for_intent(obj: dict) -> Payment | None:
    intent_id = obj.get("id") or ""
    payment = Payment.objects.filter(stripe_payment_intent_id=intent_id).first()
    if payment is not None:
        return payment
    # The event may arrive before we stored the intent's id: our id is in its metadata.
    ours = str((obj.get("metadata") or {}).get("payment") or "")
    if ours.isdigit():
        updated = Payment.objects.filter(
            pk=int(ours), stripe_payment_intent_id__isnull=True
        ).update(stripe_payment_intent_id=intent_id)
        if updated:
            return Payment.objects.get(pk=int(ours))
    return None


def _handle(kind: str, obj: dict) -> bool:
    """Act on one event type; False when the event is about nothing of ours."""
    if kind not in HANDLED_EVENTS:
        return False
    if kind.startswith("payment_intent."):
        payment = _payment_for_intent(obj)
        if payment is None:
            return False
        services.payment_sync(payment_id=payment.pk)
        return True
    if kind in ("charge.refunded", "refund.updated"):
        intent_id = obj.get("payment_intent") or ""
        if not intent_id and kind == "charge.refunded":
            intent_id = gateway.charge_intent(obj.get("id") or "")
        payment = Payment.objects.filter(stripe_payment_intent_id=intent_id or "-").first()
        if payment is None:
            return False
        services.payment_sync(payment_id=payment.pk)
        return True
    if kind.startswith("setup_intent."):
        return services_sepa.mandate_setup_sync(setup_intent_id=obj.get("id") or "-") is not None
    if kind == "mandate.updated":
        details = obj.get("payment_method_details") or {}
        return bool(
            services_sepa.mandate_revoked(
                stripe_mandate_id=obj.get("id") or "",
                payment_method=obj.get("payment_method") or details.get("payment_method") or "",
                status=obj.get("status") or "",
            )
        )
    return False
