"""Celery tasks of payments: thin wrappers over the services, retried with back-off when
Stripe cannot be reached (except in eager mode, where the sweep catches up)."""

import random
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from core.errors import ApplicationError
from payments import selectors, services, services_sepa, webhooks
from payments.enums import PaymentStatus, RefundStatus, StripeEventStatus
from payments.models import Payment, Refund

RETRY_SECONDS = 30


def _eager() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


@shared_task(bind=True, acks_late=True, max_retries=8)
def process_stripe_event(self, event_id: int) -> str:
    """One event again (its retries, the sweep): with back-off while Stripe is unreachable."""
    status = webhooks.event_process(event_id=event_id)
    if status == StripeEventStatus.RECEIVED and not _eager():
        raise self.retry(countdown=RETRY_SECONDS * 2**self.request.retries)
    return status


# --- Waking the processing of new events ----------------------------------------------------
# The webhook does not queue a task per event: it sets one of STRIPE_EVENT_PROCESSORS flags in
# the cache (one Redis `SET NX`), and queues `process_stripe_events` only when the flag was not
# set. The run keeps its flag while it finds events, so that a steady flow of deliveries queues
# nothing more; when a claim finds nothing it clears the flag and claims once more (an event
# committed before the clear, whose wake met the flag, is seen by that claim) and stops only
# when that one finds nothing too. A run that found more after its clear takes its flag back,
# or leaves the slot to the run a new event queued meanwhile. Between small batches it waits
# STRIPE_EVENT_GATHER_SECONDS, flag held: the events of that moment make one batch, not one
# each. A flag lives WAKE_SECONDS after its run's last batch at most (a task lost with its
# message: the next event wakes another; the sweep catches up in any case).

WAKE_KEY = "payments:stripe-events:wake:{}"
WAKE_SECONDS = 60
DRAIN_BATCHES = 50  # then the task queues itself again, so other tasks get their turn


def processing_wake(slot: int | None = None) -> None:
    """After an event is committed: make sure a processor will claim it."""
    slots = max(1, settings.STRIPE_EVENT_PROCESSORS)
    slot = random.randrange(slots) if slot is None else slot % slots
    if cache.add(WAKE_KEY.format(slot), 1, timeout=WAKE_SECONDS):
        process_stripe_events.delay(slot)


@shared_task(acks_late=True)
def process_stripe_events(slot: int = 0) -> int:
    """Process the new events in batches until none is left; returns how many were done.
    Events whose object could not be read are retried one by one, with back-off."""
    key = WAKE_KEY.format(slot)
    done, released = 0, False
    for _batch in range(DRAIN_BATCHES):
        outcome = webhooks.events_process()
        if not outcome:
            if released:
                return done
            cache.delete(key)  # from now on a new event queues a new run
            released = True
            continue  # one more claim: the events whose wake met the flag
        done += len(outcome)
        if not _eager():  # eager (tests, the demo without Redis): the sweep retries them
            for event_id, status in outcome.items():
                if status == StripeEventStatus.RECEIVED:
                    process_stripe_event.apply_async((event_id,), countdown=RETRY_SECONDS)
        if released and not cache.add(key, 1, timeout=WAKE_SECONDS):
            return done  # a new event queued a new run for this slot: it goes on
        if not released:
            cache.touch(key, WAKE_SECONDS)  # a long run keeps its flag past WAKE_SECONDS
        released = False
        if len(outcome) < settings.STRIPE_EVENT_BATCH and not _eager():
            time.sleep(settings.STRIPE_EVENT_GATHER_SECONDS)
    cache.delete(key)
    processing_wake(slot)
    return done


@shared_task(bind=True, acks_late=True)
def refund_submit(self, refund_id: int) -> str:
    try:
        return services.refund_submit(refund_id=refund_id).status
    except ApplicationError as exc:
        attempts = Refund.objects.get(pk=refund_id).attempts
        if attempts >= settings.REFUND_MAX_ATTEMPTS:
            services.refund_failed(refund_id=refund_id, error=exc.message)
            return RefundStatus.FAILED
        if _eager() or self.request.called_directly:
            return RefundStatus.PENDING  # no retry here: the sweep sends it again
        raise self.retry(countdown=RETRY_SECONDS * 2**attempts) from exc


@shared_task(acks_late=True)
def payment_intent_cancel(payment_id: int, intent_id: str) -> None:
    try:
        services.payment_intent_cancel(payment_id=payment_id, intent_id=intent_id)
    except ApplicationError:
        pass  # the intent expires on its own at Stripe; the next sync reads it


@shared_task(acks_late=True)
def collect_due_installments() -> int:
    return len(services_sepa.collect_due_installments())


@shared_task(acks_late=True)
def payments_sweep() -> dict:
    """Every 10 minutes: events left `received`, refunds still pending, debits never sent."""
    counts = {"events": 0, "refunds": 0, "debits": 0}
    for event_id in selectors.events_to_retry().values_list("pk", flat=True)[:500]:
        process_stripe_event.delay(event_id)
        counts["events"] += 1
    for refund_id in Refund.objects.filter(status=RefundStatus.PENDING).values_list(
        "pk", flat=True
    )[:200]:
        refund_submit.delay(refund_id)
        counts["refunds"] += 1
    debits = Payment.objects.filter(
        status=PaymentStatus.CREATED, stripe_payment_intent_id__isnull=True, mandate__isnull=False
    ).values_list("pk", flat=True)[:200]
    for payment_id in debits:
        try:
            services_sepa.debit_submit(payment_id=payment_id)
            counts["debits"] += 1
        except ApplicationError:
            pass  # still unreachable: next sweep
    return counts
