"""Stripe's webhook: verify, store, then process once.

`event_receive` checks the `Stripe-Signature` (anything wrong: `BadSignature`, the view
answers 400 with no detail and stores nothing), then inserts the `StripeEvent` — one statement,
committed on its own; the unique event id makes a replay a no-op — and wakes the processing
(`tasks.processing_wake`: one Redis command while a batch is already on its way). That is all
the request does: three round trips (the connection's health check, the insert, Redis). The
event's audit row is written when it is processed, with the time it came (`_audit_data`).

`events_process` claims a batch of stored events (`SELECT … FOR UPDATE SKIP LOCKED` where
still `received`), groups them by the Stripe object they are about, re-reads each object once
from Stripe (the PaymentIntent, SetupIntent, charge: never the payload, which may be old or
come out of order; several reads at once), folds what it read into our row under that row's
lock (payments in id order), and marks every event of the batch with its audit row, in the
batch's one transaction: an event is processed once, a crash leaves the batch `received` for
the sweep. Folding the latest state once for several events of one object ends where folding
it once per event would: deliveries in any order, any number of times, end in the state
Stripe holds. An object that cannot be read (Stripe unreachable) or folded leaves its events
`received` with the error, for their retries; the rest of the batch goes on."""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.audit import audit_log_many
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
    fields = {"stripe_id": data["id"][:255], "type": data["type"][:100], "payload": data,
              "object_id": str(obj.get("id") or "")[:255]}  # fmt: skip
    try:
        if connection.in_atomic_block:  # the caller's transaction: a replay must not spoil it
            with transaction.atomic():
                event = StripeEvent.objects.create(**fields)
        else:  # one statement, committed on its own: one round trip to the database
            event = StripeEvent.objects.create(**fields)
    except IntegrityError:
        return None, False
    transaction.on_commit(_wake, robust=True)  # at once, or when the caller's transaction commits
    return event, True


def _wake() -> None:
    from payments.tasks import processing_wake

    processing_wake()


# --- Processing -------------------------------------------------------------------------------


def _object(event: StripeEvent) -> dict:
    return (event.payload.get("data") or {}).get("object") or {}


def _subject(event: StripeEvent) -> tuple[str, str]:
    """What an event is about: ("intent", id), ("charge", id) (a refunded charge that does
    not name its intent), ("setup", id), ("event", pk) (handled alone, from its payload) or
    ("none", "") (nothing we act on)."""
    kind, obj = event.type, _object(event)
    if kind not in HANDLED_EVENTS:
        return ("none", "")
    if kind.startswith("payment_intent."):
        return ("intent", str(obj.get("id") or ""))
    if kind in ("charge.refunded", "refund.updated"):
        intent_id = str(obj.get("payment_intent") or "")
        if intent_id:
            return ("intent", intent_id)
        if kind == "charge.refunded" and obj.get("id"):
            return ("charge", str(obj["id"]))
        return ("none", "")
    if kind.startswith("setup_intent."):
        return ("setup", str(obj.get("id") or "-"))
    if kind == "mandate.updated":
        return ("event", str(event.pk))
    return ("none", "")


def _payment_by_metadata(intent_id: str, events: list[StripeEvent]) -> int | None:
    """The payment of an intent whose id we have not stored yet (the event came before the
    answer to our create): our id is in the intent's metadata."""
    for event in events:
        if not event.type.startswith("payment_intent."):
            continue  # a charge's event does not carry the intent's metadata
        ours = str((_object(event).get("metadata") or {}).get("payment") or "")
        if ours.isdigit():
            updated = Payment.objects.filter(
                pk=int(ours), stripe_payment_intent_id__isnull=True
            ).update(stripe_payment_intent_id=intent_id)
            if updated:
                return int(ours)
    return None


def _read_all(calls: dict, function) -> dict:
    """`function(argument)` for each key of `calls` ({key: argument}), several at once:
    {key: result or the ApplicationError raised}."""

    def one(argument):
        try:
            return function(argument)
        except ApplicationError as exc:
            return exc

    if len(calls) <= 1:
        return {key: one(argument) for key, argument in calls.items()}
    readers = max(1, min(settings.STRIPE_EVENT_READERS, len(calls)))
    with ThreadPoolExecutor(max_workers=readers) as pool:
        results = pool.map(one, calls.values())
        return dict(zip(calls.keys(), results, strict=True))


def _mandate_updated(event: StripeEvent) -> bool:
    obj = _object(event)
    details = obj.get("payment_method_details") or {}
    return bool(
        services_sepa.mandate_revoked(
            stripe_mandate_id=obj.get("id") or "",
            payment_method=obj.get("payment_method") or details.get("payment_method") or "",
            status=obj.get("status") or "",
        )
    )


def _guarded(action) -> tuple[bool | None, str]:
    """Run `action()` in a savepoint: (its answer, "") or (None, the error) when it failed —
    the batch goes on without it."""
    try:
        with transaction.atomic():
            return action(), ""
    except ApplicationError as exc:
        return None, f"{exc.code}: {exc.message}"
    except Exception as exc:  # a bug must not hold the rest of the batch back forever
        logger.exception("Stripe event not processed")
        return None, f"error: {type(exc).__name__}: {exc}"


def events_process(*, event_ids: list[int] | None = None, limit: int | None = None) -> dict:
    """Process a batch of stored events once: those of `event_ids` still `received`, or the
    oldest `limit` never tried (`error` empty: the failed ones wait for their retry). Events
    another processor holds are skipped. Returns {stripe event pk: status afterwards}
    ('received' when its object could not be read or folded: its error says why)."""
    limit = limit or settings.STRIPE_EVENT_BATCH
    with transaction.atomic():
        claim = StripeEvent.objects.select_for_update(skip_locked=True).filter(
            status=StripeEventStatus.RECEIVED
        )
        if event_ids is not None:
            claim = claim.filter(pk__in=event_ids)
        else:
            claim = claim.filter(error="")
        events = list(claim.order_by("pk")[:limit])
        if not events:
            return {}
        groups: dict[tuple[str, str], list[StripeEvent]] = {}
        for event in events:
            groups.setdefault(_subject(event), []).append(event)
        acted: dict[int, bool] = {}
        errors: dict[int, str] = {}

        def settle(group: list[StripeEvent], answer: bool | None, error: str = "") -> None:
            for event in group:
                if error:
                    errors[event.pk] = error[:1000]
                else:
                    acted[event.pk] = bool(answer)

        settle(groups.pop(("none", ""), []), False)
        # A refunded charge that does not name its intent: ask Stripe whose it is.
        charges = {key: key[1] for key in groups if key[0] == "charge"}
        for key, found in _read_all(charges, gateway.charge_intent).items():
            group = groups.pop(key)
            if isinstance(found, ApplicationError):
                settle(group, None, f"{found.code}: {found.message}")
            else:
                groups.setdefault(("intent", found or "-"), []).extend(group)
        # PaymentIntents: our payments, one read each, folded in id order.
        intents = {key[1]: group for key, group in groups.items() if key[0] == "intent"}
        payments = dict(
            Payment.objects.filter(stripe_payment_intent_id__in=list(intents)).values_list(
                "stripe_payment_intent_id", "pk"
            )
        )
        for intent_id, group in intents.items():
            if intent_id not in payments:
                found = _payment_by_metadata(intent_id, group)
                if found is not None:
                    payments[intent_id] = found
        for intent_id, group in intents.items():
            if intent_id not in payments:
                settle(group, False)
        reads = _read_all(
            {intent_id: intent_id for intent_id in payments}, gateway.payment_intent_retrieve
        )
        for intent_id, payment_id in sorted(payments.items(), key=lambda item: item[1]):
            read = reads[intent_id]
            if isinstance(read, ApplicationError):
                settle(intents[intent_id], None, f"{read.code}: {read.message}")
                continue
            answer, error = _guarded(
                lambda p=payment_id, i=read: bool(services.payment_fold(payment_id=p, intent=i))
            )
            settle(intents[intent_id], answer, error)
        # SetupIntents (each read and folded by its service) and mandates (from the payload).
        for (kind, value), group in sorted(groups.items()):
            if kind == "setup":
                answer, error = _guarded(
                    lambda v=value: services_sepa.mandate_setup_sync(setup_intent_id=v) is not None
                )
                settle(group, answer, error)
            elif kind == "event":
                for event in group:
                    answer, error = _guarded(lambda e=event: _mandate_updated(e))
                    settle([event], answer, error)
        return _mark(events, acted, errors)


def _audit_data(event: StripeEvent) -> dict:
    """An event's one audit row, written when it is processed: what it was and when it came."""
    return {"type": event.type, "stripe_id": event.stripe_id,
            "received_at": event.received_at.isoformat()}  # fmt: skip


def _mark(events: list[StripeEvent], acted: dict[int, bool], errors: dict[int, str]) -> dict:
    """Write each event's outcome and its audit row (in the batch's transaction)."""
    now = timezone.now()
    outcome = {}
    for status, wanted in ((StripeEventStatus.PROCESSED, True), (StripeEventStatus.IGNORED, False)):
        done = [e for e in events if e.pk in acted and acted[e.pk] is wanted]
        if not done:
            continue
        StripeEvent.objects.filter(pk__in=[e.pk for e in done]).update(
            status=status, processed_at=now, error=""
        )
        audit_log_many(actor=None, action=f"stripe_event.{status}", targets=done,
                       data_of=_audit_data)  # fmt: skip
        outcome |= {e.pk: status for e in done}
    failed: dict[str, list[StripeEvent]] = {}  # one update per error (Stripe down: one)
    for event in events:
        if event.pk in errors:
            failed.setdefault(errors[event.pk], []).append(event)
    for error, group in failed.items():
        StripeEvent.objects.filter(pk__in=[e.pk for e in group]).update(error=error)
        for event in group:
            logger.warning("Stripe event %s not processed yet: %s", event.stripe_id, error)
            outcome[event.pk] = StripeEventStatus.RECEIVED
    return outcome


def event_process(*, event_id: int) -> str:
    """Process one stored event once; returns its status afterwards ('received' when Stripe
    could not be reached: the task retries; 'skipped' when it was done or is being done)."""
    return events_process(event_ids=[event_id]).get(event_id, "skipped")
